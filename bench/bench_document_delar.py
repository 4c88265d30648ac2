"""Time to build the largest follow-up document: a Delårsrapport with 15 committees.

Synthetic data: 15 committees (economy table with totals, a bar chart, a comment each),
3 strategic areas with 7 council goals and 15 committee goals with indicators (a table
and a stacked chart), the financial goals, the balanskravsutredning, the income statement
and balance sheet with their comparison columns and the municipal group, computed from
small double-entry books by the same functions the stages use (``tests/sample_books.py``),
3 action plans with follow-ups and 5 companies.

Run ``.venv/bin/python bench/bench_document_delar.py [RUNS]``. Importing matplotlib is
timed apart, then one warm-up build (fonts, templates, caches); the target for the median
of the others is under one second.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from arshjul.documents.followup_contents import (
    ActionPlanFollowUp,
    ActionPlanMeasure,
    ActionPlanSummary,
    BalanceRequirement,
    CompanyReport,
    FinancialGoal,
    FollowUpData,
    GoalReport,
    IndicatorResult,
    UnitEconomy,
)

# The statements come from the tests' small books: real accounts, no database.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import sample_books  # noqa: E402

UNITS = 15
AREAS = ("Inspirerande livsmiljö", "Inspirerande lärande och arbete", "Inspirerande organisation")
LEVELS = ("uppfyllt", "delvis uppfyllt", "ej uppfyllt", "ej bedömd")
M = 1_000_000
TEXT = "Verksamheten följer i stort sett plan, men kostnaderna för köpta platser ökar. "


def synthetic(seed: int = 1984) -> FollowUpData:
    """A full interim report's data for 15 committees."""
    rng = random.Random(seed)
    units, plans = [], []
    for index in range(UNITS):
        name = f"Nämnd {index + 1:02d} – förvaltning & verksamhet"
        budget = rng.randrange(20 * M, 300 * M)
        forecast = round(budget * rng.uniform(0.97, 1.04))
        threshold = min(M, budget // 200)
        state = "gäller" if budget - forecast < -threshold else None
        units.append(
            UnitEconomy(
                name, budget, round(forecast * 8 / 12), forecast, threshold, state, TEXT * 3
            )
        )
        if state and len(plans) < 3:
            measures = [ActionPlanMeasure(f"Åtgärd {m}", 400_000, name, "2027-10-01") for m in "AB"]
            follow = [ActionPlanFollowUp("Ekonomirapport juni", forecast - budget, "Pågår")]
            plans.append(
                ActionPlanSummary(
                    name,
                    budget - forecast,
                    dt.date(2027, 5, 12),
                    state,
                    measures,
                    follow_ups=follow,
                )
            )
    goals = []
    for key in range(7):
        area = AREAS[key % 3]
        council = f"{key % 3 + 1}.{key // 3 + 1}"
        goals.append(
            GoalReport(
                council,
                f"Kommunfullmäktiges mål {council}",
                "council",
                None,
                area,
                rng.choice(LEVELS),
                TEXT,
                [IndicatorResult("Indikator", "%", 80, 77.5)],
            )
        )
    for index in range(UNITS):
        council = goals[index % 7]
        goals.append(
            GoalReport(
                f"N{index + 1}",
                "Nämndmål",
                "committee",
                units[index].name,
                council.strategic_area,
                rng.choice(LEVELS),
                TEXT,
                [
                    IndicatorResult("Andel nöjda", "%", 90, 85),
                    IndicatorResult("Antal", "st", 12, 14),
                ],
                council.key,
            )
        )
    statements = sample_books.statements(12 * M, annual=False)
    return FollowUpData(
        municipality="Arboga kommun",
        year=2027,
        kind="delar",
        period="januari–augusti",
        as_of=dt.date(2027, 8, 31),
        units=units,
        companies=[CompanyReport(f"Bolag {i} AB", 100, TEXT, M) for i in range(5)],
        action_plans=plans,
        goals=goals,
        statements=statements,
        group=sample_books.group(statements, annual=False),
        balance_requirement=BalanceRequirement(statements.result_kr, realisation_gains_kr=2 * M),
        sound_financial_management=[FinancialGoal("Resultat minst 2 %", "2,0 %", "1,7 %", False)],
        body="Kommunfullmäktige",
        demo=True,
    )


def main(runs: int = 5) -> None:
    start = time.perf_counter()
    import matplotlib.backends.backend_agg  # noqa: F401  (what the charts import on first use)
    import matplotlib.figure  # noqa: F401

    import_seconds = time.perf_counter() - start
    from arshjul.documents.delar import build_delar_document

    data = synthetic()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = build_delar_document(data, out_dir=Path(tmp) / "warm-up")
        first = time.perf_counter() - start
        times = []
        for run in range(runs):
            start = time.perf_counter()
            build_delar_document(data, out_dir=Path(tmp) / str(run))
            times.append(time.perf_counter() - start)
        size = path.stat().st_size
        import docx

        document = docx.Document(str(path))
        tables, pictures = len(document.tables), len(document.inline_shapes)
    print(f"import matplotlib: {import_seconds:.3f} s")
    print(f"warm-up build (fonts, templates, caches): {first:.3f} s")
    print(
        f"{runs} builds: median {statistics.median(times):.3f} s, max {max(times):.3f} s "
        f"(target < 1 s); {UNITS} committees, {len(data.goals)} goals, {tables} tables, "
        f"{pictures} charts, {size // 1024} kB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

"""Time to build the largest document: an interim-report-like one with 15 units.

Per unit: a table of budget, actuals, forecast and deviation, a goals table and a
paragraph; in front: a summary table with totals and two charts (budget against
forecast per unit, goal attainment per strategic area). Synthetic data.

Run ``.venv/bin/python bench/bench_documents.py [RUNS]``. The first build, which pays
for importing matplotlib and loading its fonts, is reported apart; the target for the
others is under one second each.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from arshjul.documents import DocumentBuilder

UNITS = 15
AREAS = ("Inspirerande livsmiljö", "Inspirerande lärande och arbete", "Inspirerande organisation")
LEVELS = ("Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt", "Ej bedömd")
LINES = ("Intäkter", "Personalkostnader", "Lokalkostnader", "Övriga kostnader", "Nettokostnad")


def synthetic(seed: int = 1984) -> list[dict[str, object]]:
    """Fifteen units with budget lines (kronor) and three goals each."""
    rng = random.Random(seed)
    units = []
    for index in range(UNITS):
        lines = []
        for line in LINES[:-1]:
            budget = rng.randrange(2_000_000, 90_000_000)
            actual = round(budget * 8 / 12 * rng.uniform(0.9, 1.1))
            forecast = round(budget * rng.uniform(0.95, 1.06))
            lines.append((line, budget, actual, forecast))
        net = tuple(sum(values) for values in zip(*(line[1:] for line in lines), strict=True))
        goals = [
            (f"Mål {index + 1}.{g + 1}", f"Indikator {g + 1}", rng.choice(LEVELS)) for g in range(3)
        ]
        units.append(
            {
                "name": f"Enhet {index + 1:02d} – förvaltning & verksamhet",
                "lines": lines,
                "net": net,
                "goals": goals,
                "area": AREAS[index % len(AREAS)],
            }
        )
    return units


def build(units: list[dict[str, object]], out_dir: Path) -> Path:
    """The interim-report-like document."""
    doc = DocumentBuilder(
        None,
        "Arboga kommun",
        "Delårsrapport",
        "Januari–augusti 2027",
        2027,
        "Kommunfullmäktige",
        None,
        None,
        demo=True,
    )
    doc.heading("Sammanfattning", 1)
    doc.paragraph("Prognosen för helåret jämfört med budget, per enhet. " * 4)
    rows = [
        [u["name"], u["net"][0], u["net"][1], u["net"][2], u["net"][0] - u["net"][2]] for u in units
    ]
    totals = ["Summa", *(sum(r[i] for r in rows) for i in range(1, 5))]
    doc.table(
        ["Enhet", "Budget, tkr", "Utfall aug, tkr", "Prognos, tkr", "Avvikelse, tkr"],
        rows,
        totals=totals,
        caption="Nettokostnad per enhet, tkr",
    )
    doc.chart_bar(
        "Budget och prognos per enhet",
        [u["name"] for u in units],
        [("Budget", [u["net"][0] for u in units]), ("Prognos", [u["net"][2] for u in units])],
    )
    counts = [
        [
            sum(1 for u in units if u["area"] == area for g in u["goals"] if g[2] == level)
            for area in AREAS
        ]
        for level in LEVELS
    ]
    doc.chart_stacked(
        "Måluppfyllelse per strategiskt område", AREAS, list(zip(LEVELS, counts, strict=True))
    )
    doc.heading("Enheterna", 1)
    for unit in units:
        doc.heading(unit["name"], 2)
        doc.paragraph("Verksamheten följer i stort sett plan. " * 6)
        lines = [[name, b, a, f, b - f] for name, b, a, f in unit["lines"]]
        net = unit["net"]
        doc.table(
            ["Post", "Budget, tkr", "Utfall aug, tkr", "Prognos, tkr", "Avvikelse, tkr"],
            lines,
            totals=["Nettokostnad", net[0], net[1], net[2], net[0] - net[2]],
            caption=f"Ekonomi för {unit['name']}, tkr",
        )
        doc.table(
            ["Mål", "Indikator", "Bedömning"],
            [list(g) for g in unit["goals"]],
            numeric_columns=(),
            caption=f"Måluppfyllelse för {unit['name']}",
        )
    return doc.save(out_dir)


def main(runs: int = 5) -> None:
    units = synthetic()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        import matplotlib.figure  # noqa: F401  (the import the documents pay once per process)

        import_seconds = time.perf_counter() - start
        start = time.perf_counter()
        path = build(units, Path(tmp) / "first")
        first = time.perf_counter() - start
        times = []
        for run in range(runs):
            start = time.perf_counter()
            build(units, Path(tmp) / str(run))
            times.append(time.perf_counter() - start)
        size = path.stat().st_size
    print(f"import matplotlib: {import_seconds:.3f} s")
    print(f"first build (fonts, templates, caches): {first:.3f} s")
    print(
        f"{runs} builds: median {statistics.median(times):.3f} s, max {max(times):.3f} s "
        f"(target < 1 s); {UNITS} units, {2 * UNITS + 1} tables, 2 charts, {size // 1024} kB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

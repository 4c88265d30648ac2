"""Time to write the annual report with the municipal group and all notes.

The issue's target: "the annual report with the group and all notes is written in under
2 s on this machine".

Setup (once, not timed as part of the target): the demo's year through the stage
functions without Prefect (``Year(..., through_prefect=False)``, what ``arshjul demo``
runs), in a temporary folder with its own SQLite database. That leaves what a real
annual report reads: two years of double-entry trial balances for the municipality,
five companies and a federation (accumulated, every month), the group's internal
transactions, the result budget, key figures and sick leave, the committees' answers.

Then, for ``--runs`` repetitions after one warm-up (fonts, templates, matplotlib,
Babel's data, SQLAlchemy's statement cache), on a fresh session each:

(a) data: ``unit_figures`` + ``annual_report_parts`` (statements, notes, cash flow,
    operating and investment accounts, the group with its bridge and eliminations,
    balance requirement, five-year overview) + ``follow_up`` (the committees, goals,
    companies, internal control), as ``write_arsredovisning`` does, without its
    writes (goal answers, control outcomes, the document's row);
(b) docx: ``build_arsredovisning_document`` into a new folder.

    .venv/bin/python bench/bench_annual_report.py [--runs 10] [--year 2027]
        [--keep DIR] [--json FILE]

``--keep DIR`` keeps the demo's folder (and reuses it when it already holds the year),
to time again without the setup. Figures and their reading: bench/annual_report.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TARGET_S = 2.0


def _environment(folder: Path) -> None:
    """Everything inside ``folder``, before the settings are read."""
    os.environ["ARSHJUL_DATABASE_URL"] = f"sqlite:///{folder / 'arshjul.db'}"
    os.environ["ARSHJUL_MAIL_DIR"] = str(folder / "e-post")
    os.environ["ARSHJUL_OUTPUT_DIR"] = str(folder / "dokument")
    os.environ.pop("ARSHJUL_CONFIG_FILE", None)


def setup(year: int, folder: Path) -> float:
    """The demo's year without Prefect; returns its seconds (0 when reused)."""
    from sqlmodel import Session, select

    from arshjul.models import GeneratedDocument
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(os.environ["ARSHJUL_DATABASE_URL"])
    if (folder / "arshjul.db").exists():
        with Session(engine) as session:
            done = session.exec(
                select(GeneratedDocument).where(GeneratedDocument.kind == "arsredovisning")
            ).first()
        if done is not None:
            return 0.0
    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config
    from arshjul.demo.year import Year

    started = time.perf_counter()
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    Year(engine, year, folder, lambda _: None, through_prefect=False).run()
    return time.perf_counter() - started


def one_run(year: int, out_dir: Path) -> tuple[float, float, dict[str, int]]:
    """(a) the data and (b) the .docx, timed apart; what the report holds."""
    from sqlmodel import Session

    from arshjul.documents.arsredovisning import build_arsredovisning_document
    from arshjul.models.db import get_engine
    from arshjul.queries.organisation import get_municipality
    from arshjul.settings import get_settings
    from arshjul.stages import followup_report as data
    from arshjul.stages.base import stage_context
    from arshjul.stages.economy import UnitFigures, unit_figures
    from arshjul.stages.financial_report import annual_report_parts

    settings = get_settings()
    engine = get_engine(settings.database_url)
    # The stage's moment: its compile day in the demo's calendar (after the year's books).
    as_of = dt.datetime(year + 1, 2, 14, 8, 0, tzinfo=STOCKHOLM)
    with Session(engine) as session:
        municipality = get_municipality(session)
        ctx = stage_context(
            session,
            municipality=municipality,
            year=year,
            slug="arsredovisning",
            as_of=as_of,
            settings=settings,
        )
        started = time.perf_counter()
        figures = unit_figures(
            session, stage=ctx.stage, year=year, actuals_month=12, forecast_month=12
        )
        parts = annual_report_parts(ctx, figures)
        figures = [
            UnitFigures(
                f.unit,
                f.budget_kr,
                parts.unit_actuals.get(f.unit.id, f.actual_kr),  # type: ignore[arg-type]
                parts.unit_actuals.get(f.unit.id, f.actual_kr),  # type: ignore[arg-type]
                f.submission,
            )
            for f in figures
        ]
        report = data.follow_up(
            ctx, figures, kind="arsredovisning", period="januari–december", month=12, parts=parts
        )
        built = time.perf_counter()
        path = build_arsredovisning_document(report, template=ctx.template, out_dir=out_dir)
        written = time.perf_counter()
        session.rollback()  # nothing of the stage's own bookkeeping is kept
    statements, group = report.statements, report.group
    counts = {
        "notes": len(statements.notes) if statements else 0,
        "cash_flow_columns": len(statements.cash_flow.columns)
        if statements and statements.cash_flow
        else 0,
        "group_members": len(group.members) if group else 0,
        "eliminations": len(group.eliminations) if group else 0,
        "group_cash_flow": int(bool(group and group.cash_flow)),
        "missing": len(ctx.missing),
        "kb": path.stat().st_size // 1024,
    }
    return built - started, written - built, counts


def _docx_counts(path: Path) -> tuple[int, int]:
    import docx

    document = docx.Document(str(path))
    return len(document.tables), len(document.inline_shapes)


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.3f} s, min {min(values):.3f} s, "
        f"max {max(values):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs after one warm-up")
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--keep", type=Path, help="the demo's folder, kept and reused")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args()

    temporary = None
    if args.keep is None:
        temporary = tempfile.TemporaryDirectory(prefix="bench-arsredovisning-")
        folder = Path(temporary.name)
    else:
        folder = args.keep.resolve()
        folder.mkdir(parents=True, exist_ok=True)
    _environment(folder)
    try:
        setup_s = setup(args.year, folder)
        out = folder / "bench"
        started = time.perf_counter()
        first_data, first_docx, counts = one_run(args.year, out / "warm-up")
        first_total = time.perf_counter() - started
        tables, pictures = _docx_counts(next((out / "warm-up").glob("*.docx")))
        runs: list[tuple[float, float]] = []
        for run in range(args.runs):
            data_s, docx_s, _ = one_run(args.year, out / f"run-{run}")
            runs.append((data_s, docx_s))
    finally:
        from arshjul.models.db import get_engine

        get_engine.cache_clear()
        if temporary is not None:
            temporary.cleanup()

    data_times = [d for d, _ in runs]
    docx_times = [w for _, w in runs]
    totals = [d + w for d, w in runs]
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(f"Årsredovisning {args.year} med kommunkoncernen och alla noter ({machine})")
    if setup_s:
        print(f"setup: the demo's year without Prefect, {setup_s:.1f} s")
    print(
        f"report: {counts['notes']} notes, cash flow {counts['cash_flow_columns']} years, "
        f"group of {counts['group_members']} members, {counts['eliminations']} eliminations, "
        f"group cash flow {'yes' if counts['group_cash_flow'] else 'no'}, "
        f"{counts['missing']} missing figures named, {tables} tables, {pictures} charts, "
        f"{counts['kb']} kB"
    )
    print(f"warm-up: data {first_data:.3f} s + docx {first_docx:.3f} s = {first_total:.3f} s")
    print(f"{args.runs} runs:")
    print(f"  (a) data (annual_report_parts + follow_up): {_spread(data_times)}")
    print(f"  (b) .docx (build_arsredovisning_document):  {_spread(docx_times)}")
    print(f"  (a) + (b):                                  {_spread(totals)}")
    verdict = "met" if statistics.median(totals) < TARGET_S else "NOT met"
    print(f"target: under {TARGET_S:.0f} s, {verdict} (median); worst run {max(totals):.3f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "year": args.year,
                    "machine": machine,
                    "setup_s": setup_s,
                    "warm_up": {"data_s": first_data, "docx_s": first_docx},
                    "runs": [{"data_s": d, "docx_s": w} for d, w in runs],
                    "report": {**counts, "tables": tables, "charts": pictures},
                },
                indent=2,
            ),
            encoding="utf-8",
        )


if __name__ == "__main__":
    sys.exit(main())

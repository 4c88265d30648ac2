"""Where the CPU time of one `arshjul` command goes: its imports, then the command itself.

    .venv/bin/python bench/cli_profile.py [--runs 3] -- watch --as-of 2027-04-14
    .venv/bin/python bench/cli_profile.py -- run tertial --year 2027 --as-of 2027-04-13

Run it in a folder after ``arshjul init`` (and ``arshjul server start`` for the server
path; ``--reset DB`` copies a database over ``arshjul.db`` before each run, for the
tertial). Each run is a fresh interpreter that imports the heavy parts one after the
other, in the order the command would, timing each with ``time.process_time`` (the
process's CPU time, all threads: what the load of other processes on a shared machine
does not inflate, unlike wall time), and then runs the command itself with everything
already imported: that last figure is the work plus Prefect's engine, the flow's
tasks and the HTTP calls to the server. The medians of ``--runs`` runs are printed.
A profiler (cProfile) would triple the cost of the imports it measures; this does not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# What the command imports, in its order: each step's CPU time excludes the steps before.
STEPS = [
    ("Python and arshjul.cli (typer, pydantic, the commands)", "import arshjul.cli"),
    ("sqlmodel and SQLAlchemy", "import sqlmodel"),
    # Before Prefect's import, as in the command: it finds the server (arshjul.runtime).
    ("finding the server (runtime.prepare_prefect)", "{prepare}"),
    ("arshjul.models and the link key's modules", "import arshjul.lifecycle.tokens"),
    ("prefect (its client, settings, logging)", "import prefect, prefect.logging.handlers"),
    ("Prefect's flow and task engines", "import prefect.flow_engine, prefect.task_engine"),
    ("python-docx and the documents", "import arshjul.documents"),
    ("the flow's modules (tasks, stages, forms)", "{flow}"),
    ("fastapi (Prefect's parameter serialiser)", "import fastapi.encoders"),
    ("the Swedish holidays (holidays' registry)", "{holidays}"),
]
HOLIDAYS = (
    "from arshjul.calendar.workdays import WORKING_DAYS; import datetime; "
    "WORKING_DAYS.is_working_day(datetime.date(2027, 4, 13))"
)

PREPARE = "from arshjul.runtime import prepare_prefect; prepare_prefect()"

CHILD = r"""
import json, sys, time
steps = json.loads(sys.argv[1])
args = json.loads(sys.argv[2])
report = sys.argv[3]
out = []
start = time.process_time()
for what, code in steps:
    before = time.process_time()
    exec(code)
    out.append([what, time.process_time() - before])
import contextlib, io
sys.argv = ["arshjul", *args]
before = time.process_time()
wall = time.perf_counter()
code = 0
with contextlib.redirect_stdout(io.StringIO()):
    try:
        from arshjul.cli import main
        main()
    except SystemExit as done:
        code = done.code
out.append(["the command itself (work, Prefect's engine, HTTP)", time.process_time() - before])
out.append(["  the same in wall time (what a warm process would take)", time.perf_counter() - wall])
out.append(["all of it", time.process_time() - start])
with open(report, "w") as file:
    json.dump({"code": code, "parts": out}, file)
"""


def _flow_import(args: list[str]) -> str:
    if args[:1] == ["run"] and len(args) > 1:
        return f"from arshjul.deployments import flow_for; flow_for({args[1]!r})"
    if args[:1] == ["watch"]:
        return "import arshjul.flows.bevakning"
    return "pass"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reset", type=Path, default=None, help="a database to start from")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    args = [a for a in options.command if a != "--"]
    steps = [
        (what, code.format(flow=_flow_import(args), holidays=HOLIDAYS, prepare=PREPARE))
        for what, code in STEPS
    ]
    if args[:1] not in (["run"], ["watch"]):
        steps = steps[:2]  # no Prefect on this command's path
    runs: list[dict[str, float]] = []
    for _ in range(options.runs):
        if options.reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"arshjul.db{suffix}").unlink(missing_ok=True)
            shutil.copy2(options.reset, "arshjul.db")
            shutil.rmtree("e-post", ignore_errors=True)
        with tempfile.TemporaryDirectory() as folder:
            report = Path(folder) / "parts.json"
            done = subprocess.run(
                [sys.executable, "-c", CHILD, json.dumps(steps), json.dumps(args), str(report)],
                capture_output=True,
                text=True,
                check=False,
            )
            if not report.exists():
                raise SystemExit(f"arshjul {' '.join(args)}:\n{done.stderr}")
            result = json.loads(report.read_text())
        if result["code"] not in (0, None):
            raise SystemExit(f"arshjul {' '.join(args)}: slutkod {result['code']}\n{done.stderr}")
        runs.append(dict(result["parts"]))
    print(f"arshjul {' '.join(args)}: CPU-tid, median av {options.runs} körningar")
    for what in runs[0]:
        print(f"{statistics.median(r[what] for r in runs):6.2f} s  {what}")


if __name__ == "__main__":
    main()

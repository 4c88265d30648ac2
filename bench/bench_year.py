"""The whole simulated year, end to end: cold, warm, and without Prefect; CLI start-up.

    .venv/bin/python bench/bench_year.py [--year 2027]

cold   `arshjul demo` with a fresh PREFECT_HOME, as a new user meets it (the
       temporary Prefect server migrates its database first);
warm   the same with that PREFECT_HOME already migrated;
direct the same year through the stage functions, no Prefect at all.
Also the start-up of `arshjul --help` and `arshjul calendar 2027` (median of 5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARSHJUL = Path(sys.executable).with_name("arshjul")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARSHJUL_", "PREFECT_"))}
    env["PREFECT_HOME"] = str(home)
    return env


def demo(year: int, home: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(ARSHJUL), "demo", "--year", str(year), "--out", str(out)],
        env=_env(home),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def direct(year: int, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    os.environ["ARSHJUL_DATABASE_URL"] = f"sqlite:///{out / 'arshjul.db'}"
    os.environ["ARSHJUL_MAIL_DIR"] = str(out / "e-post")
    os.environ["ARSHJUL_OUTPUT_DIR"] = str(out / "dokument")
    started = time.perf_counter()
    from sqlmodel import Session

    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config
    from arshjul.demo.year import Year
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(os.environ["ARSHJUL_DATABASE_URL"])
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    Year(engine, year, out, lambda _: None, through_prefect=False).run()
    return time.perf_counter() - started


def startup(*args: str) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(ARSHJUL), *args], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2027)
    year = parser.parse_args().year
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = root / "prefect-home"
        cold = demo(year, home, root / "cold")
        warm = demo(year, home, root / "warm")
        plain = direct(year, root / "direct")
    help_s = startup("--help")
    calendar_s = startup("calendar", "2027")
    print(f"Hela året {year} (arshjul demo), 2 kärnor:")
    print(f"  kallt (ny PREFECT_HOME):   {cold:6.1f} s")
    print(f"  varmt:                     {warm:6.1f} s")
    print(f"  direkt, utan Prefect:      {plain:6.1f} s")
    print(f"  varmt / direkt:            {warm / plain:6.2f}")
    print(f"  kallt / varmt:             {cold / warm:6.2f}")
    print("Start av kommandoraden (median av 5):")
    print(f"  arshjul --help:            {help_s:6.2f} s")
    print(f"  arshjul calendar 2027:     {calendar_s:6.2f} s")


if __name__ == "__main__":
    main()

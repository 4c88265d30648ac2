"""Benchmark: the command line end to end, with a running Prefect server and without.

    .venv/bin/python bench/cli_speed.py [--runs 5] [--prefect-home DIR] [--hyperfine]
        [--modes server,temporary] [--out FILE.json]

For each mode, in a fresh folder after ``arshjul init`` (Arboga):

watch    ``arshjul watch --as-of 2027-04-14``: the daily pass, with the tertial's requests
         open (nothing due that day: the fixed cost of a watch)
tertial  ``arshjul run tertial --year 2027 --as-of 2027-04-13``: the day the tertial opens,
         so every run asks the five committees and five companies and delivers ten
         e-mails (``.eml`` files in ARSHJUL_MAIL_DIR, checked after each run); the database
         is put back to its state after ``init`` before each run
status   ``arshjul status``: no Prefect, the database only

Modes:

server     ``arshjul server start`` on a free port first; the commands find it
temporary  no server and no PREFECT_API_URL: each run starts Prefect's temporary server

Each command runs once to warm up, then ``--runs`` times; the figures are the median
wall time and the median CPU time (user + system of the command and the processes it
starts, which the load of other processes on a shared machine does not inflate).
With ``--hyperfine`` (``apt-get install -y hyperfine``) hyperfine measures the same
commands again and its median is printed beside.

Python caches compiled modules as on a user's machine, in a folder of the bench's own
(PYTHONPYCACHEPREFIX), even where PYTHONDONTWRITEBYTECODE is set for the checkout.
``--prefect-home`` reuses a Prefect home whose database is already migrated (the
first server start in a new one migrates for 20–25 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
ARSHJUL = str(BIN / "arshjul")
TARGETS = {"watch": 2.0, "tertial": 3.0}  # seconds, with a running server (issue 14)
MAILS = 10  # the tertial's requests: five committees and five companies
COMMANDS = {
    "watch": ["watch", "--as-of", "2027-04-14"],
    "tertial": ["run", "tertial", "--year", "2027", "--as-of", "2027-04-13"],
    "status": ["status"],
}


@dataclass
class Figure:
    mode: str
    command: str
    runs: int
    wall_median: float
    wall_min: float
    cpu_median: float
    load_before: float
    load_after: float
    hyperfine_median: float | None = None
    walls: list[float] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Folder:
    """A municipality's folder after ``arshjul init``, put back to that state on demand."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.path = root / "kommun"
        self.path.mkdir()
        self.env = env
        self.run(["init"])
        self.snapshot = root / "efter-init.db"
        # sqlite's backup: the database is in WAL mode, its last commits may be in -wal.
        with sqlite3.connect(self.path / "arshjul.db") as source:
            target = sqlite3.connect(self.snapshot)
            source.backup(target)
            target.close()
        self.after_tertial: Path | None = None

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [ARSHJUL, *args], cwd=self.path, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"arshjul {' '.join(args)}: {done.returncode}\n{done.stderr}")
        return done

    def reset(self) -> None:
        """The database as after init, and no e-mail: the tertial opens afresh."""
        for suffix in ("", "-wal", "-shm"):
            (self.path / f"arshjul.db{suffix}").unlink(missing_ok=True)
        shutil.copy2(self.snapshot, self.path / "arshjul.db")
        shutil.rmtree(self.path / "e-post", ignore_errors=True)

    def mails(self) -> int:
        return len(list((self.path / "e-post").glob("*.eml")))

    def reset_script(self) -> str:
        """reset() as a shell command, for hyperfine's --prepare."""
        db = self.path / "arshjul.db"
        return (
            f"rm -f '{db}' '{db}-wal' '{db}-shm' && cp '{self.snapshot}' '{db}' "
            f"&& rm -rf '{self.path / 'e-post'}'"
        )


def _timed(folder: Folder, args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command (its children's rusage, grandchildren included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    folder.run(args)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _measure(folder: Folder, mode: str, name: str, runs: int, hyperfine: bool) -> Figure:
    args = COMMANDS[name]
    prepare = name == "tertial"
    walls: list[float] = []
    cpus: list[float] = []
    load_before = os.getloadavg()[0]
    for attempt in range(runs + 1):  # the first warms the caches and is not counted
        if prepare:
            folder.reset()
        wall, cpu = _timed(folder, args)
        if prepare and folder.mails() != MAILS:
            raise SystemExit(f"tertial: {folder.mails()} e-brev, väntade {MAILS}")
        if attempt:
            walls.append(wall)
            cpus.append(cpu)
        print(f"  {mode:9} {name:8} {wall:6.2f} s (CPU {cpu:5.2f} s)", flush=True)
    if prepare:
        folder.reset()
        folder.run(args)  # leave the requests open for the watch
    figure = Figure(
        mode=mode,
        command=" ".join(["arshjul", *args]),
        runs=runs,
        wall_median=statistics.median(walls),
        wall_min=min(walls),
        cpu_median=statistics.median(cpus),
        load_before=load_before,
        load_after=os.getloadavg()[0],
        walls=walls,
    )
    if hyperfine and shutil.which("hyperfine"):
        figure.hyperfine_median = _hyperfine(
            folder, args, runs, folder.reset_script() if prepare else None
        )
    return figure


def _hyperfine(folder: Folder, args: list[str], runs: int, prepare: str | None) -> float:
    export = folder.path.parent / "hyperfine.json"
    command = ["hyperfine", "--runs", str(runs), "--warmup", "1", "--export-json", str(export)]
    command += ["--prepare", prepare] if prepare else []
    command.append(" ".join([ARSHJUL, *args]))
    subprocess.run(command, cwd=folder.path, env=folder.env, check=True, capture_output=True)
    return float(json.loads(export.read_text())["results"][0]["median"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", default="server,temporary")
    parser.add_argument("--commands", default="tertial,watch,status")
    parser.add_argument("--prefect-home", type=Path, default=None)
    parser.add_argument("--hyperfine", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    options = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="arshjul-cli-speed-"))
    home = options.prefect_home or root / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARSHJUL_", "PREFECT_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    env["PREFECT_HOME"] = str(home)
    folder = Folder(root, env)
    figures: list[Figure] = []
    try:
        for mode in options.modes.split(","):
            if mode == "server":
                started = time.perf_counter()
                folder.run(["server", "start", "--port", str(_free_port())])
                print(f"arshjul server start: {time.perf_counter() - started:.1f} s", flush=True)
            for name in options.commands.split(","):
                figures.append(_measure(folder, mode, name, options.runs, options.hyperfine))
            if mode == "server":
                started = time.perf_counter()
                folder.run(["server", "stop"])
                print(f"arshjul server stop: {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        subprocess.run([ARSHJUL, "server", "stop"], env=env, capture_output=True, check=False)
    _report(figures)
    if options.out:
        options.out.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    if options.prefect_home is None:
        shutil.rmtree(root, ignore_errors=True)


def _report(figures: list[Figure]) -> None:
    print(f"\n{'läge':10} {'kommando':9} {'median':>8} {'min':>7} {'CPU':>7} {'last':>10}")
    by = {(f.mode, f.command.split()[1]): f for f in figures}
    for f in figures:
        name = "tertial" if "tertial" in f.command else f.command.split()[1]
        hf = f"  hyperfine {f.hyperfine_median:.2f} s" if f.hyperfine_median else ""
        target = TARGETS.get(name)
        mark = "" if f.mode != "server" or target is None else f"  mål < {target:.0f} s"
        print(
            f"{f.mode:10} {name:9} {f.wall_median:7.2f}s {f.wall_min:6.2f}s {f.cpu_median:6.2f}s "
            f"{f.load_before:4.1f}–{f.load_after:<4.1f}{hf}{mark}"
        )
    for name in ("run", "watch", "status"):
        server, temporary = by.get(("server", name)), by.get(("temporary", name))
        if server and temporary:
            print(
                f"{name}: server/tillfällig = {server.wall_median / temporary.wall_median:.2f} "
                f"(vägg), {server.cpu_median / temporary.cpu_median:.2f} (CPU)"
            )


if __name__ == "__main__":
    main()

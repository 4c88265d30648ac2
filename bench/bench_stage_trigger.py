"""Benchmark: from triggering the tertial deployment until it is done, on a real server.

    .venv/bin/python bench/bench_stage_trigger.py [--runs 3] [--prefect-home DIR]
        [--modes serve,worker] [--poll 1]

Starts ``prefect server start`` on a free port (``--prefect-home``: a
pre-migrated home starts faster; default a fresh one), runs ``arshjul init``,
then measures two ways of running the deployment, each ``--runs`` times:

serve   ``arshjul serve`` (Prefect's ``serve()``, PREFECT_RUNNER_POLL_FREQUENCY=--poll),
        which starts ``python -m prefect.engine`` for each run too (``serve()`` of
        deployments keeps no flow in-process), but without a worker's pull step;
worker  prefect.yaml's deployment (``prefect --no-prompt deploy --name tertial``)
        picked up by ``prefect worker start --pool arshjul``
        (PREFECT_WORKER_QUERY_SECONDS=--poll), which starts
        ``python -m prefect.engine`` in a subprocess that runs the pull step and
        imports the flow.

serve() goes first: served after ``prefect deploy`` under the same name, the
deployment keeps its work pool but loses its pull step, and its runs crash
(FileNotFoundError ``…/None``); if the worker's deployment exists, it is
deleted before serve() starts.

One trial = the tertial for one municipality (1984) for a year of its own
(2027, 2028, ...), as of the day it opens, so every trial really asks the ten
committees and companies and sends ten e-mails. A trial is done when the run
is Completed, its requests are in the database, its e-mails are ``.eml`` files
and its request table is an artifact on the server. The state history of the
run splits the time: trigger → Pending (poll interval), Pending → Running
(process start, imports, pull step), Running → Completed (the flow itself).
Target: done within 5 s of the trigger.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TERTIAL = "Tertialuppföljning (t.o.m. april)/tertial"
CODE = "1984"
TARGET = 5.0
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass
class Trial:
    mode: str
    year: int
    picked_up: float  # trigger → Pending
    started: float  # Pending → Running
    flow: float  # Running → Completed
    done: float  # trigger → everything observed (run, rows, e-mail, artifact)
    requests: int
    mails: int
    waited_for_slot: bool  # passed through AwaitingConcurrencySlot (concurrency_limit: 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (twice: workers sit out the first), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGTERM, 3), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


class Stack:
    def __init__(self, root: Path, home: Path, poll: int) -> None:
        self.root = root
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.db_path = root / "arshjul.db"
        self.mail_dir = root / "e-post"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ARSHJUL_"))}
        env.update(
            PREFECT_HOME=str(home),
            PREFECT_API_URL=self.api_url,
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
            PREFECT_WORKER_QUERY_SECONDS=str(poll),
            PREFECT_RUNNER_POLL_FREQUENCY=str(poll),
            ARSHJUL_DATABASE_URL=f"sqlite:///{self.db_path}",
            ARSHJUL_MAIL_DIR=str(self.mail_dir),
            ARSHJUL_OUTPUT_DIR=str(root / "utdata"),
        )
        self.env = env
        os.environ.update({k: v for k, v in env.items() if k.startswith("PREFECT_")})
        os.environ.update(DO_NOT_TRACK="1")

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("wb")
        return subprocess.Popen(
            [str(BIN / args[0]), *args[1:]],
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def run(self, *args: str) -> None:
        subprocess.run(
            [str(BIN / args[0]), *args[1:]],
            cwd=REPO,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def wait_healthy(self, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                sys.exit(f"Servern avslutades; se {self.root / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit(f"/api/health svarade inte inom {timeout:.0f} s")


def _opens(year: int) -> dt.datetime:
    from arshjul.calendar.schedule import build_schedule

    stage = next(s for s in build_schedule(year).stages if s.slug == "tertial")
    return dt.datetime.combine(stage.opens, dt.time(7, 0), STOCKHOLM)


def _requests(db_path: Path, year: int) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text(
                    "SELECT count(*) FROM submission_request"
                    " JOIN stage_instance"
                    " ON stage_instance.id = submission_request.stage_instance_id"
                    " JOIN cycle ON cycle.id = stage_instance.cycle_id"
                    " WHERE stage_instance.slug = 'tertial' AND cycle.year = :year"
                ),
                {"year": year},
            ).scalar_one()
    finally:
        engine.dispose()


async def _wait_ready(client: Any, *, served: bool, since: float, timeout: float = 120) -> float:
    """When the deployment is polled: by its worker's queue, or by the runner of serve().

    A served deployment keeps the work pool that ``prefect deploy`` gave it (the
    runner does not clear it), so for serve() the sign is a fresh ``last_polled``.
    """
    while time.time() - since < timeout:
        try:
            deployment = await client.read_deployment_by_name(TERTIAL)
        except Exception:
            deployment = None
        if deployment is not None:
            polled = deployment.last_polled.timestamp() if deployment.last_polled else 0.0
            status = str(getattr(deployment.status, "value", deployment.status))
            if (served and polled > since) or (not served and status == "READY"):
                return time.time()
        await asyncio.sleep(0.1)
    raise SystemExit("Driftsättningen blev aldrig redo")


async def _trial(client: Any, stack: Stack, mode: str, year: int) -> Trial:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    deployment = await client.read_deployment_by_name(TERTIAL)
    before = set(stack.mail_dir.glob("*.eml")) if stack.mail_dir.exists() else set()
    triggered = time.time()
    run = await client.create_flow_run_from_deployment(
        deployment.id,
        parameters={"year": year, "as_of": _opens(year).isoformat(), "municipality": CODE},
    )
    while True:
        run = await client.read_flow_run(run.id)
        if run.state is not None and run.state.is_final():
            break
        if time.time() - triggered > 180:
            raise SystemExit(f"{mode} {year}: inte klar efter 180 s ({run.state})")
        await asyncio.sleep(0.05)
    if not run.state.is_completed():
        raise SystemExit(f"{mode} {year}: {run.state}")
    key = f"tertial-{year}-{CODE}-begaranden"
    artifacts = await client.read_latest_artifacts(
        artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
    )
    observed = time.time()
    if not artifacts or artifacts[0].flow_run_id != run.id:
        raise SystemExit(f"{mode} {year}: ingen artefakt {key}")
    mails = sorted(set(stack.mail_dir.glob("*.eml")) - before)
    requests = _requests(stack.db_path, year)
    if not mails or len(mails) != requests:
        raise SystemExit(f"{mode} {year}: {requests} begäranden men {len(mails)} e-brev")
    history = await client.read_flow_run_states(run.id)
    states = {s.type.value: s.timestamp.timestamp() for s in history}
    pending = states.get("PENDING", triggered)
    running = states.get("RUNNING", pending)
    completed = states.get("COMPLETED", observed)
    return Trial(
        mode=mode,
        year=year,
        picked_up=pending - triggered,
        started=running - pending,
        flow=completed - running,
        done=observed - triggered,
        requests=requests,
        mails=len(mails),
        waited_for_slot=any(s.name == "AwaitingConcurrencySlot" for s in history),
    )


async def _measure(
    stack: Stack, mode: str, since: float, years: list[int]
) -> tuple[float, list[Trial]]:
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        ready = await _wait_ready(client, served=mode == "serve", since=since)
        trials = [await _trial(client, stack, mode, year) for year in years]
    return ready, trials


async def _forget_deployed() -> bool:
    """Delete a tertial deployment that ``prefect deploy`` made (it has a work pool)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    async with get_client() as client:
        try:
            deployment = await client.read_deployment_by_name(TERTIAL)
        except ObjectNotFound:
            return False
        if deployment.work_pool_name is None:
            return False
        await client.delete_deployment(deployment.id)
        return True


def _report(mode: str, setup: float, trials: list[Trial], poll: int) -> None:
    print(f"\n{mode}: redo {setup:.1f} s efter start (worker: inkl. work-pool create och deploy)")
    print("  år    →Pending  →Running  flödet   klart  begäranden e-brev")
    for t in trials:
        print(
            f"  {t.year}  {t.picked_up:7.2f}  {t.started:8.2f}  {t.flow:6.2f}  {t.done:6.2f}"
            f"  {t.requests:10d} {t.mails:6d}"
            + ("  väntade på ledig plats" if t.waited_for_slot else "")
        )
    med = {
        name: statistics.median(getattr(t, name) for t in trials)
        for name in ("picked_up", "started", "flow", "done")
    }
    parts = {
        f"väntan på hämtning (poll var {poll} s)": med["picked_up"],
        "processtart, import" + (", pull-steg" if mode == "worker" else ""): med["started"],
        "själva flödet": med["flow"],
    }
    biggest = max(parts, key=parts.__getitem__)
    verdict = "inom" if med["done"] <= TARGET else "ÖVER"
    print(
        f"  median klart {med['done']:.2f} s ({verdict} målet {TARGET:.0f} s);"
        f" störst: {biggest} ({parts[biggest]:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prefect-home", type=Path, help="a (pre-migrated) PREFECT_HOME")
    parser.add_argument("--modes", default="serve,worker")
    parser.add_argument("--poll", type=int, default=1, help="worker/runner poll interval, s")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]

    with tempfile.TemporaryDirectory(prefix="bench-trigger-") as tmp:
        root = Path(tmp)
        home = args.prefect_home or root / "prefect-home"
        home.mkdir(parents=True, exist_ok=True)
        stack = Stack(root, home, args.poll)
        processes: list[subprocess.Popen[bytes]] = []
        try:
            t0 = time.monotonic()
            server = stack.start(
                "server", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                str(stack.port),
            )  # fmt: skip
            processes.append(server)
            stack.run("arshjul", "init")
            stack.wait_healthy(server)
            print(f"prefect server start: /api/health efter {time.monotonic() - t0:.1f} s")
            years = iter(range(2027, 2027 + args.runs * len(modes)))
            for mode in modes:
                started = time.time()
                if mode == "worker":
                    stack.run(
                        "prefect",
                        "work-pool",
                        "create",
                        "arshjul",
                        "--type",
                        "process",
                        "--overwrite",
                    )
                    stack.run("prefect", "--no-prompt", "deploy", "--name", "tertial")
                    runner = stack.start(
                        "worker", "prefect", "worker", "start", "--pool", "arshjul"
                    )
                elif mode == "serve":
                    if asyncio.run(_forget_deployed()):
                        print(
                            "(prefect.yaml:s tertial togs bort före serve(): serve() tar över"
                            " namnet men behåller work pool och tappar pull-steget, och dess"
                            " körningar kraschar då med FileNotFoundError …/None)"
                        )
                    runner = stack.start("serve", "arshjul", "serve")
                else:
                    raise SystemExit(f"okänt läge {mode}")
                processes.append(runner)
                try:
                    ready, trials = asyncio.run(
                        _measure(stack, mode, started, [next(years) for _ in range(args.runs)])
                    )
                except SystemExit:
                    log = root / f"{'worker' if mode == 'worker' else 'serve'}.log"
                    print("\n".join(log.read_text(errors="replace").splitlines()[-40:]))
                    raise
                finally:
                    _stop(runner)
                _report(mode, ready - started, trials, args.poll)
        finally:
            for process in reversed(processes):
                _stop(process)
    print(
        "\nPollintervallet är en övre gräns för väntan (i snitt hälften); utan inställning"
        " pollar en worker och serve() var 10:e sekund (PREFECT_WORKER_QUERY_SECONDS,"
        " PREFECT_RUNNER_POLL_FREQUENCY)."
    )


if __name__ == "__main__":
    main()

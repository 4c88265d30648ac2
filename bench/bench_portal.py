"""Benchmark: submissions per second and latency through the submission page.

uvicorn serves the portal in its own process; 50 concurrent clients (one
``httpx.AsyncClient``, 50 tasks) post valid tertial forms, multipart as a
browser sends them, spread over 40 requests (ten units, four years). A post is
answered with a 303 to its receipt, which is not followed. Afterwards the
database must hold exactly one submission per 303, with versions 1..n and one
current version per request. On SQLite (a temporary file) and PostgreSQL (a
throwaway database, dropped afterwards). Targets: 200 submissions/s, p99 < 100 ms.

    .venv/bin/python bench/bench_portal.py [--posts 2000] [--clients 50] [--no-postgres]
        [--http h11|httptools|auto] [--loop asyncio|uvloop|auto]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.lifecycle import tokens
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.models import BudgetFrame, Municipality, OrgUnit, OutboxMessage, Submission
from arshjul.models.db import get_engine, upgrade

PG_ADMIN_URL = os.environ.get(
    "ARSHJUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPENED = dt.datetime(2027, 4, 13, 8, 0, tzinfo=STOCKHOLM)
CLOCK = "2027-05-03T10:12:00+02:00"
YEARS = (2027, 2028, 2029, 2030)
SECRET = "bänk-" + "k" * 40
TARGET_RATE, TARGET_P99_MS = 200.0, 100.0
TEXT = (
    "Prognosen bygger på utfallet till och med april. Fler barn i förskolan än "
    "budgeterat och högre kostnader för skolskjuts; <b>vakanser</b> hålls öppna. "
) * 3


# --------------------------------------------------------------------------- the server
def serve(url: str, port: int, http: str, loop: str) -> None:
    """The server process: the portal on ``url`` with a fixed clock."""
    import uvicorn

    from arshjul.portal.app import create_app
    from arshjul.settings import Settings

    when = dt.datetime.fromisoformat(CLOCK)
    app = create_app(settings=Settings(database_url=url, secret_key=SECRET), clock=lambda: when)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        http=http,  # type: ignore[arg-type]
        loop=loop,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
    )


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server_process(url: str, http: str, loop: str) -> Iterator[tuple[str, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            url,
            "--port",
            str(port),
            "--http",
            http,
            "--loop",
            loop,
        ]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/halsa", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("portalen startade inte")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(20)


# --------------------------------------------------------------------------- the data
def setup(engine: Engine) -> list[tuple[int, str]]:
    """Forty open tertial requests with budget frames: (request id, token)."""
    upgrade(engine)
    links = []
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        units = list(session.exec(select(OrgUnit)))
        for year in YEARS:
            for unit in units:
                if unit.kind in ("committee", "executive_board"):
                    session.add(
                        BudgetFrame(
                            municipality_id=municipality.id,
                            unit_id=unit.id,
                            budget_year=year,
                            kind="operations",
                            status="council",
                            amount_kr=100_000_000,
                        )
                    )
            stage = ensure_stage_instance(
                session, municipality=municipality, year=year, slug="tertial"
            )
            report = open_requests(
                session, municipality=municipality, stage=stage, as_of=OPENED, key=SECRET.encode()
            )
            links += [
                (r.id, tokens.derive_token(SECRET.encode(), r.id, r.token_salt))  # type: ignore[arg-type]
                for r in report.created
            ]
        session.commit()
    return links


def multipart(i: int) -> tuple[bytes, str]:
    """One valid post as a browser encodes it (with an empty file input)."""
    fields = {
        "forecast_kr": f"{100_000 + i % 7:,}".replace(",", " ") + ",5",
        "deviation_explanation": TEXT,
        "measures": TEXT,
        "submitted_by": f"Sekreterare {i}",
    }
    request = httpx.Request(
        "POST",
        "http://x/",
        data=fields,
        files={"attachment": ("", b"", "application/octet-stream")},
    )
    return request.read(), request.headers["content-type"]


# --------------------------------------------------------------------------- the load
@dataclass
class Result:
    posts: int
    ok: int
    other: dict[int | str, int]
    seconds: float
    latencies_ms: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def load(base: str, links: list[tuple[int, str]], posts: int, clients: int) -> Result:
    bodies = [multipart(i) for i in range(16)]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(posts):
        queue.put_nowait(i)
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    failed: dict[str, int] = {}
    # Idle connections close before the server's keep-alive (5 s) would close them:
    # otherwise a post can go out on a connection the server is closing.
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                rid, token = links[i % len(links)]
                body, content_type = bodies[i % len(bodies)]
                started = time.perf_counter()
                try:
                    response = await client.post(
                        f"/begaran/{rid}/{token}",
                        content=body,
                        headers={"content-type": content_type},
                    )
                except httpx.TransportError as exc:
                    failed[type(exc).__name__] = failed.get(type(exc).__name__, 0) + 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds = time.perf_counter() - started
    ok = statuses.pop(303, 0)
    return Result(posts, ok, {**statuses, **failed}, seconds, latencies)


def verify(engine: Engine, expected: int, links: list[tuple[int, str]]) -> list[str]:
    """Problems with what was stored: lost or doubled versions, not one current."""
    problems = []
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Submission)).one()
        receipts = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.purpose == "receipt")
        ).one()
        if stored != expected:
            problems.append(f"{stored} inlämningar sparade men {expected} svar 303")
        if receipts != expected:
            problems.append(f"{receipts} kvitton i utkorgen men {expected} svar 303")
        for rid, _ in links:
            rows = session.exec(select(Submission).where(Submission.request_id == rid)).all()
            if sorted(r.version for r in rows) != list(range(1, len(rows) + 1)):
                problems.append(f"begäran {rid}: versionerna är inte 1..{len(rows)}")
            if rows and sum(r.is_current for r in rows) != 1:
                problems.append(f"begäran {rid}: inte exakt en gällande version")
    return problems


@contextmanager
def database(kind: str) -> Iterator[tuple[str, Engine]]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            engine = get_engine(url)
            try:
                yield url, engine
            finally:
                engine.dispose()
        return
    name = f"arshjul_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = get_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(kind: str, args: argparse.Namespace) -> bool:
    with database(kind) as (url, engine):
        links = setup(engine)
        with server_process(url, args.http, args.loop) as (base, pid):
            # A few posts first: imports, caches and connections warm.
            asyncio.run(load(base, links, 20, 5))
            with Session(engine) as session:
                before = session.exec(select(func.count()).select_from(Submission)).one()
            cpu = cpu_seconds(pid)
            result = asyncio.run(load(base, links, args.posts, args.clients))
            cpu = cpu_seconds(pid) - cpu
        problems = verify(engine, before + result.ok, links)
    rate = result.ok / result.seconds
    p50, p90, p99 = (result.percentile(p) for p in (50, 90, 99))
    print(
        f"{kind:9} {result.ok:5} inlämningar på {result.seconds:5.2f} s: {rate:6.1f}/s  "
        f"p50 {p50:5.1f} ms  p90 {p90:5.1f} ms  p99 {p99:5.1f} ms  "
        f"max {max(result.latencies_ms):6.1f} ms"
        + (f"  andra svar: {result.other}" if result.other else "")
    )
    print(
        f"  servern: {cpu / max(result.ok, 1) * 1000:.1f} ms CPU per inlämning "
        f"({cpu / result.seconds * 100:.0f} % av en kärna)"
    )
    for problem in problems:
        print(f"  FEL: {problem}")
    good = not problems and not result.other and rate >= TARGET_RATE and p99 < TARGET_P99_MS
    verdict = "nått" if good else "EJ nått"
    print(f"  mål {TARGET_RATE:.0f}/s och p99 < {TARGET_P99_MS:.0f} ms: {verdict}")
    return not problems and not result.other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--http", default="auto")
    parser.add_argument("--loop", default="auto")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.http, args.loop)
        return
    print(
        f"{args.posts} inlämningar, {args.clients} samtidiga klienter, "
        f"http={args.http}, loop={args.loop}"
    )
    kinds = [
        k for k, skip in (("sqlite", args.no_sqlite), ("postgres", args.no_postgres)) if not skip
    ]
    ok = all([run(kind, args) for kind in kinds])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Benchmark: submissions per second and latency through the submission page.

uvicorn serves the portal in its own process(es); 50 client connections post
valid tertial forms, multipart as a browser sends them, spread over 40 requests
(ten units, four years). A post is answered with a 303 to its receipt, which is
not followed. Two loads, each on SQLite (a temporary file) and PostgreSQL (a
throwaway database, dropped afterwards):

* **at a rate** (the target): posts are due at 200 a second, evenly spaced, and
  go out on whichever of the 50 connections is free. A post's latency runs from
  when it was due, so a post kept waiting for a free connection counts its wait
  (no "coordinated omission"). Target: 200 submissions/s, p99 < 100 ms.
* **flat out**: each of the 50 connections posts again as soon as it has its
  answer: the most the server takes, with the latency that 50 posts always in
  flight give (by Little's law 50 ÷ throughput on average, so p99 < 100 ms would
  need more than 500 a second).

Afterwards the database must hold exactly one submission per 303, with versions
1..n and one current version per request, and one receipt per submission.

The load comes from a small keep-alive HTTP/1.1 client on raw asyncio streams
(as wrk does) rather than httpx, whose own CPU per post would take a core's
share from the server on a 2-core machine.

    .venv/bin/python bench/bench_portal.py [--posts 3000] [--rate 200] [--clients 50]
        [--workers N] [--no-postgres] [--no-sqlite] [--http auto|h11|httptools]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
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

from arshjul import links as link_tokens
from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
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
def bench_app() -> object:
    """The portal on ``$BENCH_PORTAL_URL`` with a fixed clock (a uvicorn factory)."""
    from arshjul.portal.app import create_app
    from arshjul.settings import Settings

    when = dt.datetime.fromisoformat(CLOCK)
    settings = Settings(database_url=os.environ["BENCH_PORTAL_URL"], secret_key=SECRET)
    return create_app(settings=settings, clock=lambda: when)


def serve(url: str, port: int, http: str, loop: str, workers: int) -> None:
    """The server process: uvicorn with ``workers`` processes."""
    import uvicorn

    os.environ["BENCH_PORTAL_URL"] = url
    uvicorn.run(
        "bench_portal:bench_app",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host="127.0.0.1",
        port=port,
        workers=workers,
        http=http,  # type: ignore[arg-type]
        loop=loop,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
    )


def cpu_seconds(pid: int) -> float:
    """CPU time so far (user + system) of a process and its children that are alive."""
    total = 0.0
    for each in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(c) for c in children]
    return found + [g for c in found for g in _children(c)]


@contextmanager
def server_process(url: str, http: str, loop: str, workers: int) -> Iterator[tuple[str, int]]:
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
            "--workers",
            str(workers),
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
def _unlimited_config() -> Path:
    """Arboga's file with the per-link limits raised: the bench posts ~75 times a link on a
    fixed clock, which the default [portal] limits would rightly refuse."""
    text = shipped_config_path().read_text(encoding="utf-8")
    for name, value in (("posts_per_minute", 1_000), ("max_versions", 100_000)):
        text, found = re.subn(rf"(?m)^{name} = \d+", f"{name} = {value}", text)
        assert found == 1, name
    path = Path(tempfile.mkdtemp()) / "kommun.toml"
    path.write_text(text, encoding="utf-8")
    return path


def setup(engine: Engine) -> list[tuple[int, str]]:
    """Forty open tertial requests with budget frames: (request id, token)."""
    upgrade(engine)
    links = []
    with Session(engine) as session:
        apply_config(session, load_config(_unlimited_config()))
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
                session,
                municipality=municipality,
                stage=stage,
                as_of=OPENED,
                link_key=SECRET.encode(),
            )
            links += [
                (r.id, link_tokens.derive_token(SECRET.encode(), r.id, r.token_salt))  # type: ignore[arg-type]
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


class Connection:
    """One keep-alive HTTP/1.1 connection that posts prepared bodies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes, content_type: str) -> int:
        """Post and read the whole answer; its status."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            self.close()
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def load(
    base: str, links: list[tuple[int, str]], posts: int, clients: int, rate: float
) -> Result:
    """Post ``posts`` forms over ``clients`` connections: due at ``rate``/s, or flat out (0)."""
    host, port = base.removeprefix("http://").split(":")
    bodies = [multipart(i) for i in range(16)]
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int | str, int] = {}
    started = time.perf_counter()
    if rate <= 0:
        for i in range(posts):
            queue.put_nowait((i, 0.0))

    async def pace() -> None:
        for i in range(posts):
            due = started + i / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            queue.put_nowait((i, due))
        for _ in range(clients):
            queue.put_nowait((-1, 0.0))

    async def worker() -> None:
        connection = Connection(host, int(port))
        try:
            while True:
                if rate <= 0:
                    try:
                        i, due = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                else:
                    i, due = await queue.get()
                    if i < 0:
                        return
                rid, token = links[i % len(links)]
                body, content_type = bodies[i % len(bodies)]
                sent = time.perf_counter()
                try:
                    status: int | str = await connection.post(
                        f"/begaran/{rid}/{token}", body, content_type
                    )
                except (OSError, asyncio.IncompleteReadError) as exc:
                    status = type(exc).__name__
                else:
                    latencies.append((time.perf_counter() - (due or sent)) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            connection.close()

    await asyncio.gather(*([pace()] if rate > 0 else []), *(worker() for _ in range(clients)))
    seconds = time.perf_counter() - started
    ok = statuses.pop(303, 0)
    return Result(posts, ok, statuses, seconds, latencies)


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
    good = True
    with database(kind) as (url, engine):
        links = setup(engine)
        with server_process(url, args.http, args.loop, args.workers) as (base, pid):
            # A few posts first: imports, caches and connections warm in every worker.
            asyncio.run(load(base, links, 40 * args.workers, 10, 0))
            for rate in (0, args.rate):
                with Session(engine) as session:
                    before = session.exec(select(func.count()).select_from(Submission)).one()
                cpu = cpu_seconds(pid)
                result = asyncio.run(load(base, links, args.posts, args.clients, rate))
                cpu = cpu_seconds(pid) - cpu
                problems = verify(engine, before + result.ok, links)
                good &= report(kind, rate, result, cpu, problems)
    return good


def report(kind: str, rate: float, result: Result, cpu: float, problems: list[str]) -> bool:
    """Print one load's figures; whether nothing was lost or refused."""
    achieved = result.ok / result.seconds
    p50, p90, p99 = (result.percentile(p) for p in (50, 90, 99))
    load_name = f"{rate:.0f}/s" if rate > 0 else "fullt ös"
    print(
        f"{kind:8} {load_name:8} {result.ok:5} inlämningar på {result.seconds:5.2f} s: "
        f"{achieved:6.1f}/s  p50 {p50:6.1f} ms  p90 {p90:6.1f} ms  p99 {p99:6.1f} ms  "
        f"max {max(result.latencies_ms):6.1f} ms"
        + (f"  andra svar: {result.other}" if result.other else "")
    )
    print(
        f"  servern: {cpu / max(result.ok, 1) * 1000:.1f} ms CPU per inlämning "
        f"({cpu / result.seconds * 100:.0f} % av en kärna)"
    )
    for problem in problems:
        print(f"  FEL: {problem}")
    if rate > 0:
        met = (
            not problems
            and not result.other
            and achieved >= min(TARGET_RATE, rate) * 0.98
            and p99 < TARGET_P99_MS
        )
        print(
            f"  mål {TARGET_RATE:.0f}/s och p99 < {TARGET_P99_MS:.0f} ms: "
            + ("nått" if met else "EJ nått")
        )
    return not problems and not result.other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=TARGET_RATE)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--http", default="auto")
    parser.add_argument("--loop", default="auto")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.http, args.loop, args.workers)
        return
    print(
        f"{args.posts} inlämningar per last, {args.clients} anslutningar, "
        f"{args.workers} serverprocess(er), http={args.http}, loop={args.loop}"
    )
    kinds = [
        k for k, skip in (("sqlite", args.no_sqlite), ("postgres", args.no_postgres)) if not skip
    ]
    ok = all([run(kind, args) for kind in kinds])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

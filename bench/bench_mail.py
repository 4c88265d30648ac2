"""Benchmark: e-mail delivered per second from the outbox.

To a local aiosmtpd server (in its own process) and to ``.eml`` files, on SQLite and on PostgreSQL
(a throwaway database made on the admin URL and dropped afterwards). Each run
queues N request e-mails (personal link, To and Cc, as the lifecycle does),
then times one ``deliver_queued`` pass over them. Target: 300 messages/s.

    .venv/bin/python bench/bench_mail.py [--messages 2000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul import links
from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.mail.outbox import enqueue
from arshjul.mail.sender import deliver_queued
from arshjul.models import Cycle, Municipality, OrgUnit, StageInstance, SubmissionRequest
from arshjul.models.db import get_engine, upgrade
from arshjul.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "ARSHJUL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 4, 13, 7, 0, tzinfo=STOCKHOLM)
DEADLINE = dt.datetime(2027, 5, 7, 16, 0, tzinfo=STOCKHOLM)
TARGET = 300.0


class Counting:
    """An SMTP handler that accepts everything and counts it (in shared memory)."""

    def __init__(self, count: Any) -> None:
        self.count = count

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.count.get_lock():
            self.count.value += 1
        return "250 OK"


def serve(port: int, count: Any, ready: Any, done: Any) -> None:
    """The SMTP server, in its own process: a real server does not share our GIL."""
    controller = Controller(Counting(count), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    done.wait()
    controller.stop()


@dataclass
class Row:
    database: str
    target: str
    messages: int
    enqueue_s: float
    deliver_s: float

    @property
    def rate(self) -> float:
        return self.messages / self.deliver_s if self.deliver_s else float("inf")


@contextmanager
def postgres_url() -> Iterator[str]:
    name = f"arshjul_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def queue_messages(engine: Engine, settings: Settings, n: int) -> float:
    """Load Arboga, open one request per message and queue its e-mail; seconds spent queueing."""
    with Session(engine, expire_on_commit=False) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        cycle = Cycle(municipality_id=municipality.id, year=2027)
        session.add(cycle)
        session.flush()
        unit = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
        key = settings.link_key()
        started = 0.0
        elapsed = 0.0
        for i in range(n):
            # One stage instance per message: a request is unique per stage and unit.
            stage = StageInstance(
                municipality_id=municipality.id,
                cycle_id=cycle.id,
                slug="atgardsplan",
                instance_key=f"bench-{i}",
                name="Tertialuppföljning",
                opens_on=AS_OF.date(),
                deadline_on=DEADLINE.date(),
                deadline_at=DEADLINE,
            )
            session.add(stage)
            session.flush()
            request = SubmissionRequest(
                municipality_id=municipality.id,
                stage_instance_id=stage.id,
                unit_id=unit.id,
                deadline_at=DEADLINE,
                grace_until=DEADLINE,
                opened_at=AS_OF,
                token_salt=links.new_salt(),
            )
            session.add(request)
            session.flush()
            request.token_hash = links.hash_token(
                links.derive_token(key, request.id, request.token_salt)
            )
            started = time.perf_counter()
            enqueue(
                session,
                municipality=municipality,
                dedup_key=f"begaran:{request.id}",
                purpose="request",
                template="request",
                context={
                    "unit_name": unit.name,
                    "stage_name": stage.name,
                    "year": 2027,
                    "deadline": DEADLINE,
                    "grace_until": DEADLINE,
                    "link": links.LINK_PLACEHOLDER,
                    "asks": ["Helårsprognos för driften", "Analys av avvikelser"],
                    "controller_name": "Controller BUN (exempel)",
                    "controller_email": "bun.controller@arboga.example",
                },
                to=[("Nämndsekreterare BUN (exempel)", "bun.sekreterare@arboga.example")],
                cc=[("Controller BUN (exempel)", "bun.controller@arboga.example")],
                reply_to="bun.controller@arboga.example",
                request_id=request.id,
            )
            elapsed += time.perf_counter() - started
        session.commit()
    return elapsed


def run_one(url: str, database: str, target: str, n: int, settings: Settings) -> Row:
    engine = get_engine(url)
    upgrade(engine)
    enqueue_s = queue_messages(engine, settings, n)
    started = time.perf_counter()
    report = deliver_queued(engine, settings=settings, as_of=AS_OF, limit=n)
    deliver_s = time.perf_counter() - started
    if report.sent != n:
        raise SystemExit(f"{database}/{target}: {report.sent} of {n} sent ({report.error})")
    return Row(database, target, n, enqueue_s, deliver_s)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    n = args.messages

    port = free_port()
    spawn = multiprocessing.get_context("spawn")
    count, ready, done = spawn.Value("i", 0), spawn.Event(), spawn.Event()
    server = spawn.Process(target=serve, args=(port, count, ready, done), daemon=True)
    server.start()
    if not ready.wait(30):
        raise SystemExit("the SMTP server did not start")
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            common = {"secret_key": "en-hemlig-nyckel-bara-for-benchmarken-0123456789"}
            smtp = Settings(smtp_host="127.0.0.1", smtp_port=port, **common)  # type: ignore[arg-type]
            for database in ("sqlite", "postgresql"):
                if database == "postgresql" and args.no_postgres:
                    continue
                for target in ("smtp", "eml"):
                    settings = (
                        smtp
                        if target == "smtp"
                        else Settings(
                            mail_dir=base / f"e-post-{database}",
                            **common,  # type: ignore[arg-type]
                        )
                    )
                    if database == "sqlite":
                        url = f"sqlite:///{base / f'bench-{target}.db'}"
                        rows.append(run_one(url, database, target, n, settings))
                    else:
                        with postgres_url() as url:
                            rows.append(run_one(url, database, target, n, settings))
    finally:
        done.set()
        server.join(10)

    print(f"\nE-post ur utkorgen: {n} meddelanden per körning (mål: {TARGET:.0f}/s)\n")
    print(f"{'databas':<11} {'till':<5} {'köa s':>7} {'leverera s':>11} {'meddelanden/s':>14}")
    for row in rows:
        mark = "" if row.rate >= TARGET else "  under målet"
        print(
            f"{row.database:<11} {row.target:<5} {row.enqueue_s:>7.2f} "
            f"{row.deliver_s:>11.2f} {row.rate:>14.0f}{mark}"
        )
    smtp_count = sum(r.messages for r in rows if r.target == "smtp")
    assert count.value == smtp_count, (count.value, smtp_count)


if __name__ == "__main__":
    main()

"""Kill -9 during sending, 20 trials on SQLite and on PostgreSQL: lost and duplicate counts.

    .venv/bin/python bench/bench_crash_trials.py [--trials 20] [--postgres URL]

The same harness as ``tests/mail/test_mail_crash.py`` (5 trials in CI): each trial queues 12
request e-mails, starts a delivery pass in its own process against an SMTP server on
loopback (20 ms a message), kills it with SIGKILL at a random point, and lets a second
pass finish. Expected: 0 lost; at most one duplicate per kill (the message in flight).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "mail"))

import sqlalchemy as sa  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from crash_harness import run_trials, settings_for  # noqa: E402
from test_mail_smtp import free_port  # noqa: E402

from arshjul.models.db import get_engine, upgrade  # noqa: E402


class SlowServer:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.02)
        self.received.append(envelope.original_content)
        return "250 OK: queued"


def _trials(name: str, url: str, folder: Path, trials: int) -> None:
    engine = get_engine(url)
    upgrade(engine)
    handler = SlowServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = settings_for(folder, engine, port)
        result = run_trials(engine, settings, handler.received, trials=trials)
    finally:
        controller.stop()
        engine.dispose()
    print(f"{name}: {result.line()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="a server to make a throwaway database on",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _trials("SQLite", f"sqlite:///{Path(tmp) / 'krasch.db'}", Path(tmp), args.trials)
    # A database of its own on the server, never the one the tests or others use.
    name = f"arshjul_bench_crash_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.postgres.rsplit("/", 1)[0] + "/" + name
            _trials("PostgreSQL", url, Path(tmp), args.trials)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

"""Kill -9 in the middle of sending, on SQLite and PostgreSQL: nothing lost, and at most
the one message in flight comes twice (with the same Message-ID, so a mail system can
tell). 5 trials here; ``bench/bench_crash_trials.py`` runs 20 and prints the counts."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from crash_harness import run_trials, settings_for
from sqlalchemy import Engine
from test_mail_smtp import free_port


class SlowServer:
    """An SMTP server on loopback that takes 20 ms per message: room to kill a sender."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.02)
        self.received.append(envelope.original_content)
        return "250 OK: queued"


@pytest.fixture
def slow_server() -> Iterator[SlowServer]:
    server = SlowServer()
    server.controller.start()
    yield server
    server.controller.stop()


def test_a_sender_killed_mid_batch_loses_nothing(
    engine: Engine, tmp_path: Path, slow_server: SlowServer
) -> None:
    settings = settings_for(tmp_path, engine, slow_server.port)
    result = run_trials(engine, settings, slow_server.received, trials=5)
    print(result.line())
    assert result.kills == result.trials, "a pass finished before it could be killed"
    assert result.lost == 0
    assert result.worst_duplicates_in_a_trial <= 1
    assert result.received == result.queued + result.duplicates

"""Kill -9 during sending, and count what arrived: the harness the test and the bench share.

Each trial queues a batch of request e-mails, starts a delivery pass in a separate
process (``python -m arshjul.mail.sender``'s function, as a worker runs it) against a
real SMTP server on loopback that takes a little time per message, kills the process
with SIGKILL at a random point in the batch, and then lets a second pass finish. The
server's log of Message-IDs tells what was lost (never received) and what came twice
(the one message in flight at the kill: accepted by the server, not yet committed).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select
from test_mail import AS_OF, enqueue_request, make_world, parse

from arshjul.mail.sender import deliver_queued
from arshjul.models.outbox import MessageState, OutboxMessage
from arshjul.settings import Settings

# One pass, in a process of its own, exactly as a worker's task would call it.
_PASS = """
import datetime as dt, sys
from pathlib import Path
from arshjul.mail.sender import deliver_queued
from arshjul.models.db import get_engine
from arshjul.settings import Settings

url, port, mail_dir, portal, key, as_of = sys.argv[1:]
settings = Settings(
    database_url=url, smtp_host="127.0.0.1", smtp_port=int(port), mail_dir=Path(mail_dir),
    portal_url=portal, secret_key=key, smtp_timeout_seconds=5,
)
deliver_queued(get_engine(url), settings=settings, as_of=dt.datetime.fromisoformat(as_of))
"""


@dataclass
class Trials:
    trials: int
    kills: int  # passes killed while still sending (not already done)
    queued: int
    received: int
    lost: int
    duplicates: int
    worst_duplicates_in_a_trial: int
    seconds: float

    def line(self) -> str:
        return (
            f"{self.trials} försök ({self.kills} dödade mitt i sändningen med kill -9): "
            f"{self.queued} köade, "
            f"{self.received} mottagna, {self.lost} förlorade, {self.duplicates} dubbletter "
            f"(högst {self.worst_duplicates_in_a_trial} i ett försök), {self.seconds:.1f} s"
        )


def _ids(session: Session, keys: list[str]) -> dict[str, str]:
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.dedup_key.in_(keys)))  # type: ignore[attr-defined]
    return {r.dedup_key: r.message_id for r in rows}


def run_trials(
    engine: Engine,
    settings: Settings,
    received: list[bytes],
    *,
    trials: int,
    batch: int = 12,
    seed: int = 1984,
) -> Trials:
    """Queue, kill mid-batch, finish; ``received`` is the server's list of message bytes."""
    chooser = random.Random(seed)
    start = time.perf_counter()
    lost = duplicates = worst = queued = kills = 0
    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session, settings)
        session.commit()
    for trial in range(trials):
        keys = [f"krasch:{trial}:{n}" for n in range(batch)]
        with Session(engine, expire_on_commit=False) as session:
            from arshjul.models import Municipality, StageInstance, SubmissionRequest

            world.municipality = session.exec(select(Municipality)).one()
            world.request = session.get(SubmissionRequest, world.request.id)  # type: ignore[assignment]
            world.stage = session.get(StageInstance, world.stage.id)  # type: ignore[assignment]
            for key in keys:
                enqueue_request(session, world, key=key, attachments=[])
            session.commit()
            expected = _ids(session, keys)
        queued += len(expected)
        before = len(received)
        kill_after = chooser.randint(1, batch - 1)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _PASS,
                str(engine.url.render_as_string(hide_password=False)),
                str(settings.smtp_port),
                str(settings.mail_dir),
                settings.portal_url,
                settings.secret_key.get_secret_value() if settings.secret_key else "",
                AS_OF.isoformat(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(received) - before < kill_after and worker.poll() is None:
            if time.monotonic() > deadline:  # pragma: no cover - a hung server
                break
            time.sleep(0.005)
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            kills += 1
        worker.wait(timeout=30)
        deliver_queued(engine, settings=settings, as_of=AS_OF)
        with Session(engine) as session:
            left = session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.dedup_key.in_(keys),  # type: ignore[attr-defined]
                    OutboxMessage.state != MessageState.SENT,
                )
            ).all()
        assert not left, [(r.dedup_key, r.state, r.last_error) for r in left]
        arrived = Counter(parse(data)["Message-ID"] for data in received[before:])
        lost += sum(1 for message_id in expected.values() if arrived[message_id] == 0)
        extra = sum(n - 1 for n in arrived.values() if n > 1)
        duplicates += extra
        worst = max(worst, extra)
    return Trials(
        trials=trials,
        kills=kills,
        queued=queued,
        received=sum(1 for _ in received),
        lost=lost,
        duplicates=duplicates,
        worst_duplicates_in_a_trial=worst,
        seconds=time.perf_counter() - start,
    )


def settings_for(tmp_path: Path, engine: Engine, port: int) -> Settings:
    from test_mail import make_settings

    return make_settings(
        tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_timeout_seconds=5,
    )

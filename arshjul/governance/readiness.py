"""A stage's way from planned to ready: when it opens and when it is ready to compile.

A stage opens when its requests go out (or, asking nobody, when it is first run on or
after its opening day). It is ready when every request is in, or when the last request's
grace has passed: a late committee does not hold up the report, it is named in it.

A stage that asks nobody has nothing to wait for and is ready as soon as it is open. The
two copies disagreed here: the daily watch waited for the deadline, the stage's own run
did not. The watch only marks readiness (the stage's run writes the document), so waiting
bought nothing but a stage that showed "öppet, väntar på underlag" with nothing awaited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from arshjul.models.cycle import StageState
from arshjul.models.submissions import RequestState


class _Request(Protocol):
    @property
    def state(self) -> str: ...

    @property
    def grace_until(self) -> dt.datetime: ...


class _Stage(Protocol):
    state: str
    opened_at: dt.datetime | None
    ready_at: dt.datetime | None


def is_ready(requests: Sequence[_Request], as_of: dt.datetime) -> bool:
    """Every request in, or the last grace over; no request at all: nothing to wait for."""
    if all(r.state == RequestState.SUBMITTED for r in requests):
        return True
    return as_of > max(r.grace_until for r in requests)


def open_stage(stage: _Stage, as_of: dt.datetime) -> bool:
    """Planned → open; True when it opened now."""
    if stage.state != StageState.PLANNED:
        return False
    stage.state = StageState.OPEN
    stage.opened_at = as_of
    return True


def mark_ready(stage: _Stage, requests: Sequence[_Request], as_of: dt.datetime) -> bool:
    """Open → ready when :func:`is_ready`; True when it became ready now."""
    if stage.state != StageState.OPEN or not is_ready(requests, as_of):
        return False
    stage.state = StageState.READY
    stage.ready_at = as_of
    return True

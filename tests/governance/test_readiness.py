"""A stage's way from planned to ready, the rule the watch and the stage's run share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from arshjul.governance.readiness import is_ready, mark_ready, open_stage

STOCKHOLM = ZoneInfo("Europe/Stockholm")
GRACE = dt.datetime(2027, 5, 10, 23, 59, tzinfo=STOCKHOLM)


@dataclass
class Request:
    state: str
    grace_until: dt.datetime = GRACE


@dataclass
class Stage:
    state: str
    opened_at: dt.datetime | None = None
    ready_at: dt.datetime | None = None


def at(day: int) -> dt.datetime:
    return dt.datetime(2027, 5, day, 8, tzinfo=STOCKHOLM)


def test_ready_when_every_request_is_in_or_the_grace_is_over() -> None:
    assert is_ready([Request("submitted"), Request("submitted")], at(3))
    assert not is_ready([Request("submitted"), Request("open")], at(10))
    assert is_ready([Request("submitted"), Request("open")], at(11))
    assert is_ready([Request("closed")], at(11))


def test_a_stage_that_asks_nobody_is_ready_at_once() -> None:
    """The copies disagreed: the watch waited for the deadline, the run did not."""
    stage = Stage("open")
    assert is_ready([], at(3))
    assert mark_ready(stage, [], at(3)) and stage.state == "ready" and stage.ready_at == at(3)


def test_the_states_move_forward_only() -> None:
    stage = Stage("planned")
    assert not mark_ready(stage, [], at(3))  # not open yet
    assert open_stage(stage, at(3)) and stage.state == "open" and stage.opened_at == at(3)
    assert not open_stage(stage, at(4)) and stage.opened_at == at(3)
    compiled = Stage("compiled")
    assert not mark_ready(compiled, [], at(5)) and compiled.state == "compiled"

"""Which budget frame counts: the most decided there is, never last year's plan."""

from __future__ import annotations

from dataclasses import dataclass

from arshjul.governance.frames import FRAME_PRECEDENCE, counting, rank


@dataclass
class Frame:
    status: str
    amount_kr: int


def test_the_most_decided_frame_counts() -> None:
    frames = [Frame("preliminary", 1), Frame("council", 4), Frame("executive_board", 3)]
    assert counting(frames) == Frame("council", 4)
    assert counting([Frame("preliminary", 1), Frame("proposed", 2)]) == Frame("proposed", 2)


def test_last_years_plan_never_counts() -> None:
    """The frame of last year's plan (previous) is where planning starts, not a budget."""
    assert rank("previous") is None
    assert counting([Frame("previous", 9)]) is None
    assert counting([Frame("previous", 9), Frame("preliminary", 1)]) == Frame("preliminary", 1)


def test_no_frame_is_none_not_zero() -> None:
    assert counting([]) is None


def test_the_precedence_is_the_way_to_the_council() -> None:
    assert [s.value for s in FRAME_PRECEDENCE] == [
        "council",
        "executive_board",
        "proposed",
        "preliminary",
    ]

"""Which budget frame counts: the most decided one there is.

A frame travels preliminary → proposed → executive board → council; the frame of
last year's plan (``previous``) is where the year's planning starts, never a frame
a year is followed up or planned against. When a unit has several frames for the
same year (and, for investments, the same project), the most decided one counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from arshjul.models.money import FrameStatus

# The most decided first.
FRAME_PRECEDENCE: tuple[FrameStatus, ...] = (
    FrameStatus.COUNCIL,
    FrameStatus.EXECUTIVE_BOARD,
    FrameStatus.PROPOSED,
    FrameStatus.PRELIMINARY,
)


class _Frame(Protocol):
    @property
    def status(self) -> str: ...


F = TypeVar("F", bound=_Frame)


def rank(status: str) -> int | None:
    """A status's place in the precedence (0 the council's); None for one that never counts."""
    try:
        return FRAME_PRECEDENCE.index(FrameStatus(status))
    except ValueError:
        return None


def counting(frames: Iterable[F]) -> F | None:
    """Of one unit's frames for one year (and project), the one that counts."""
    ranked = [(r, f) for f in frames if (r := rank(f.status)) is not None]
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None

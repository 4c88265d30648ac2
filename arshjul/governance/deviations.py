"""When a deviation from budget calls for an action plan, and when the plan has done its work.

A deviation is budget minus forecast: positive a surplus, negative an overspend. The
threshold is the smaller of the configured amount and share of the unit's frame (the
governance model: a deviation the administration cannot handle within its delegation).
An overspend *larger* than the threshold is beyond it; one exactly at the threshold is
not, so a committee that recovers to the threshold is within it again.

A plan closes when a later figure is back within the threshold: the next follow-up's
deviation, or the remaining deviation a committee reports on its plan in a financial
report to the board. Both used to be written apart, and the report's closing forgot to
close the deviation with the plan; both now go through :func:`plan_has_done_its_work`.

Which plans are in force, decided here because the copies disagreed (one looked in the
cycle, the financial reports in every year): a plan about an operating deviation belongs
to its budget year. The year's annual report gives its outcome, and the next year starts
from new frames, so last year's plans are not asked about again. A plan to restore a
negative balance requirement result runs over three years (KL 11 kap. 12 §) and stays in
force until it is closed, whatever the year.
"""

from __future__ import annotations

from typing import Protocol

# The deviation kind of a plan that is not tied to one budget year.
MULTI_YEAR_KINDS = frozenset({"balance_requirement"})


class DeviationRule(Protocol):
    """The configured threshold (``[deviation]`` in the municipality's TOML)."""

    @property
    def amount_tkr(self) -> float: ...

    @property
    def share_percent(self) -> float: ...


def threshold_kr(rule: DeviationRule, budget_kr: int) -> int:
    """The overspend a unit may have before it needs an action plan, in kronor."""
    by_amount = round(rule.amount_tkr * 1000)
    by_share = round(abs(budget_kr) * rule.share_percent / 100)
    return min(by_amount, by_share)


def beyond_threshold(deviation_kr: int | None, threshold: int) -> bool:
    """An overspend larger than the threshold (no deviation known: not beyond)."""
    return deviation_kr is not None and deviation_kr < -threshold


def plan_has_done_its_work(deviation_kr: int, threshold: int) -> bool:
    """A plan closes when the unit's latest deviation is back within the threshold."""
    return not beyond_threshold(deviation_kr, threshold)


def in_force(*, closed: bool, kind: str, plan_cycle_year: int, cycle_year: int) -> bool:
    """Whether a plan is in force in a cycle: not closed, and of this budget year unless it
    is a multi-year plan (a balance requirement to restore)."""
    if closed:
        return False
    return kind in MULTI_YEAR_KINDS or plan_cycle_year == cycle_year

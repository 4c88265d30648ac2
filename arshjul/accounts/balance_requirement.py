"""The balance requirement (balanskravet, KL 11 kap. 12 §; LKBR 11 kap.): the year's result
adjusted to the balanskravsresultat, and what is left to restore from earlier years.

The reconciliation (balanskravsutredningen) starts from the income statement's result,
deducts all realisation gains, adds back realisation losses the law lets be excepted,
takes out unrealised changes in the value of securities, and moves money to or from the
result equalisation reserve (RUR). A negative balanskravsresultat must be restored within
the three following years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from arshjul.formats import format_tkr

RESTORE_WITHIN_YEARS = 3


class StatementLine(NamedTuple):
    """A line to show: a heading line has no amount; a sum line is computed."""

    label: str
    amount_kr: int | None
    is_sum: bool = False


@dataclass(frozen=True)
class BalanceRequirement:
    """Balanskravsutredning for a year (or a full-year forecast in an interim report).

    ``reported``: the year's adjustments were reported (imported); when they were not, the
    reconciliation is made without adjustments and the document says so.
    ``deficit_before_kr``: negative results of earlier years not yet restored.
    """

    result_kr: int
    realisation_gains_kr: int = 0  # deducted
    realisation_losses_excepted_kr: int = 0  # added back
    unrealised_securities_kr: int = 0  # gains (+) are deducted, losses (−) added back
    to_reserve_kr: int = 0
    from_reserve_kr: int = 0
    reported: bool = True
    reserve_balance_kr: int | None = None  # the RUR at the year's end
    deficit_before_kr: int | None = None

    @property
    def adjusted_result_kr(self) -> int:
        """Årets resultat efter balanskravsjusteringar."""
        return (
            self.result_kr
            - self.realisation_gains_kr
            + self.realisation_losses_excepted_kr
            - self.unrealised_securities_kr
        )

    @property
    def balance_result_kr(self) -> int:
        """Årets balanskravsresultat."""
        return self.adjusted_result_kr - self.to_reserve_kr + self.from_reserve_kr

    @property
    def negative(self) -> bool:
        """Whether the year's balanskravsresultat must be restored (KL 11 kap. 12 §)."""
        return self.balance_result_kr < 0

    @property
    def deficit_after_kr(self) -> int | None:
        """What is left to restore after this year (None when earlier years are unknown)."""
        if self.deficit_before_kr is None:
            return None
        return restored(self.deficit_before_kr, self.balance_result_kr)

    def lines(self) -> tuple[StatementLine, ...]:
        """The lines of the balanskravsutredning, the result last."""
        return (
            StatementLine("Årets resultat", self.result_kr),
            StatementLine("Samtliga realisationsvinster", -self.realisation_gains_kr),
            StatementLine(
                "Realisationsförluster enligt undantagsmöjlighet",
                self.realisation_losses_excepted_kr,
            ),
            StatementLine(
                "Orealiserade vinster och förluster i värdepapper", -self.unrealised_securities_kr
            ),
            StatementLine(
                "Årets resultat efter balanskravsjusteringar", self.adjusted_result_kr, True
            ),
            StatementLine("Medel till resultatutjämningsreserv", -self.to_reserve_kr),
            StatementLine("Medel från resultatutjämningsreserv", self.from_reserve_kr),
            StatementLine("Årets balanskravsresultat", self.balance_result_kr, True),
        )

    def restoration_lines(self) -> tuple[StatementLine, ...]:
        """Earlier deficits, this year's result and what remains to restore."""
        if self.deficit_before_kr is None:
            return ()
        return (
            StatementLine("Underskott att återställa från tidigare år", -self.deficit_before_kr),
            StatementLine("Årets balanskravsresultat", self.balance_result_kr),
            StatementLine(
                "Underskott att återställa efter årets resultat",
                -(self.deficit_after_kr or 0),
                True,
            ),
        )

    def problems(self) -> list[str]:
        """Amounts that are deducted or added by their line and must be given as positive."""
        return [
            f"balanskravsutredningen: {label} anges som ett positivt belopp, inte {format_tkr(v)}"
            for label, v in (
                ("realisationsvinsterna", self.realisation_gains_kr),
                ("realisationsförlusterna", self.realisation_losses_excepted_kr),
                ("medel till resultatutjämningsreserven", self.to_reserve_kr),
                ("medel från resultatutjämningsreserven", self.from_reserve_kr),
            )
            if v < 0
        ]


def restored(deficit_kr: int, balance_result_kr: int) -> int:
    """The deficit left after a year: a surplus restores it, a deficit adds to it."""
    return max(deficit_kr - balance_result_kr, 0)


def deficit_before(history: Sequence[tuple[int, int | None]], year: int) -> int | None:
    """What earlier years left to restore at the start of ``year``.

    ``history`` holds (year, balanskravsresultat) of earlier years. The last
    :data:`RESTORE_WITHIN_YEARS` years are the ones that can still carry a deficit; a year
    among them whose result is unknown makes the answer unknown (None).
    """
    known = dict(history)
    deficit = 0
    for y in range(year - RESTORE_WITHIN_YEARS, year):
        result = known.get(y)
        if result is None:
            return None
        deficit = restored(deficit, result)
    return deficit

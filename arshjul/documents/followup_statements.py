"""The interim and annual reports' own parts: the financial statements, with their sums
as properties, the financial goals, the assessments of the companies and internal control.

Amounts are whole kronor; costs are negative, income positive, as a Swedish
resultaträkning shows them. Each statement gives its lines in the conventional order
(``lines()``) and says what is wrong with it (``problems()``), in Swedish.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from arshjul.formats import format_tkr


class StatementLine(NamedTuple):
    """A line to show: a heading line has no amount; a sum line is computed."""

    label: str
    amount_kr: int | None
    is_sum: bool = False


def _must_not_be_positive(owner: str, pairs: tuple[tuple[str, int], ...]) -> list[str]:
    return [
        f"{owner}: {label} ska anges som ett negativt belopp, inte {format_tkr(amount)}"
        for label, amount in pairs
        if amount > 0
    ]


@dataclass(frozen=True)
class IncomeStatement:
    """Resultaträkning for one column (``column``: e.g. "Utfall jan–aug 2027")."""

    column: str
    operating_income_kr: int
    operating_costs_kr: int  # negative
    depreciation_kr: int  # negative
    tax_revenue_kr: int
    general_grants_kr: int  # generella statsbidrag och utjämning
    financial_income_kr: int = 0
    financial_costs_kr: int = 0  # negative
    extraordinary_kr: int = 0

    @property
    def net_operating_costs_kr(self) -> int:
        """Verksamhetens nettokostnader."""
        return self.operating_income_kr + self.operating_costs_kr + self.depreciation_kr

    @property
    def operating_result_kr(self) -> int:
        """Verksamhetens resultat."""
        return self.net_operating_costs_kr + self.tax_revenue_kr + self.general_grants_kr

    @property
    def result_after_financial_kr(self) -> int:
        """Resultat efter finansiella poster."""
        return self.operating_result_kr + self.financial_income_kr + self.financial_costs_kr

    @property
    def result_kr(self) -> int:
        """Årets resultat."""
        return self.result_after_financial_kr + self.extraordinary_kr

    def lines(self) -> tuple[StatementLine, ...]:
        """The lines in the conventional order."""
        lines = [
            StatementLine("Verksamhetens intäkter", self.operating_income_kr),
            StatementLine("Verksamhetens kostnader", self.operating_costs_kr),
            StatementLine("Avskrivningar", self.depreciation_kr),
            StatementLine("Verksamhetens nettokostnader", self.net_operating_costs_kr, True),
            StatementLine("Skatteintäkter", self.tax_revenue_kr),
            StatementLine("Generella statsbidrag och utjämning", self.general_grants_kr),
            StatementLine("Verksamhetens resultat", self.operating_result_kr, True),
            StatementLine("Finansiella intäkter", self.financial_income_kr),
            StatementLine("Finansiella kostnader", self.financial_costs_kr),
            StatementLine(
                "Resultat efter finansiella poster", self.result_after_financial_kr, True
            ),
        ]
        if self.extraordinary_kr:
            lines.append(StatementLine("Extraordinära poster", self.extraordinary_kr))
        lines.append(StatementLine("Årets resultat", self.result_kr, True))
        return tuple(lines)

    def problems(self) -> list[str]:
        """Costs given as positive amounts."""
        return _must_not_be_positive(
            f"resultaträkningen ({self.column})",
            (
                ("verksamhetens kostnader", self.operating_costs_kr),
                ("avskrivningar", self.depreciation_kr),
                ("finansiella kostnader", self.financial_costs_kr),
            ),
        )


@dataclass(frozen=True)
class BalanceSheet:
    """Balansräkning at one date (``column``: e.g. "31 augusti 2027")."""

    column: str
    fixed_assets_kr: int
    current_assets_kr: int
    equity_kr: int
    provisions_kr: int
    liabilities_kr: int
    result_of_year_kr: int | None = None  # "därav årets resultat", within equity

    @property
    def total_assets_kr(self) -> int:
        """Summa tillgångar."""
        return self.fixed_assets_kr + self.current_assets_kr

    @property
    def total_equity_and_liabilities_kr(self) -> int:
        """Summa eget kapital, avsättningar och skulder."""
        return self.equity_kr + self.provisions_kr + self.liabilities_kr

    def lines(self) -> tuple[StatementLine, ...]:
        """The lines in the conventional order, with the two headings."""
        lines = [
            StatementLine("Tillgångar", None),
            StatementLine("Anläggningstillgångar", self.fixed_assets_kr),
            StatementLine("Omsättningstillgångar", self.current_assets_kr),
            StatementLine("Summa tillgångar", self.total_assets_kr, True),
            StatementLine("Eget kapital, avsättningar och skulder", None),
            StatementLine("Eget kapital", self.equity_kr),
        ]
        if self.result_of_year_kr is not None:
            lines.append(StatementLine("därav årets resultat", self.result_of_year_kr))
        lines += [
            StatementLine("Avsättningar", self.provisions_kr),
            StatementLine("Skulder", self.liabilities_kr),
            StatementLine(
                "Summa eget kapital, avsättningar och skulder",
                self.total_equity_and_liabilities_kr,
                True,
            ),
        ]
        return tuple(lines)

    def problems(self) -> list[str]:
        """A balance sheet that does not balance."""
        if self.total_assets_kr == self.total_equity_and_liabilities_kr:
            return []
        return [
            f"balansräkningen ({self.column}) balanserar inte: tillgångarna är "
            f"{format_tkr(self.total_assets_kr)}, eget kapital, avsättningar och skulder "
            f"{format_tkr(self.total_equity_and_liabilities_kr)}"
        ]


@dataclass(frozen=True)
class BalanceRequirement:
    """Balanskravsutredning: the year's result adjusted to the balanskravsresultat."""

    result_kr: int  # årets resultat (the forecast in an interim report)
    realisation_gains_kr: int = 0  # samtliga realisationsvinster, deducted
    adjustments: tuple[tuple[str, int], ...] = ()  # other adjustments, signed
    to_reserve_kr: int = 0  # medel till resultatutjämningsreserv, deducted
    from_reserve_kr: int = 0  # medel från resultatutjämningsreserv, added

    def __post_init__(self) -> None:
        object.__setattr__(self, "adjustments", tuple(tuple(a) for a in self.adjustments))

    @property
    def adjusted_result_kr(self) -> int:
        """Årets resultat efter balanskravsjusteringar."""
        return self.result_kr - self.realisation_gains_kr + sum(a for _, a in self.adjustments)

    @property
    def balance_result_kr(self) -> int:
        """Årets balanskravsresultat."""
        return self.adjusted_result_kr - self.to_reserve_kr + self.from_reserve_kr

    @property
    def negative(self) -> bool:
        """Whether the balanskravsresultat must be restored (KL 11 kap. 12 §)."""
        return self.balance_result_kr < 0

    def lines(self) -> tuple[StatementLine, ...]:
        """The lines of the balanskravsutredning, the result last."""
        lines = [
            StatementLine("Årets resultat", self.result_kr),
            StatementLine("Samtliga realisationsvinster", -self.realisation_gains_kr),
            *(StatementLine(label, amount) for label, amount in self.adjustments),
            StatementLine(
                "Årets resultat efter balanskravsjusteringar", self.adjusted_result_kr, True
            ),
            StatementLine("Medel till resultatutjämningsreserv", -self.to_reserve_kr),
            StatementLine("Medel från resultatutjämningsreserv", self.from_reserve_kr),
            StatementLine("Årets balanskravsresultat", self.balance_result_kr, True),
        ]
        return tuple(lines)

    def problems(self) -> list[str]:
        """Amounts that are deducted or added by their line and must be given as positive."""
        return [
            f"balanskravsutredningen: {label} anges som ett positivt belopp, inte {format_tkr(v)}"
            for label, v in (
                ("realisationsvinsterna", self.realisation_gains_kr),
                ("medel till resultatutjämningsreserven", self.to_reserve_kr),
                ("medel från resultatutjämningsreserven", self.from_reserve_kr),
            )
            if v < 0
        ]


@dataclass(frozen=True)
class CashFlowStatement:
    """Kassaflödesanalys in its simplest form: three flows and the liquid funds."""

    column: str
    operating_kr: int
    investing_kr: int
    financing_kr: int
    cash_at_start_kr: int

    @property
    def cash_flow_kr(self) -> int:
        """Årets kassaflöde."""
        return self.operating_kr + self.investing_kr + self.financing_kr

    @property
    def cash_at_end_kr(self) -> int:
        """Likvida medel vid årets slut."""
        return self.cash_at_start_kr + self.cash_flow_kr

    def lines(self) -> tuple[StatementLine, ...]:
        """The flows, the year's cash flow and the liquid funds."""
        return (
            StatementLine("Kassaflöde från den löpande verksamheten", self.operating_kr),
            StatementLine("Kassaflöde från investeringsverksamheten", self.investing_kr),
            StatementLine("Kassaflöde från finansieringsverksamheten", self.financing_kr),
            StatementLine("Årets kassaflöde", self.cash_flow_kr, True),
            StatementLine("Likvida medel vid årets början", self.cash_at_start_kr),
            StatementLine("Likvida medel vid årets slut", self.cash_at_end_kr, True),
        )


class FinancialGoal(NamedTuple):
    """A financial goal for sound financial management, and how it goes."""

    goal: str
    target: str
    outcome: str  # outcome (annual report) or full-year forecast (interim)
    met: bool | None = None


class CompanyAssessment(NamedTuple):
    """The executive board's yearly assessment of a wholly owned company (KL 6 kap.)."""

    name: str
    purpose: str
    assessment: str
    matched: bool


class ControlOutcome(NamedTuple):
    """One control of the internal control plan and what it found."""

    risk: str
    control: str
    outcome: str
    measure: str = ""


@dataclass(frozen=True)
class InternalControl:
    """One unit's internal control outcome for the year."""

    unit: str
    controls: tuple[ControlOutcome, ...]

    def __post_init__(self) -> None:
        controls = tuple(
            c if isinstance(c, ControlOutcome) else ControlOutcome(*c) for c in self.controls
        )
        object.__setattr__(self, "controls", controls)

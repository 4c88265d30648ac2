"""Key figures: the five-year overview of the management report, and the annual facts that
the accounts do not hold (contingent pension liabilities, the balance requirement's
adjustments, the population).

A key figure of a year with a trial balance is computed from it; a year before the
trial balances were imported takes the figure from the imported history (``arshjul import
nyckeltal``). A figure neither gives is missing, and the document says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Unit = Literal["tkr", "%", "kr", "st"]


@dataclass(frozen=True)
class KeyFigure:
    """A figure the engine knows by key; ``unit`` says how it is imported and shown."""

    key: str
    label: str
    unit: Unit
    in_overview: bool = True


CATALOGUE: tuple[KeyFigure, ...] = (
    KeyFigure("arets_resultat", "Årets resultat", "tkr"),
    KeyFigure("verksamhetens_nettokostnader", "Verksamhetens nettokostnader", "tkr"),
    KeyFigure(
        "skatter_och_statsbidrag", "Skatteintäkter och generella statsbidrag och utjämning", "tkr"
    ),
    KeyFigure(
        "nettokostnadsandel",
        "Nettokostnader och finansnetto i procent av skatter och generella statsbidrag",
        "%",
    ),
    KeyFigure(
        "resultatandel", "Årets resultat i procent av skatter och generella statsbidrag", "%"
    ),
    KeyFigure("balanskravsresultat", "Balanskravsresultat", "tkr"),
    KeyFigure("investeringar", "Investeringar i materiella och immateriella tillgångar", "tkr"),
    KeyFigure("sjalvfinansieringsgrad", "Självfinansieringsgrad av investeringarna", "%"),
    KeyFigure("soliditet", "Soliditet", "%"),
    KeyFigure(
        "soliditet_inkl_pensioner", "Soliditet inklusive pensionsförpliktelser före 1998", "%"
    ),
    KeyFigure("langfristiga_skulder", "Långfristiga skulder", "tkr"),
    KeyFigure("skattesats", "Kommunal skattesats, kronor per 100 kronor", "kr"),
    KeyFigure("invanare", "Antal invånare 31 december", "st"),
    # Facts for the year's report, not rows of the overview.
    KeyFigure(
        "ansvarsforbindelse_pensioner",
        "Pensionsförpliktelser som inte tagits upp bland avsättningarna (ansvarsförbindelse), "
        "inklusive särskild löneskatt",
        "tkr",
        in_overview=False,
    ),
    KeyFigure("borgensataganden", "Borgensåtaganden", "tkr", in_overview=False),
    KeyFigure("realisationsvinster", "Samtliga realisationsvinster", "tkr", in_overview=False),
    KeyFigure(
        "realisationsforluster_undantag",
        "Realisationsförluster enligt undantagsmöjlighet",
        "tkr",
        in_overview=False,
    ),
    KeyFigure(
        "orealiserade_vardepapper",
        "Orealiserade vinster (+) och förluster (−) i värdepapper",
        "tkr",
        in_overview=False,
    ),
    KeyFigure("till_rur", "Medel till resultatutjämningsreserv", "tkr", in_overview=False),
    KeyFigure("fran_rur", "Medel från resultatutjämningsreserv", "tkr", in_overview=False),
)
BY_KEY = {f.key: f for f in CATALOGUE}
OVERVIEW = tuple(f for f in CATALOGUE if f.in_overview)
BALANCE_REQUIREMENT_KEYS = (
    "realisationsvinster",
    "realisationsforluster_undantag",
    "orealiserade_vardepapper",
    "till_rur",
    "fran_rur",
)

SICK_LEAVE_GROUPS: tuple[tuple[str, str], ...] = (
    ("total", "Total sjukfrånvaro"),
    ("women", "Kvinnor"),
    ("men", "Män"),
    ("age_29", "29 år eller yngre"),
    ("age_30_49", "30–49 år"),
    ("age_50", "50 år eller äldre"),
    ("long_term", "Andel av sjukfrånvaron som avser 60 dagar eller mer"),
)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def computed(
    income: Mapping[str, int],
    balance: Mapping[str, int],
    *,
    investments_kr: int | None,
    contingent_pensions_kr: int | None,
    balance_result_kr: int | None,
) -> dict[str, Decimal | int | None]:
    """The overview's figures of a year from its statements (amounts in kronor).

    ``investments_kr`` is the year's gross investment (from the cash flow),
    ``contingent_pensions_kr`` the pension liability outside the balance sheet.
    """
    taxes = income["skatteintakter"] + income["generella_statsbidrag"]
    net_financial = income["finansiella_intakter"] + income["finansiella_kostnader"]
    result = income["arets_resultat"]
    assets = balance["summa_tillgangar"]
    equity = balance["summa_eget_kapital"]
    depreciation = -income["avskrivningar"]
    self_financing = _percent(result + depreciation, investments_kr) if investments_kr else None
    return {
        "arets_resultat": result,
        "verksamhetens_nettokostnader": income["verksamhetens_nettokostnader"],
        "skatter_och_statsbidrag": taxes,
        "nettokostnadsandel": _percent(
            -(income["verksamhetens_nettokostnader"] + net_financial), taxes
        ),
        "resultatandel": _percent(result, taxes),
        "balanskravsresultat": balance_result_kr,
        "investeringar": investments_kr,
        "sjalvfinansieringsgrad": self_financing,
        "soliditet": _percent(equity, assets),
        "soliditet_inkl_pensioner": (
            _percent(equity - contingent_pensions_kr, assets)
            if contingent_pensions_kr is not None
            else None
        ),
        "langfristiga_skulder": balance["langfristiga_skulder"],
    }


@dataclass(frozen=True)
class GoalMeasure:
    """A financial goal the engine can assess: which key figure, and which way is better."""

    key: str  # as imported in finansiella-mal
    label: str
    figure: str  # a key of CATALOGUE
    at_least: bool = True


GOAL_MEASURES: tuple[GoalMeasure, ...] = (
    GoalMeasure(
        "resultat_andel_skatter",
        "Resultatet som andel av skatteintäkter och generella statsbidrag",
        "resultatandel",
    ),
    GoalMeasure("soliditet", "Soliditet", "soliditet"),
    GoalMeasure(
        "soliditet_inkl_pensioner",
        "Soliditet inklusive pensionsförpliktelser före 1998",
        "soliditet_inkl_pensioner",
    ),
    GoalMeasure(
        "sjalvfinansieringsgrad",
        "Självfinansieringsgrad av investeringarna",
        "sjalvfinansieringsgrad",
    ),
    GoalMeasure(
        "nettokostnadsandel",
        "Nettokostnaderna och finansnettot som andel av skatter och statsbidrag",
        "nettokostnadsandel",
        at_least=False,
    ),
)


def goal_met(measure: GoalMeasure, target: Decimal, outcome: Decimal | None) -> bool | None:
    """Whether an outcome meets a goal's target; None when there is no outcome."""
    if outcome is None:
        return None
    return outcome >= target if measure.at_least else outcome <= target

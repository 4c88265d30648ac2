"""The budgeted statements of the Strategic and financial plan: income statement, balance
sheet and financing budget for the budget year and the two plan years.

Each year is built from its own basis (:class:`PlanYear`): the committees' frames for that
year, the tax forecast for that year, the planned depreciation, financial items and the
costs outside the frames, and the year's investment frames. The balance sheet is rolled
forward from the last closed year's books: the year's result goes to equity, investments
less depreciation to the fixed assets, and what the result and the depreciation do not
finance is borrowed (or, when they give more, used to amortise), so the cash stays where
it was. A year whose basis lacks a figure has no statement, and the document says which
figure is missing. The same lines as the annual report's are used (:mod:`layout`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from arshjul.accounts.layout import BALANCE_SHEET, INCOME_STATEMENT, with_sums
from arshjul.accounts.statements import cash_flow_values

# What a plan year must have, by field: the Swedish name, and where it comes from.
REQUIRED = {
    "frames_kr": ("nämndernas driftramar", "arshjul import ramar, eller resursfördelningen"),
    "other_kr": (
        "övriga nettokostnader utanför ramarna",
        "finansiella-mal: ovriga_nettokostnader_tkr",
    ),
    "depreciation_kr": ("avskrivningar", "finansiella-mal: avskrivningar_tkr"),
    "tax_kr": ("skatteintäkter", "arshjul import skatteprognos"),
    "grants_kr": ("generella statsbidrag och utjämning", "arshjul import skatteprognos"),
    "financial_income_kr": ("finansiella intäkter", "finansiella-mal: finansiella_intakter_tkr"),
    "financial_costs_kr": ("finansiella kostnader", "finansiella-mal: finansiella_kostnader_tkr"),
}


@dataclass(frozen=True)
class PlanYear:
    """One year's basis; ``None`` where the database lacks the figure.

    Amounts are positive kronor as planned (costs and investments as positive numbers).
    ``income_kr`` is the operating income when it is planned; without it the budget is a
    net budget (the net cost of operations, no income and cost lines).
    """

    year: int
    frames_kr: int | None
    other_kr: int | None
    depreciation_kr: int | None
    tax_kr: int | None
    grants_kr: int | None
    financial_income_kr: int | None
    financial_costs_kr: int | None
    investments_kr: int | None = None
    income_kr: int | None = None

    def missing(self) -> list[str]:
        """What the year's income statement lacks, named as the document names it."""
        return [
            f"{name} {self.year} ({source})"
            for key, (name, source) in REQUIRED.items()
            if getattr(self, key) is None
        ]


def budgeted_income(year: PlanYear) -> dict[str, int] | None:
    """The year's income statement (posts and sums), or None when its basis is incomplete."""
    if year.missing():
        return None
    frames, other = year.frames_kr or 0, year.other_kr or 0
    depreciation = year.depreciation_kr or 0
    posts: dict[str, int] = {
        "skatteintakter": year.tax_kr or 0,
        "generella_statsbidrag": year.grants_kr or 0,
        "finansiella_intakter": year.financial_income_kr or 0,
        "finansiella_kostnader": -(year.financial_costs_kr or 0),
    }
    if year.income_kr is not None:
        posts["verksamhetens_intakter"] = year.income_kr
        posts["verksamhetens_kostnader"] = -(frames + other + year.income_kr)
        posts["avskrivningar"] = -depreciation
    else:
        posts["verksamhetens_nettokostnader"] = -(frames + other + depreciation)
    return with_sums(INCOME_STATEMENT, posts)


def budgeted_balance(
    start: Mapping[str, int], income: Mapping[str, int], year: PlanYear
) -> dict[str, int]:
    """The balance sheet at the year's end, rolled forward from the one at its start.

    ``start`` is a balance sheet's values (posts and sums) with its year's result as the
    post ``arets_resultat_ek``.
    """
    investments, depreciation = year.investments_kr or 0, year.depreciation_kr or 0
    result = income["arets_resultat"]
    posts = {d.key: start.get(d.key, 0) for d in BALANCE_SHEET if d.kind == "post"}
    posts["ovrigt_eget_kapital"] += posts.pop("arets_resultat_ek")
    posts["mark_byggnader"] += investments - depreciation
    # What the result and the depreciation leave unfinanced is borrowed; a surplus amortises.
    posts["langfristiga_skulder"] += investments - result - depreciation
    return with_sums(BALANCE_SHEET, {**posts, "arets_resultat_ek": result})


def financing(
    income: Mapping[str, int], start: Mapping[str, int], end: Mapping[str, int], year: PlanYear
) -> dict[str, int]:
    """The financing budget: the cash-flow statement of the budgeted year."""
    return cash_flow_values(income, start, end, depreciation_kr=year.depreciation_kr or 0)

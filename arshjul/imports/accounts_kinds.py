"""The import kinds that feed the financial statements beside the trial balance.

- ``koncerninternt``: transactions between the municipal group's members, to eliminate;
- ``resultatbudget`` and ``resultatprognos``: the income statement's budget for a year and
  its full-year forecast made in a month, per line;
- ``nyckeltal``: the five-year overview's history and the year's facts the accounts lack
  (contingent pension liability, guarantees, the balance requirement's adjustments);
- ``sjukfranvaro``: sick leave as the law asks it to be reported (LKBR 11 kap.);
- ``skatteprognos``: SKR's tax-base forecast, tax revenue and general grants per year,
  with the forecast's date, for the plan years.

The trial balance itself is imported by :mod:`arshjul.imports.trial_balance`.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from arshjul.accounts.group import TRANSACTION_SV, Transaction
from arshjul.accounts.key_figures import BY_KEY, CATALOGUE, SICK_LEAVE_GROUPS
from arshjul.accounts.layout import INCOME_STATEMENT
from arshjul.imports.columns import CellContext, Column, ColumnType, fold
from arshjul.imports.kinds import (
    ImportKind,
    Row,
    _iso_date,
    _month_has_begun,
    _planning,
    _year,
)
from arshjul.models import GroupTransaction, PlanningFigure, UnitKind
from arshjul.models.accounts import MUNICIPALITY_ENTITY
from arshjul.timezone import STOCKHOLM

_TKR = Column("belopp_tkr", ColumnType.TKR, "amount_kr", aliases=("belopp_i_tkr", "tkr"))
_MUNICIPALITY_WORDS = ("kommunen", "kommun")

# The income statement's posts by key and by label, for the budget and forecast files.
_POSTS = {
    **{d.key: d.key for d in INCOME_STATEMENT if d.kind == "post"},
    **{d.label: d.key for d in INCOME_STATEMENT if d.kind == "post"},
}
_COSTS = frozenset({"verksamhetens_kostnader", "avskrivningar", "finansiella_kostnader"})
_INCOME = frozenset(
    {"verksamhetens_intakter", "skatteintakter", "generella_statsbidrag", "finansiella_intakter"}
)

_TRANSACTIONS = {
    **{sv: kind.value for kind, sv in TRANSACTION_SV.items()},
    "internförsäljning": Transaction.SALE.value,
    "försäljning av tjänster": Transaction.SALE.value,
    "räntor": Transaction.INTEREST.value,
    "lån": Transaction.LOAN.value,
    "utlåning": Transaction.LOAN.value,
    "aktier": Transaction.SHAREHOLDING.value,
    "aktier och andelar": Transaction.SHAREHOLDING.value,
}
_KEY_FIGURES = {
    **{f.key: f.key for f in CATALOGUE},
    **{f.label: f.key for f in CATALOGUE},
}
_SICK_LEAVE = {
    **{key: key for key, _ in SICK_LEAVE_GROUPS},
    **{label: key for key, label in SICK_LEAVE_GROUPS},
    "totalt": "total",
    "samtliga": "total",
    "män": "men",
    "-29 år": "age_29",
    "0-29 år": "age_29",
    "30-49 år": "age_30_49",
    "50- år": "age_50",
    "50 år och äldre": "age_50",
    "långtidssjukfrånvaro": "long_term",
    "60 dagar eller mer": "long_term",
}


def _member(row: Row, ctx: CellContext, column: str, field: str) -> list[tuple[str, str]]:
    """``kommunen`` or a company's or federation's key or name, with an ownership share."""
    text = row[field]
    if fold(text) in _MUNICIPALITY_WORDS:
        row[field] = MUNICIPALITY_ENTITY
        return []
    unit = ctx.units.get(fold(text))
    if unit is None or unit.kind not in (UnitKind.COMPANY, UnitKind.FEDERATION):
        members = [
            k
            for k in ctx.unit_keys
            if ctx.units[fold(k)].kind in (UnitKind.COMPANY, UnitKind.FEDERATION)
        ]
        return [
            (
                column,
                f"”{text}” är varken kommunen eller ett bolag eller kommunalförbund i koncernen; "
                f"skriv kommunen eller en av: {', '.join(members)}",
            )
        ]
    if not unit.ownership_percent:
        return [(column, f"{unit.name} saknar ägarandel i kommunens konfiguration")]
    row[field] = unit.key
    return []


def _group_members(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    problems = _member(row, ctx, "från", "from_entity") + _member(row, ctx, "till", "to_entity")
    if not problems and row["from_entity"] == row["to_entity"]:
        problems.append(("till", "en transaktion inom koncernen går mellan två olika parter"))
    if not problems and row["amount_kr"] < 0:
        problems.append(("belopp_tkr", "beloppet anges positivt; riktningen ges av från och till"))
    return problems


def _sign(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """Costs are negative and income positive, as the income statement shows them."""
    key, amount = row["line"], row["amount_kr"]
    if key in _COSTS and amount > 0:
        return [("belopp_tkr", "en kostnad anges som ett negativt belopp, som i resultaträkningen")]
    if key in _INCOME and amount < 0:
        return [("belopp_tkr", "en intäkt anges som ett positivt belopp, som i resultaträkningen")]
    return []


def _plausible_figure(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    figure = BY_KEY[row["figure"]]
    value: Decimal = row["value"]
    if figure.unit == "%" and not Decimal(-1000) <= value <= Decimal(1000):
        return [("värde", f"{value} är ingen rimlig procentsats för {figure.label.lower()}")]
    if figure.unit == "kr" and not Decimal(10) <= value <= Decimal(40):
        return [("värde", f"{value} är ingen rimlig skattesats (kronor per 100 kronor)")]
    if figure.unit == "st" and value < 0:
        return [("värde", "antalet kan inte vara negativt")]
    if figure.unit == "tkr" and abs(value) >= Decimal(10) ** 10:
        return [("värde", f"{value} tkr är orimligt stort")]
    return []


def _percent_range(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    if not Decimal(0) <= row["value"] <= Decimal(100):
        return [("procent", f"{row['value']} ligger utanför 0–100 procent")]
    return []


# SKR forecasts the current year, the next four and settles the one before.
FORECAST_YEARS_BACK, FORECAST_YEARS_AHEAD = 1, 4
_TAX_POSTS = {
    "skatteintäkter": "skatteintakter",
    "skatteintakter": "skatteintakter",
    "skatter": "skatteintakter",
    "generella statsbidrag och utjämning": "generella_statsbidrag",
    "generella statsbidrag": "generella_statsbidrag",
    "statsbidrag": "generella_statsbidrag",
    "utjämning": "generella_statsbidrag",
    "generella_statsbidrag": "generella_statsbidrag",
}


def _forecast_fits(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """A forecast made by now, for the years it can forecast; tax revenue is positive."""
    made = dt.date.fromisoformat(row["made_on"])
    today = ctx.as_of.astimezone(STOCKHOLM).date()
    problems = []
    if made > today:
        problems.append(("prognosdatum", f"{made.isoformat()} ligger efter i dag ({today})"))
    low, high = made.year - FORECAST_YEARS_BACK, made.year + FORECAST_YEARS_AHEAD
    if not low <= row["year"] <= high:
        problems.append(
            (
                "år",
                f"{row['year']} är inget år som prognosen från {made.isoformat()} gäller; "
                f"den gäller {low}–{high}",
            )
        )
    if row["line"] == "skatteintakter" and row["amount_kr"] <= 0:
        problems.append(("belopp_tkr", "skatteintäkterna ska vara ett positivt belopp"))
    return problems


def _tax_forecast(row: Row) -> dict[str, Any]:
    return {
        "year": row["year"],
        "key": row["line"],
        "sub_key": row["made_on"],
        "value": float(row["amount_kr"]),
    }


def _transaction(row: Row) -> dict[str, Any]:
    return {
        "year": row["year"],
        "kind": row["kind"],
        "from_entity": row["from_entity"],
        "to_entity": row["to_entity"],
        "amount_kr": row["amount_kr"],
    }


def _line_amount(row: Row) -> dict[str, Any]:
    return {
        "year": row["year"],
        "key": row["line"],
        "sub_key": "",
        "value": float(row["amount_kr"]),
    }


def _line_forecast(row: Row) -> dict[str, Any]:
    return {**_line_amount(row), "sub_key": f"{row['month']:02d}"}


def _key_figure(row: Row) -> dict[str, Any]:
    """A figure in tkr is kept in whole kronor, like every amount."""
    value: Decimal = row["value"]
    if BY_KEY[row["figure"]].unit == "tkr":
        value = (value * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return {"year": row["year"], "key": row["figure"], "sub_key": "", "value": float(value)}


_PLANNING_KEY = ("year", "kind", "key", "sub_key")
_POST = Column("post", ColumnType.CHOICE, "line", aliases=("rad", "resultatpost"), choices=_POSTS)

ACCOUNTS_KINDS: tuple[ImportKind, ...] = (
    ImportKind(
        slug="skatteprognos",
        title="Skatteunderlagsprognos",
        columns=(
            _year("år"),
            Column("post", ColumnType.CHOICE, "line", aliases=("slag",), choices=_TAX_POSTS),
            _TKR,
            Column(
                "prognosdatum",
                ColumnType.TEXT,
                "made_on",
                aliases=("prognos", "datum"),
                max_length=10,
                clean=_iso_date,
            ),
        ),
        model=PlanningFigure,
        key=_PLANNING_KEY,
        values=("value",),
        record=_tax_forecast,
        fixed={"kind": "tax_forecast"},
        check=_forecast_fits,
    ),
    ImportKind(
        slug="koncerninternt",
        title="Koncerninterna transaktioner",
        columns=(
            _year("år"),
            Column(
                "från",
                ColumnType.TEXT,
                "from_entity",
                aliases=("säljare", "långivare"),
                max_length=200,
            ),
            Column(
                "till",
                ColumnType.TEXT,
                "to_entity",
                aliases=("köpare", "låntagare"),
                max_length=200,
            ),
            Column("slag", ColumnType.CHOICE, "kind", aliases=("typ",), choices=_TRANSACTIONS),
            _TKR,
        ),
        model=GroupTransaction,
        key=("year", "kind", "from_entity", "to_entity"),
        values=("amount_kr",),
        record=_transaction,
        check=_group_members,
        replace_scope=("year",),
    ),
    ImportKind(
        slug="resultatbudget",
        title="Resultatbudget",
        columns=(_year("år"), _POST, _TKR),
        model=PlanningFigure,
        key=_PLANNING_KEY,
        values=("value",),
        record=_line_amount,
        fixed={"kind": "result_budget"},
        check=_sign,
        replace_scope=("year",),
    ),
    ImportKind(
        slug="resultatprognos",
        title="Helårsprognos för resultaträkningen",
        columns=(
            _year("år"),
            Column("månad", ColumnType.MONTH, "month", aliases=("mån", "prognosmånad")),
            _POST,
            _TKR,
        ),
        model=PlanningFigure,
        key=_PLANNING_KEY,
        values=("value",),
        record=_line_forecast,
        fixed={"kind": "result_forecast"},
        check=lambda row, ctx: _month_has_begun(row, ctx) + _sign(row, ctx),
    ),
    ImportKind(
        slug="nyckeltal",
        title="Nyckeltal och årsuppgifter",
        columns=(
            _year("år", ahead=1),
            Column(
                "nyckeltal", ColumnType.CHOICE, "figure", aliases=("uppgift",), choices=_KEY_FIGURES
            ),
            Column("värde", ColumnType.DECIMAL, "value", aliases=("belopp",)),
        ),
        model=PlanningFigure,
        key=_PLANNING_KEY,
        values=("value",),
        record=_key_figure,
        fixed={"kind": "key_figure"},
        check=_plausible_figure,
    ),
    ImportKind(
        slug="sjukfranvaro",
        title="Sjukfrånvaro",
        columns=(
            _year("år", ahead=1),
            Column("grupp", ColumnType.CHOICE, "group", aliases=("kategori",), choices=_SICK_LEAVE),
            Column("procent", ColumnType.DECIMAL, "value", aliases=("andel", "andel_procent")),
        ),
        model=PlanningFigure,
        key=_PLANNING_KEY,
        values=("value",),
        record=_planning("group"),
        fixed={"kind": "sick_leave"},
        check=_percent_range,
        replace_scope=("year",),
    ),
)

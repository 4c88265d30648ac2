"""The statements computed from a trial balance: income statement, balance sheet, cash flow.

Pure functions on amounts in whole kronor; no database. A trial balance is the balance of
every account at the end of a month (accumulated from the start of the year for income
and costs, including the opening balance for assets and liabilities), debit positive and
credit negative, as the finance systems export it. The statements show income and assets
positive and costs negative; equity, provisions and liabilities positive.

The checks the law's statements must pass are here too, each returning Swedish problems:
the balance sheet balances; equity at the end equals equity at the start plus the year's
result; the cash flow's change in liquid funds equals the balance sheet's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from arshjul.accounts.chart import (
    APPROPRIATIONS,
    COMPANY_BALANCE_POSTS,
    UNTAXED_RESERVES,
    Chart,
    is_balance_account,
)
from arshjul.accounts.layout import (
    ASSET_POSTS,
    BALANCE_SHEET,
    CASH_FLOW,
    INCOME_STATEMENT,
    LAYOUTS,
    LineDef,
    with_sums,
)
from arshjul.formats import format_tkr

StatementKind = Literal["income", "balance", "cash_flow"]
FIXED_TANGIBLE = ("immateriella", "mark_byggnader", "maskiner_inventarier", "ovriga_materiella")


@dataclass(frozen=True)
class Posted:
    """A trial balance put on the statements' posts, with each post's account groups.

    ``income`` holds the income statement's posts for the months the balances cover,
    ``balance`` the balance sheet's posts at the month's end (the year's result not yet in
    equity); ``groups`` each post's amount per account group label (for the notes).
    """

    income: Mapping[str, int]
    balance: Mapping[str, int]
    groups: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


def unknown_accounts(chart: Chart, accounts: Sequence[str]) -> list[str]:
    """Each account the chart cannot place, with the reason (Swedish)."""
    problems = []
    for account in sorted(set(accounts)):
        reason = chart.refusal(account)
        if reason is not None:
            problems.append(f"konto {account}: {reason}")
        elif chart.line_of(account) is None:
            problems.append(
                f"konto {account} finns inte i kontoplanen {chart.name}; koppla det till en rad "
                "under [accounts] lines i kommunens TOML-fil"
            )
    return problems


def post(chart: Chart, balances: Mapping[str, int]) -> Posted:
    """Every account's balance on its post; raises ``KeyError`` for an unknown account.

    Income and costs and the liabilities side change sign (credit is income, and equity
    and liabilities are shown positive); assets keep theirs.
    """
    income: dict[str, int] = defaultdict(int)
    balance: dict[str, int] = defaultdict(int)
    groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for account, amount in balances.items():
        key = chart.line_of(account)
        if key is None:
            raise KeyError(account)
        shown = amount if key in ASSET_POSTS else -amount
        (balance if is_balance_account(account) else income)[key] += shown
        groups[key][chart.group_of(account)] += shown
    return Posted(dict(income), dict(balance), {k: dict(v) for k, v in groups.items()})


def income_values(posts: Mapping[str, int]) -> dict[str, int]:
    """The income statement's posts and sums (a company's appropriations count as tax-side)."""
    plain = dict(posts)
    # Appropriations left unsplit (a single company's own view) sit beside its tax.
    plain["skatt"] = plain.get("skatt", 0) + plain.pop(APPROPRIATIONS, 0)
    return with_sums(INCOME_STATEMENT, plain)


def balance_values(posts: Mapping[str, int], result_kr: int) -> dict[str, int]:
    """The balance sheet's posts and sums with the year's result as a post of equity."""
    plain = {k: v for k, v in posts.items() if k not in COMPANY_BALANCE_POSTS}
    # Untaxed reserves left unsplit count as equity in a single company's own view.
    plain["ovrigt_eget_kapital"] = plain.get("ovrigt_eget_kapital", 0) + posts.get(
        UNTAXED_RESERVES, 0
    )
    return with_sums(BALANCE_SHEET, {**plain, "arets_resultat_ek": result_kr})


def equity_kr(values: Mapping[str, int]) -> int:
    """Summa eget kapital."""
    return values["summa_eget_kapital"]


def cash_flow_values(
    income: Mapping[str, int],
    start: Mapping[str, int],
    end: Mapping[str, int],
    *,
    depreciation_kr: int | None = None,
) -> dict[str, int]:
    """The indirect method from two balance sheets and the year's income statement.

    Depreciation is added back and the investments in fixed assets are their change plus
    the depreciation; every other post of the balance sheet is a flow of its section, so
    the year's cash flow equals the change in cash and bank by construction, given that the
    balance sheets balance (:func:`balance_problems`). A net budget has no depreciation line:
    its depreciation is given as ``depreciation_kr``.
    """

    def change(*keys: str) -> int:
        return sum(end[k] - start[k] for k in keys)

    depreciation = -income["avskrivningar"] if depreciation_kr is None else depreciation_kr
    result = income["arets_resultat"]
    posts = {
        "cf_arets_resultat": result,
        "cf_avskrivningar": depreciation,
        "cf_avsattningar": change("summa_avsattningar"),
        "cf_fordringar": -change("fordringar"),
        "cf_forrad": -change("forrad"),
        "cf_kortfristiga_skulder": change("kortfristiga_skulder"),
        "cf_materiella": -(change(*FIXED_TANGIBLE, "statlig_infrastruktur") + depreciation),
        "cf_finansiella": -change("finansiella_anlaggningstillgangar"),
        "cf_placeringar": -change("kortfristiga_placeringar"),
        "cf_langfristiga_skulder": change("langfristiga_skulder"),
        "cf_eget_kapital": change("summa_eget_kapital") - result,
        "cf_likvida_borjan": start["kassa_bank"],
    }
    return with_sums(CASH_FLOW, posts)


# ----------------------------------------------------------------------------- checks
def balance_problems(values: Mapping[str, int], where: str) -> list[str]:
    """Total assets must equal equity, provisions and liabilities."""
    assets, other = values["summa_tillgangar"], values["summa_eget_kapital_avsattningar_skulder"]
    if assets == other:
        return []
    return [
        f"balansräkningen {where} balanserar inte: tillgångarna är {format_tkr(assets)}, "
        f"eget kapital, avsättningar och skulder {format_tkr(other)} "
        f"(skillnad {format_tkr(assets - other)})"
    ]


def equity_problems(
    start: Mapping[str, int], end: Mapping[str, int], result_kr: int, where: str
) -> list[str]:
    """Equity at the end must be equity at the start plus the period's result."""
    expected = start["summa_eget_kapital"] + result_kr
    if end["summa_eget_kapital"] == expected:
        return []
    return [
        f"eget kapital {where} är {format_tkr(end['summa_eget_kapital'])}, men eget kapital vid "
        f"periodens början ({format_tkr(start['summa_eget_kapital'])}) plus periodens resultat "
        f"({format_tkr(result_kr)}) är {format_tkr(expected)}; skillnaden "
        f"{format_tkr(end['summa_eget_kapital'] - expected)} har bokförts direkt mot eget "
        "kapital eller så stämmer inte ingående balans med föregående års utgående"
    ]


def cash_flow_problems(flow: Mapping[str, int], end: Mapping[str, int], where: str) -> list[str]:
    """The cash flow's liquid funds at the end must be the balance sheet's cash and bank."""
    if flow["cf_likvida_slut"] == end["kassa_bank"]:
        return []
    return [
        f"kassaflödesanalysen {where} slutar på {format_tkr(flow['cf_likvida_slut'])} i likvida "
        f"medel, balansräkningen har {format_tkr(end['kassa_bank'])} i kassa och bank"
    ]


# ----------------------------------------------------------------------------- for documents
@dataclass(frozen=True)
class Column:
    """One column of a statement: its heading and every line's amount (posts and sums)."""

    heading: str
    values: Mapping[str, int]

    def __getitem__(self, key: str) -> int:
        return self.values[key]


@dataclass(frozen=True)
class StatementTable:
    """A statement with its columns side by side and the note number of each line."""

    kind: StatementKind
    columns: tuple[Column, ...]
    notes: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))

    @property
    def layout(self) -> tuple[LineDef, ...]:
        return LAYOUTS[self.kind]

    def rows(self) -> list[tuple[LineDef, list[int | None]]]:
        """The lines to show: headings, sums and posts that are named always or not zero."""
        shown = []
        for definition in self.layout:
            # A column without a line (a net budget's income and costs) shows it empty.
            amounts = [
                None if definition.kind == "heading" else c.values.get(definition.key)
                for c in self.columns
            ]
            if definition.always or any(amounts):
                shown.append((definition, amounts))
        return shown

    def value(self, key: str, column: int = 0) -> int:
        return self.columns[column].values[key]

    def problems(self) -> list[str]:
        """Every sum line must be the sum of its parts, in every column."""
        found = []
        for column in self.columns:
            for definition in self.layout:
                if definition.kind != "sum" or definition.key not in column.values:
                    continue
                if not any(p in column.values for p in definition.parts):
                    continue  # given as a net figure
                parts = sum(column.values.get(p, 0) for p in definition.parts)
                if parts != column.values[definition.key]:
                    found.append(
                        f"{definition.label} ({column.heading}) är "
                        f"{format_tkr(column.values[definition.key])}, men raderna den summerar "
                        f"blir {format_tkr(parts)}"
                    )
        return found


@dataclass(frozen=True)
class Note:
    """A numbered note: a specification of a statement line, or a text with a table.

    ``rows`` are (label, one amount per column); ``total`` is the statement line it
    specifies (None for a note that is not a specification).
    """

    number: int
    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, tuple[int | None, ...]], ...] = ()
    total: tuple[int | None, ...] | None = None
    text: str = ""
    line: str | None = None  # the statement line it specifies

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(
            self, "rows", tuple((label, tuple(amounts)) for label, amounts in self.rows)
        )
        if self.total is not None:
            object.__setattr__(self, "total", tuple(self.total))

    def problems(self) -> list[str]:
        """A specification's rows must sum to the statement line in every column."""
        if self.total is None:
            return []
        found = []
        for index, total in enumerate(self.total):
            if total is None:
                continue
            rows = sum(amounts[index] or 0 for _, amounts in self.rows)
            if rows != total:
                found.append(
                    f"not {self.number} ({self.title}): raderna summerar till {format_tkr(rows)} "
                    f"i kolumnen {self.columns[index]}, raden i räkningen är {format_tkr(total)}"
                )
        return found


def specification_notes(
    tables: Sequence[StatementTable],
    groups: Sequence[Mapping[str, Mapping[str, int]]],
    *,
    first: int,
    always_text: Mapping[str, str] | None = None,
) -> tuple[list[Note], dict[str, int]]:
    """A note for each post whose accounts fall in two groups or more, numbered from ``first``.

    ``groups`` gives, per column of the tables (this year first), each post's amount per
    account group. A post whose definition says ``note_always`` gets its note in any case.
    Returns the notes and the note number of each line.
    """
    notes: list[Note] = []
    numbers: dict[str, int] = {}
    number = first
    for table in tables:
        columns = tuple(c.heading for c in table.columns[: len(groups)])
        for definition, _ in table.rows():
            if definition.kind != "post" or not definition.note or definition.key in numbers:
                continue
            labels: list[str] = []
            for column in groups:
                for label in column.get(definition.key, {}):
                    if label not in labels:
                        labels.append(label)
            if len(labels) < 2 and not definition.note_always:
                continue
            rows = [
                (label, tuple(column.get(definition.key, {}).get(label, 0) for column in groups))
                for label in labels
            ]
            totals = tuple(
                table.columns[i].values.get(definition.key, 0) for i in range(len(groups))
            )
            notes.append(
                Note(
                    number=number,
                    title=definition.label,
                    columns=columns,
                    rows=tuple(rows),
                    total=totals,
                    text=(always_text or {}).get(definition.key, ""),
                    line=definition.key,
                )
            )
            numbers[definition.key] = number
            number += 1
    return notes, numbers

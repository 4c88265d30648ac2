"""The municipal group (sammanställda räkenskaper): proportional consolidation with eliminations.

Each company and federation enters at the municipality's share of it (LKBR 12 kap.: the
proportional method for the sammanställda räkenskaper), and the transactions between the
group's members are eliminated at the smaller of the two members' shares, so that only
the part that is dealt with outsiders stays. A company's untaxed reserves and
appropriations are split into equity and deferred tax at the corporate tax rate.

Everything is in whole kronor. Scaling by a share rounds each post, which would let the
balance sheet drift by a krona or two; :func:`scaled` rounds by the largest remainder so a
balanced member stays balanced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from arshjul.accounts.chart import APPROPRIATIONS, UNTAXED_RESERVES
from arshjul.accounts.layout import ASSET_POSTS

# Swedish corporate income tax since 2021 (inkomstskattelagen 65 kap. 14 §).
CORPORATE_TAX = Decimal("0.206")
MUNICIPALITY = ""  # the entity key of the municipality itself


class Transaction(StrEnum):
    """The kinds of transaction between group members, and what each eliminates."""

    SALE = "sale"  # from sells to `to`: income of from, cost of to
    INTEREST = "interest"  # from lends to `to`: interest income of from, cost of to
    LOAN = "loan"  # from's receivable on `to` at the year's end, to's liability
    DIVIDEND = "dividend"  # from (a company) pays `to` (its owner): the whole dividend
    SHAREHOLDING = "shareholding"  # `to` owns shares in from: book value of the holding


TRANSACTION_SV = {
    Transaction.SALE: "försäljning",
    Transaction.INTEREST: "ränta",
    Transaction.LOAN: "lån",
    Transaction.DIVIDEND: "utdelning",
    Transaction.SHAREHOLDING: "aktieinnehav",
}


@dataclass(frozen=True)
class Member:
    """A group member's statement posts (unscaled) and the municipality's share of it."""

    key: str
    name: str
    share: Decimal  # 0 < share <= 1
    income: Mapping[str, int]
    balance: Mapping[str, int]


@dataclass(frozen=True)
class Elimination:
    """An internal transaction and the amounts it takes off each post."""

    kind: Transaction
    source: str
    target: str
    amount_kr: int  # as imported, before the share
    eliminated_kr: int  # at the share
    income: Mapping[str, int] = field(default_factory=dict)
    balance: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Consolidated:
    """The group's posts, and where every krona came from (for the reconciliation)."""

    income: dict[str, int]
    balance: dict[str, int]
    members: tuple[tuple[Member, dict[str, int], dict[str, int]], ...]  # scaled posts
    eliminations: tuple[Elimination, ...]


def _debit(key: str, shown: int, income: bool) -> int:
    if income:
        return -shown
    return shown if key in ASSET_POSTS else -shown


def scaled(
    income: Mapping[str, int], balance: Mapping[str, int], share: Decimal
) -> tuple[dict[str, int], dict[str, int]]:
    """A member's posts at a share, rounded so that they still sum to zero in debit terms."""
    items = [(True, k, v) for k, v in income.items()] + [(False, k, v) for k, v in balance.items()]
    exact = [Decimal(_debit(k, v, inc)) * share for inc, k, v in items]
    floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    target = int(sum(exact, Decimal(0)).to_integral_value())  # zero for a balanced member
    missing = target - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    out_income: dict[str, int] = {}
    out_balance: dict[str, int] = {}
    for (inc, key, _), debit in zip(items, floors, strict=True):
        shown = -debit if inc else (debit if key in ASSET_POSTS else -debit)
        (out_income if inc else out_balance)[key] = shown
    return out_income, out_balance


def split_untaxed(
    income: Mapping[str, int], balance: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Untaxed reserves as equity and deferred tax; appropriations as deferred tax.

    An appropriation shown as −100 (an allocation to a reserve) becomes a deferred tax of
    −20.6 and leaves the result otherwise; 100 in untaxed reserves becomes 79.4 of equity
    and a provision of 20.6 for the deferred tax.
    """
    out_income, out_balance = dict(income), dict(balance)
    appropriation = out_income.pop(APPROPRIATIONS, 0)
    reserves = out_balance.pop(UNTAXED_RESERVES, 0)
    tax_on_appropriation = int(
        (CORPORATE_TAX * appropriation).to_integral_value(rounding=ROUND_HALF_UP)
    )
    out_income["skatt"] = out_income.get("skatt", 0) + tax_on_appropriation
    deferred = int((CORPORATE_TAX * reserves).to_integral_value(rounding=ROUND_HALF_UP))
    out_balance["andra_avsattningar"] = out_balance.get("andra_avsattningar", 0) + deferred
    # The reserves at the end hold this year's allocation, which the result now carries
    # (less its tax): equity takes the reserves at the start, net of their deferred tax.
    out_balance["ovrigt_eget_kapital"] = out_balance.get("ovrigt_eget_kapital", 0) + (
        reserves - deferred + appropriation - tax_on_appropriation
    )
    return out_income, out_balance


def _elimination(
    kind: Transaction, source: str, target: str, amount: int, shares: Mapping[str, Decimal]
) -> Elimination:
    """What one internal transaction takes off, per member and post (shown signs)."""
    share = min(shares[source], shares[target])
    if kind is Transaction.SHAREHOLDING:
        share = shares[target]  # the owner's holding enters whole at its own share
    e = int((share * amount).to_integral_value(rounding=ROUND_HALF_UP))
    income: dict[str, int] = {}
    balance: dict[str, int] = {}
    if kind is Transaction.SALE:
        income = {"verksamhetens_intakter": -e, "verksamhetens_kostnader": e}
    elif kind is Transaction.INTEREST:
        income = {"finansiella_intakter": -e, "finansiella_kostnader": e}
    elif kind is Transaction.LOAN:
        balance = {"finansiella_anlaggningstillgangar": -e, "langfristiga_skulder": -e}
    elif kind is Transaction.DIVIDEND:
        income = {"finansiella_intakter": -e}
        balance = {"ovrigt_eget_kapital": e}
    elif kind is Transaction.SHAREHOLDING:
        balance = {"finansiella_anlaggningstillgangar": -e, "ovrigt_eget_kapital": -e}
    return Elimination(kind, source, target, amount, e, income, balance)


def consolidate(
    municipality: tuple[Mapping[str, int], Mapping[str, int]],
    members: Sequence[Member],
    transactions: Sequence[tuple[Transaction, str, str, int]],
) -> Consolidated:
    """The group's income statement and balance sheet posts.

    ``municipality`` is (income posts, balance posts) of the municipality itself;
    ``transactions`` are (kind, from, to, amount in kronor) with the members' keys
    (``""`` for the municipality). A balance-sheet transaction (loan, shareholding) is the
    balance at the date the balance sheet is drawn up.
    """
    shares = {MUNICIPALITY: Decimal(1), **{m.key: m.share for m in members}}
    income: dict[str, int] = defaultdict(int, municipality[0])
    balance: dict[str, int] = defaultdict(int, municipality[1])
    parts = []
    for member in members:
        split_income, split_balance = split_untaxed(member.income, member.balance)
        member_income, member_balance = scaled(split_income, split_balance, member.share)
        parts.append((member, member_income, member_balance))
        for key, value in member_income.items():
            income[key] += value
        for key, value in member_balance.items():
            balance[key] += value
    eliminations = []
    for kind, source, target, amount in transactions:
        if source not in shares or target not in shares:
            continue  # a member outside the group (checked when imported)
        elimination = _elimination(kind, source, target, amount, shares)
        eliminations.append(elimination)
        for key, value in elimination.income.items():
            income[key] += value
        for key, value in elimination.balance.items():
            balance[key] += value
    return Consolidated(dict(income), dict(balance), tuple(parts), tuple(eliminations))


def material(
    municipality_assets_kr: int,
    municipality_income_kr: int,
    companies_assets_kr: int,
    companies_income_kr: int,
    threshold_percent: Decimal,
) -> bool:
    """The companies matter when their share of the group's assets or income reaches the
    threshold (each counted at the municipality's share, before eliminations)."""

    def share(part: int, own: int) -> Decimal:
        whole = abs(part) + abs(own)
        return Decimal(abs(part)) / whole * 100 if whole else Decimal(0)

    return (
        share(companies_assets_kr, municipality_assets_kr) >= threshold_percent
        or share(companies_income_kr, municipality_income_kr) >= threshold_percent
    )

"""The municipal group: proportional consolidation, eliminations, untaxed reserves, scaling.

The municipality keeps its books on Kommun-Bas, its half-owned company on BAS; both are
double-entry books (the demo's Journal), so every member balances before it is scaled,
and every expectation below is derived from the vouchers. No database.
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from arshjul.accounts.chart import APPROPRIATIONS, UNTAXED_RESERVES, shipped_chart
from arshjul.accounts.group import (
    MUNICIPALITY,
    TRANSACTION_SV,
    Consolidated,
    Member,
    Transaction,
    consolidate,
    material,
    scaled,
    split_untaxed,
)
from arshjul.accounts.layout import ASSET_POSTS
from arshjul.accounts.statements import Posted, balance_values, income_values, post
from arshjul.demo.books import Journal

HALF = Decimal("0.5")
TAX = Decimal("0.206")  # Swedish corporate income tax since 2021
COMPANY = "bostader"

# The transactions between the municipality and its half-owned company, in kronor.
SALE = 100_000  # the company sells to the municipality
LOAN = 400_000  # the municipality lends to the company
INTEREST = 12_000  # the company pays interest on it
DIVIDEND = 40_000  # the company's dividend, to all its owners
HOLDING = 40_000  # the municipality's shares in the company, at book value
SHARE_CAPITAL = 80_000  # the company's share capital (half of it the municipality's)
EXTERNAL_SALES = 150_000
EXTERNAL_LOAN = 200_000


def totals(journal: Journal) -> dict[str, int]:
    found: dict[str, int] = {}
    for (account, _), amount in journal.snapshot().items():
        found[account] = found.get(account, 0) + amount
    return found


def municipality_books() -> Posted:
    j = Journal()
    j.book("1110", "2010", 2_000_000)
    j.book("1930", "2010", 500_000)
    j.book("1321", "2010", HOLDING)  # shares in the company
    j.book("2010", "2311", 800_000)
    j.book("1930", "8011", 1_000_000)
    j.book("5011", "1930", 700_000)
    j.book("4611", "1930", SALE)  # bought from the company
    j.book("1380", "1930", LOAN)  # lent to the company
    j.book("1930", "8441", INTEREST)  # its interest
    j.book("1930", "8411", DIVIDEND // 2)  # its half of the dividend
    return post(shipped_chart("kommunbas"), totals(j))


def company_books() -> Posted:
    j = Journal()
    j.book("1110", "2081", SHARE_CAPITAL)
    j.book("1110", "2091", 20_000)
    j.book("1110", "2350", EXTERNAL_LOAN)
    j.book("1930", "2360", LOAN)  # borrowed from the municipality
    j.book("1510", "3010", SALE)  # sold to the municipality
    j.book("1930", "3010", EXTERNAL_SALES)
    j.book("4010", "1930", 120_000)
    j.book("7830", "1119", 30_000)
    j.book("8410", "1930", INTEREST)  # paid to the municipality
    j.book("2091", "1930", DIVIDEND)  # to its owners, straight from equity
    j.book("8910", "2510", 15_000)
    return post(shipped_chart("bas"), totals(j))


def member(posted: Posted, share: Decimal = HALF, key: str = COMPANY) -> Member:
    return Member(key, "Bostäder AB", share, posted.income, posted.balance)


def debit_sum(income: dict[str, int], balance: dict[str, int]) -> int:
    """Zero for posts that balance: income and the liabilities side are shown credit positive."""
    return -sum(income.values()) + sum(v if k in ASSET_POSTS else -v for k, v in balance.items())


def sheets(group: Consolidated) -> tuple[dict[str, int], dict[str, int]]:
    income = income_values(group.income)
    return income, balance_values(group.balance, income["arets_resultat"])


def assert_balances(balance: dict[str, int]) -> None:
    assert balance["summa_tillgangar"] == balance["summa_eget_kapital_avsattningar_skulder"], (
        balance["summa_tillgangar"] - balance["summa_eget_kapital_avsattningar_skulder"]
    )


# ----------------------------------------------------------------------------- consolidation
def test_the_books_balance_before_anything_is_consolidated() -> None:
    for posted in (municipality_books(), company_books()):
        assert debit_sum(dict(posted.income), dict(posted.balance)) == 0
        income = income_values(posted.income)
        assert_balances(balance_values(posted.balance, income["arets_resultat"]))


def test_a_half_owned_company_enters_at_half_of_every_post() -> None:
    own, company = municipality_books(), company_books()
    group = consolidate((own.income, own.balance), [member(company)], [])
    income, balance = sheets(group)
    assert_balances(balance)
    for key in set(own.income) | set(company.income):
        assert group.income[key] == own.income.get(key, 0) + company.income.get(key, 0) // 2, key
    for key in set(own.balance) | set(company.balance):
        assert group.balance[key] == own.balance.get(key, 0) + company.balance.get(key, 0) // 2
    own_result = income_values(own.income)["arets_resultat"]
    company_result = income_values(company.income)["arets_resultat"]
    assert income["arets_resultat"] == own_result + company_result // 2
    assert income["skatt"] == -15_000 // 2  # the company's tax, at the share
    [(entered, scaled_income, scaled_balance)] = group.members
    assert entered.key == COMPANY
    assert scaled_income["verksamhetens_intakter"] == (SALE + EXTERNAL_SALES) // 2
    assert scaled_balance["langfristiga_skulder"] == (EXTERNAL_LOAN + LOAN) // 2
    assert group.eliminations == ()


@pytest.mark.parametrize(
    ("transaction", "source", "target", "amount", "income", "balance"),
    [
        # At the smaller of the two shares (the company's half).
        (
            Transaction.SALE,
            COMPANY,
            MUNICIPALITY,
            SALE,
            {"verksamhetens_intakter": -SALE // 2, "verksamhetens_kostnader": SALE // 2},
            {},
        ),
        (
            Transaction.INTEREST,
            MUNICIPALITY,
            COMPANY,
            INTEREST,
            {"finansiella_intakter": -INTEREST // 2, "finansiella_kostnader": INTEREST // 2},
            {},
        ),
        (
            Transaction.LOAN,
            MUNICIPALITY,
            COMPANY,
            LOAN,
            {},
            {"finansiella_anlaggningstillgangar": -LOAN // 2, "langfristiga_skulder": -LOAN // 2},
        ),
        (
            Transaction.DIVIDEND,
            COMPANY,
            MUNICIPALITY,
            DIVIDEND,
            {"finansiella_intakter": -DIVIDEND // 2},
            {"ovrigt_eget_kapital": DIVIDEND // 2},
        ),
        # The owner's holding at the owner's share: the municipality's, whole.
        (
            Transaction.SHAREHOLDING,
            COMPANY,
            MUNICIPALITY,
            HOLDING,
            {},
            {"finansiella_anlaggningstillgangar": -HOLDING, "ovrigt_eget_kapital": -HOLDING},
        ),
    ],
)
def test_each_elimination_takes_its_amount_off_its_lines_and_the_group_still_balances(
    transaction: Transaction,
    source: str,
    target: str,
    amount: int,
    income: dict[str, int],
    balance: dict[str, int],
) -> None:
    own, company = municipality_books(), company_books()
    before = consolidate((own.income, own.balance), [member(company)], [])
    after = consolidate(
        (own.income, own.balance), [member(company)], [(transaction, source, target, amount)]
    )
    changed_income = {
        k: after.income.get(k, 0) - before.income.get(k, 0)
        for k in set(after.income) | set(before.income)
        if after.income.get(k, 0) != before.income.get(k, 0)
    }
    changed_balance = {
        k: after.balance.get(k, 0) - before.balance.get(k, 0)
        for k in set(after.balance) | set(before.balance)
        if after.balance.get(k, 0) != before.balance.get(k, 0)
    }
    assert changed_income == income
    assert changed_balance == balance
    [elimination] = after.eliminations
    assert (elimination.kind, elimination.source, elimination.target) == (
        transaction,
        source,
        target,
    )
    assert elimination.amount_kr == amount
    assert elimination.eliminated_kr == max(abs(v) for v in (income | balance).values())
    _, sheet = sheets(after)
    assert_balances(sheet)
    # The result moves only by what an elimination takes off the income statement.
    assert income_values(after.income)["arets_resultat"] - income_values(before.income)[
        "arets_resultat"
    ] == sum(income.values())


def test_after_every_elimination_no_internal_amount_is_left() -> None:
    own, company = municipality_books(), company_books()
    transactions = [
        (Transaction.SALE, COMPANY, MUNICIPALITY, SALE),
        (Transaction.INTEREST, MUNICIPALITY, COMPANY, INTEREST),
        (Transaction.LOAN, MUNICIPALITY, COMPANY, LOAN),
        (Transaction.DIVIDEND, COMPANY, MUNICIPALITY, DIVIDEND),
        (Transaction.SHAREHOLDING, COMPANY, MUNICIPALITY, HOLDING),
    ]
    group = consolidate((own.income, own.balance), [member(company)], transactions)
    income, balance = sheets(group)
    assert_balances(balance)
    # Income: the company's outside sales at its share; the municipality has none.
    assert income["verksamhetens_intakter"] == EXTERNAL_SALES // 2
    # Financial income: the municipality's interest from the part of the company it does
    # not own; no dividend from the group's own company.
    assert income["finansiella_intakter"] == INTEREST // 2
    assert income["finansiella_kostnader"] == 0
    # Financial assets: the loan's outside half only; the shares are gone.
    assert balance["finansiella_anlaggningstillgangar"] == LOAN // 2
    # Long-term debt: the municipality's own and the company's outside loan at its share;
    # the company's debt to the municipality (at its share, half) is gone.
    assert balance["langfristiga_skulder"] == 800_000 + EXTERNAL_LOAN // 2
    assert [e.eliminated_kr for e in group.eliminations] == [
        SALE // 2,
        INTEREST // 2,
        LOAN // 2,
        DIVIDEND // 2,
        HOLDING,
    ]


def test_a_transaction_between_two_companies_is_eliminated_at_the_smaller_share() -> None:
    own, company = municipality_books(), company_books()
    parent = Member("radhuset", "Rådhuset AB", Decimal(1), {}, {})
    group = consolidate(
        (own.income, own.balance),
        [member(company), parent],
        [
            (Transaction.SALE, "radhuset", COMPANY, 30_000),
            (Transaction.SHAREHOLDING, COMPANY, "radhuset", 10_000),
        ],
    )
    sale, holding = group.eliminations
    assert sale.eliminated_kr == 15_000
    assert holding.eliminated_kr == 10_000  # the parent owns it at its own share, 100 %


def test_a_transaction_with_someone_outside_the_group_is_left_alone() -> None:
    own, company = municipality_books(), company_books()
    group = consolidate(
        (own.income, own.balance),
        [member(company)],
        [(Transaction.SALE, "utomstaende", MUNICIPALITY, 5_000)],
    )
    assert group.eliminations == ()


def test_transaction_kinds_have_swedish_names() -> None:
    assert {TRANSACTION_SV[t] for t in Transaction} == {
        "försäljning",
        "ränta",
        "lån",
        "utdelning",
        "aktieinnehav",
    }


# ----------------------------------------------------------------------------- scaling
AWKWARD_SHARES = (
    Decimal(1) / 3,
    Decimal(2) / 3,
    Decimal("0.26"),
    Decimal("0.333"),
    Decimal(1) / 7,
    Decimal("0.015"),
    Decimal("0.999"),
    Decimal("0.5"),
)
BAS_ACCOUNTS = (
    *("1110", "1119", "1210", "1311", "1510", "1710", "1930"),  # assets
    *("2081", "2091", "2125", "2350", "2440", "2510", "2990"),  # equity, reserves, debts
    *("3010", "3990", "4010", "5010", "7010", "7830"),  # operations
    *("8310", "8410", "8811", "8910"),  # financial items, appropriations, tax
)


def random_member(rng: random.Random) -> Posted:
    """A balanced company: random vouchers between random BAS accounts, odd amounts."""
    journal = Journal()
    for _ in range(rng.randrange(1, 25)):
        debit, credit = rng.sample(BAS_ACCOUNTS, 2)
        journal.book(debit, credit, rng.choice((1, 7, 13, 999, 10 ** rng.randrange(2, 10) + 1)))
    return post(shipped_chart("bas"), totals(journal))


def test_scaling_keeps_a_balanced_member_balanced_for_any_share() -> None:
    rng = random.Random(20271231)
    for _ in range(600):
        posted = random_member(rng)
        share = rng.choice(AWKWARD_SHARES + (Decimal(rng.randrange(1, 10_000)) / 10_000,))
        income, balance = scaled(posted.income, posted.balance, share)
        assert debit_sum(income, balance) == 0, (posted, share)
        result = income_values(income)["arets_resultat"]
        assert_balances(balance_values(balance, result))
        # Each post moves by less than a krona from its exact share.
        for original, rounded in ((posted.income, income), (posted.balance, balance)):
            assert rounded.keys() == original.keys()
            for key, value in original.items():
                assert abs(Decimal(rounded[key]) - Decimal(value) * share) < 1, (key, share)


def test_scaling_by_a_third_moves_the_kronor_the_floors_lost() -> None:
    # Three equal assets of 100 kronor and their liability: a third of each is 33.33.
    assets = {"kassa_bank": 100, "fordringar": 100, "forrad": 100}
    income, balance = scaled({}, {**assets, "kortfristiga_skulder": 300}, Decimal(1) / 3)
    assert balance["kortfristiga_skulder"] == 100
    assert balance["kassa_bank"] + balance["fordringar"] + balance["forrad"] == 100
    assert sorted((balance["kassa_bank"], balance["fordringar"], balance["forrad"])) == [33, 33, 34]
    ones = {"kassa_bank": 1, "fordringar": 1, "forrad": 1}
    income, balance = scaled({}, {**ones, "kortfristiga_skulder": 3}, Decimal(1) / 3)
    assert debit_sum(income, balance) == 0
    assert balance["kortfristiga_skulder"] == 1


def test_whole_ownership_changes_nothing() -> None:
    company = company_books()
    income, balance = scaled(company.income, company.balance, Decimal(1))
    assert income == dict(company.income) and balance == dict(company.balance)


def test_a_group_of_random_members_at_awkward_shares_balances() -> None:
    rng = random.Random(26)
    own = municipality_books()
    for _ in range(50):
        members = [
            member(random_member(rng), rng.choice(AWKWARD_SHARES), key=f"bolag{i}")
            for i in range(rng.randrange(1, 7))
        ]
        transactions = [
            (
                rng.choice(list(Transaction)),
                rng.choice([m.key for m in members]),
                MUNICIPALITY,
                rng.randrange(1, 10**7),
            )
            for _ in range(rng.randrange(0, 6))
        ]
        _, balance = sheets(consolidate((own.income, own.balance), members, transactions))
        assert_balances(balance)


# ----------------------------------------------------------------------------- untaxed reserves
def reserve_company(allocation: int) -> Posted:
    """A company with untaxed reserves: 300 000 at the start and ``allocation`` this year."""
    j = Journal()
    j.book("1110", "2081", 500_000)
    j.book("2081", "2125", 300_000)  # the reserves at the start
    j.book("2081", "2350", 100_000)
    j.book("1930", "3010", 400_000)
    j.book("4010", "1930", 250_000)
    j.book("8811", "2125", allocation)  # the year's allocation (bokslutsdisposition)
    j.book("8910", "2510", 20_000)
    return post(shipped_chart("bas"), totals(j))


@pytest.mark.parametrize("allocation", [50_000, 0, -80_000])  # a dissolution is negative
def test_untaxed_reserves_become_equity_and_deferred_tax(allocation: int) -> None:
    company = reserve_company(allocation)
    reserves_end = 300_000 + allocation
    assert company.balance[UNTAXED_RESERVES] == reserves_end
    assert company.income.get(APPROPRIATIONS, 0) == -allocation
    income, balance = split_untaxed(company.income, company.balance)
    assert UNTAXED_RESERVES not in balance and APPROPRIATIONS not in income
    deferred = balance["andra_avsattningar"]
    assert deferred == round(TAX * reserves_end)  # 20.6 % of the reserves
    tax_on_allocation = income["skatt"] - company.income["skatt"]
    assert tax_on_allocation == round(-TAX * allocation)
    # The result now carries the allocation after its tax …
    before = income_values(company.income)["arets_resultat"]
    after = income_values(income)["arets_resultat"]
    assert abs(after - before - allocation * (1 - TAX)) <= 1
    # … and equity the reserves at the start after theirs.
    equity_gain = balance["ovrigt_eget_kapital"] - company.balance["ovrigt_eget_kapital"]
    assert abs(equity_gain - 300_000 * (1 - TAX)) <= 1
    # The member still balances, unscaled and at awkward shares.
    assert debit_sum(income, balance) == 0
    assert_balances(balance_values(balance, after))
    for share in AWKWARD_SHARES:
        scaled_income, scaled_balance = scaled(income, balance, share)
        assert debit_sum(scaled_income, scaled_balance) == 0
    # Equity and result together: the reserves, less their deferred tax.
    total_equity = balance_values(balance, after)["summa_eget_kapital"]
    own_view = balance_values(company.balance, before)["summa_eget_kapital"]
    assert own_view - total_equity == deferred


def test_a_consolidated_company_with_reserves_and_appropriations_balances() -> None:
    own = municipality_books()
    group = consolidate(
        (own.income, own.balance), [member(reserve_company(50_000), Decimal("0.26"))], []
    )
    income, balance = sheets(group)
    assert_balances(balance)
    assert UNTAXED_RESERVES not in group.balance and APPROPRIATIONS not in group.income
    # The deferred tax on the reserves at the end (350 000), at the municipality's share.
    assert abs(balance["andra_avsattningar"] - TAX * 350_000 * Decimal("0.26")) <= 1


def test_a_member_without_reserves_is_left_as_it_was() -> None:
    company = company_books()
    income, balance = split_untaxed(company.income, company.balance)
    assert {k: v for k, v in balance.items() if v} == dict(company.balance)
    assert income == dict(company.income)


# ----------------------------------------------------------------------------- material
@pytest.mark.parametrize(
    ("assets", "income", "threshold", "expected"),
    [
        ((90, 10), (100, 0), "10", True),  # exactly at the threshold by the assets
        ((91, 9), (100, 0), "10", False),
        ((1_000, 0), (80, 20), "10", True),  # by the income alone
        ((1_000, 0), (91, 9), "10", False),
        ((0, 0), (0, 0), "10", False),  # nothing at all
        ((900, 100), (900, 100), "10.01", False),
        ((100, -50), (100, 0), "30", True),  # a negative figure counts by its size
    ],
)
def test_material_from_the_threshold(
    assets: tuple[int, int], income: tuple[int, int], threshold: str, expected: bool
) -> None:
    assert material(assets[0], income[0], assets[1], income[1], Decimal(threshold)) is expected

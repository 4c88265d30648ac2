"""Financial statements for document tests, computed from small double-entry books.

No database: a few vouchers on Kommun-Bas accounts for 2026 and 2027, put through the
same functions the stages use (:mod:`arshjul.accounts`), so every table in a test
document adds up the way a real one must.
"""

from __future__ import annotations

from decimal import Decimal

from arshjul.accounts.chart import shipped_chart
from arshjul.accounts.group import Member, Transaction, consolidate
from arshjul.accounts.statements import (
    Column,
    StatementTable,
    balance_values,
    cash_flow_values,
    income_values,
    post,
    specification_notes,
)
from arshjul.demo.books import Journal
from arshjul.documents import followup_statements as fs

M = 1_000_000


def books(result_kr: int, *, months: int = 12) -> tuple[dict, dict[int, dict]]:
    """Balances at the start of 2026, at 2026-12 and in 2027 at ``months``."""
    journal = Journal()
    for debit, credit, amount in (
        ("1110", "2010", 1_450 * M),
        ("1510", "2010", 60 * M),
        ("1930", "2010", 150 * M),
        ("2010", "2210", 60 * M),
        ("2010", "2311", 700 * M),
        ("2010", "2440", 80 * M),
    ):
        journal.book(debit, credit, amount)
    opening = journal.snapshot()
    closing: dict[int, dict] = {}
    for year, target in ((2026, 21 * M), (2027, result_kr)):
        share = months / 12 if year == 2027 else 1
        costs = round(720 * M * share)
        journal.book("1930", "3011", round(98 * M * share), against="1000")
        journal.book("5011", "1930", costs - round(200 * M * share), on="1000")
        journal.book("4611", "1930", round(200 * M * share), on="2000")
        journal.book("7810", "1119", round(28 * M * share))
        journal.book("1930", "8211", round(190 * M * share))
        journal.book("1930", "8441", round(4 * M * share))
        journal.book("8541", "1930", round(6 * M * share))
        journal.book("5511", "2210", round(2 * M * share))
        journal.book("1110", "1930", round(40 * M * share))
        # Tax revenue makes the result what the test asks for.
        so_far = -sum(v for (a, _), v in journal.balances.items() if a[0] in "345678")
        journal.book("1930", "8011", target - so_far)
        closing[year] = dict(journal.snapshot())
        if year == 2026:
            journal.close_year("2010")
    return opening, closing


def _totals(balances: dict) -> dict[str, int]:
    found: dict[str, int] = {}
    for (account, _), amount in balances.items():
        found[account] = found.get(account, 0) + amount
    return found


def statements(result_kr: int, *, annual: bool) -> fs.FinancialStatements:
    """The municipality's statements for 2027 (annual, or January–August)."""
    chart = shipped_chart("kommunbas")
    opening, closing = books(result_kr, months=12 if annual else 8)
    now, last = post(chart, _totals(closing[2027])), post(chart, _totals(closing[2026]))
    income_now, income_last = income_values(now.income), income_values(last.income)
    balance_now = balance_values(now.balance, income_now["arets_resultat"])
    balance_last = balance_values(last.balance, income_last["arets_resultat"])
    budget = dict(income_now)
    income = StatementTable(
        "income",
        (
            Column("2027" if annual else "Jan–aug 2027", income_now),
            Column("2026" if annual else "Jan–aug 2026", income_last),
            Column("Budget 2027", budget),
        ),
    )
    balance = StatementTable(
        "balance", (Column("2027-12-31", balance_now), Column("2026-12-31", balance_last))
    )
    if not annual:
        return fs.FinancialStatements(income, balance)
    start = balance_values(post(chart, _totals(opening)).balance, 0)
    flow = StatementTable(
        "cash_flow",
        (
            Column("2027", cash_flow_values(income_now, balance_last, balance_now)),
            Column("2026", cash_flow_values(income_last, start, balance_last)),
        ),
    )
    notes, numbers = specification_notes([income, balance], [now.groups, last.groups], first=2)
    income = StatementTable("income", income.columns, numbers)
    balance = StatementTable("balance", balance.columns, numbers)
    return fs.FinancialStatements(income, balance, flow, tuple(notes), principles="Principer.")


def group(statements_: fs.FinancialStatements, *, annual: bool) -> fs.GroupAccounts:
    """The municipality and one half-owned company, with an internal sale eliminated."""
    chart = shipped_chart("kommunbas")
    _, closing = books(statements_.result_kr, months=12 if annual else 8)
    own = post(chart, _totals(closing[2027]))
    bas = shipped_chart("bas")
    company = post(
        bas,
        {
            "1110": 80 * M,
            "1930": 10 * M,
            "2081": -30 * M,
            "2350": -55 * M,
            "3010": -20 * M,
            "4010": 14 * M,
            "7830": 1 * M,
        },
    )
    member = Member(
        "bostader", "Bostäder <& Co> AB", Decimal("0.5"), company.income, company.balance
    )
    consolidated = consolidate(
        (own.income, own.balance), [member], [(Transaction.SALE, "bostader", "", 4 * M)]
    )
    income = income_values(consolidated.income)
    balance = balance_values(consolidated.balance, income["arets_resultat"])
    own_income = income_values(own.income)
    own_balance = balance_values(own.balance, own_income["arets_resultat"])
    _, scaled_income, scaled_balance = consolidated.members[0]
    members_income = income_values(scaled_income)
    members_balance = balance_values(scaled_balance, members_income["arets_resultat"])
    eliminated = income_values(consolidated.eliminations[0].income)
    eliminated_balance = balance_values({}, eliminated["arets_resultat"])
    return fs.GroupAccounts(
        members=(fs.GroupMemberRow(member.name, "bolag", Decimal(50), 5 * M, 2_500_000),),
        eliminations=(
            fs.EliminationRow("Försäljning", member.name, "Arboga kommun", 4 * M, 2 * M),
        ),
        income=StatementTable("income", (Column("2027", income),)),
        balance=StatementTable("balance", (Column("2027-12-31", balance),)),
        bridge_income=StatementTable(
            "income",
            (
                Column("Kommunen", own_income),
                Column("Bolag och förbund", members_income),
                Column("Elimineringar", eliminated),
                Column("Kommunkoncernen", income),
            ),
        ),
        bridge_balance=StatementTable(
            "balance",
            (
                Column("Kommunen", own_balance),
                Column("Bolag och förbund", members_balance),
                Column("Elimineringar", eliminated_balance),
                Column("Kommunkoncernen", balance),
            ),
        ),
        material=True,
        share_text="Bolagen står för 4,2 % av kommunkoncernens tillgångar.",
    )


def operating(
    statements_: fs.FinancialStatements, committees: list[tuple[str, int, int]]
) -> fs.OperatingAccounts:
    """Committees' (name, budget, actual) and the rest up to the net cost of operations."""
    net_cost = -statements_.income.value("verksamhetens_nettokostnader")
    rows = [fs.OperatingRow(n, b, a) for n, b, a in committees]
    rest = net_cost - sum(a for _, _, a in committees)
    rows.append(fs.OperatingRow("Finansförvaltning och gemensamma poster", rest, rest, False))
    return fs.OperatingAccounts(tuple(rows), net_cost)


def management() -> fs.ManagementReport:
    return fs.ManagementReport(
        years=(2023, 2024, 2025, 2026, 2027),
        overview=(
            fs.OverviewRow("Årets resultat", "tkr", (31 * M, 18 * M, None, 21 * M, 12 * M)),
            fs.OverviewRow(
                "Soliditet", "%", (Decimal("38.1"), None, None, Decimal("40"), Decimal("41.2"))
            ),
        ),
        texts={
            "oversikt": "Ett år med <starkt> skatteunderlag & låga räntor.",
            "handelser": "Ny förskola invigd.",
            "forhallanden": "Befolkningen minskar.",
            "personal": "Rekryteringen är svår.",
            "utveckling": "Kostnaderna ökar.",
        },
        events=(("Socialnämnden", "Nytt boende öppnat."),),
        sick_leave=(fs.SickLeaveRow("Total sjukfrånvaro", Decimal("7.4"), Decimal("7.1")),),
        pensions=fs.Pensions(62 * M, 60 * M, 298 * M, None),
    )

"""The statements from a trial balance: income statement, balance sheet, cash flow, notes.

Small double-entry books on Kommun-Bas (the demo's Journal: every voucher balances), an
opening balance and two years of vouchers. Every expectation is derived from the vouchers
booked (the `Year` amounts), never pasted from the output. No database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from arshjul.accounts.chart import Chart, shipped_chart
from arshjul.accounts.key_figures import computed
from arshjul.accounts.layout import BALANCE_SHEET, CASH_FLOW, INCOME_STATEMENT, with_sums
from arshjul.accounts.statements import (
    Column,
    Note,
    Posted,
    StatementTable,
    balance_problems,
    balance_values,
    cash_flow_problems,
    cash_flow_values,
    equity_kr,
    equity_problems,
    income_values,
    post,
    specification_notes,
)
from arshjul.demo.books import Journal
from arshjul.formats import format_tkr

K = 1_000

# The opening balance (debit, credit, kronor).
OPENING = (
    ("1110", "2010", 1_000 * K),  # buildings
    ("1210", "2010", 200 * K),  # equipment
    ("1321", "2010", 100 * K),  # shares in the companies
    ("1510", "2010", 50 * K),  # receivables
    ("1930", "2010", 150 * K),  # bank
    ("2010", "2210", 80 * K),  # pensions
    ("2010", "2290", 20 * K),  # other provisions
    ("2010", "2311", 300 * K),  # long-term loans
    ("2010", "2440", 40 * K),  # suppliers
    ("2010", "2710", 15 * K),  # staff taxes
)


@dataclass(frozen=True)
class Year:
    """One year's vouchers, amounts in kronor."""

    sales: int = 60 * K  # 1930 / 3011
    fees_on_credit: int = 10 * K  # 1510 / 3111
    grants_received: int = 0  # 1930 / 3511
    wages: int = 500 * K  # 5011 / 1930
    purchases: int = 180 * K  # 4611 / 1930
    unpaid_invoices: int = 20 * K  # 4611 / 2440
    pension_provision: int = 12 * K  # 5511 / 2210
    other_provision: int = 5 * K  # 7910 / 2290
    prepaid: int = 4 * K  # 1710 / 1930
    tax: int = 560 * K  # 1930 / 8011
    tax_settlement: int = 40 * K  # 1930 / 8051
    grants: int = 150 * K  # 1930 / 8211
    depreciation_buildings: int = 30 * K  # 7810 / 1119
    depreciation_equipment: int = 10 * K  # 7810 / 1219
    invest_buildings: int = 70 * K  # 1110 / 1930
    invest_equipment: int = 15 * K  # 1210 / 1930
    loan: int = 100 * K  # 1930 / 2311
    amortisation: int = 25 * K  # 2311 / 1930
    interest_income: int = 3 * K  # 1930 / 8441
    interest_cost: int = 9 * K  # 8541 / 1930

    def book(self, journal: Journal) -> None:
        for debit, credit, amount in (
            ("1930", "3011", self.sales),
            ("1510", "3111", self.fees_on_credit),
            ("1930", "3511", self.grants_received),
            ("5011", "1930", self.wages),
            ("4611", "1930", self.purchases),
            ("4611", "2440", self.unpaid_invoices),
            ("5511", "2210", self.pension_provision),
            ("7910", "2290", self.other_provision),
            ("1710", "1930", self.prepaid),
            ("1930", "8011", self.tax),
            ("1930", "8051", self.tax_settlement),
            ("1930", "8211", self.grants),
            ("7810", "1119", self.depreciation_buildings),
            ("7810", "1219", self.depreciation_equipment),
            ("1110", "1930", self.invest_buildings),
            ("1210", "1930", self.invest_equipment),
            ("1930", "2311", self.loan),
            ("2311", "1930", self.amortisation),
            ("1930", "8441", self.interest_income),
            ("8541", "1930", self.interest_cost),
        ):
            if amount:
                journal.book(debit, credit, amount, on="1000", against="1000")

    # What the statements must show, from the vouchers.
    @property
    def income(self) -> int:
        return self.sales + self.fees_on_credit + self.grants_received

    @property
    def costs(self) -> int:
        return (
            self.wages
            + self.purchases
            + self.unpaid_invoices
            + self.pension_provision
            + self.other_provision
        )

    @property
    def depreciation(self) -> int:
        return self.depreciation_buildings + self.depreciation_equipment

    @property
    def investments(self) -> int:
        return self.invest_buildings + self.invest_equipment

    @property
    def result(self) -> int:
        return (
            self.income
            - self.costs
            - self.depreciation
            + self.tax
            + self.tax_settlement
            + self.grants
            + self.interest_income
            - self.interest_cost
        )


THIS_YEAR = Year()
# Last year: no fees on credit but a grant; other amounts.
LAST_YEAR = replace(
    Year(),
    fees_on_credit=0,
    grants_received=8 * K,
    wages=480 * K,
    tax=540 * K,
    invest_buildings=40 * K,
    loan=0,
    amortisation=20 * K,
)


def totals(balances: dict[tuple[str, str], int]) -> dict[str, int]:
    found: dict[str, int] = {}
    for (account, _), amount in balances.items():
        found[account] = found.get(account, 0) + amount
    return found


@dataclass
class Books:
    """The trial balances: the opening balance of 2026, 2026-12, 2027-IB and 2027-12."""

    opening_2026: dict[str, int]
    closing_2026: dict[str, int]
    opening_2027: dict[str, int]
    closing_2027: dict[str, int]


def make_books(
    this_year: Year = THIS_YEAR, *, extra: tuple[tuple[str, str, int], ...] = ()
) -> Books:
    journal = Journal()
    for debit, credit, amount in OPENING:
        journal.book(debit, credit, amount)
    opening_2026 = totals(journal.snapshot())
    LAST_YEAR.book(journal)
    closing_2026 = totals(journal.snapshot())
    journal.close_year("2010")
    opening_2027 = totals(journal.snapshot())
    this_year.book(journal)
    for debit, credit, amount in extra:
        journal.book(debit, credit, amount)
    return Books(opening_2026, closing_2026, opening_2027, totals(journal.snapshot()))


@pytest.fixture
def chart() -> Chart:
    return shipped_chart("kommunbas")


@pytest.fixture
def books() -> Books:
    return make_books()


def statements(chart: Chart, balances: dict[str, int]) -> tuple[Posted, dict, dict]:
    posted = post(chart, balances)
    income = income_values(posted.income)
    return posted, income, balance_values(posted.balance, income["arets_resultat"])


# ----------------------------------------------------------------------------- posting
def test_posting_turns_debit_and_credit_into_the_statements_signs(chart: Chart) -> None:
    posted = post(
        chart,
        {"1930": 500, "1119": -100, "2440": -300, "3011": -700, "5011": 650, "2010": -50},
    )
    assert posted.income == {"verksamhetens_intakter": 700, "verksamhetens_kostnader": -650}
    assert posted.balance == {
        "kassa_bank": 500,
        "mark_byggnader": -100,  # a credit on an asset account lowers the asset
        "kortfristiga_skulder": 300,
        "ovrigt_eget_kapital": 50,
    }
    assert posted.groups["verksamhetens_intakter"] == {"Försäljningsintäkter": 700}


def test_posting_an_unknown_account_raises_key_error(chart: Chart) -> None:
    with pytest.raises(KeyError, match="9110"):
        post(chart, {"1930": 1, "9110": -1})


# ----------------------------------------------------------------------------- income statement
def test_the_income_statement_follows_the_layout(chart: Chart, books: Books) -> None:
    y = THIS_YEAR
    _, income, _ = statements(chart, books.closing_2027)
    assert income["verksamhetens_intakter"] == y.income
    assert income["verksamhetens_kostnader"] == -y.costs
    assert income["avskrivningar"] == -y.depreciation
    assert income["verksamhetens_nettokostnader"] == y.income - y.costs - y.depreciation
    assert income["skatteintakter"] == y.tax + y.tax_settlement
    assert income["generella_statsbidrag"] == y.grants
    assert income["verksamhetens_resultat"] == (
        income["verksamhetens_nettokostnader"] + y.tax + y.tax_settlement + y.grants
    )
    assert income["finansiella_intakter"] == y.interest_income
    assert income["finansiella_kostnader"] == -y.interest_cost
    assert income["resultat_efter_finansiella_poster"] == (
        income["verksamhetens_resultat"] + y.interest_income - y.interest_cost
    )
    assert income["skatt"] == 0 and income["extraordinara_poster"] == 0
    assert income["arets_resultat"] == y.result
    # Every line of the layout is there, in its order.
    assert list(income) == [d.key for d in INCOME_STATEMENT]


def test_every_sum_of_every_layout_adds_its_parts() -> None:
    for layout in (INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW):
        posts = {d.key: (i + 1) * 1_000 for i, d in enumerate(layout) if d.kind == "post"}
        values = with_sums(layout, posts)
        for definition in layout:
            if definition.kind == "sum":
                assert values[definition.key] == sum(values[p] for p in definition.parts)
            if definition.kind == "heading":
                assert definition.key not in values


# ----------------------------------------------------------------------------- balance sheet
def test_the_balance_sheet_balances_with_the_result_in_equity(chart: Chart, books: Books) -> None:
    for balances in (books.opening_2026, books.closing_2026, books.opening_2027):
        _, _, balance = statements(chart, balances)
        assert balance_problems(balance, "x") == []
    _, income, balance = statements(chart, books.closing_2027)
    assert balance["summa_tillgangar"] == balance["summa_eget_kapital_avsattningar_skulder"]
    assert balance_problems(balance, "2027-12-31") == []
    assert balance["arets_resultat_ek"] == income["arets_resultat"] == THIS_YEAR.result
    assert balance["kassa_bank"] == books.closing_2027["1930"]
    assert balance["mark_byggnader"] == books.closing_2027["1110"] + books.closing_2027["1119"]
    assert balance["avsattning_pensioner"] == -books.closing_2027["2210"]
    assert balance["andra_avsattningar"] == -books.closing_2027["2290"]
    assert balance["summa_avsattningar"] == -(
        books.closing_2027["2210"] + books.closing_2027["2290"]
    )
    assert balance["kortfristiga_skulder"] == -(
        books.closing_2027["2440"] + books.closing_2027["2710"]
    )
    assert list(balance) == [d.key for d in BALANCE_SHEET if d.kind != "heading"]


def test_an_unbalanced_balance_sheet_is_told_with_the_difference(chart: Chart) -> None:
    posted = post(chart, {"1930": 1_000_000, "2440": -400_000})  # the credit side is missing
    values = balance_values(posted.balance, 0)
    problems = balance_problems(values, "2027-12-31")
    assert problems == [
        f"balansräkningen 2027-12-31 balanserar inte: tillgångarna är {format_tkr(1_000_000)}, "
        f"eget kapital, avsättningar och skulder {format_tkr(400_000)} "
        f"(skillnad {format_tkr(600_000)})"
    ]
    assert "1\u00a0000,0\u00a0tkr" in problems[0] and "600,0\u00a0tkr" in problems[0]


def test_equity_at_the_end_is_equity_at_the_start_plus_the_result(
    chart: Chart, books: Books
) -> None:
    _, _, start_ib = statements(chart, books.opening_2027)
    _, _, start_december = statements(chart, books.closing_2026)
    _, income, end = statements(chart, books.closing_2027)
    result = income["arets_resultat"]
    # Last year's closing (its result a post of equity) and this year's IB agree.
    assert equity_kr(start_ib) == equity_kr(start_december)
    assert equity_kr(end) == equity_kr(start_ib) + result
    assert equity_problems(start_ib, end, result, "2027-12-31") == []
    assert equity_problems(start_december, end, result, "2027-12-31") == []
    opening_equity = -sum(v for a, v in books.opening_2026.items() if a.startswith("20"))
    assert equity_kr(start_ib) == opening_equity + LAST_YEAR.result


def test_a_booking_straight_to_equity_is_a_problem(chart: Chart) -> None:
    withdrawal = 7_300 * K
    books = make_books(extra=(("2010", "1930", withdrawal),))
    _, _, start = statements(chart, books.opening_2027)
    _, income, end = statements(chart, books.closing_2027)
    result = income["arets_resultat"]
    assert result == THIS_YEAR.result  # the result does not see it …
    assert balance_problems(end, "2027-12-31") == []  # … nor does the balance …
    problems = equity_problems(start, end, result, "2027-12-31")  # … but equity does
    assert problems == [
        f"eget kapital 2027-12-31 är {format_tkr(equity_kr(end))}, men eget kapital vid "
        f"periodens början ({format_tkr(equity_kr(start))}) plus periodens resultat "
        f"({format_tkr(result)}) är {format_tkr(equity_kr(start) + result)}; skillnaden "
        f"{format_tkr(-withdrawal)} har bokförts direkt mot eget kapital eller så stämmer inte "
        "ingående balans med föregående års utgående"
    ]
    assert "\u22127\u00a0300,0\u00a0tkr" in problems[0]
    # The cash flow shows it on its own line and still ends at the bank's balance.
    flow = cash_flow_values(income, start, end)
    assert flow["cf_eget_kapital"] == -withdrawal
    assert cash_flow_problems(flow, end, "2027") == []


# ----------------------------------------------------------------------------- cash flow
def test_the_cash_flow_follows_the_vouchers_and_ends_at_cash_and_bank(
    chart: Chart, books: Books
) -> None:
    y = THIS_YEAR
    _, _, start = statements(chart, books.opening_2027)
    _, income, end = statements(chart, books.closing_2027)
    flow = cash_flow_values(income, start, end)
    assert flow["cf_arets_resultat"] == y.result
    assert flow["cf_avskrivningar"] == y.depreciation
    assert flow["cf_avsattningar"] == y.pension_provision + y.other_provision
    assert flow["cf_fordringar"] == -(y.fees_on_credit + y.prepaid)
    assert flow["cf_forrad"] == 0
    assert flow["cf_kortfristiga_skulder"] == y.unpaid_invoices
    assert flow["cf_materiella"] == -y.investments
    assert flow["cf_finansiella"] == 0
    assert flow["cf_langfristiga_skulder"] == y.loan - y.amortisation
    assert flow["cf_eget_kapital"] == 0
    assert flow["cf_likvida_borjan"] == books.opening_2027["1930"]
    assert flow["cf_likvida_slut"] == books.closing_2027["1930"] == end["kassa_bank"]
    assert flow["cf_arets_kassaflode"] == books.closing_2027["1930"] - books.opening_2027["1930"]
    assert cash_flow_problems(flow, end, "2027") == []
    assert list(flow) == [d.key for d in CASH_FLOW if d.kind != "heading"]


def test_last_years_cash_flow_from_its_own_balance_sheets(chart: Chart, books: Books) -> None:
    _, _, start = statements(chart, books.opening_2026)
    _, income, end = statements(chart, books.closing_2026)
    flow = cash_flow_values(income, start, end)
    assert flow["cf_materiella"] == -LAST_YEAR.investments
    assert flow["cf_langfristiga_skulder"] == -LAST_YEAR.amortisation
    assert flow["cf_likvida_slut"] == books.closing_2026["1930"]
    assert cash_flow_problems(flow, end, "2026") == []


def test_a_cash_flow_that_does_not_end_at_cash_and_bank_is_told(chart: Chart, books: Books) -> None:
    _, _, start = statements(chart, books.opening_2027)
    _, income, end = statements(chart, books.closing_2027)
    flow = cash_flow_values(income, start, end)
    wrong = {**end, "kassa_bank": end["kassa_bank"] + 2_500}
    assert cash_flow_problems(flow, wrong, "2027") == [
        f"kassaflödesanalysen 2027 slutar på {format_tkr(flow['cf_likvida_slut'])} i likvida "
        f"medel, balansräkningen har {format_tkr(end['kassa_bank'] + 2_500)} i kassa och bank"
    ]


def test_investments_in_shares_and_a_sale_of_equipment_at_book_value(chart: Chart) -> None:
    shares, sold = 35 * K, 12 * K
    books = make_books(extra=(("1321", "1930", shares), ("1930", "1210", sold)))
    _, _, start = statements(chart, books.opening_2027)
    _, income, end = statements(chart, books.closing_2027)
    flow = cash_flow_values(income, start, end)
    assert flow["cf_finansiella"] == -shares
    assert flow["cf_materiella"] == -(THIS_YEAR.investments - sold)
    assert flow["cf_likvida_slut"] == end["kassa_bank"] == books.closing_2027["1930"]


def test_the_key_figures_from_the_statements(chart: Chart, books: Books) -> None:
    y = THIS_YEAR
    _, _, start = statements(chart, books.opening_2027)
    _, income, end = statements(chart, books.closing_2027)
    investments = -cash_flow_values(income, start, end)["cf_materiella"]
    figures = computed(
        income,
        end,
        investments_kr=investments,
        contingent_pensions_kr=100 * K,
        balance_result_kr=y.result,
    )
    assert figures["investeringar"] == y.investments
    taxes = y.tax + y.tax_settlement + y.grants
    assert figures["skatter_och_statsbidrag"] == taxes
    from decimal import Decimal

    def percent(part: int, whole: int) -> Decimal:
        return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))

    assert figures["resultatandel"] == percent(y.result, taxes)
    assert figures["sjalvfinansieringsgrad"] == percent(y.result + y.depreciation, y.investments)
    assert figures["soliditet"] == percent(equity_kr(end), end["summa_tillgangar"])
    assert figures["soliditet_inkl_pensioner"] == percent(
        equity_kr(end) - 100 * K, end["summa_tillgangar"]
    )
    none = computed(
        income, end, investments_kr=None, contingent_pensions_kr=None, balance_result_kr=None
    )
    assert none["sjalvfinansieringsgrad"] is None and none["soliditet_inkl_pensioner"] is None


# ----------------------------------------------------------------------------- tables
def tables(chart: Chart, books: Books) -> tuple[StatementTable, StatementTable, Posted, Posted]:
    now, income_now, balance_now = statements(chart, books.closing_2027)
    last, income_last, balance_last = statements(chart, books.closing_2026)
    income = StatementTable(
        "income",
        (
            Column("2027", income_now),
            Column("2026", income_last),
            Column("Budget 2027", with_sums(INCOME_STATEMENT, {"skatteintakter": 1})),
        ),
    )
    balance = StatementTable(
        "balance", (Column("2027-12-31", balance_now), Column("2026-12-31", balance_last))
    )
    return income, balance, now, last


def test_statement_tables_show_named_lines_and_posts_that_are_not_zero(
    chart: Chart, books: Books
) -> None:
    income, balance, _, _ = tables(chart, books)
    assert income.problems() == [] and balance.problems() == []
    shown = [d.key for d, _ in balance.rows()]
    assert "immateriella" not in shown and "forrad" not in shown  # zero, not named
    assert "kortfristiga_placeringar" not in shown and "resultatutjamningsreserv" not in shown
    for key in ("finansiella_anlaggningstillgangar", "kassa_bank", "tillgangar", "summa_skulder"):
        assert key in shown
    headings = [amounts for d, amounts in balance.rows() if d.kind == "heading"]
    assert headings == [[None, None], [None, None]]
    income_shown = dict((d.key, amounts) for d, amounts in income.rows())
    assert "skatt" not in income_shown and "extraordinara_poster" not in income_shown
    assert income_shown["arets_resultat"] == [THIS_YEAR.result, LAST_YEAR.result, 1]
    assert income.value("arets_resultat", 1) == LAST_YEAR.result


def test_a_sum_that_does_not_match_its_parts_is_found(chart: Chart, books: Books) -> None:
    _, income, _ = statements(chart, books.closing_2027)
    wrong = {**income, "arets_resultat": income["arets_resultat"] + 1_000}
    table = StatementTable("income", (Column("2027", income), Column("Fel", wrong)))
    assert table.problems() == [
        f"Årets resultat (Fel) är {format_tkr(income['arets_resultat'] + 1_000)}, men raderna "
        f"den summerar blir {format_tkr(income['arets_resultat'])}"
    ]
    # A wrong sum is named, and so is the sum that adds it.
    early = {**income, "verksamhetens_nettokostnader": 0}
    problems = StatementTable("income", (Column("2027", early),)).problems()
    assert [p.split(" (")[0] for p in problems] == [
        "Verksamhetens nettokostnader",
        "Verksamhetens resultat",
    ]
    assert problems[0] == (
        f"Verksamhetens nettokostnader (2027) är 0,0\u00a0tkr, men raderna den summerar blir "
        f"{format_tkr(THIS_YEAR.income - THIS_YEAR.costs - THIS_YEAR.depreciation)}"
    )
    # A post changed after the sums were made: the sum above it no longer adds up.
    post_changed = {**income, "avskrivningar": income["avskrivningar"] - 1_000}
    problems = StatementTable("income", (Column("x", post_changed),)).problems()
    assert len(problems) == 1 and problems[0].startswith("Verksamhetens nettokostnader (x)")


# ----------------------------------------------------------------------------- notes
def test_specification_notes_in_statement_order_only_where_they_specify(
    chart: Chart, books: Books
) -> None:
    income, balance, now, last = tables(chart, books)
    notes, numbers = specification_notes(
        [income, balance],
        [now.groups, last.groups],
        first=2,
        always_text={"skatteintakter": "Skatterna enligt SKR:s prognos."},
    )
    # Two groups or more, or a line the law asks to be explained, in statement order.
    assert [n.line for n in notes] == [
        "verksamhetens_intakter",  # 30 Försäljningsintäkter, 31 Taxor, 35 Bidrag (last year)
        "verksamhetens_kostnader",  # 4, 5, 6-7
        "skatteintakter",  # note_always (801 and 805 besides)
        "generella_statsbidrag",  # note_always, one group only
        "fordringar",  # 15 and 17
        "avsattning_pensioner",  # note_always
        "kortfristiga_skulder",  # 24 and 27
    ]
    assert [n.number for n in notes] == list(range(2, 9))
    assert numbers == {n.line: n.number for n in notes}
    # One group only: no note (avskrivningar: 78; buildings: 1110 and 1119 are both 11).
    for key in ("avskrivningar", "mark_byggnader", "kassa_bank", "finansiella_intakter"):
        assert key not in numbers
    for note in notes:
        assert note.problems() == [], note
        # The budget column has no accounts and is left out of the income notes.
        table = income if note.line in {d.key for d, _ in income.rows()} else balance
        assert note.columns == tuple(c.heading for c in table.columns[:2])
    by_line = {n.line: n for n in notes}
    assert by_line["skatteintakter"].text == "Skatterna enligt SKR:s prognos."
    assert by_line["skatteintakter"].title == "Skatteintäkter"
    assert dict(by_line["skatteintakter"].rows) == {
        "Allmän kommunalskatt": (THIS_YEAR.tax, LAST_YEAR.tax),
        "Slutavräkning": (THIS_YEAR.tax_settlement, LAST_YEAR.tax_settlement),
    }
    assert dict(by_line["generella_statsbidrag"].rows) == {
        "Inkomstutjämningsbidrag": (THIS_YEAR.grants, LAST_YEAR.grants)
    }
    # A group only last year is a row with 0 this year.
    assert dict(by_line["verksamhetens_intakter"].rows)["Bidrag"] == (
        0,
        LAST_YEAR.grants_received,
    )
    assert by_line["verksamhetens_intakter"].total == (THIS_YEAR.income, LAST_YEAR.income)
    pension = by_line["avsattning_pensioner"]
    assert pension.rows == (
        ("Avsättningar för pensioner", (-books.closing_2027["2210"], -books.closing_2026["2210"])),
    )


def test_notes_are_numbered_from_first_and_a_line_gets_one_note(chart: Chart, books: Books) -> None:
    income, balance, now, last = tables(chart, books)
    notes, numbers = specification_notes([income, balance, income], [now.groups], first=10)
    assert [n.number for n in notes] == list(range(10, 10 + len(notes)))
    assert len({n.line for n in notes}) == len(notes)  # the repeated table adds nothing
    assert {n.columns for n in notes} == {("2027",), ("2027-12-31",)}
    assert all(n.problems() == [] for n in notes)
    assert numbers["verksamhetens_intakter"] == 10


def test_a_single_group_post_gets_no_note_unless_the_law_asks() -> None:
    chart = shipped_chart("kommunbas")
    posted = post(chart, {"1930": 300, "2010": -100, "3011": -150, "8011": -50})
    income = StatementTable("income", (Column("2027", income_values(posted.income)),))
    notes, numbers = specification_notes([income], [posted.groups], first=2)
    # Verksamhetens intäkter has one group; taxes and grants are explained in any case,
    # the grants with no rows at all.
    assert [n.line for n in notes] == ["skatteintakter", "generella_statsbidrag"]
    assert notes[1].rows == () and notes[1].total == (0,) and notes[1].problems() == []


def test_a_note_whose_rows_do_not_add_up_is_found() -> None:
    note = Note(
        4,
        "Fordringar",
        columns=("2027", "2026"),
        rows=(("Kundfordringar", (600_000, 500_000)), ("Övriga", (300_000, None))),
        total=(1_000_000, 500_000),
    )
    assert note.problems() == [
        f"not 4 (Fordringar): raderna summerar till {format_tkr(900_000)} i kolumnen 2027, "
        f"raden i räkningen är {format_tkr(1_000_000)}"
    ]
    assert Note(1, "Redovisningsprinciper", text="Text.").problems() == []
    unknown_total = Note(5, "X", columns=("2027",), rows=(("a", (1,)),), total=(None,))
    assert unknown_total.problems() == []

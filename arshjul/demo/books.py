"""Arboga's demo books: double-entry trial balances that hold together, as a controller
would export them from the finance systems, and the files that go with them.

Every amount is invented (the configuration says so). The municipality's books follow
Kommun-Bas, the companies' BAS. Each month is a set of balanced vouchers; the files give
the accumulated balance at each month's end, so every file balances and every year's
opening balance is last year's closing balance with the result moved into equity. The
committees' monthly actuals (``utfall``) are the same vouchers summed per responsibility,
so the operating accounts, the income statement and the actuals agree to the krona.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from arshjul.demo.figures import DECIDED_INVESTMENTS_TKR, FRAMES_TKR, OVERSPEND_TKR

K = 1000  # kronor per tkr
RESPONSIBILITY = {"ks": "1000", "bun": "2000", "fkn": "3000", "sn": "4000", "vn": "5000"}
FINANCE = "9000"  # finansförvaltningen: taxes, grants, depreciation, pensions, interest
# Actuals by year relative to the demo year; the budget is in result_budget_rows.
TAXES_TKR = {0: 791_800, -1: 766_000}
GRANTS_TKR = {0: 290_600, -1: 281_000}
DEPRECIATION_TKR = {0: 31_200, -1: 29_800}
INTEREST_COST_TKR = {0: 12_400, -1: 12_610}
BUDGET_TAXES_TKR, BUDGET_GRANTS_TKR = 790_000, 290_000
# The share of the investment budgets spent, by project, in the demo year.
SPENT = {"Gator och vägar": 0.94, "Förskolelokaler": 0.88, "Idrottsanläggningar": 1.02}

# Internal transactions of the group (tkr a year): (kind, from, to, amount).
GROUP_TKR = (
    ("försäljning", "kommunfastigheter", "kommunen", 60_000),
    ("försäljning", "kommunalteknik", "kommunen", 25_000),
    ("försäljning", "vatten", "kommunen", 3_000),
    ("lån", "kommunen", "arbogabostader", 400_000),
    ("ränta", "kommunen", "arbogabostader", 6_000),
    ("utdelning", "radhuset", "kommunen", 2_000),
    ("aktieinnehav", "radhuset", "kommunen", 50_000),
    ("aktieinnehav", "vatten", "radhuset", 20_000),
    ("aktieinnehav", "kommunalteknik", "radhuset", 5_000),
    ("aktieinnehav", "arbogabostader", "radhuset", 60_000),
    ("aktieinnehav", "kommunfastigheter", "radhuset", 40_000),
)
FLOWS = {"försäljning", "ränta", "utdelning"}  # a year's amounts; the others are balances


@dataclass
class Journal:
    """Balances per (account, responsibility), debit positive; every voucher balances."""

    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def book(self, debit: str, credit: str, kr: int, *, on: str = "", against: str = "") -> None:
        self.balances[(debit, on)] += kr
        self.balances[(credit, against)] -= kr

    def snapshot(self) -> dict[tuple[str, str], int]:
        return {k: v for k, v in self.balances.items() if v}

    def close_year(self, equity: str) -> None:
        """Move the result (classes 3–8) into equity: next year's opening balance."""
        result = 0
        for key in [k for k in self.balances if k[0][0] in "345678"]:
            result += self.balances.pop(key)
        self.balances[(equity, "")] += result


def _spread(total_kr: int, month: int) -> int:
    """A twelfth of a yearly amount, the rounding put in December."""
    base = total_kr // 12
    return base if month < 12 else total_kr - 11 * base


def _growth(offset: int) -> float:
    return 1.0 if offset == 0 else 0.97


def committee_net_tkr(key: str, offset: int, month: int) -> float:
    """A committee's net cost of a month (tkr): a twelfth of its frame, Socialnämnden's
    overspend in the demo year, and last year a little lower."""
    if offset == 0:
        return FRAMES_TKR[key] / 12 + OVERSPEND_TKR.get(key, {}).get(month, 0)
    return FRAMES_TKR[key] * _growth(offset) / 12


def project_actual_tkr(project: str, budget_tkr: int, offset: int, month: int) -> float:
    """A project's outlay of a month (tkr): March–November, as much as was spent."""
    if not 3 <= month <= 11:
        return 0.0
    share = SPENT.get(project, 0.97) if offset == 0 else 0.9
    return budget_tkr * share / 9


def _municipality_opening(journal: Journal) -> None:
    """Arboga's balance sheet at the start of the year before the demo year (tkr)."""
    for debit, credit, tkr in (
        ("1110", "2010", 1_400_000),
        ("2010", "1119", 300_000),
        ("1210", "2010", 120_000),
        ("2010", "1219", 60_000),
        ("1311", "2010", 50_000),
        ("1321", "2010", 400_000),
        ("1510", "2010", 40_000),
        ("1710", "2010", 60_000),
        ("1930", "2010", 150_000),
        ("2010", "2050", 30_000),
        ("2010", "2210", 180_000),
        ("2010", "2311", 650_000),
        ("2010", "2440", 80_000),
        ("2010", "2710", 40_000),
        ("2010", "2910", 160_000),
    ):
        journal.book(debit, credit, tkr * K)


def _municipality_month(journal: Journal, offset: int, month: int) -> dict[str, int]:
    """One month's vouchers; returns each committee's net cost (kr) and each project's."""
    g = _growth(offset)
    net: dict[str, int] = {}
    for key, code in RESPONSIBILITY.items():
        net_kr = round(committee_net_tkr(key, offset, month) * K)
        income_kr = round(net_kr * 0.15)
        staff_kr = round((net_kr + income_kr) * 0.65)
        other_kr = net_kr + income_kr - staff_kr
        journal.book("1930", "3011", income_kr - 300 * K // 5, against=code)
        journal.book("1510", "3011", 300 * K // 5, against=code)
        journal.book("5011", "1930", staff_kr, on=code)
        journal.book("4611", "1930", other_kr - 200 * K // 5, on=code)
        journal.book("4611", "2440", 200 * K // 5, on=code)
        net[key] = net_kr
    journal.book("1930", "8011", _spread(round(TAXES_TKR[offset] * K), month), against=FINANCE)
    grants = round(GRANTS_TKR[offset] * K)
    journal.book("1930", "8211", _spread(round(grants * 0.78), month), against=FINANCE)
    journal.book("1930", "8291", _spread(grants - round(grants * 0.78), month), against=FINANCE)
    depreciation = round(DEPRECIATION_TKR[offset] * K)
    journal.book("7810", "1119", _spread(round(depreciation * 0.8), month), on=FINANCE)
    journal.book(
        "7810", "1219", _spread(depreciation - round(depreciation * 0.8), month), on=FINANCE
    )
    journal.book("5511", "2210", _spread(round(6_000 * K * g), month), on=FINANCE)
    journal.book("1930", "8441", _spread(6_000 * K, month), against=FINANCE)
    journal.book("8541", "1930", _spread(INTEREST_COST_TKR[offset] * K, month), on=FINANCE)
    if month == 5:
        journal.book("1930", "8411", 2_000 * K, against=FINANCE)
    if month == 6 and offset == 0:
        journal.book("1930", "2311", 30_000 * K)
    if month == 12:
        journal.book("2311", "1930", 10_000 * K)
        journal.book("1710", "1930", 1_500 * K)
    projects: dict[str, int] = {}
    for (key, project), budget_tkr in DECIDED_INVESTMENTS_TKR[offset].items():
        outlay = round(project_actual_tkr(project, budget_tkr, offset, month) * K)
        if outlay:
            account = "1210" if project.startswith("Inventarier") else "1110"
            journal.book(account, "1930", outlay)
            projects[f"{key}/{project}"] = outlay
    return {**net, **projects}


@dataclass(frozen=True)
class Company:
    """A company's opening balance (tkr) and its yearly flows (tkr)."""

    key: str
    opening: tuple[tuple[str, str, int], ...]
    revenue_tkr: int
    costs_tkr: int
    depreciation_tkr: int
    interest_tkr: int
    depreciation_account: str = "1119"


COMPANIES = (
    Company(
        "radhuset",
        (("1311", "2081", 125_000), ("1930", "2081", 5_000), ("2081", "2091", 80_000)),
        0,
        500,
        0,
        0,
    ),
    Company(
        "vatten",
        (
            ("1110", "2081", 250_000),
            ("2081", "1119", 50_000),
            ("1930", "2081", 10_000),
            ("2081", "2091", 10_000),
            ("2081", "2350", 180_000),
        ),
        45_000,
        30_000,
        10_000,
        2_000,
    ),
    Company(
        "kommunalteknik",
        (
            ("1210", "2081", 8_000),
            ("2081", "1219", 2_000),
            ("1930", "2081", 6_000),
            ("2081", "2091", 4_000),
            ("2081", "2440", 3_000),
        ),
        30_000,
        28_500,
        1_000,
        0,
        "1219",
    ),
    Company(
        "arbogabostader",
        (
            ("1110", "2081", 800_000),
            ("2081", "1119", 200_000),
            ("1930", "2081", 30_000),
            ("2081", "2091", 110_000),
            ("2081", "2360", 400_000),
            ("2081", "2350", 60_000),
        ),
        110_000,
        70_000,
        20_000,
        7_200,
    ),
    Company(
        "kommunfastigheter",
        (
            ("1110", "2081", 450_000),
            ("2081", "1119", 100_000),
            ("1930", "2081", 20_000),
            ("2081", "2091", 30_000),
            ("2081", "2350", 300_000),
        ),
        70_000,
        40_000,
        15_000,
        5_000,
    ),
    # The federation keeps its books on Kommun-Bas, like a municipality.
    Company(
        "vmmf",
        (("1210", "2010", 2_000), ("1930", "2010", 9_000), ("2010", "2440", 3_000)),
        24_000,
        23_200,
        400,
        0,
        "1219",
    ),
)


def _company_month(journal: Journal, company: Company, offset: int, month: int) -> None:
    g = _growth(offset)
    federation = company.key == "vmmf"
    income, cost, depreciation, interest = (
        ("3011", "4611", "7810", "8541") if federation else ("3010", "4010", "7830", "8410")
    )
    journal.book("1930", income, _spread(round(company.revenue_tkr * K * g), month))
    journal.book(cost, "1930", _spread(round(company.costs_tkr * K * g), month))
    if company.depreciation_tkr:
        journal.book(
            depreciation,
            company.depreciation_account,
            _spread(round(company.depreciation_tkr * K * g), month),
        )
    if company.interest_tkr:
        journal.book(interest, "1930", _spread(round(company.interest_tkr * K * g), month))
    if company.key == "radhuset" and month == 5:
        journal.book("2091", "1930", 2_000 * K)  # the dividend to the municipality
    if month == 12 and not federation:
        _company_closing(journal, company)


def _company_closing(journal: Journal, company: Company) -> None:
    """December: an allocation to a tax allocation reserve, and the year's income tax."""
    result = -sum(v for (a, _), v in journal.balances.items() if a[0] in "345678")
    if company.key == "kommunfastigheter":
        journal.book("8811", "2125", 2_000 * K)  # avsättning till periodiseringsfond
        result -= 2_000 * K
    if result > 0:
        journal.book("8910", "2510", round(result * 0.206))


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _kr(amount: int) -> str:
    return f"{amount},00"


@dataclass
class DemoBooks:
    """Two years of books for the municipality and every company, month by month."""

    year: int
    # entity → (year, month) → balances; "" is the municipality.
    periods: dict[str, dict[tuple[int, int], dict[tuple[str, str], int]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    # (year, month) → key → kr: committees' net costs and "unit/project" outlays.
    actuals: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)

    @classmethod
    def build(cls, year: int) -> DemoBooks:
        books = cls(year)
        municipality = Journal()
        _municipality_opening(municipality)
        companies = {c.key: Journal() for c in COMPANIES}
        for company in COMPANIES:
            equity = "2010" if company.key == "vmmf" else "2081"
            for debit, credit, tkr in company.opening:
                companies[company.key].book(debit, credit, tkr * K)
            del equity
        for offset in (-1, 0):
            y = year + offset
            books.periods[""][(y, 0)] = municipality.snapshot()
            for key, journal in companies.items():
                books.periods[key][(y, 0)] = journal.snapshot()
            for month in range(1, 13):
                books.actuals[(y, month)] = _municipality_month(municipality, offset, month)
                books.periods[""][(y, month)] = municipality.snapshot()
                for company in COMPANIES:
                    _company_month(companies[company.key], company, offset, month)
                    books.periods[company.key][(y, month)] = companies[company.key].snapshot()
            municipality.close_year("2010")
            for company in COMPANIES:
                companies[company.key].close_year("2010" if company.key == "vmmf" else "2091")
        return books

    def trial_balance(
        self, folder: Path, entity: str, periods: list[tuple[int, int]], name: str
    ) -> Path:
        """An accumulated trial balance file for some periods of one entity."""
        rows: list[list[object]] = []
        for year, month in periods:
            label = f"{year}-IB" if month == 0 else f"{year}-{month:02d}"
            for (account, responsibility), amount in sorted(
                self.periods[entity][(year, month)].items()
            ):
                rows.append([account, responsibility, label, _kr(amount)])
        return _write(folder / name, ["konto", "ansvar", "period", "ackumulerat"], rows)

    def entities(self) -> Iterator[str]:
        yield ""
        yield from (c.key for c in COMPANIES)

    def result_kr(self, entity: str, year: int) -> int:
        """An entity's result for a year (credit positive), from its December balances."""
        return -sum(v for (a, _), v in self.periods[entity][(year, 12)].items() if a[0] in "345678")


def group_rows(year: int, through_month: int) -> list[list[object]]:
    """The year's internal transactions (tkr); flows for the months so far, balances whole."""
    rows: list[list[object]] = []
    for kind, source, target, tkr in GROUP_TKR:
        amount = tkr * through_month / 12 if kind in FLOWS and kind != "utdelning" else tkr
        if kind == "utdelning" and through_month < 5:
            continue
        rows.append([year, source, target, kind, f"{amount:.1f}".replace(".", ",")])
    return rows


def _tkr_text(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def result_budget_rows(year: int) -> list[list[object]]:
    """The income statement the council adopted for the year (tkr)."""
    frames = sum(FRAMES_TKR.values())
    income = round(frames * 0.15)
    budget = {
        "Verksamhetens intäkter": income,
        "Verksamhetens kostnader": -(frames + income + 6_000),
        "Avskrivningar": -DEPRECIATION_TKR[0],
        "Skatteintäkter": BUDGET_TAXES_TKR,
        "Generella statsbidrag och utjämning": BUDGET_GRANTS_TKR,
        "Finansiella intäkter": 8_000,
        "Finansiella kostnader": -13_000,
    }
    return [[year, post, _tkr_text(v)] for post, v in budget.items()]


def result_forecast_rows(year: int, month: int) -> list[list[object]]:
    """The full-year forecast made in a month: the budget, the committees' forecast
    deviations (Socialnämnden +1 500, Barn- och utbildningsnämnden −800) and SKR's newer
    tax forecast (+2 000)."""
    rows = []
    for _, post, value in result_budget_rows(year):
        amount = float(str(value).replace(",", "."))
        if post == "Verksamhetens kostnader":
            amount -= 700
        elif post == "Skatteintäkter":
            amount += 2_000
        rows.append([year, month, post, _tkr_text(amount)])
    return rows


def balance_adjustment_rows(year: int) -> list[list[object]]:
    """The year's balance requirement adjustments: none in the demo (no sale of assets, no
    change in the reserve), reported with the interim forecast and again at the close."""
    return [
        [year, "realisationsvinster", "0"],
        [year, "till_rur", "0"],
        [year, "fran_rur", "0"],
    ]


def key_figure_rows(year: int, *, closing: bool) -> list[list[object]]:
    """The five-year overview's history (the years before the books) and the year's facts.

    ``closing``: the demo year's own facts, known when its books are closed.
    """
    if closing:
        return [
            [year, "ansvarsforbindelse_pensioner", "298400"],
            [year, "borgensataganden", "1240000"],
            *balance_adjustment_rows(year),
            [year, "invanare", "13905"],
        ]
    rows: list[list[object]] = []
    history = {
        year - 4: (31_200, -962_400, 1_001_300, 96.8, 3.1, 30_800, 41_800, 138.0, 38.1, 20.3),
        year - 3: (18_700, -991_900, 1_018_600, 98.1, 1.8, 18_700, 52_300, 88.0, 38.4, 21.9),
        year - 2: (-6_400, -1_021_500, 1_020_100, 100.6, -0.6, -6_900, 47_900, 49.0, 37.6, 22.4),
    }
    keys = (
        "arets_resultat",
        "verksamhetens_nettokostnader",
        "skatter_och_statsbidrag",
        "nettokostnadsandel",
        "resultatandel",
        "balanskravsresultat",
        "investeringar",
        "sjalvfinansieringsgrad",
        "soliditet",
        "soliditet_inkl_pensioner",
    )
    for y, values in history.items():
        rows += [[y, key, str(v).replace(".", ",")] for key, v in zip(keys, values, strict=True)]
        rows.append([y, "langfristiga_skulder", str(560_000 + 30_000 * (y - year + 4))])
        rows.append([y, "skattesats", "22,41"])
        rows.append([y, "invanare", str(13_980 - 20 * (y - year + 4))])
    rows += [
        [year - 1, "skattesats", "22,41"],
        [year - 1, "invanare", "13918"],
        [year - 1, "ansvarsforbindelse_pensioner", "311200"],
        [year - 1, "borgensataganden", "1180000"],
        [year - 1, "realisationsvinster", "0"],
        [year - 1, "till_rur", "0"],
        [year - 1, "fran_rur", "0"],
    ]
    return rows


def sick_leave_rows(year: int) -> list[list[object]]:
    """Sick leave in per cent of working time, as the HR system reports it."""
    base = {
        "Totalt": 7.4,
        "Kvinnor": 8.3,
        "Män": 4.9,
        "29 år eller yngre": 5.6,
        "30–49 år": 7.1,
        "50 år eller äldre": 8.2,
        "Långtidssjukfrånvaro": 44.6,
    }
    shift = 0.0 if year % 2 else -0.3
    return [[year, group, _tkr_text(v + shift)] for group, v in base.items()]


def write_rows(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A semicolon CSV as Swedish Excel saves it."""
    return _write(path, header, rows)


def actuals_rows(books: DemoBooks, year: int, month: int) -> list[list[object]]:
    """A month's actuals per committee and per investment project (tkr)."""
    rows: list[list[object]] = []
    for key, kr in books.actuals[(year, month)].items():
        unit, _, project = key.partition("/")
        rows.append([unit, year, month, project, f"{kr / K:.3f}".replace(".", ",")])
    return rows

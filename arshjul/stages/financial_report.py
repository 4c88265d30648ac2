"""From the books to the interim and annual reports' financial parts.

Reads the trial balances, the group's transactions, the budgets and forecasts of the
income statement, the key figures and the committees' answers, and builds the frozen data
the documents lay out (:mod:`arshjul.documents.followup_statements`). Every figure comes
from a row in the database; a figure that is not there is named in ``ctx.missing`` (the
stage's log) and the document says "uppgift saknas". The law's checks run here, before any
document is written: a balance sheet that does not balance, or equity that does not follow
from last year's plus the result, stops the stage with a Swedish message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from arshjul.accounts import books
from arshjul.accounts.balance_requirement import BalanceRequirement, deficit_before
from arshjul.accounts.chart import Chart
from arshjul.accounts.group import TRANSACTION_SV, Member, Transaction, consolidate, material
from arshjul.accounts.key_figures import (
    BALANCE_REQUIREMENT_KEYS,
    GOAL_MEASURES,
    OVERVIEW,
    SICK_LEAVE_GROUPS,
    computed,
    goal_met,
)
from arshjul.accounts.layout import INCOME_STATEMENT, with_sums
from arshjul.accounts.statements import (
    Column,
    Note,
    Posted,
    StatementTable,
    balance_values,
    cash_flow_values,
    equity_problems,
    income_values,
    post,
    specification_notes,
    unknown_accounts,
)
from arshjul.documents import followup_statements as fs
from arshjul.errors import ArshjulError
from arshjul.formats import format_percent, format_tkr, month_name
from arshjul.forms.base import StageForm
from arshjul.forms.followup import ArsredovisningForm, DelarForm
from arshjul.governance.frames import counting
from arshjul.models import (
    BudgetFrame,
    FigureKind,
    FinancialFigure,
    FrameKind,
    OrgUnit,
    PlanningFigure,
    UnitKind,
    stored_id,
)
from arshjul.models.accounts import MUNICIPALITY_ENTITY
from arshjul.stages.answers import answers_by_unit
from arshjul.stages.base import StageContext
from arshjul.stages.economy import UnitFigures

NET_COST_POSTS = ("verksamhetens_intakter", "verksamhetens_kostnader", "avskrivningar")
OTHER_OPERATIONS = "Finansförvaltning och gemensamma poster utanför nämnderna"
# The executive board's own words for the management report, by the form's field.
MANAGEMENT_TEXTS = {
    "overview": "oversikt",
    "significant_events": "handelser",
    "important_circumstances": "forhallanden",
    "personnel": "personal",
    "expected_development": "utveckling",
}


@dataclass
class ReportParts:
    """The financial parts of one interim or annual report."""

    statements: fs.FinancialStatements | None = None
    operating: fs.OperatingAccounts | None = None
    investments: tuple[fs.InvestmentRow, ...] = ()
    group: fs.GroupAccounts | None = None
    management: fs.ManagementReport | None = None
    balance_requirement: BalanceRequirement | None = None
    financial_goals: tuple[fs.FinancialGoal, ...] = ()
    unit_actuals: dict[int, int] = field(default_factory=dict)


def _label(year: int, month: int) -> str:
    return f"{year}-IB" if month == 0 else f"{year}-{month:02d}"


def _month_end(year: int, month: int) -> str:
    end = dt.date(year, 12, 31) if month == 12 else dt.date(year, month + 1, 1) - dt.timedelta(1)
    return end.isoformat()


class Ledger:
    """The stored books of one municipality and its group, read once per report."""

    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx
        self.session = ctx.session
        self.mid: int = ctx.municipality.id  # type: ignore[assignment]
        self.config = ctx.config
        self._posted: dict[tuple[str, int, int], Posted | None] = {}

    def chart(self, entity: str) -> Chart:
        return books.chart_for(self.config, entity)

    def posted(self, entity: str, year: int, month: int) -> Posted | None:
        """An entity's trial balance on the statements' posts (None: not imported)."""
        key = (entity, year, month)
        if key not in self._posted:
            found = books.balances(
                self.session, municipality_id=self.mid, entity=entity, year=year, month=month
            )
            if found is None:
                self._posted[key] = None
            else:
                chart = self.chart(entity)
                unknown = unknown_accounts(chart, list(found))
                if unknown:
                    raise ArshjulError(
                        f"Saldobalansen {_label(year, month)} har konton som kontoplanen inte "
                        "känner till (har kontoplanen ändrats sedan importen?):",
                        details=unknown,
                    )
                self._posted[key] = post(chart, found)
        return self._posted[key]

    def income(self, entity: str, year: int, month: int) -> dict[str, int] | None:
        posted = self.posted(entity, year, month)
        return None if posted is None else income_values(posted.income)

    def balance(self, entity: str, year: int, month: int) -> dict[str, int] | None:
        """The balance sheet at a month's end, the result so far as a post of equity."""
        posted = self.posted(entity, year, month)
        if posted is None:
            return None
        return balance_values(posted.balance, income_values(posted.income)["arets_resultat"])

    def opening(self, entity: str, year: int) -> dict[str, int] | None:
        """The balance sheet at the start of a year: last year's closing, else the year's IB."""
        return self.balance(entity, year - 1, 12) or self.balance(entity, year, 0)

    def figures(self, kind: str, year: int) -> dict[str, float]:
        rows = self.session.exec(
            select(PlanningFigure).where(
                PlanningFigure.municipality_id == self.mid,
                PlanningFigure.year == year,
                PlanningFigure.kind == kind,
            )
        ).all()
        return {r.key if not r.sub_key else f"{r.key}/{r.sub_key}": r.value for r in rows}

    def key_figure(self, key: str, year: int) -> float | None:
        return self.figures("key_figure", year).get(key)

    def result_budget(self, year: int) -> dict[str, int] | None:
        posts = self.figures("result_budget", year)
        return with_sums(INCOME_STATEMENT, {k: int(v) for k, v in posts.items()}) if posts else None

    def result_forecast(self, year: int, month: int) -> tuple[int, dict[str, int]] | None:
        """The newest full-year forecast of the income statement made up to a month."""
        by_month: dict[int, dict[str, int]] = defaultdict(dict)
        for key, value in self.figures("result_forecast", year).items():
            line, made = key.split("/")
            by_month[int(made)][line] = int(value)
        months = [m for m in by_month if m <= month]
        if not months:
            return None
        newest = max(months)
        return newest, with_sums(INCOME_STATEMENT, by_month[newest])


# ----------------------------------------------------------------------------- statements
def _statements(
    ledger: Ledger, year: int, month: int, *, annual: bool, missing: list[str]
) -> fs.FinancialStatements | None:
    """The municipality's income statement, balance sheet and (annual) cash flow."""
    me = MUNICIPALITY_ENTITY
    income, balance = ledger.income(me, year, month), ledger.balance(me, year, month)
    if income is None or balance is None:
        missing.append(
            f"saldobalans för kommunen {_label(year, month)} (arshjul import saldobalans)"
        )
        return None
    start = ledger.opening(me, year)
    if start is None:
        missing.append(
            f"saldobalans för kommunen {_label(year - 1, 12)} eller ingående balans {year}: "
            "eget kapital kan inte stämmas av mot föregående år"
        )
    else:
        problems = equity_problems(
            start, balance, income["arets_resultat"], _month_end(year, month)
        )
        if problems:
            raise ArshjulError(
                f"Saldobalanserna går inte ihop; dokumentet skrivs inte ({ledger.ctx.stage.name} "
                f"{year}):",
                details=problems,
            )
    period = "" if annual else f"jan–{month_name(month)[:3]} "
    income_columns = [Column(f"{period}{year}".capitalize(), income)]
    last = ledger.income(me, year - 1, month)
    if last is not None:
        income_columns.append(Column(f"{period}{year - 1}".capitalize(), last))
    else:
        missing.append(f"saldobalans för kommunen {_label(year - 1, month)} (jämförelse)")
    budget = ledger.result_budget(year)
    if budget is not None:
        income_columns.append(Column(f"Budget {year}", budget))
    else:
        missing.append(f"resultatbudget {year} (arshjul import resultatbudget)")
    if not annual:
        forecast = ledger.result_forecast(year, month)
        if forecast is not None:
            income_columns.append(Column(f"Prognos {year}", forecast[1]))
        else:
            missing.append(
                f"helårsprognos för resultaträkningen {year} (arshjul import resultatprognos)"
            )
    balance_columns = [Column(_month_end(year, month), balance)]
    last_close = ledger.balance(me, year - 1, 12)
    if last_close is not None:
        balance_columns.append(Column(_month_end(year - 1, 12), last_close))
    else:
        missing.append(f"saldobalans för kommunen {_label(year - 1, 12)} (jämförelse)")
    cash_flow = None
    if annual and start is not None:
        flows = [Column(str(year), cash_flow_values(income, start, balance))]
        earlier = ledger.opening(me, year - 1)
        last_income = ledger.income(me, year - 1, 12)
        if earlier is not None and last_income is not None and last_close is not None:
            flows.append(Column(str(year - 1), cash_flow_values(last_income, earlier, last_close)))
        cash_flow = StatementTable("cash_flow", tuple(flows))
    income_table = StatementTable("income", tuple(income_columns))
    balance_table = StatementTable("balance", tuple(balance_columns))
    notes: list[Note] = []
    if annual:
        notes = _notes(ledger, year, income_table, balance_table, missing)
        numbers = {n.line: n.number for n in notes if n.line}
        income_table = StatementTable("income", income_table.columns, numbers)
        balance_table = StatementTable("balance", balance_table.columns, numbers)
    return fs.FinancialStatements(
        income=income_table,
        balance=balance_table,
        cash_flow=cash_flow,
        notes=tuple(notes),
        missing=tuple(missing),
        principles=_principles(ledger),
    )


def _principles(ledger: Ledger) -> str:
    chart = ledger.chart(MUNICIPALITY_ENTITY)
    return (
        "Årsredovisningen är upprättad enligt lagen (2018:597) om kommunal bokföring och "
        "redovisning och Rådet för kommunal redovisnings rekommendationer. Resultat- och "
        "balansräkningen är sammanställda från kommunens saldobalans enligt kontoplanen "
        f"{chart.name}. Beloppen anges i tusental kronor (tkr) med en decimal och är "
        "avrundade var för sig, så en summa kan avvika med någon tiondels tkr från summan "
        "av de avrundade raderna. "
        "Kassaflödesanalysen är upprättad med indirekt metod utifrån balansräkningarnas "
        "förändring. Den sammanställda redovisningen omfattar bolag och kommunalförbund där "
        "kommunen äger minst 20 procent och är upprättad med proportionell konsolidering; "
        "transaktioner mellan koncernens parter är eliminerade."
    )


def _notes(
    ledger: Ledger,
    year: int,
    income: StatementTable,
    balance: StatementTable,
    missing: list[str],
) -> list[Note]:
    """Note 1, the accounting principles; a specification per post; the pension note."""
    groups = []
    for y in (year, year - 1):
        posted = ledger.posted(MUNICIPALITY_ENTITY, y, 12)
        if posted is None:
            break
        groups.append(posted.groups)
    notes = [Note(1, "Redovisningsprinciper", text=_principles(ledger))]
    specs, _ = specification_notes(
        [income, balance],
        groups,
        first=2,
        always_text={
            "skatteintakter": "Skatteintäkterna är den preliminära kommunalskatten och "
            "avräkningen enligt SKR:s prognos, bokförda på kontogrupp 80.",
            "generella_statsbidrag": "Bidrag och avgifter i det kommunalekonomiska "
            "utjämningssystemet och generella statsbidrag, kontogrupp 82–83.",
        },
    )
    # The pension line's note is the pension obligations, inside the balance sheet and out.
    for note in specs:
        if note.line == "avsattning_pensioner":
            note = _pension_note(ledger, year, balance, note.number, missing)
        notes.append(note)
    return notes


def _pension_note(
    ledger: Ledger, year: int, balance: StatementTable, number: int, missing: list[str]
) -> Note:
    columns = tuple(c.heading for c in balance.columns)
    provisions = tuple(c.values["avsattning_pensioner"] for c in balance.columns)
    contingent: list[int | None] = []
    for index in range(len(balance.columns)):
        value = ledger.key_figure("ansvarsforbindelse_pensioner", year - index)
        if value is None:
            missing.append(
                f"ansvarsförbindelse för pensioner {year - index} (arshjul import nyckeltal)"
            )
        contingent.append(None if value is None else int(value))
    totals = tuple(
        None if c is None else p + c for p, c in zip(provisions, contingent, strict=True)
    )
    return Note(
        number,
        "Pensionsförpliktelser",
        columns=columns,
        rows=(
            ("Avsättning för pensioner och liknande förpliktelser (balansräkningen)", provisions),
            (
                "Ansvarsförbindelse: pensionsförpliktelser intjänade före 1998, inklusive "
                "särskild löneskatt",
                tuple(contingent),
            ),
            ("Summa pensionsförpliktelser", totals),
        ),
        text="Pensionsförpliktelser intjänade före 1998 redovisas enligt blandmodellen som "
        "en ansvarsförbindelse utanför balansräkningen; senare intjänade förmåner redovisas "
        "som avsättning eller kortfristig skuld.",
        line="avsattning_pensioner",
    )


# ----------------------------------------------------------------------------- operating
def _responsibility_owner(config: Any, units: Mapping[str, OrgUnit], code: str) -> OrgUnit | None:
    """The committee a responsibility code belongs to: the longest configured prefix, or the
    code itself when it is a unit's key."""
    mapping = config.accounts.responsibility
    for length in range(len(code), 0, -1):
        key = mapping.get(code[:length])
        if key is not None:
            return units.get(key)
    return units.get(code)


def _operating(
    ledger: Ledger,
    figures: list[UnitFigures],
    statements: fs.FinancialStatements,
    year: int,
    missing: list[str],
) -> tuple[fs.OperatingAccounts, dict[int, int]]:
    """Each committee's net cost from the accounts by responsibility; the rest in one row."""
    chart = ledger.chart(MUNICIPALITY_ENTITY)
    by_key = {f.unit.key: f.unit for f in figures}
    lines = books.balances_by_responsibility(
        ledger.session, municipality_id=ledger.mid, year=year, month=12
    )
    actual: dict[int, int] = defaultdict(int)
    rest = 0
    split = any(responsibility for _, responsibility in lines)
    for (account, responsibility), amount in lines.items():
        if chart.line_of(account) not in NET_COST_POSTS:
            continue
        owner = _responsibility_owner(ledger.config, by_key, responsibility) if split else None
        if owner is not None:
            actual[owner.id] += amount  # type: ignore[index]
        else:
            rest += amount
    net_cost = -statements.income.value("verksamhetens_nettokostnader")
    if not split:
        missing.append(
            f"ansvar i saldobalansen {year}: nämndernas utfall i driftredovisningen är "
            "utfallsimportens (arshjul import utfall)"
        )
        actual = {f.unit.id: f.actual_kr for f in figures}  # type: ignore[misc]
        rest = net_cost - sum(actual.values())
    rows = [
        fs.OperatingRow(f.unit.name, f.budget_kr, actual.get(f.unit.id, 0))  # type: ignore[arg-type]
        for f in figures
    ]
    budget = ledger.result_budget(year)
    frames = [f.budget_kr for f in figures]
    rest_budget = None
    if budget is not None and all(b is not None for b in frames):
        rest_budget = -budget["verksamhetens_nettokostnader"] - sum(b or 0 for b in frames)
    rows.append(fs.OperatingRow(OTHER_OPERATIONS, rest_budget, rest, committee=False))
    return fs.OperatingAccounts(tuple(rows), net_cost), dict(actual)


def _investments(ledger: Ledger, year: int, missing: list[str]) -> tuple[fs.InvestmentRow, ...]:
    """Each project with a frame for the year: the year's budget and actual, and the whole
    project's over every year it has a frame."""
    session = ledger.session
    frames = session.exec(
        select(BudgetFrame, OrgUnit)
        .join(OrgUnit, col(OrgUnit.id) == BudgetFrame.unit_id)
        .where(BudgetFrame.municipality_id == ledger.mid, BudgetFrame.kind == FrameKind.INVESTMENT)
        .order_by(OrgUnit.sort_order, BudgetFrame.area)  # type: ignore[arg-type]
    ).all()
    by_project: dict[tuple[int, str], dict[int, list[BudgetFrame]]] = defaultdict(
        lambda: defaultdict(list)
    )
    names: dict[int, str] = {}
    for frame, unit in frames:
        by_project[(unit.id, frame.area)][frame.budget_year].append(frame)  # type: ignore[index]
        names[unit.id] = unit.name  # type: ignore[index]
    actuals: dict[tuple[int, str, int], int] = defaultdict(int)
    for row in session.exec(
        select(FinancialFigure).where(
            FinancialFigure.municipality_id == ledger.mid,
            FinancialFigure.kind == FigureKind.ACTUAL,
            FinancialFigure.project != "",
            FinancialFigure.year <= year,
        )
    ):
        actuals[(row.unit_id, row.project, row.year)] += row.amount_kr
    rows = []
    for (unit_id, project), by_year in by_project.items():
        counted = {y: best for y, fs_ in by_year.items() if (best := counting(fs_)) is not None}
        if year not in counted:
            continue
        years = sorted(counted)
        several = len(years) > 1
        rows.append(
            fs.InvestmentRow(
                name=project,
                unit=names[unit_id],
                budget_kr=counted[year].amount_kr,
                actual_kr=actuals.get((unit_id, project, year), 0),
                project_budget_kr=sum(f.amount_kr for f in counted.values()) if several else None,
                project_actual_kr=(
                    sum(v for (u, p, y), v in actuals.items() if (u, p) == (unit_id, project))
                    if several
                    else None
                ),
                years=f"{years[0]}–{years[-1]}" if several else "",
            )
        )
    if not rows:
        missing.append(f"investeringsramar för {year} (arshjul import ramar, typ investering)")
    return tuple(rows)


# ----------------------------------------------------------------------------- the group
def _members(ledger: Ledger, year: int, month: int, missing: list[str]) -> list[Member]:
    members = []
    for member in books.group_members(ledger.session, municipality_id=ledger.mid):
        posted = ledger.posted(member.key, year, month)
        if posted is None:
            missing.append(
                f"saldobalans för {member.name} {_label(year, month)} "
                f"(arshjul import saldobalans --bolag {member.key})"
            )
            continue
        members.append(Member(member.key, member.name, member.share, posted.income, posted.balance))
    return members


def _transactions(ledger: Ledger, year: int) -> list[tuple[Transaction, str, str, int]]:
    return [
        (Transaction(t.kind), t.from_entity, t.to_entity, t.amount_kr)
        for t in books.group_transactions(ledger.session, municipality_id=ledger.mid, year=year)
    ]


def _group(
    ledger: Ledger, year: int, month: int, *, annual: bool, missing: list[str]
) -> fs.GroupAccounts | None:
    """The group's statements, bridge and members for a period (and last year's)."""
    me = MUNICIPALITY_ENTITY
    own = ledger.posted(me, year, month)
    if own is None:
        return None
    members = _members(ledger, year, month, missing)
    if not members:
        missing.append(f"bolagens och förbundens saldobalanser {_label(year, month)}")
        return None
    transactions = _transactions(ledger, year)
    if not transactions:
        missing.append(f"koncerninterna transaktioner {year} (arshjul import koncerninternt)")
    group = consolidate((own.income, own.balance), members, transactions)
    income = income_values(group.income)
    balance = balance_values(group.balance, income["arets_resultat"])

    def previous(y: int) -> tuple[dict[str, int], dict[str, int]] | None:
        prior = ledger.posted(me, y, 12)
        prior_members = [
            m for m in _members(ledger, y, 12, []) if m.key in {x.key for x in members}
        ]
        if prior is None or len(prior_members) != len(members):
            return None
        consolidated = consolidate(
            (prior.income, prior.balance), prior_members, _transactions(ledger, y)
        )
        i = income_values(consolidated.income)
        return i, balance_values(consolidated.balance, i["arets_resultat"])

    last = previous(year - 1)
    income_columns = [
        Column(str(year) if annual else f"Jan–{month_name(month)[:3]} {year}", income)
    ]
    balance_columns = [Column(_month_end(year, month), balance)]
    if last is not None:
        if annual:
            income_columns.append(Column(str(year - 1), last[0]))
        balance_columns.append(Column(_month_end(year - 1, 12), last[1]))
    else:
        missing.append(f"kommunkoncernens jämförelsetal {year - 1} (saldobalanser {year - 1}-12)")
    cash_flow = None
    if annual and last is not None:
        flows = [Column(str(year), cash_flow_values(income, last[1], balance))]
        earlier = previous(year - 2)
        if earlier is not None:
            flows.append(Column(str(year - 1), cash_flow_values(last[0], earlier[1], last[1])))
        cash_flow = StatementTable("cash_flow", tuple(flows))
    # The bridge: the municipality, the members at their shares, the eliminations.
    own_income = income_values(own.income)
    members_income: dict[str, int] = defaultdict(int)
    members_balance: dict[str, int] = defaultdict(int)
    for _, scaled_income, scaled_balance in group.members:
        for key, value in scaled_income.items():
            members_income[key] += value
        for key, value in scaled_balance.items():
            members_balance[key] += value
    eliminated_income: dict[str, int] = defaultdict(int)
    eliminated_balance: dict[str, int] = defaultdict(int)
    for elimination in group.eliminations:
        for key, value in elimination.income.items():
            eliminated_income[key] += value
        for key, value in elimination.balance.items():
            eliminated_balance[key] += value
    members_result = income_values(members_income)["arets_resultat"]
    eliminated_result = income_values(eliminated_income)["arets_resultat"]
    bridge_income = StatementTable(
        "income",
        (
            Column("Kommunen", own_income),
            Column("Bolag och förbund", income_values(members_income)),
            Column("Elimineringar", income_values(eliminated_income)),
            Column("Kommunkoncernen", income),
        ),
    )
    bridge_balance = StatementTable(
        "balance",
        (
            Column("Kommunen", balance_values(own.balance, own_income["arets_resultat"])),
            Column("Bolag och förbund", balance_values(members_balance, members_result)),
            Column("Elimineringar", balance_values(eliminated_balance, eliminated_result)),
            Column("Kommunkoncernen", balance),
        ),
    )
    names = {m.key: m.name for m in members} | {me: ledger.ctx.municipality.name}
    own_balance = balance_values(own.balance, own_income["arets_resultat"])
    members_assets = balance_values(members_balance, members_result)["summa_tillgangar"]
    is_material = material(
        own_balance["summa_tillgangar"],
        own_income["verksamhetens_intakter"],
        members_assets,
        members_income.get("verksamhetens_intakter", 0),
        Decimal(str(ledger.config.group.material_percent)),
    )
    whole = members_assets + own_balance["summa_tillgangar"]
    share_text = (
        f"Bolagen och förbunden står, efter kommunens ägarandel, för "
        f"{format_percent(Decimal(members_assets) / whole)} av kommunkoncernens tillgångar "
        "före elimineringar."
        if whole
        else ""
    )
    kinds = {"company": "bolag", "federation": "kommunalförbund"}
    member_kinds = {
        m.key: m.kind for m in books.group_members(ledger.session, municipality_id=ledger.mid)
    }
    return fs.GroupAccounts(
        members=tuple(
            fs.GroupMemberRow(
                member.name,
                kinds.get(member_kinds.get(member.key, "company"), "bolag"),
                member.share * 100,
                income_values(member.income)["arets_resultat"],
                income_values(scaled_income)["arets_resultat"],
            )
            for member, scaled_income, _ in group.members
        ),
        eliminations=tuple(
            fs.EliminationRow(
                TRANSACTION_SV[e.kind].capitalize(),
                names.get(e.source, e.source),
                names.get(e.target, e.target),
                e.amount_kr,
                e.eliminated_kr,
            )
            for e in group.eliminations
        ),
        income=StatementTable("income", tuple(income_columns)),
        balance=StatementTable("balance", tuple(balance_columns)),
        bridge_income=bridge_income,
        bridge_balance=bridge_balance,
        cash_flow=cash_flow,
        material=is_material,
        share_text=share_text,
        missing=tuple(m for m in missing if "koncern" in m or "--bolag" in m),
    )


# ----------------------------------------------------------------------------- requirement
def _adjusted(ledger: Ledger, year: int, result_kr: int) -> BalanceRequirement:
    """The balance requirement of a year from its result and its reported adjustments."""
    facts = ledger.figures("key_figure", year)

    def kr(key: str) -> int:
        return int(facts.get(key, 0))

    return BalanceRequirement(
        result_kr=result_kr,
        realisation_gains_kr=kr("realisationsvinster"),
        realisation_losses_excepted_kr=kr("realisationsforluster_undantag"),
        unrealised_securities_kr=kr("orealiserade_vardepapper"),
        to_reserve_kr=kr("till_rur"),
        from_reserve_kr=kr("fran_rur"),
        reported=any(k in facts for k in BALANCE_REQUIREMENT_KEYS),
    )


def _balance_result(ledger: Ledger, year: int) -> int | None:
    """A year's balanskravsresultat: from its books, else from the imported history."""
    income = ledger.income(MUNICIPALITY_ENTITY, year, 12)
    if income is not None:
        return _adjusted(ledger, year, income["arets_resultat"]).balance_result_kr
    value = ledger.key_figure("balanskravsresultat", year)
    return None if value is None else int(value)


def _requirement(
    ledger: Ledger, year: int, result_kr: int, reserve_kr: int | None, missing: list[str]
) -> BalanceRequirement:
    adjusted = _adjusted(ledger, year, result_kr)
    if not adjusted.reported:
        missing.append(
            f"balanskravsjusteringar {year} (realisationsvinster, resultatutjämningsreserv; "
            "arshjul import nyckeltal); utredningen är gjord utan justeringar"
        )
    history = [(y, _balance_result(ledger, y)) for y in range(year - 3, year)]
    before = deficit_before(history, year)
    if before is None:
        unknown = [str(y) for y, v in history if v is None]
        missing.append(f"balanskravsresultat {', '.join(unknown)} (underskott att återställa)")
    return replace(adjusted, reserve_balance_kr=reserve_kr, deficit_before_kr=before)


# ----------------------------------------------------------------------------- management
def _overview(ledger: Ledger, year: int) -> tuple[tuple[int, ...], tuple[fs.OverviewRow, ...]]:
    """The five-year overview: computed where the books are, else the imported history."""
    years = tuple(range(year - 4, year + 1))
    by_year: dict[int, dict[str, Any]] = {}
    for y in years:
        values: dict[str, Any] = {}
        income = ledger.income(MUNICIPALITY_ENTITY, y, 12)
        balance = ledger.balance(MUNICIPALITY_ENTITY, y, 12)
        start = ledger.opening(MUNICIPALITY_ENTITY, y)
        if income is not None and balance is not None:
            investments = (
                -cash_flow_values(income, start, balance)["cf_materiella"] if start else None
            )
            contingent = ledger.key_figure("ansvarsforbindelse_pensioner", y)
            values = computed(
                income,
                balance,
                investments_kr=investments,
                contingent_pensions_kr=None if contingent is None else int(contingent),
                balance_result_kr=_balance_result(ledger, y),
            )
        imported = ledger.figures("key_figure", y)
        plan = ledger.figures("financial_goal", y)
        for figure in OVERVIEW:
            if values.get(figure.key) is not None:
                continue
            value = imported.get(figure.key)
            if figure.key == "skattesats" and value is None:
                value = plan.get("skattesats")
            if value is not None:
                values[figure.key] = int(value) if figure.unit == "tkr" else Decimal(str(value))
        by_year[y] = values
    rows = tuple(
        fs.OverviewRow(f.label, f.unit, tuple(by_year[y].get(f.key) for y in years))
        for f in OVERVIEW
    )
    return years, rows


def _board_texts(answer: StageForm | None) -> dict[str, str]:
    """The executive board's texts for the management report, by the form's field: the
    annual report asks for all of them, the interim report for two."""
    if isinstance(answer, ArsredovisningForm):
        return {
            "overview": answer.overview,
            "significant_events": answer.significant_events,
            "important_circumstances": answer.important_circumstances,
            "personnel": answer.personnel,
            "expected_development": answer.expected_development,
        }
    if isinstance(answer, DelarForm):
        return {
            "significant_events": answer.significant_events,
            "expected_development": answer.expected_development,
        }
    return {}


def _events(answer: StageForm) -> str:
    """A unit's events of significance in the period, in the reports that ask for them."""
    return answer.significant_events if isinstance(answer, DelarForm | ArsredovisningForm) else ""


def _management(
    ledger: Ledger,
    year: int,
    balance: StatementTable | None,
    *,
    annual: bool,
    missing: list[str],
) -> fs.ManagementReport:
    ctx = ledger.ctx
    answers = answers_by_unit(ctx.session, ctx.stage, StageForm)
    board = ctx.session.exec(
        select(OrgUnit).where(
            OrgUnit.municipality_id == ledger.mid, OrgUnit.kind == UnitKind.EXECUTIVE_BOARD
        )
    ).first()
    written = _board_texts(answers.get(stored_id(board)) if board else None)
    texts = {name: written.get(field_, "") for field_, name in MANAGEMENT_TEXTS.items()}
    for field_, name in MANAGEMENT_TEXTS.items():
        if not texts[name] and (annual or field_ in ("significant_events", "expected_development")):
            missing.append(f"kommunstyrelsens text: {field_.replace('_', ' ')} ({name})")
    units = {
        u.id: u
        for u in ctx.session.exec(select(OrgUnit).where(OrgUnit.municipality_id == ledger.mid))
    }
    events = tuple(
        (units[uid].name, _events(answer))
        for uid, answer in sorted(answers.items(), key=lambda a: units[a[0]].sort_order)
        if _events(answer) and uid != (board.id if board else None)
    )
    years: tuple[int, ...] = (year,)
    overview: tuple[fs.OverviewRow, ...] = ()
    sick: list[fs.SickLeaveRow] = []
    pensions = None
    if annual:
        years, overview = _overview(ledger, year)
        this, last = ledger.figures("sick_leave", year), ledger.figures("sick_leave", year - 1)
        if not this:
            missing.append(f"sjukfrånvaro {year} (arshjul import sjukfranvaro)")
        sick = [
            fs.SickLeaveRow(
                label,
                Decimal(str(this[key])) if key in this else None,
                Decimal(str(last[key])) if key in last else None,
            )
            for key, label in SICK_LEAVE_GROUPS
        ]
        if balance is not None:
            contingent = ledger.key_figure("ansvarsforbindelse_pensioner", year)
            contingent_last = ledger.key_figure("ansvarsforbindelse_pensioner", year - 1)
            pensions = fs.Pensions(
                balance.value("avsattning_pensioner"),
                balance.value("avsattning_pensioner", 1) if len(balance.columns) > 1 else None,
                None if contingent is None else int(contingent),
                None if contingent_last is None else int(contingent_last),
            )
    return fs.ManagementReport(
        years=years,
        overview=overview,
        texts=texts,
        events=events,
        sick_leave=tuple(sick),
        pensions=pensions,
    )


def _financial_goals(
    ledger: Ledger, year: int, figures: Mapping[str, Any], *, forecast: bool
) -> tuple[fs.FinancialGoal, ...]:
    """Each financial goal the council set for the year, assessed from the figures."""
    plan = ledger.figures("financial_goal", year)
    goals = []
    for measure in GOAL_MEASURES:
        if measure.key not in plan:
            continue
        target = Decimal(str(plan[measure.key]))
        outcome = figures.get(measure.figure)
        if outcome is not None:
            shown = format_percent(Decimal(outcome) / 100)
        elif forecast:
            # Only the income statement is forecast: a goal on the balance sheet or the
            # investments is assessed at the year's end.
            shown = "bedöms i årsredovisningen"
        else:
            shown = "uppgift saknas"
        if measure.figure == "resultatandel" and "arets_resultat" in figures:
            shown += f" ({format_tkr(figures['arets_resultat'])})"
        goals.append(
            fs.FinancialGoal(
                measure.label,
                f"{'minst' if measure.at_least else 'högst'} {format_percent(target / 100)}",
                shown,
                goal_met(measure, target, None if outcome is None else Decimal(outcome)),
            )
        )
    return tuple(goals)


# ----------------------------------------------------------------------------- the reports
def annual_report_parts(ctx: StageContext, figures: list[UnitFigures]) -> ReportParts:
    """Everything financial in the annual report of ``ctx.year``."""
    ledger = Ledger(ctx)
    year, missing = ctx.year, ctx.missing
    statements = _statements(ledger, year, 12, annual=True, missing=missing)
    parts = ReportParts()
    parts.investments = _investments(ledger, year, missing)
    if statements is not None:
        parts.statements = statements
        parts.operating, parts.unit_actuals = _operating(ledger, figures, statements, year, missing)
        reserve = statements.balance.value("resultatutjamningsreserv")
        parts.balance_requirement = _requirement(
            ledger, year, statements.result_kr, reserve or None, missing
        )
        parts.group = _group(ledger, year, 12, annual=True, missing=missing)
        balance = statements.balance
        start = ledger.opening(MUNICIPALITY_ENTITY, year)
        income, close = statements.income.columns[0].values, balance.columns[0].values
        contingent = ledger.key_figure("ansvarsforbindelse_pensioner", year)
        key = computed(
            income,
            close,
            investments_kr=-cash_flow_values(income, start, close)["cf_materiella"]
            if start
            else None,
            contingent_pensions_kr=None if contingent is None else int(contingent),
            balance_result_kr=parts.balance_requirement.balance_result_kr,
        )
        parts.financial_goals = _financial_goals(ledger, year, key, forecast=False)
    parts.management = _management(
        ledger, year, statements.balance if statements else None, annual=True, missing=missing
    )
    return parts


def interim_report_parts(ctx: StageContext, month: int) -> ReportParts:
    """Everything financial in the interim report through ``month`` (RKR R17)."""
    ledger = Ledger(ctx)
    year, missing = ctx.year, ctx.missing
    parts = ReportParts()
    parts.statements = _statements(ledger, year, month, annual=False, missing=missing)
    forecast = ledger.result_forecast(year, month)
    if forecast is not None:
        income = forecast[1]
        parts.balance_requirement = _requirement(
            ledger, year, income["arets_resultat"], None, missing
        )
        taxes = income["skatteintakter"] + income["generella_statsbidrag"]
        key: dict[str, Any] = {"arets_resultat": income["arets_resultat"]}
        if taxes:
            key["resultatandel"] = (Decimal(income["arets_resultat"]) * 100 / taxes).quantize(
                Decimal("0.1")
            )
        parts.financial_goals = _financial_goals(ledger, year, key, forecast=True)
    group = _group(ledger, year, month, annual=False, missing=missing)
    parts.group = group
    parts.management = _management(ledger, year, None, annual=False, missing=missing)
    return parts

"""The follow-up documents (tertial, delår, årsredovisning, ekonomirapport, åtgärdsplan),
built from realistic data and read back with python-docx."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
import sample_books
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)

from arshjul.accounts.layout import BALANCE_SHEET, with_sums
from arshjul.documents.arsredovisning import build_arsredovisning_document
from arshjul.documents.atgardsplan import build_atgardsplan_document
from arshjul.documents.delar import build_delar_document
from arshjul.documents.ekonomirapport import build_ekonomirapport_document
from arshjul.documents.followup_contents import (
    ActionPlanFollowUp,
    ActionPlanMeasure,
    ActionPlanSummary,
    BalanceRequirement,
    CompanyAssessment,
    CompanyReport,
    ControlOutcome,
    FinancialGoal,
    FollowUpData,
    GoalReport,
    IndicatorResult,
    InternalControl,
    InvestmentRow,
    ReportKind,
    UnitEconomy,
)
from arshjul.documents.tertial import build_tertial_document
from arshjul.errors import ArshjulError
from arshjul.formats import format_tkr, month_name, parse_tkr

M = 1_000_000
KS, BUN, SN = "Kommunstyrelsen", "Barn- och utbildningsnämnden", "Socialnämnden"
FK = "Fritids- & kulturnämnden"
ODD = 'Teknik- & servicenämnden <"Åä-öÖ">'
LITERAL = "**inte fetstil** & <taggar>"
AREAS = ("Inspirerande livsmiljö", "Inspirerande lärande och arbete", "Inspirerande organisation")
LEVELS = ("Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt", "Ej bedömd")
MONTHS = {"tertial": 4, "delar": 8, "arsredovisning": 12, "ekonomirapport-november": 10}


# --------------------------------------------------------------------------- sample data
def units(*, months: int, forecasts: bool = True, plan_state: str | None = None) -> list:
    """Five committees; Socialnämnden overspends beyond its threshold."""
    rows = [
        (KS, 228_400_000, 227_100_000, 1 * M, "Lägre kostnader för konsulter."),
        (BUN, 431_250_000, 432_000_000, 1 * M, "Fler elever i grundskolan än budgeterat."),
        (FK, 46_800_000, 46_500_000, 234_000, "Vakanser på biblioteket."),
        (SN, 293_555_000, 299_555_000, 1 * M, "Fler externa placeringar & ökad hemtjänst."),
        (ODD, 80_000_000, 80_300_000, 400_000, f"# inte en rubrik\n\n{LITERAL}\nandra raden."),
    ]
    return [
        UnitEconomy(
            name,
            budget,
            round(forecast * months / 12 * 0.98),
            forecast if forecasts else None,
            threshold,
            plan_state if name == SN else None,
            explanation,
            "Vakansprövning och översyn av inköp." if name == SN else "",
        )
        for name, budget, forecast, threshold, explanation in rows
    ]


def plan(*, state: str, follow_ups: int = 0, closed: dt.date | None = None) -> ActionPlanSummary:
    """Socialnämnden's plan: two measures, followed up in June and November."""
    done = [
        ActionPlanFollowUp(
            "Ekonomirapport juni", -3 * M, "Placeringarna minskar", dt.date(2027, 6, 7)
        ),
        ActionPlanFollowUp("Ekonomirapport november", 0, "I balans & klart", dt.date(2027, 11, 11)),
    ]
    return ActionPlanSummary(
        SN,
        -6 * M,
        dt.date(2027, 5, 12),
        state,
        [
            ActionPlanMeasure("Färre externa placeringar", 3_500_000, SN, "2027-06-15"),
            ActionPlanMeasure(
                'Vakansprövning "hårdare" & <snabbare>',
                1_500_000,
                "Förvaltningschefen",
                dt.date(2027, 6, 1),
            ),
        ],
        needs_executive_board=True,
        follow_ups=done[:follow_ups],
        closed_on=closed,
        decided_by=SN,
        decided_on=dt.date(2027, 5, 27),
    )


def goals() -> list[GoalReport]:
    """Council goals on all four levels, with committee and company goals under them."""
    pct = "%"
    return [
        GoalReport(
            "1.1",
            "Attraktiva boendemiljöer",
            "council",
            None,
            AREAS[0],
            "uppfyllt",
            "Alla delmål nås.",
        ),
        GoalReport(
            "1.2",
            "Trygg & säker kommun",
            "council",
            None,
            AREAS[0],
            "delvis uppfyllt",
            "Blandat.",
            [IndicatorResult("Andel invånare som känner sig trygga", pct, 80, 76.5)],
        ),
        GoalReport(
            "2.1",
            "Fler elever når målen",
            "council",
            None,
            AREAS[1],
            "ej uppfyllt",
            "Resultaten sjunker.",
        ),
        GoalReport("3.1", "Hållbar organisation", "council", None, AREAS[2], "ej bedömd", ""),
        GoalReport(
            "3.2",
            "Effektiv service",
            "council",
            None,
            AREAS[2],
            "uppfyllt",
            "Handläggningstiderna är korta.",
        ),
        GoalReport(
            "AB-1",
            "Fler hyresrätter",
            "company",
            "Arbogabostäder AB",
            AREAS[0],
            "uppfyllt",
            "Trettio nya lägenheter.",
            [IndicatorResult("Nya lägenheter", "st", 25, 30)],
            "1.1",
        ),
        GoalReport(
            "SN-1",
            "Trygg äldreomsorg",
            "committee",
            SN,
            AREAS[0],
            "delvis uppfyllt",
            "Nöjdheten ökar, väntetiderna inte.",
            [IndicatorResult("Nöjdhet", pct, 90, None)],
            "1.2",
        ),
        GoalReport(
            "BUN-1",
            "Höjda kunskapsresultat",
            "committee",
            BUN,
            AREAS[1],
            "ej uppfyllt",
            "Meritvärdet sjönk.",
            [IndicatorResult("Genomsnittligt meritvärde", "", 230.5, 221.25)],
            "2.1",
        ),
        GoalReport(
            "FK-1", "Fler besökare", "committee", FK, AREAS[2], "uppfyllt", "Rekordår.", [], None
        ),
    ]


def requirement(result: int) -> BalanceRequirement:
    return BalanceRequirement(result, 2 * M, unrealised_securities_kr=-500_000, deficit_before_kr=0)


def sample(kind: ReportKind | str, *, negative: bool = False, **changes: object) -> FollowUpData:
    """A complete data set for ``kind`` (year 2027)."""
    kind = ReportKind(kind)
    months = MONTHS.get(kind, 5)
    state = {"tertial": "begärd", "ekonomirapport-november": "avslutad"}.get(kind, "gäller")
    state = "avslutad" if kind is ReportKind.ANNUAL else state
    follow_ups = {"avslutad": 2, "gäller": 1 if kind in ("delar", "atgardsplan") else 0}.get(
        state, 0
    )
    closed = dt.date(2027, 11, 11) if state == "avslutad" else None
    result = -8 * M if negative else 12 * M
    annual = kind is ReportKind.ANNUAL
    statements = (
        sample_books.statements(result if annual else 38 * M, annual=annual)
        if kind in ("delar", "arsredovisning")
        else None
    )
    data = FollowUpData(
        municipality="Arboga kommun",
        year=2027,
        kind=kind,
        period=f"januari–{month_name(months)}",
        as_of=dt.date(2027 + months // 12, months % 12 + 1, 1) - dt.timedelta(days=1),
        units=units(months=months, plan_state=state),
        companies=[
            CompanyReport("Rådhuset i Arboga AB", 100, "Moderbolaget följer plan.", 1_200_000),
            CompanyReport(
                "Arbogabostäder AB",
                100,
                'Uthyrningsgraden är 99 % & "stabil".\n\nNya <hus> byggs.',
                -400_000,
            ),
            CompanyReport("Västra Mälardalens Energi AB", 12.5, "", None),
        ],
        action_plans=[plan(state=state, follow_ups=follow_ups, closed=closed)],
        goals=goals() if kind in ("delar", "arsredovisning") else [],
        statements=statements,
        operating=(
            sample_books.operating(
                statements, [(u.name, u.budget_kr, u.actual_kr) for u in units(months=12)]
            )
            if annual
            else None
        ),
        group=sample_books.group(statements, annual=annual) if statements else None,
        management=sample_books.management() if statements else None,
        balance_requirement=requirement(result),
        investments=[
            InvestmentRow(
                "Ny förskola <Ängen>", BUN, 40 * M, 37_500_000, 95 * M, 60 * M, "2026–2028"
            ),
            InvestmentRow("Gator & vägar", KS, 12 * M, 13 * M),
        ],
        sound_financial_management=[
            FinancialGoal(
                "Resultatet ska vara minst 2 % av skatteintäkter och statsbidrag",
                "2,0 %",
                "1,7 %",
                False,
            ),
            FinancialGoal(
                "Investeringarna ska självfinansieras till minst 70 %", "70 %", "82 %", True
            ),
            FinancialGoal("Soliditet & <likviditet>", "40 %", "–", None),
        ],
        company_assessments=[
            CompanyAssessment(
                "Arbogabostäder AB",
                "Att förvalta bostäder i Arboga.",
                "Verksamheten har följt ändamålet.",
                True,
            ),
            CompanyAssessment(
                "Arboga Vatten och Avlopp AB",
                "Vatten & avlopp.",
                "Taxan höjdes utan ägarens samråd.",
                False,
            ),
        ],
        internal_control=[
            InternalControl(
                SN,
                [
                    ControlOutcome(
                        "Felaktiga utbetalningar (3×4)",
                        "Stickprov av 20 ärenden",
                        "Två fel & en brist",
                        "Utbildning",
                    )
                ],
            ),
            InternalControl(ODD, []),
        ],
        forecast_basis=dt.date(2027, 3, 31) if kind == "tertial" else None,
        previous_report_on=dt.date(2027, 6, 7) if kind.value.startswith("ekonomirapport") else None,
        body="Kommunstyrelsen" if kind.value.startswith("ekonomirapport") else "Kommunfullmäktige",
        meeting_date=dt.date(2027, 10, 28),
        demo=True,
    )
    return dataclasses.replace(data, **changes) if changes else data


BUILDERS: dict[str, Callable[..., Path]] = {
    "tertial": build_tertial_document,
    "delar": build_delar_document,
    "arsredovisning": build_arsredovisning_document,
    "ekonomirapport-november": build_ekonomirapport_document,
    "atgardsplan": build_atgardsplan_document,
}
H1 = {
    "tertial": [
        "Sammanfattning",
        "Ekonomi per nämnd",
        "Nämndernas kommentarer",
        "Avvikelser och åtgärdsplaner",
        "Bolagen",
    ],
    "delar": [
        "Sammanfattning",
        "Förvaltningsberättelse (förenklad)",
        "Måluppfyllelse",
        "Resultaträkning",
        "Balansräkning",
        "Sammanställd resultat- och balansräkning",
        "Åtgärdsplaner",
        "Bolagen",
    ],
    "arsredovisning": [
        "Förvaltningsberättelse",
        "Måluppfyllelse",
        "Resultaträkning",
        "Balansräkning",
        "Kassaflödesanalys",
        "Noter",
        "Driftredovisning",
        "Investeringsredovisning",
        "Sammanställda räkenskaper",
    ],
    "ekonomirapport-november": [
        "Det ekonomiska läget",
        "Nämnderna",
        "Åtgärdsplaner som gäller",
        "Avslutade åtgärdsplaner",
    ],
    "atgardsplan": ["Avvikelsen", "Åtgärder", "Beslut", "Uppföljning"],
}
FILE_NAMES = {
    "tertial": "Tertialuppföljning 2027 – Arboga kommun.docx",
    "delar": "Delårsrapport 2027 – Arboga kommun.docx",
    "arsredovisning": "Årsredovisning 2027 – Arboga kommun.docx",
    "ekonomirapport-november": (
        "Ekonomirapport till kommunstyrelsen november 2027 – Arboga kommun.docx"
    ),
    "atgardsplan": "Åtgärdsplan – Socialnämnden 2027 – Arboga kommun.docx",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("uppfoljning")
    paths = {kind: build(sample(kind), out_dir=out) for kind, build in BUILDERS.items()}
    return paths


@pytest.fixture(scope="module")
def documents(built: dict[str, Path]) -> dict[str, Document]:
    return {kind: docx.Document(str(path)) for kind, path in built.items()}


def headings(document: Document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def text_of(document: Document) -> str:
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def cells(row: object) -> list[str]:
    return [c.text for c in row.cells]


def table_starting(document: Document, *header: str) -> Table:
    found = [t for t in document.tables if cells(t.rows[0])[: len(header)] == list(header)]
    assert len(found) == 1, [cells(t.rows[0]) for t in document.tables]
    return found[0]


def kronor(text: str) -> int:
    """A Swedish tkr figure back to kronor (no-break spaces, U+2212, decimal comma)."""
    return parse_tkr(text)


def percent(text: str) -> float:
    return float(text.replace("\u00a0%", "").replace("\u2212", "-").replace(",", "."))


# --------------------------------------------------------------------------- structure
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_file_name_has_title_and_year(built: dict[str, Path], kind: str) -> None:
    assert built[kind].name == FILE_NAMES[kind]
    assert zipfile.is_zipfile(built[kind])


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_headings_in_order_with_builtin_styles(documents: dict[str, Document], kind: str) -> None:
    found = headings(documents[kind])
    assert [text for level, text in found if level == 1] == H1[kind]
    previous = 0
    for level, text in found:
        assert level <= previous + 1, f"heading jump before {text!r}"
        previous = level
    styles = {p.style.style_id for p in documents[kind].paragraphs}
    assert {"Heading1"} <= styles and not any(s.startswith("Heading4") for s in styles)


def test_interim_report_has_what_the_law_asks(documents: dict[str, Document]) -> None:
    found = [text for _, text in headings(documents["delar"])]
    for section in (
        "Förvaltningsberättelse (förenklad)",
        "Händelser av väsentlig betydelse",
        "Förväntad utveckling",
        "God ekonomisk hushållning",
        "Balanskravsresultat",
        "Den kommunala koncernen",
        "Resultaträkning",
        "Balansräkning",
        "Sammanställd resultat- och balansräkning",
    ):
        assert section in found
    text = text_of(documents["delar"])
    assert "Prognos helår" in text and "Bedöms inte uppfyllas" in text  # expected development
    assert "utifrån helårsprognosen" in text
    rr = table_starting(documents["delar"], "Resultaträkning, tkr")
    assert cells(rr.rows[0])[1:] == ["Jan–aug 2027", "Jan–aug 2026", "Budget 2027"]
    br = table_starting(documents["delar"], "Balansräkning, tkr")
    assert cells(br.rows[0])[1:] == ["2027-12-31", "2026-12-31"]


def test_annual_report_skeleton_in_law_order(documents: dict[str, Document]) -> None:
    found = headings(documents["arsredovisning"])
    level1 = [text for level, text in found if level == 1]
    assert level1 == H1["arsredovisning"]
    level2 = [text for level, text in found if level == 2]
    management = [
        "Översikt över verksamhetens utveckling",
        "Den kommunala koncernen",
        "Viktiga förhållanden för resultat och ekonomisk ställning",
        "Händelser av väsentlig betydelse",
        "Styrning och uppföljning av den egna verksamheten",
        "God ekonomisk hushållning och ekonomisk ställning",
        "Balanskravsresultat",
        "Väsentliga personalförhållanden",
        "Förväntad utveckling",
        "Pensionsförpliktelser",
    ]
    assert level2[: len(management)] == management  # LKBR 11 kap., RKR R15
    level3 = [text for level, text in found if level == 3]
    assert {"Intern kontroll", "Kommunstyrelsens uppsikt över bolagen"} <= set(level3)
    table_starting(documents["arsredovisning"], "Kassaflödesanalys, tkr")
    text = text_of(documents["arsredovisning"])
    for words in (
        "Ett år med <starkt> skatteunderlag & låga räntor.",
        "Ny förskola invigd.",
        "Befolkningen minskar.",
        "Rekryteringen är svår.",
        "Kostnaderna ökar.",
        "Nytt boende öppnat.",
    ):
        assert words in text


def test_tertial_says_what_the_forecasts_rest_on(documents: dict[str, Document]) -> None:
    text = text_of(documents["tertial"])
    assert "Nämndernas prognoser utgår från utfallet till och med mars." in text
    assert "Avvikelse = budget − prognos; ett negativt tal är ett underskott." in text


# --------------------------------------------------------------------------- economy
@pytest.mark.parametrize(
    ("kind", "actuals"),
    [
        ("tertial", "Utfall jan–apr"),
        ("delar", "Utfall jan–aug"),
        ("ekonomirapport-november", "Utfall jan–okt"),
    ],
)
def test_economy_table_adds_up(documents: dict[str, Document], kind: str, actuals: str) -> None:
    data = sample(kind)
    table = table_starting(documents[kind], "Nämnd", "Budget", actuals, "Prognos helår")
    rows = [cells(r) for r in table.rows[1:]]
    body, totals = rows[:-1], rows[-1]
    assert [r[0] for r in body] == [u.name for u in data.units]
    for row, unit in zip(body, data.units, strict=True):
        budget, forecast, deviation = kronor(row[1]), kronor(row[3]), kronor(row[4])
        assert (budget, forecast) == (unit.budget_kr, unit.forecast_kr)
        assert deviation == budget - forecast == unit.deviation_kr
        assert row[4].startswith("\u2212") == (deviation < 0)
        assert percent(row[5]) == pytest.approx(100 * deviation / budget, abs=0.05)
    assert totals[0] == "Summa"
    assert kronor(totals[3]) == sum(kronor(r[3]) for r in body) == data.forecast_kr
    assert kronor(totals[1]) == sum(kronor(r[1]) for r in body)
    assert kronor(totals[4]) == kronor(totals[1]) - kronor(totals[3]) == -5_450_000
    sn = next(r for r in body if r[0] == SN)
    assert sn[4] == "\u22126\u00a0000,0" and sn[6] != "–"


def test_financial_report_without_forecasts_uses_the_budget_share(tmp_path: Path) -> None:
    data = sample("ekonomirapport-juni", units=units(months=5, forecasts=False))
    document = docx.Document(str(build_ekonomirapport_document(data, out_dir=tmp_path)))
    table = table_starting(document, "Nämnd", "Budget jan–maj", "Utfall")
    rows = [cells(r) for r in table.rows[1:]]
    for row, unit in zip(rows[:-1], data.units, strict=True):
        share = round(unit.budget_kr * 5 / 12)
        assert kronor(row[1]) == pytest.approx(share, abs=50)
        assert kronor(row[3]) == pytest.approx(share - unit.actual_kr, abs=50)
    assert "5 av årets tolv månader" in text_of(document)
    assert not document.inline_shapes  # no forecast, no chart


def test_financial_report_shows_plans_in_force_and_closed_since_last(
    documents: dict[str, Document], tmp_path: Path
) -> None:
    november = text_of(documents["ekonomirapport-november"])
    assert "Det finns ingen åtgärdsplan som gäller." in november
    assert "avslutats sedan förra rapporten den 7 juni 2027" in november
    closed = table_starting(
        documents["ekonomirapport-november"], "Nämnd", "Avvikelse vid start, tkr"
    )
    assert cells(closed.rows[1]) == [SN, "\u22126\u00a0000,0", "12 maj 2027", "11 november 2027"]
    follow_ups = table_starting(documents["ekonomirapport-november"], "Uppföljning")
    assert [cells(r)[1] for r in follow_ups.rows[1:]] == ["\u22123\u00a0000,0", "0,0"]
    assert "I balans & klart" in november
    juni = sample("ekonomirapport-juni")
    document = docx.Document(str(build_ekonomirapport_document(juni, out_dir=tmp_path)))
    assert [t for _, t in headings(document)].count(SN) == 2  # committee and its plan
    assert "Ingen åtgärdsplan har avslutats sedan förra rapporten" in text_of(document)


def test_deviations_beyond_threshold_are_listed_with_their_plans(
    documents: dict[str, Document],
) -> None:
    text = text_of(documents["tertial"])
    line = f"{SN}: avvikelse \u22126\u00a0000,0\u00a0tkr (tröskel 1\u00a0000,0\u00a0tkr)"
    assert f"{line}, åtgärdsplan: begärd" in text
    assert "Planen har inga åtgärder ännu." not in text  # the sample plan has measures
    for other in (KS, BUN, FK, ODD):
        assert f"{other}: avvikelse" not in text


def test_action_plan_document(documents: dict[str, Document]) -> None:
    document = documents["atgardsplan"]
    table = table_starting(document, "Åtgärd", "Effekt, tkr", "Beslutas av", "När")
    rows = [cells(r) for r in table.rows[1:]]
    assert rows[-1][:2] == ["Summa effekt", "5\u00a0000,0"]
    assert kronor(rows[-1][1]) == sum(kronor(r[1]) for r in rows[:-1])
    assert rows[0][3] == "15 juni 2027" and rows[1][3] == "1 juni 2027"  # ISO text as a date
    text = text_of(document)
    assert "Planen behöver beslut av kommunstyrelsen" in text
    assert "Efter åtgärderna återstår en avvikelse på \u22121\u00a0000,0\u00a0tkr." in text
    assert document.paragraphs[0].text == "Åtgärdsplan – Socialnämnden"


def test_action_plan_needs_exactly_one_plan(tmp_path: Path) -> None:
    data = sample("atgardsplan")
    other = dataclasses.replace(plan(state="gäller"), unit=KS)
    two = dataclasses.replace(data, action_plans=[*data.action_plans, other])
    with pytest.raises(ArshjulError, match="precis en åtgärdsplan"):
        build_atgardsplan_document(two, out_dir=tmp_path)
    path = build_atgardsplan_document(two, out_dir=tmp_path, unit=KS)
    assert path.name == "Åtgärdsplan – Kommunstyrelsen 2027 – Arboga kommun.docx"


# --------------------------------------------------------------------------- goals
@pytest.mark.parametrize("kind", ["delar", "arsredovisning"])
def test_goal_attainment_per_area_matches_the_data(
    documents: dict[str, Document], kind: str
) -> None:
    data = sample(kind)
    table = table_starting(documents[kind], "Strategiskt område", *LEVELS, "Summa")
    rows = [cells(r) for r in table.rows[1:]]
    expected = {
        area: [
            sum(1 for g in data.council_goals if g.strategic_area == area and g.attainment == lv)
            for lv in ("uppfyllt", "delvis uppfyllt", "ej uppfyllt", "ej bedömd")
        ]
        for area in AREAS
    }
    assert expected == {
        AREAS[0]: [1, 1, 0, 0],
        AREAS[1]: [0, 0, 1, 0],
        AREAS[2]: [1, 0, 0, 1],
    }
    assert {r[0]: [int(v) for v in r[1:5]] for r in rows[:-1]} == expected
    assert all(int(r[5]) == sum(int(v) for v in r[1:5]) for r in rows)
    assert rows[-1] == ["Summa", "2", "1", "1", "1", "5"]
    descr = [d.get("descr") for d in documents[kind].element.body.iter(qn("wp:docPr"))]
    assert any(
        f"{AREAS[2]}: Uppfyllt 1, Delvis uppfyllt 0, Ej uppfyllt 0, Ej bedömd 1" in d for d in descr
    )


def test_each_goal_with_indicators_and_motivation(documents: dict[str, Document]) -> None:
    document = documents["delar"]
    level3 = [text for level, text in headings(document) if level == 3]
    for key, title in (("1.1", "Attraktiva boendemiljöer"), ("2.1", "Fler elever når målen")):
        assert f"{key} {title}" in level3
    indicators = table_starting(document, "Indikator", "Enhet", "Målvärde", "Utfall")
    assert cells(indicators.rows[1]) == ["Andel invånare som känner sig trygga", "%", "80", "76,5"]
    text = text_of(document)
    assert "Måluppfyllelse: Ej bedömd" in text and "Bedömningen saknar motivering." in text
    assert (
        "Nämndmål BUN-1 Höjda kunskapsresultat (Barn- och utbildningsnämnden): ej uppfyllt" in text
    )
    assert "Genomsnittligt meritvärde: målvärde 230,5, utfall 221,25" in text
    assert "Nöjdhet: målvärde 90\u00a0%, utfall –" in text
    assert "Bolagsmål AB-1 Fler hyresrätter (Arbogabostäder AB): uppfyllt" in text
    assert f"Övriga mål inom {AREAS[2]}" in level3 and "Rekordår." in text


def test_tertial_and_reports_without_goals_leave_them_out(documents: dict[str, Document]) -> None:
    for kind in ("tertial", "ekonomirapport-november", "atgardsplan"):
        assert "Måluppfyllelse" not in [t for _, t in headings(documents[kind])]


# --------------------------------------------------------------------------- statements
def _statement(document: Document, first: str) -> dict[str, list[int | None]]:
    table = table_starting(document, first)
    return {cells(r)[0]: [kronor(v) if v else None for v in cells(r)[1:]] for r in table.rows[1:]}


def _figures(document: Document, first: str) -> dict[str, list[int | None]]:
    """A statement's amounts by label, leaving out the note column."""
    table = table_starting(document, first)
    header = cells(table.rows[0])
    columns = [i for i, name in enumerate(header) if i and name != "Not"]
    return {
        cells(r)[0]: [kronor(cells(r)[i]) if cells(r)[i] else None for i in columns]
        for r in table.rows[1:]
    }


@pytest.mark.parametrize("kind", ["delar", "arsredovisning"])
def test_income_statement_and_balance_sheet_add_up(
    documents: dict[str, Document], kind: str
) -> None:
    rr = _figures(documents[kind], "Resultaträkning, tkr")
    for column in range(len(rr["Årets resultat"])):
        v = {label: values[column] or 0 for label, values in rr.items()}
        net = v["Verksamhetens intäkter"] + v["Verksamhetens kostnader"] + v["Avskrivningar"]
        assert v["Verksamhetens nettokostnader"] == net
        operating = net + v["Skatteintäkter"] + v["Generella statsbidrag och utjämning"]
        assert v["Verksamhetens resultat"] == operating
        after = operating + v["Finansiella intäkter"] + v["Finansiella kostnader"]
        assert v["Resultat efter finansiella poster"] == after == v["Årets resultat"]
    br = _figures(documents[kind], "Balansräkning, tkr")
    assert br["Tillgångar"] == [None, None]
    for column in (0, 1):
        v = {label: values[column] or 0 for label, values in br.items()}
        fixed = v["Mark, byggnader och tekniska anläggningar"] + v["Maskiner och inventarier"]
        assert v["Summa anläggningstillgångar"] == fixed + v["Finansiella anläggningstillgångar"]
        assert v["Summa omsättningstillgångar"] == v["Fordringar"] + v["Kassa och bank"]
        assets = v["Summa anläggningstillgångar"] + v["Summa omsättningstillgångar"]
        assert v["Summa tillgångar"] == assets
        assert v["Summa eget kapital, avsättningar och skulder"] == v["Summa tillgångar"]
    assert br["Årets resultat"][0] == rr["Årets resultat"][0]
    table = table_starting(documents[kind], "Resultaträkning, tkr")
    bold = [
        cells(r)[0]
        for r in table.rows[1:]
        if all(run.bold for run in r.cells[-1].paragraphs[0].runs)
    ]
    assert bold == [
        "Verksamhetens nettokostnader",
        "Verksamhetens resultat",
        "Resultat efter finansiella poster",
        "Årets resultat",
    ]


def test_balance_requirement_positive(documents: dict[str, Document]) -> None:
    lines = _statement(documents["delar"], "Balanskravsutredning")
    restore = _statement(documents["delar"], "Återställning av underskott")
    assert restore["Underskott att återställa efter årets resultat"] == [0]
    assert lines["Årets resultat"] == [12_000_000]
    assert lines["Samtliga realisationsvinster"] == [-2_000_000]
    assert lines["Årets balanskravsresultat"] == [10_500_000]
    text = text_of(documents["delar"])
    assert "Balanskravet bedöms uppfyllas för 2027." in text
    assert "11 kap. 12 §" not in text


@pytest.mark.parametrize("kind", ["delar", "arsredovisning"])
def test_negative_balance_requirement_calls_for_a_council_plan(tmp_path: Path, kind: str) -> None:
    data = sample(kind, negative=True)
    assert data.balance_requirement is not None and data.balance_requirement.negative
    document = docx.Document(str(BUILDERS[kind](data, out_dir=tmp_path)))
    lines = _statement(document, "Balanskravsutredning")
    assert lines["Årets balanskravsresultat"] == [-9_500_000]
    text = text_of(document)
    assert "negativt" in text and "\u22129\u00a0500,0\u00a0tkr" in text
    assert "kommunallagen (11 kap. 12 §)" in text and "senast 2030" in text
    assert (
        "Kommunfullmäktige ska anta en åtgärdsplan" in text
        or "kommunfullmäktige ska anta en åtgärdsplan" in text
    )


def test_annual_report_assessments_control_and_accounts(documents: dict[str, Document]) -> None:
    document = documents["arsredovisning"]
    assessed = table_starting(document, "Bolag", "Förenligt med ändamålet")
    assert [cells(r) for r in assessed.rows[1:]] == [
        ["Arbogabostäder AB", "Ja"],
        ["Arboga Vatten och Avlopp AB", "Nej"],
    ]
    control = table_starting(document, "Risk", "Kontroll", "Resultat", "Åtgärd")
    assert cells(control.rows[1]) == [
        "Felaktiga utbetalningar (3×4)",
        "Stickprov av 20 ärenden",
        "Två fel & en brist",
        "Utbildning",
    ]
    text = text_of(document)
    assert "Uppgift saknas: inga kontroller eller sammanfattning har redovisats." in text
    data = sample("arsredovisning")
    assert data.operating is not None and data.statements is not None
    drift = table_starting(document, "Nämnd", "Budget", "Utfall", "Avvikelse")
    rows = [cells(r) for r in drift.rows[1:]]
    for row in rows:
        assert kronor(row[3]) == kronor(row[1]) - kronor(row[2])
    assert rows[-1][0] == "Verksamhetens nettokostnader"
    assert kronor(rows[-1][2]) == sum(kronor(r[2]) for r in rows[:-1])
    rr = _figures(document, "Resultaträkning, tkr")
    assert kronor(rows[-1][2]) == -rr["Verksamhetens nettokostnader"][0]
    investments = table_starting(document, "Projekt")
    total = cells(investments.rows[-1])
    assert [kronor(t) for t in total[1:4]] == [52_000_000, 50_500_000, 1_500_000]
    assert cells(investments.rows[1])[4:] == ["95\u00a0000,0", "60\u00a0000,0"]
    assert cells(investments.rows[2])[4] == "ettårigt"
    cash = _figures(document, "Kassaflödesanalys, tkr")
    br = _figures(document, "Balansräkning, tkr")
    assert cash["Likvida medel vid årets slut"] == br["Kassa och bank"]
    assert cash["Likvida medel vid årets början"][0] == br["Kassa och bank"][1]


def test_missing_statements_are_marked_not_dropped(tmp_path: Path) -> None:
    data = sample("delar", statements=None, balance_requirement=None, group=None)
    document = docx.Document(str(build_delar_document(data, out_dir=tmp_path)))
    found = [t for _, t in headings(document)]
    assert {"Resultaträkning", "Balansräkning", "Balanskravsresultat"} <= set(found)
    text = text_of(document)
    assert "resultaträkning 2027: saldobalansen för perioden saknas" in text
    assert "helårsprognosen för resultaträkningen 2027 är inte inläst" in text
    annual = sample(
        "arsredovisning",
        statements=None,
        operating=None,
        investments=[],
        group=None,
        balance_requirement=None,
        management=None,
    )
    document = docx.Document(str(build_arsredovisning_document(annual, out_dir=tmp_path)))
    text = text_of(document)
    assert "Uppgift saknas: kommunens saldobalans för december 2027 är inte inläst" in text
    assert "Uppgift saknas: kassaflödesanalysen kräver" in text
    assert "Uppgift saknas: inga investeringsramar för 2027 är inlästa." in text
    assert "Kassaflödesanalys" in [t for _, t in headings(document)]


def test_missing_forecast_gives_no_made_up_total(tmp_path: Path) -> None:
    rows = units(months=4)
    rows[2] = dataclasses.replace(rows[2], forecast_kr=None)
    data = sample("tertial", units=rows)
    assert data.forecast_kr is None
    document = docx.Document(str(build_tertial_document(data, out_dir=tmp_path)))
    table = table_starting(document, "Nämnd", "Budget")
    assert cells(table.rows[3])[3:5] == ["–", "–"] and cells(table.rows[-1])[3:5] == ["–", "–"]
    assert f"Prognos saknas för {FK}." in text_of(document)


# --------------------------------------------------------------------------- accessibility, text
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_picture_has_alt_text(documents: dict[str, Document], kind: str) -> None:
    for doc_pr in documents[kind].element.body.iter(qn("wp:docPr")):
        assert doc_pr.get("descr", "").strip() and doc_pr.get("title", "").strip()
    expected = {"tertial": 1, "delar": 2, "arsredovisning": 1, "ekonomirapport-november": 1}
    assert len(documents[kind].inline_shapes) == expected.get(kind, 0)


def test_tables_have_header_rows(documents: dict[str, Document]) -> None:
    for document in documents.values():
        for table in document.tables:
            assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_special_characters_intact(documents: dict[str, Document], built: dict[str, Path]) -> None:
    document = documents["delar"]
    assert ODD in [t for _, t in headings(document)]
    text = text_of(document)
    for piece in (
        ODD,
        FK,
        "# inte en rubrik",  # literal: not turned into a heading
        f"{LITERAL} andra raden.",  # literal: no bold, no markup
        'Uthyrningsgraden är 99 % & "stabil".',
        "Nya <hus> byggs.",
        'Vakansprövning "hårdare" & <snabbare>',
        "Soliditet & <likviditet>",
    ):
        assert piece in text, piece
    paragraph = next(p for p in document.paragraphs if p.text.startswith(LITERAL))
    assert not any(run.bold for run in paragraph.runs)
    raw = zipfile.ZipFile(built["delar"]).read("word/document.xml").decode("utf-8")
    assert "&lt;&quot;Åä-öÖ&quot;&gt;" in raw or '&lt;"Åä-öÖ"&gt;' in raw
    descr = next(documents["tertial"].element.body.iter(qn("wp:docPr"))).get("descr")
    assert ODD in descr and "Budget" in descr


def test_demo_label(documents: dict[str, Document], tmp_path: Path) -> None:
    assert "Demouppgifter" in text_of(documents["tertial"])
    real = docx.Document(
        str(build_tertial_document(sample("tertial", demo=False), out_dir=tmp_path))
    )
    assert "demouppgifter" not in text_of(real).lower()


# --------------------------------------------------------------------------- data checks
def test_sums_are_properties() -> None:
    data = sample("delar")
    assert data.forecast_kr == sum(u.forecast_kr or 0 for u in data.units) == 1_085_455_000
    assert data.deviation_kr == data.budget_kr - data.forecast_kr
    assert [u.beyond_threshold for u in data.units] == [False, False, False, True, False]
    assert data.months_elapsed == 8
    assert data.action_plans[0].deviation_after_measures_kr == -1_000_000
    assert data.statements is not None and data.statements.result_kr == 38_000_000


def test_inconsistent_data_is_refused() -> None:
    statements = sample("delar").statements
    assert statements is not None
    posts = {
        d.key: v
        for d in BALANCE_SHEET
        if d.kind == "post" and (v := statements.balance.columns[0].values.get(d.key)) is not None
    }
    broken = dataclasses.replace(
        statements.balance.columns[0], values=with_sums(BALANCE_SHEET, {**posts, "kassa_bank": 1})
    )
    unbalanced = dataclasses.replace(
        statements,
        balance=dataclasses.replace(
            statements.balance, columns=(broken, *statements.balance.columns[1:])
        ),
    )
    with pytest.raises(ArshjulError, match="balanserar inte"):
        sample("delar", statements=unbalanced)
    with pytest.raises(ArshjulError, match="okänd måluppfyllelse"):
        sample("delar", goals=[dataclasses.replace(goals()[0], attainment="grönt")])
    with pytest.raises(ArshjulError, match="flera gånger"):
        sample("tertial", units=[*units(months=4), units(months=4)[0]])
    with pytest.raises(ArshjulError, match="balanskravsutredningens årets resultat"):
        sample("arsredovisning", balance_requirement=requirement(1))
    annual = sample("arsredovisning")
    assert annual.operating is not None
    short = dataclasses.replace(annual.operating, rows=annual.operating.rows[:-1])
    with pytest.raises(ArshjulError, match="driftredovisningen summerar"):
        sample("arsredovisning", operating=short)
    assert annual.group is not None
    wrong = dataclasses.replace(
        annual.group.bridge_income.columns[2],
        values={**annual.group.bridge_income.columns[2].values, "verksamhetens_intakter": 0},
    )
    bridge = dataclasses.replace(
        annual.group.bridge_income,
        columns=(
            *annual.group.bridge_income.columns[:2],
            wrong,
            annual.group.bridge_income.columns[3],
        ),
    )
    with pytest.raises(ArshjulError, match="summerar inte till koncernens"):
        sample("arsredovisning", group=dataclasses.replace(annual.group, bridge_income=bridge))
    with pytest.raises(ValueError):
        sample("okänd")


# --------------------------------------------------------------------------- through LibreOffice
@pytest.mark.slow
def test_interim_report_as_pdf(tmp_path: Path) -> None:
    """The Delårsrapport converted by LibreOffice: headings, the total and the names survive."""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        message = "soffice or pdftotext missing: apt-get install libreoffice-writer poppler-utils"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    data = sample("delar")
    source = build_delar_document(data, out_dir=tmp_path)
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    try:
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path / "pdf"),
                str(source),
            ],
            capture_output=True,
            timeout=240,
            check=True,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = tmp_path / "pdf" / source.with_suffix(".pdf").name
    raw = subprocess.run(
        [pdftotext, "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = re.sub(r"[\s\u00a0\u202f]+", " ", raw)
    for heading in (*H1["delar"], "Ekonomi per nämnd", *AREAS):
        assert heading in text, heading
    shown = [
        format_tkr(v, unit=False).replace("\u00a0", " ")
        for v in (data.budget_kr, data.actual_kr, data.forecast_kr or 0, data.deviation_kr or 0)
    ]
    # The totals row: budget, actuals, the forecast (the committees' summed), the deviation.
    assert "Summa " + " ".join(shown) in text
    assert shown[2] == "1 085 455,0" and shown[3] == "\u22125 450,0"
    assert ODD in text and "Demouppgifter" in text
    assert re.search(r"Sida \d+ av \d+", text)


def test_goal_without_strategic_area_gets_a_heading(tmp_path: Path) -> None:
    loose = dataclasses.replace(goals()[0], key="9.9", strategic_area="")
    data = sample("delar", goals=[*goals(), loose])
    document = docx.Document(str(build_delar_document(data, out_dir=tmp_path)))
    found = headings(document)
    assert (2, "Utan strategiskt område") in found and (3, "9.9 Attraktiva boendemiljöer") in found
    table = table_starting(document, "Strategiskt område")
    assert cells(table.rows[-2])[:2] == ["Utan strategiskt område", "1"]

"""The planning documents, opened with python-docx and read as a reader would."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)

from arshjul.documents.budgetdag import build_budgetdag_document, summary_header
from arshjul.documents.ledningsdialog import build_ledningsdialog_document
from arshjul.documents.namndbudget import build_namndbudget_document
from arshjul.documents.oversyn import build_oversyn_document
from arshjul.documents.planning_data import (
    ActivityLine,
    AnalysisSummary,
    BudgetdagData,
    CommitteeAmount,
    CommitteeBudget,
    DecisionRecord,
    DialogueSubmission,
    FinancialGoal,
    FrameLine,
    FundingRequest,
    GoalLine,
    IndicatorLine,
    InvestmentLine,
    InvestmentNeed,
    LedningsdialogData,
    NamndbudgetData,
    OversynData,
    PlanActivity,
    PremisesNeed,
    ReviewInput,
    SepData,
    StrategicAreaLine,
    UnitGoalLine,
)
from arshjul.documents.ramar_data import FinancialStartingPoints
from arshjul.documents.sep import build_sep_document
from arshjul.errors import ArshjulError
from arshjul.formats import format_tkr, parse_tkr

T = 1000
ODD = "Teknik- & servicenämnden <\"Åä-öÖ\"> 'Fastigheter'"
ODD_TEXT = 'Kostnader för "städ" & <lokalvård> ökar – åäö ÅÄÖ'
KS, BUN, SN = "Kommunstyrelsen", "Barn- och utbildningsnämnden", "Socialnämnden"
FRAMES = {KS: 228_400 * T, BUN: 431_250 * T, SN: 293_555 * T, ODD: 47_800 * T}
FINANCIAL = FinancialStartingPoints(
    Decimal("22.41"), 742_300 * T, 281_900 * T, Decimal("0.02"), 1_001_005 * T
)


# --------------------------------------------------------------------------- data
def ledningsdialog_data(**changes: object) -> LedningsdialogData:
    data = LedningsdialogData(
        "Arboga kommun",
        2027,
        "vår",
        (
            DialogueSubmission(
                "Kommunstyrelsens förvaltning", "Stabilt läge.\n\nAndra stycket.", "Fler äldre", ""
            ),
            DialogueSubmission(f"Förvaltningen för {ODD}", ODD_TEXT, "Framtid", "Rekrytering"),
            DialogueSubmission("Arbogabostäder AB", "Full uthyrning", "Nybygge", "Räntor", True),
        ),
        not_submitted=("Socialförvaltningen", "Arboga Vatten och Avlopp AB"),
        dialogue_date=dt.date(2027, 3, 18),
        demo=True,
    )
    return dataclasses.replace(data, **changes)


def budgetdag_data(**changes: object) -> BudgetdagData:
    data = BudgetdagData(
        "Arboga kommun",
        2027,
        FINANCIAL,
        tuple(CommitteeAmount(n, a) for n, a in FRAMES.items()),
        funding_requests=(
            FundingRequest(SN, "Utökad hemtjänst", 2_000 * T, "Fler äldre", "Längre väntan"),
            FundingRequest(SN, "Fler LSS-platser", 3_450 * T, "Ny dom", "Viten"),
            FundingRequest(BUN, "Elevhälsa", 1_234_567, "Ökat behov", "Sämre resultat"),
            FundingRequest(ODD, ODD_TEXT, 777_777, ODD_TEXT, "Smutsigt & <trist>"),
        ),
        investment_needs=(
            InvestmentNeed(KS, "Ny simhall", 120_000 * T, 3_500 * T, "Ersätter badhuset"),
            InvestmentNeed(BUN, "Förskola Götlunda", 45_000 * T, 1_200 * T),
            InvestmentNeed(KS, "Gång- & cykelväg", 4_000 * T),
        ),
        premises_needs=(PremisesNeed(SN, "Nytt LSS-boende", 2029), PremisesNeed(BUN, "Moduler")),
        analyses=(
            AnalysisSummary(BUN, "Färre barn.", child_impact_needed=True, child_impact="Barn."),
            AnalysisSummary(SN, "Fler äldre.", child_impact_needed=True),
            AnalysisSummary("Arbogabostäder AB", ODD_TEXT, is_company=True),
        ),
        budget_day=dt.date(2027, 5, 12),
        demo=True,
    )
    return dataclasses.replace(data, **changes)


def proposal() -> tuple[CommitteeAmount, ...]:
    return tuple(CommitteeAmount(n, a + 1_000 * T) for n, a in FRAMES.items())


def sep_data(**changes: object) -> SepData:
    indicators = (
        IndicatorLine("Nöjd medborgar-index", "", 60, 58),
        IndicatorLine("Andel behöriga lärare", "%", Decimal("85.5"), 84),
        IndicatorLine("Sjukfrånvaro", "%", "Minska", None),
    )
    data = SepData(
        "Arboga kommun",
        2027,
        "Arboga – plats för inspiration",
        "2023–2026",
        (
            StrategicAreaLine(
                "Inspirerande livsmiljö",
                (GoalLine("1.1", "Mål 1.1", indicators), GoalLine("1.2", "Mål 1.2")),
            ),
            StrategicAreaLine("Inspirerande lärande och arbete", (GoalLine("2.1", "Mål 2.1"),)),
            StrategicAreaLine("Inspirerande organisation", (GoalLine("3.1", ODD_TEXT),)),
        ),
        (
            FinancialGoal(
                "Resultatet ska vara minst 2 % av skatteintäkter och bidrag",
                "minst 2,0 %",
                ("2,4 %", "1,5 %", "kan inte bedömas"),
                (True, False, None),
            ),
        ),
        tuple(FrameLine(n, a, a + 5_000 * T, a + 10_123_456) for n, a in FRAMES.items()),
        (
            InvestmentLine(KS, "Gator & vägar", 20_000 * T, 15_000 * T, 15_000 * T),
            InvestmentLine(
                BUN, "Förskola Götlunda", 45_000 * T, None, None, whole=60_000 * T, span="2027–2028"
            ),
        ),
        plan_text="Planåren präglas av fler äldre.\n\nOch färre barn.",
        direction="Ekonomi i balans & trygghet.",
        financial=FINANCIAL,
        demo=True,
    )
    return dataclasses.replace(data, **changes)


def namndbudget_data(**changes: object) -> NamndbudgetData:
    def budget(name: str, frame: int, parts: int) -> CommitteeBudget:
        share = frame // parts
        lines = [ActivityLine(f"Verksamhet {i + 1}", share) for i in range(parts - 1)]
        lines.append(ActivityLine(f"Övrigt & <annat> {name}", frame - share * (parts - 1)))
        goal = UnitGoalLine(
            f"{name[:3]} 1",
            "Trygg verksamhet",
            "1.1 Mål 1.1",
            (IndicatorLine("Nöjdhet", "%", 90, 88),),
        )
        return CommitteeBudget(
            name,
            frame,
            tuple(lines),
            (goal,),
            (PlanActivity("Införa digital tillsyn", goal.key, "Enhetschef"),),
            dt.date(2027, 12, 10),
            "§ 112",
        )

    data = NamndbudgetData(
        "Arboga kommun",
        2027,
        tuple(budget(n, a, 3 + i) for i, (n, a) in enumerate(FRAMES.items())),
        not_submitted=("Valnämnden",),
        term="2023–2026",
        demo=True,
    )
    return dataclasses.replace(data, **changes)


def oversyn_data(**changes: object) -> OversynData:
    data = OversynData(
        "Arboga kommun",
        2026,
        (ReviewInput("Nämndorganisation", ODD_TEXT, "Partigrupp A"), ReviewInput("Arvoden", "Ok")),
        (ReviewInput("Programmet", "Behåll de tre områdena."),),
        background="Inför valet.",
        next_steps="Beslut i KF i december.",
        election_day=dt.date(2026, 9, 13),
        demo=True,
    )
    return dataclasses.replace(data, **changes)


BUILDERS = {
    "ledningsdialog": (build_ledningsdialog_document, ledningsdialog_data),
    "budgetdag": (build_budgetdag_document, lambda: budgetdag_data(proposed_frames=proposal())),
    "sep": (build_sep_document, sep_data),
    "namndbudget": (build_namndbudget_document, namndbudget_data),
    "oversyn": (build_oversyn_document, oversyn_data),
}
FILE_NAMES = {
    "ledningsdialog": "Underlag till ledningsdialog (vår) 2027 – Arboga kommun.docx",
    "budgetdag": "Budgetdag 2027 – Arboga kommun.docx",
    "sep": "Strategisk och ekonomisk plan 2028–2030 (förslag) – Arboga kommun.docx",
    "namndbudget": (
        "Nämndernas budget 2028 – sammanställning till kommunstyrelsen – Arboga kommun.docx"
    ),
    "oversyn": "Översyn av politisk organisation och politiskt program 2026 – Arboga kommun.docx",
}
H1 = {
    "ledningsdialog": [
        "Inledning",
        "Förvaltningarnas underlag",
        "Bolagens underlag",
        "Underlag som saknas",
    ],
    "budgetdag": [
        "Inledning",
        "Ekonomiska förutsättningar",
        "Ramar och äskanden",
        "Äskanden",
        "Investeringsbehov",
        "Lokalbehov",
        "Barnkonsekvensanalyser",
        "Nämndernas analyser",
        "Bolagens analyser",
        "Budgetberedningens förslag",
    ],
    "sep": [
        "Inledning",
        "Vision och politisk inriktning",
        "Strategiska områden och mål",
        "Finansiella mål",
        "Skatter och generella statsbidrag",
        "Driftramar",
        "Investeringsramar",
        "Budgeterad resultaträkning, balansräkning och finansieringsbudget",
        "Plan för 2029–2030",
    ],
    "namndbudget": ["Inledning", "Sammanställning", *FRAMES],
    "oversyn": [
        "Inledning",
        "Bakgrund",
        "Politisk organisation",
        "Politiskt program",
        "Styrdokument att se över under mandatperioden",
        "Fortsatt arbete",
    ],
}


# --------------------------------------------------------------------------- reading
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("planering")
    return {kind: build(make(), out_dir=out) for kind, (build, make) in BUILDERS.items()}


@pytest.fixture(scope="module")
def documents(built: dict[str, Path]) -> dict[str, Document]:
    return {kind: docx.Document(str(path)) for kind, path in built.items()}


def headings(document: Document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading ")
    ]


def cells(row: object) -> list[str]:
    return [c.text for c in row.cells]


def tables_with_header(document: Document, header: list[str]) -> list[Table]:
    return [t for t in document.tables if cells(t.rows[0]) == header]


def table_with_header(document: Document, header: list[str]) -> Table:
    matches = tables_with_header(document, header)
    assert len(matches) == 1, [cells(t.rows[0]) for t in document.tables]
    return matches[0]


def body_and_totals(table: Table) -> tuple[list[list[str]], list[str]]:
    rows = [cells(r) for r in table.rows[1:]]
    return rows[:-1], rows[-1]


def kr(text: str) -> int:
    return parse_tkr(text)


def assert_sums(parts: list[str], total: str) -> None:
    """Shown parts add up to the shown total within the rounding to 0,1 tkr."""
    assert abs(sum(kr(p) for p in parts) - kr(total)) <= 50 * len(parts), (parts, total)


def text_of(document: Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


# --------------------------------------------------------------------------- all documents
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_file_name_and_headings_in_order(
    kind: str, built: dict[str, Path], documents: dict[str, Document]
) -> None:
    assert built[kind].name == FILE_NAMES[kind]
    assert zipfile.is_zipfile(built[kind])
    found = headings(documents[kind])
    assert [text for level, text in found if level == 1] == H1[kind]
    previous = 0
    for level, text in found:
        assert level <= previous + 1, f"heading jump before {text!r}"
        previous = level
    assert documents[kind].paragraphs[0].style.name == "Title"


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_tables_have_header_rows_and_pictures_alt_text(
    kind: str, documents: dict[str, Document]
) -> None:
    document = documents[kind]
    for table in document.tables:
        trpr = table.rows[0]._tr.trPr
        assert trpr is not None and trpr.find(qn("w:tblHeader")) is not None
    for doc_pr in document.element.body.iter(qn("wp:docPr")):
        assert doc_pr.get("descr", "").strip() and doc_pr.get("title", "").strip()
    if kind in ("sep", "budgetdag"):
        assert len(document.inline_shapes) == 1


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_special_characters_intact(
    kind: str, built: dict[str, Path], documents: dict[str, Document]
) -> None:
    document = documents[kind]
    everything = text_of(document) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    assert ODD_TEXT in everything or ODD in everything
    raw = zipfile.ZipFile(built[kind]).read("word/document.xml").decode("utf-8")
    assert "&lt;" in raw and "&amp;" in raw
    assert "åäö ÅÄÖ" in raw or "Åä-öÖ" in raw


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_demo_label(kind: str, documents: dict[str, Document], tmp_path: Path) -> None:
    assert "Demouppgifter" in text_of(documents[kind])
    build, make = BUILDERS[kind]
    real = docx.Document(str(build(dataclasses.replace(make(), demo=False), out_dir=tmp_path)))
    assert "demouppgifter" not in text_of(real).lower()


# --------------------------------------------------------------------------- ledningsdialog
def test_ledningsdialog_texts_and_missing(documents: dict[str, Document]) -> None:
    document = documents["ledningsdialog"]
    found = headings(document)
    units = [text for level, text in found if level == 2]
    assert units == [s.unit for s in ledningsdialog_data().submissions]
    assert [t for lv, t in found if lv == 3][:3] == ["Nuläge", "Framtid", "Utmaningar"]
    paragraphs = [p.text for p in document.paragraphs]
    assert "Stabilt läge." in paragraphs and "Andra stycket." in paragraphs
    assert "Ingen text har lämnats." in paragraphs
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert [b.lstrip("•\u00a0") for b in bullets] == [
        "Socialförvaltningen",
        "Arboga Vatten och Avlopp AB",
    ]


def test_ledningsdialog_autumn_and_bad_season(tmp_path: Path) -> None:
    path = build_ledningsdialog_document(ledningsdialog_data(season="höst"), out_dir=tmp_path)
    assert path.name.startswith("Underlag till ledningsdialog (höst) 2027")
    with pytest.raises(ArshjulError, match="vår eller höst"):
        ledningsdialog_data(season="sommar")


# --------------------------------------------------------------------------- budgetdag
def test_budgetdag_summary_sums(documents: dict[str, Document]) -> None:
    data = budgetdag_data()
    body, totals = body_and_totals(table_with_header(documents["budgetdag"], summary_header(2028)))
    assert [r[0] for r in body] == list(FRAMES)
    for column in (1, 2, 3):
        assert_sums([r[column] for r in body], totals[column])
    for row in body:
        assert_sums(row[1:3], row[3])
    assert totals[1] == format_tkr(sum(FRAMES.values()), unit=False)
    asked = sum(r.amount for r in data.funding_requests)
    assert totals[2] == format_tkr(asked, unit=False)


def test_every_funding_request_listed_with_sums(documents: dict[str, Document]) -> None:
    document = documents["budgetdag"]
    data = budgetdag_data()
    header = ["Äskande", "Motivering", "Konsekvenser om äskandet inte beviljas", "tkr"]
    listed: list[list[str]] = []
    for table in tables_with_header(document, header):
        body, totals = body_and_totals(table)
        assert totals[0] == "Summa"
        assert_sums([r[3] for r in body], totals[3])
        listed += body
    expected = [
        [r.title, r.reason, r.consequences, format_tkr(r.amount, unit=False)]
        for r in data.funding_requests
    ]
    assert sorted(listed) == sorted(expected)
    per_committee = table_with_header(document, ["Nämnd", "Antal äskanden", "Äskanden, tkr"])
    body, totals = body_and_totals(per_committee)
    assert totals[1] == str(len(data.funding_requests))
    assert totals[2] == format_tkr(sum(r.amount for r in data.funding_requests), unit=False)
    for row in body:
        assert row[2] == format_tkr(data.requested(row[0]), unit=False)


def test_budgetdag_investments_premises_child_impact(documents: dict[str, Document]) -> None:
    document = documents["budgetdag"]
    header = ["Projekt", "Beskrivning", "Investering, tkr", "Driftkostnad per år, tkr"]
    projects = []
    for table in tables_with_header(document, header):
        body, totals = body_and_totals(table)
        assert_sums([r[2] for r in body], totals[2])
        projects += [r[0] for r in body]
    assert sorted(projects) == sorted(i.project for i in budgetdag_data().investment_needs)
    premises = table_with_header(document, ["Nämnd eller bolag", "Lokalbehov", "Från år"])
    assert [cells(r) for r in premises.rows[1:]] == [
        [BUN, "Moduler", "–"],
        [SN, "Nytt LSS-boende", "2029"],
    ]
    text = text_of(document)
    assert "Barnkonsekvensanalys saknas." in text  # SN said yes but wrote none


def test_budgetdag_proposal_only_when_given(documents: dict[str, Document], tmp_path: Path) -> None:
    header = [
        "Nämnd",
        "Preliminär ram, tkr",
        "Äskanden, tkr",
        "Förslag 2028, tkr",
        "Förändring, tkr",
    ]
    body, totals = body_and_totals(table_with_header(documents["budgetdag"], header))
    assert all(r[4] == "1\u00a0000,0" for r in body)
    assert_sums([r[3] for r in body], totals[3])
    plain = docx.Document(str(build_budgetdag_document(budgetdag_data(), out_dir=tmp_path)))
    assert "Budgetberedningens förslag" not in [t for _, t in headings(plain)]
    with pytest.raises(ArshjulError, match="saknar ram"):
        budgetdag_data(proposed_frames=proposal()[:2])
    with pytest.raises(ArshjulError, match="har ingen ram"):
        budgetdag_data(funding_requests=(FundingRequest("Okänd nämnd", "X", 1, "", ""),))


# --------------------------------------------------------------------------- SEP
SEP_FRAMES = ["Nämnd", "Budget 2028, tkr", "Plan 2029, tkr", "Plan 2030, tkr"]


def test_sep_plan_table_has_three_years_and_sums(documents: dict[str, Document]) -> None:
    body, totals = body_and_totals(table_with_header(documents["sep"], SEP_FRAMES))
    assert [r[0] for r in body] == list(FRAMES)
    for column in (1, 2, 3):
        assert_sums([r[column] for r in body], totals[column])
    assert totals[1] == format_tkr(sum(FRAMES.values()), unit=False)
    investments = table_with_header(
        documents["sep"], ["Nämnd", "Projekt", "2028", "2029", "2030", "Summa", "Hela projektet"]
    )
    body, totals = body_and_totals(investments)
    # Each project once; a year without a frame is empty, not a copy or a zero.
    assert [r[1] for r in body] == ["Gator & vägar", "Förskola Götlunda"]
    assert body[1][3:5] == ["", ""] and body[1][6] == "60\u00a0000,0"
    assert totals[2:6] == ["65\u00a0000,0", "15\u00a0000,0", "15\u00a0000,0", "95\u00a0000,0"]
    goals = table_with_header(
        documents["sep"], ["Finansiellt mål", "Målvärde", "Budget 2028", "Plan 2029", "Plan 2030"]
    )
    assert cells(goals.rows[1])[2:] == [
        "2,4 % – uppfylls",
        "1,5 % – uppfylls inte",
        "kan inte bedömas",
    ]
    assert "Budgeten uppfyller inte målet för" in text_of(documents["sep"])


def test_sep_goals_and_indicators(documents: dict[str, Document]) -> None:
    found = headings(documents["sep"])
    assert [t for lv, t in found if lv == 2] == [a.name for a in sep_data().areas]
    level3 = [t for lv, t in found if lv == 3]
    assert "Mål 1.1" in level3 and "Mål 1.1: Mål 1.1" not in level3
    table = table_with_header(
        documents["sep"], ["Indikator", "Målvärde 2023–2026", "Målvärde 2028"]
    )
    assert [cells(r) for r in table.rows[1:]] == [
        ["Nöjd medborgar-index", "60", "58"],
        ["Andel behöriga lärare", "85,5\u00a0%", "84\u00a0%"],
        ["Sjukfrånvaro", "Minska", "–"],
    ]


def test_sep_is_a_proposal_until_the_council_decides(
    documents: dict[str, Document], tmp_path: Path
) -> None:
    assert documents["sep"].paragraphs[1].text == "Förslag"
    assert "Det här är ett förslag." in text_of(documents["sep"])
    ks = DecisionRecord("Kommunstyrelsen", dt.date(2027, 6, 8), "§ 85")
    kf = DecisionRecord(
        "Kommunfullmäktige",
        dt.date(2027, 8, 26),
        "§ 60",
        ("Socialnämndens ram höjs med 2 000 tkr", 'Nytt mål "3.2" & <trygghet>'),
        final=True,
    )
    path = build_sep_document(sep_data(decisions=(ks,)), out_dir=tmp_path / "ks")
    document = docx.Document(str(path))
    assert "(förslag)" in path.name
    assert document.paragraphs[1].text == "Förslag, beslutat av Kommunstyrelsen 8 juni 2027, § 85"
    path = build_sep_document(sep_data(decisions=(ks, kf)), out_dir=tmp_path / "kf")
    document = docx.Document(str(path))
    assert path.name == "Strategisk och ekonomisk plan 2028–2030 – Arboga kommun.docx"
    assert document.paragraphs[1].text == "Beslutad av Kommunfullmäktige 26 augusti 2027, § 60"
    found = headings(document)
    assert found[-5:] == [
        (1, "Beslut"),
        (2, "Kommunstyrelsen 8 juni 2027, § 85"),
        (3, "Beslutet och ändringar mot förslaget"),
        (2, "Kommunfullmäktige 26 augusti 2027, § 60"),
        (3, "Beslutet och ändringar mot förslaget"),
    ]
    text = text_of(document)
    assert "Det här är ett förslag." not in text
    assert 'Nytt mål "3.2" & <trygghet>' in text and "Inga ändringar mot förslaget." in text
    with pytest.raises(ArshjulError, match="tidsordning"):
        sep_data(decisions=(kf, ks))


# --------------------------------------------------------------------------- nämndbudget
def test_every_committee_budget_sums_to_its_frame(documents: dict[str, Document]) -> None:
    document = documents["namndbudget"]
    header = ["Nämnd", "Ram 2028, tkr", "Fördelat på verksamheter, tkr", "Skillnad, tkr"]
    body, totals = body_and_totals(table_with_header(document, header))
    for row in body:
        assert row[1] == row[2] == format_tkr(FRAMES[row[0]], unit=False)
        assert row[3] == "0,0"
    assert totals[3] == "0,0"
    tables = tables_with_header(document, ["Verksamhet", "Budget 2028, tkr"])
    assert len(tables) == len(FRAMES)
    for table, frame in zip(tables, FRAMES.values(), strict=True):
        body, totals = body_and_totals(table)
        assert_sums([r[1] for r in body], totals[1])
        assert totals[1] == format_tkr(frame, unit=False)
    text = text_of(document)
    assert "skillnaden mot ramen är 0,0\u00a0tkr" in text
    assert "Bidrar till kommunfullmäktiges mål: 1.1 Mål 1.1" in text


def test_unbalanced_committee_budget_is_refused() -> None:
    wrong = CommitteeBudget(SN, 100 * T, (ActivityLine("Äldreomsorg", 99 * T),))
    with pytest.raises(ArshjulError, match="inte ramen"):
        namndbudget_data(committees=(wrong,))


# --------------------------------------------------------------------------- översyn
def test_oversyn_only_in_election_years(documents: dict[str, Document]) -> None:
    assert "Från: Partigrupp A" in text_of(documents["oversyn"])
    with pytest.raises(ArshjulError, match="inget valår"):
        oversyn_data(cycle_year=2027)


# --------------------------------------------------------------------------- PDF
def _pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


@pytest.mark.slow
def test_sep_as_pdf(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftotext"):
        pytest.skip("soffice och pdftotext behövs")
    source = build_sep_document(sep_data(), out_dir=tmp_path / "docx")
    profile = f"file:///tmp/lo-{uuid.uuid4().hex}"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path / "pdf"), str(source)],
        capture_output=True,
        timeout=240,
        check=False,
    )
    shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    pdf = tmp_path / "pdf" / source.with_suffix(".pdf").name
    assert pdf.is_file()
    text = _pdf_text(pdf)
    for heading in [*H1["sep"], "Strategisk och ekonomisk plan 2028–2030", "Förslag"]:
        assert heading in text
    total = format_tkr(sum(FRAMES.values()), unit=False).replace("\u00a0", " ")
    assert f"Summa {total}" in text
    assert 'Teknik- & servicenämnden <"Åä-öÖ">' in text  # the name wraps in its cell
    assert re.search(r"Sida \d+ av \d+", text)

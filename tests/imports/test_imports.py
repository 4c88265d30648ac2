"""Imports from CSV and XLSX: each kind lands, a re-import changes nothing, bad files neither."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError
from arshjul.imports import KINDS, ImportReport, get_kind, import_file
from arshjul.imports.columns import fold, match_headers
from arshjul.imports.reader import read_bytes
from arshjul.models import (
    AuditEntry,
    BudgetFrame,
    Control,
    FinancialFigure,
    GroupTransaction,
    Municipality,
    OrgUnit,
    PlanningFigure,
    Risk,
)

DATA = Path(__file__).parents[1] / "data" / "import"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 6, 15, 9, 0, tzinfo=STOCKHOLM)
TABLES = (BudgetFrame, FinancialFigure, PlanningFigure, AuditEntry)
# A kind whose rows refer to another kind's rows: that kind's file is imported first.
NEEDS = {"kontroller": "risker"}


@pytest.fixture
def db(arboga_engine: Engine) -> Iterator[tuple[Session, Municipality]]:
    """A session on a database loaded with the shipped Arboga configuration."""
    with Session(arboga_engine, expire_on_commit=False) as session:
        yield session, session.exec(select(Municipality)).one()


def run(
    db: tuple[Session, Municipality], kind: str, path: Path, as_of: dt.datetime = AS_OF
) -> ImportReport:
    """Import as the CLI would: commit on success, roll back on a refusal."""
    session, municipality = db
    try:
        report = import_file(
            session, municipality=municipality, kind=kind, path=path, as_of=as_of, actor="test"
        )
    except ArshjulError:
        session.rollback()
        raise
    session.commit()
    return report


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in TABLES
    }


def landed(session: Session, kind: str) -> set[tuple[Any, ...]]:
    """What a kind's rows look like in the database, as comparable tuples."""
    keys = {u.id: u.key for u in session.exec(select(OrgUnit))}
    if kind == "ramar":
        return {
            (keys[f.unit_id], f.budget_year, f.kind, f.area, f.status, f.amount_kr)
            for f in session.exec(select(BudgetFrame))
        }
    if kind in ("utfall", "prognos"):
        figure = "actual" if kind == "utfall" else "forecast"
        return {
            (keys[f.unit_id], f.year, f.month, f.account_group, f.project, f.amount_kr)
            for f in session.exec(select(FinancialFigure).where(FinancialFigure.kind == figure))
        }
    if kind == "risker":
        return {
            (keys[r.unit_id], r.year, r.key, r.category, r.probability, r.consequence)
            for r in session.exec(select(Risk))
        }
    if kind == "kontroller":
        return {
            (keys[r.unit_id], r.year, r.key, c.key, c.method, c.owner, c.report_on)
            for c, r in session.exec(select(Control, Risk).join(Risk, Risk.id == Control.risk_id))
        }
    if kind == "koncerninternt":
        return {
            (t.year, t.kind, t.from_entity, t.to_entity, t.amount_kr)
            for t in session.exec(select(GroupTransaction))
        }
    planning = {
        "befolkning": "population",
        "volymer": "volume",
        "index": "index",
        "finansiella-mal": "financial_goal",
        "resultatbudget": "result_budget",
        "resultatprognos": "result_forecast",
        "nyckeltal": "key_figure",
        "sjukfranvaro": "sick_leave",
        "skatteprognos": "tax_forecast",
    }[kind]
    return {
        (p.year, p.key, p.sub_key, p.value)
        for p in session.exec(select(PlanningFigure).where(PlanningFigure.kind == planning))
    }


def write_xlsx(path: Path, rows: list[list[Any]], formats: dict[str, str] | None = None) -> Path:
    """An Excel workbook: the rows on the first sheet, some cells with a number format."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    workbook.create_sheet("Anteckningar")["A1"] = "ignoreras"
    workbook.save(path)
    return path


# Each kind: its sample CSV, the same rows as an Excel sheet, and what lands.
EXPECTED: dict[str, set[tuple[Any, ...]]] = {
    "skatteprognos": {
        (2028, "skatteintakter", "2027-04-24", 815_400_000.0),
        (2028, "generella_statsbidrag", "2027-04-24", 299_100_500.0),
        (2029, "skatteintakter", "2027-04-24", 838_200_000.0),
    },
    "koncerninternt": {
        (2026, "sale", "kommunfastigheter", "", 60_000_000),
        (2026, "loan", "", "arbogabostader", 400_000_000),
        (2026, "shareholding", "radhuset", "", 50_000_000),
    },
    "resultatbudget": {
        (2027, "verksamhetens_intakter", "", 150_151_000.0),
        (2027, "verksamhetens_kostnader", "", -1_157_156_500.0),
        (2027, "skatteintakter", "", 790_000_000.0),
    },
    "resultatprognos": {
        (2027, "skatteintakter", "04", 792_000_000.0),
        (2027, "skatteintakter", "05", 793_500_000.0),
        (2027, "finansiella_kostnader", "05", -12_400_000.0),
    },
    "nyckeltal": {
        (2024, "arets_resultat", "", 18_700_000.0),
        (2024, "soliditet", "", 38.4),
        (2026, "ansvarsforbindelse_pensioner", "", 311_200_000.0),
        (2026, "skattesats", "", 22.41),
    },
    "sjukfranvaro": {(2026, "total", "", 7.1), (2026, "women", "", 8.0), (2026, "age_50", "", 7.9)},
    "ramar": {
        ("bun", 2028, "operations", "", "preliminary", 412_500_000),
        ("sn", 2028, "operations", "", "preliminary", 398_750_500),
        ("sn", 2028, "investment", "Gruppbostad Västerby", "proposed", 12_000_000),
        ("fkn", 2027, "operations", "", "council", 1_234_500),
    },
    "utfall": {
        ("bun", 2027, 4, "Personal", "", 24_310_500),
        ("bun", 2027, 4, "Lokaler", "", 5_120_000),
        ("sn", 2027, 4, "Personal", "", 30_000_000),
        ("sn", 2027, 4, "", "Gruppbostad Västerby", 1_500_000),
        ("sn", 2027, 5, "Personal", "", 29_750_250),
    },
    "prognos": {
        ("bun", 2027, 4, "", "", 413_200_000),
        ("sn", 2027, 4, "", "", 398_750_500),
        ("sn", 2027, 5, "", "", 401_000_000),
    },
    "befolkning": {
        (2028, "0-5", "", 820.0),
        (2028, "6-15", "", 1540.0),
        (2028, "80+", "", 1210.5),
    },
    "volymer": {
        (2028, "bun", "Förskola, inskrivna barn", 640.0),
        (2028, "sn", "Hemtjänst, timmar", 98500.0),
    },
    "index": {(2028, "price", "", 2.1), (2028, "wage", "", 3.4), (2028, "pkv", "", 2.9)},
    "finansiella-mal": {
        (2028, "resultat_andel_skatter", "", 2.0),
        (2028, "skatteintakter_kr", "", 1_234_567_800.0),
        (2028, "skattesats", "", 22.41),
    },
    "risker": {
        ("bun", 2027, "bun-r1", "rapportering", 3, 4),
        ("bun", 2027, "bun-r2", "omvärld", 2, 2),
        ("bun", 2027, "bun-r3", "IT", 4, 4),
        ("sn", 2027, "sn-r1", "legal", 2, 3),
    },
    "kontroller": {
        (
            "bun",
            2027,
            "bun-r1",
            "k1",
            "Stickprov på tio elevpengsunderlag",
            "ekonomichef",
            dt.date(2027, 10, 31),
        ),
        (
            "bun",
            2027,
            "bun-r2",
            "k3",
            "Uppföljning av leverantörens ekonomi",
            "upphandlare",
            dt.date(2027, 9, 30),
        ),
        (
            "bun",
            2027,
            "bun-r3",
            "k2",
            "Genomgång av behörigheter i elevregistret",
            "IT-samordnare",
            dt.date(2027, 12, 15),
        ),
        (
            "sn",
            2027,
            "sn-r1",
            "k1",
            "Granskning av 20 slumpvis valda beslut",
            "verksamhetschef",
            dt.date(2027, 11, 30),
        ),
    },
}

XLSX: dict[str, tuple[list[list[Any]], dict[str, str]]] = {
    "skatteprognos": (
        [
            ["år", "post", "belopp_tkr", "prognosdatum"],
            [2028, "Skatteintäkter", 815400, "2027-04-24"],
            [2028, "generella statsbidrag och utjämning", 299100.5, "2027-04-24"],
            [2029, "skatteintakter", 838200, "2027-04-24"],
        ],
        {},
    ),
    "koncerninternt": (
        [
            ["År", "Från", "Till", "Slag", "Belopp (tkr)"],
            [2026, "kommunfastigheter", "kommunen", "Försäljning", 60000],
            [2026, "Kommunen", "Arbogabostäder AB", "lån", 400000],
            [2026, "Rådhuset i Arboga AB", "kommunen", "aktieinnehav", 50000],
        ],
        {},
    ),
    "resultatbudget": (
        [
            ["år", "post", "belopp_tkr"],
            [2027, "Verksamhetens intäkter", 150151],
            [2027, "Verksamhetens kostnader", -1157156.5],
            [2027, "skatteintakter", 790000],
        ],
        {},
    ),
    "resultatprognos": (
        [
            ["år", "månad", "post", "belopp_tkr"],
            [2027, 4, "Skatteintäkter", 792000],
            [2027, 5, "Skatteintäkter", 793500],
            [2027, 5, "Finansiella kostnader", -12400],
        ],
        {},
    ),
    "nyckeltal": (
        [
            ["år", "nyckeltal", "värde"],
            [2024, "arets_resultat", 18700],
            [2024, "Soliditet", 38.4],
            [2026, "ansvarsforbindelse_pensioner", 311200],
            [2026, "skattesats", 22.41],
        ],
        {},
    ),
    "sjukfranvaro": (
        [
            ["år", "grupp", "procent"],
            [2026, "totalt", 7.1],
            [2026, "kvinnor", 8],
            [2026, "50 år eller äldre", 7.9],
        ],
        {},
    ),
    "ramar": (
        [
            ["Enhet", "Budgetår", "Typ", "Område", "Belopp_tkr", "Status"],
            ["bun", 2028, "drift", None, 412500, "preliminär"],
            ["Socialnämnden", 2028, "drift", None, 398750.5, "preliminär"],
            [None, None, None, None, None, None],
            ["sn", 2028, "investering", "Gruppbostad Västerby", 12000, "förslag"],
            ["FKN", 2027, "drift", "", 1234.5, "KF"],
        ],
        {},
    ),
    "utfall": (
        [
            ["enhet", "år", "månad", "kontogrupp", "projekt", "belopp_tkr"],
            ["bun", 2027, 4, "Personal", None, 24310.5],
            ["bun", 2027, 4, "Lokaler", None, "5 120"],
            ["sn", 2027, 4, "Personal", None, 30000],
            ["sn", 2027, 4, None, "Gruppbostad Västerby", 1500],
            ["sn", 2027, 5.0, "Personal", None, 29750.25],
        ],
        {},
    ),
    "prognos": (
        [
            ["enhet", "år", "månad", "belopp_tkr"],
            ["bun", 2027, 4, 413200],
            ["sn", 2027, 4, 398750.5],
            ["sn", 2027, 5, 401000],
        ],
        {},
    ),
    "befolkning": (
        [
            ["år", "åldersgrupp", "antal"],
            [2028, "0-5", 820],
            [2028, "6-15", 1540],
            [2028, "80+", 1210.5],
        ],
        {},
    ),
    "volymer": (
        [
            ["år", "enhet", "verksamhet", "volym"],
            [2028, "bun", "Förskola, inskrivna barn", 640],
            [2028, "sn", "Hemtjänst,  timmar", 98500],
        ],
        {},
    ),
    "index": (
        # Per cent as Excel keeps it: 0,021 formatted as 2,1 %.
        [
            ["år", "slag", "procent"],
            [2028, "pris", 0.021],
            [2028, "lön", 0.034],
            [2028, "pkv", 2.9],
        ],
        {"C2": "0.0%", "C3": "0.0%"},
    ),
    "finansiella-mal": (
        [
            ["år", "mått", "värde"],
            [2028, "resultat_andel_skatter", 2],
            [2028, "skatteintakter_tkr", 1234567.8],
            [2028, "skattesats", 22.41],
        ],
        {},
    ),
    "risker": (
        [
            ["enhet", "år", "nyckel", "beskrivning", "kategori", "sannolikhet", "konsekvens"],
            ["bun", 2027, "bun-r1", "Fel i underlaget för elevpeng", "rapportering", 3, 4],
            ["bun", 2027, "bun-r2", "Leverantör av skolskjuts går i konkurs", "Omvärld", 2, 2],
            ["bun", 2027, "bun-r3", "Intrång i elevregistret", "IT", 4.0, 4],
            ["sn", 2027, "sn-r1", "Brister i dokumentationen av biståndsbeslut", "legal", 2, 3],
        ],
        {},
    ),
    "kontroller": (
        # The report date as text: a date cell is refused (no date column type yet).
        [
            ["enhet", "år", "risk", "nyckel", "metod", "frekvens", "ansvarig", "rapportdatum"],
            [
                "bun",
                2027,
                "bun-r1",
                "k1",
                "Stickprov på tio elevpengsunderlag",
                "två gånger per år",
                "ekonomichef",
                "2027-10-31",
            ],
            [
                "bun",
                2027,
                "bun-r2",
                "k3",
                "Uppföljning av leverantörens ekonomi",
                "årligen",
                "upphandlare",
                "2027-09-30",
            ],
            [
                "bun",
                2027,
                "bun-r3",
                "k2",
                "Genomgång av behörigheter i elevregistret",
                "kvartalsvis",
                "IT-samordnare",
                "2027-12-15",
            ],
            [
                "sn",
                2027,
                "sn-r1",
                "k1",
                "Granskning av 20 slumpvis valda beslut",
                "årligen",
                "verksamhetschef",
                "2027-11-30",
            ],
        ],
        {},
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_imports_from_csv_and_a_reimport_changes_nothing(
    db: tuple[Session, Municipality], kind: str, tmp_path: Path
) -> None:
    session, _ = db
    if kind in NEEDS:
        run(db, NEEDS[kind], DATA / f"{NEEDS[kind]}.csv")
    report = run(db, kind, DATA / f"{kind}.csv")
    assert landed(session, kind) == EXPECTED[kind]
    rows = len(EXPECTED[kind])
    assert (report.rows, report.created, report.updated, report.replaced) == (rows, rows, 0, 0)
    assert str(report).startswith(f"{KINDS[kind].title} från {kind}.csv: {rows} rader lästa")
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == f"import.{kind}")).one()
    assert audit.details["file"] == f"{kind}.csv"
    assert len(audit.details["sha256"]) == 64
    assert audit.details["created"] == rows

    before = counts(session)
    again = run(db, kind, DATA / f"{kind}.csv")
    assert (again.created, again.updated, again.removed, again.replaced) == (0, 0, 0, 0)
    assert "inget ändrat" in str(again)
    # The same rows typed into Excel are the same figures: nothing changes either.
    rows_xlsx, formats = XLSX[kind]
    same = run(db, kind, write_xlsx(tmp_path / f"{kind}.xlsx", rows_xlsx, formats))
    assert (same.created, same.updated, same.removed) == (0, 0, 0)
    assert counts(session) == before
    assert landed(session, kind) == EXPECTED[kind]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_imports_from_xlsx(
    db: tuple[Session, Municipality], kind: str, tmp_path: Path
) -> None:
    session, _ = db
    if kind in NEEDS:
        run(db, NEEDS[kind], DATA / f"{NEEDS[kind]}.csv")
    rows, formats = XLSX[kind]
    path = write_xlsx(tmp_path / f"{kind}.xlsx", rows, formats)
    report = run(db, kind, path)
    assert landed(session, kind) == EXPECTED[kind]
    assert report.created == len(EXPECTED[kind])
    before = counts(session)
    assert not run(db, kind, path).changed
    assert counts(session) == before


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_template_imports(db: tuple[Session, Municipality], kind: str) -> None:
    if kind in NEEDS:
        run(db, NEEDS[kind], get_kind(NEEDS[kind]).template)
    template = get_kind(kind).template
    assert template.read_bytes().startswith(b"\xef\xbb\xbf"), "Excel needs the BOM for UTF-8"
    rows = len(template.read_text(encoding="utf-8-sig").splitlines()) - 1
    assert rows >= 2, "a template shows more than one row"
    assert run(db, kind, template).created == rows


def test_reimporting_an_actuals_period_replaces_it_and_keeps_the_old_values(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    run(db, "utfall", DATA / "utfall.csv")
    corrected = tmp_path / "utfall-rättad.csv"
    corrected.write_text(
        "enhet;år;månad;kontogrupp;projekt;belopp_tkr\n"
        "bun;2027;4;Personal;;24 310,5\n"
        "bun;2027;4;Lokaler;;5 120\n"
        "sn;2027;4;Personal;;31 000\n"
        "sn;2027;4;Lokaler;;2 000\n",
        encoding="utf-8",
    )
    report = run(db, "utfall", corrected)
    assert (report.created, report.updated, report.removed) == (1, 1, 1)
    assert report.replaced_periods == ["sn 2027-04"]
    assert report.unchanged == 2
    assert "1 period ersatt (sn 2027-04)" in str(report)
    assert landed(session, "utfall") == {
        ("bun", 2027, 4, "Personal", "", 24_310_500),
        ("bun", 2027, 4, "Lokaler", "", 5_120_000),
        ("sn", 2027, 4, "Personal", "", 31_000_000),
        ("sn", 2027, 4, "Lokaler", "", 2_000_000),
        ("sn", 2027, 5, "Personal", "", 29_750_250),  # another period: untouched
    }
    replaced = session.exec(select(AuditEntry).where(AuditEntry.action == "import.replace")).one()
    details = replaced.details
    assert (details["unit"], details["year"], details["month"]) == ("sn", 2027, 4)
    assert details["file"] == "utfall-rättad.csv"
    assert details["old"] == [
        {"account_group": "", "project": "Gruppbostad Västerby", "amount_kr": 1_500_000},
        {"account_group": "Personal", "project": "", "amount_kr": 30_000_000},
    ]
    assert {"account_group": "Lokaler", "project": "", "amount_kr": 2_000_000} in details["new"]
    assert (details["old_total_kr"], details["new_total_kr"]) == (31_500_000, 33_000_000)
    assert replaced.actor == "test"
    # The corrected file again: nothing more to replace.
    before = counts(session)
    assert not run(db, "utfall", corrected).changed
    assert counts(session) == before


def test_a_frame_decided_by_the_council_is_not_changed_by_an_import(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    from arshjul.lifecycle.cycle import ensure_stage_instance
    from arshjul.lifecycle.decisions import record_decision

    session, municipality = db
    run(db, "ramar", DATA / "ramar.csv")
    stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="kf-beslut")
    record_decision(
        session,
        municipality=municipality,
        stage=stage,
        budget_year=2028,
        decided_on=dt.date(2027, 8, 26),
        paragraph="§ 87",
        summary="SEP 2028–2030",
        actor="test",
    )
    session.commit()
    before = counts(session)
    path = tmp_path / "ramar-kf.csv"
    path.write_text(
        "enhet;budgetår;typ;område;belopp_tkr;status\n"
        "bun;2028;drift;;412 500;kf\n"  # as decided: fine
        "sn;2028;drift;;400 000;kf\n",
        encoding="utf-8",
    )
    with pytest.raises(ArshjulError) as caught:
        run(db, "ramar", path)
    assert "ramar-kf.csv, rad 3, kolumn belopp_tkr: ramen är beslutad" in str(caught.value)
    assert counts(session) == before


def test_dry_run_checks_and_counts_but_writes_nothing(db: tuple[Session, Municipality]) -> None:
    session, municipality = db
    before = counts(session)
    report = import_file(
        session,
        municipality=municipality,
        kind="ramar",
        path=DATA / "ramar.csv",
        as_of=AS_OF,
        actor="test",
        dry_run=True,
    )
    session.commit()
    assert report.created == 4
    assert str(report).startswith("Provläsning, inget sparat: Ramar från ramar.csv")
    assert counts(session) == before


# --------------------------------------------------------------------------- bad input
GOOD_UTFALL = "enhet;år;månad;belopp_tkr\nbun;2027;4;100\nsn;2027;4;200\n"

# (id, kind, file name, content, words the message must hold)
BAD: list[tuple[str, str, str, bytes, list[str]]] = [
    (
        "missing column",
        "utfall",
        "utfall.csv",
        b"enhet;\xc3\xa5r;m\xc3\xa5nad\nbun;2027;4\n",
        ["utfall.csv, rad 1:", "kolumnen ”belopp_tkr” saknas; filen har: enhet, år, månad"],
    ),
    (
        "unknown committee",
        "ramar",
        "ramar.csv",
        "enhet;budgetår;typ;område;belopp_tkr;status\n"
        "bun;2028;drift;;100;preliminär\n"
        "Gatunämnden;2028;drift;;100;preliminär\n".encode(),
        [
            "ramar.csv, rad 3, kolumn enhet: ”Gatunämnden” är ingen känd enhet",
            "kända: kf, ks, bun, fkn, sn",
        ],
    ),
    (
        "text in a number column",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;100\nbun;2027;5;tolv\n".encode(),
        ["utfall.csv, rad 3, kolumn belopp_tkr: ”tolv” är inget belopp i tkr"],
    ),
    (
        "text in a year column",
        "index",
        "index.csv",
        "år;slag;procent\nnästa år;pris;2\n".encode(),
        ["index.csv, rad 2, kolumn år: ”nästa år” är inget år"],
    ),
    (
        "dots as thousands separators",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;1.234\n".encode(),
        ["utfall.csv, rad 2, kolumn belopp_tkr: ”1.234” är tvetydigt"],
    ),
    (
        "a number written by a program",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;1e3\nsn;2027;4;1_000\n".encode(),
        [
            "rad 2, kolumn belopp_tkr: ”1e3” är inget belopp i tkr: skriv siffrorna ut",
            "rad 3, kolumn belopp_tkr: ”1_000” är inget belopp i tkr: skriv siffrorna ut",
        ],
    ),
    (
        "a misplaced group separator",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;5 00\n".encode(),
        ["utfall.csv, rad 2, kolumn belopp_tkr: ”5 00” har mellanslag på fel ställe"],
    ),
    (
        "an implausibly large amount",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;1 000 000 000\n".encode(),
        ["utfall.csv, rad 2, kolumn belopp_tkr: ”1 000 000 000” tkr är orimligt stort"],
    ),
    (
        "a negative operating frame",
        "ramar",
        "ramar.csv",
        "enhet;budgetår;typ;område;belopp_tkr;status\nbun;2028;drift;;−412 500;förslag\n".encode(),
        ["ramar.csv, rad 2, kolumn belopp_tkr: en driftram är nämndens nettokostnad"],
    ),
    (
        "duplicated row",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;100\nsn;2027;4;100\n"
        "Barn- och utbildningsnämnden;2027;4;50\n".encode(),
        ["utfall.csv, rad 4 upprepar rad 2 (samma enhet, år och månad)"],
    ),
    (
        "PDF",
        "utfall",
        "utfall.csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        ["utfall.csv kan inte importeras", "PDF, varken CSV eller Excel", "Inget har ändrats"],
    ),
    (
        "random bytes",
        "utfall",
        "utfall.xlsx",
        random.Random(1984).randbytes(4096),
        ["utfall.xlsx kan inte importeras", "varken CSV eller Excel"],
    ),
    (
        "old xls",
        "ramar",
        "ramar.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        ["ramar.xls kan inte importeras", "(.xls)", "spara som .xlsx"],
    ),
    ("empty file", "utfall", "utfall.csv", b"", ["utfall.csv kan inte importeras", "tom"]),
    (
        "only a BOM and blank lines",
        "utfall",
        "utfall.csv",
        b"\xef\xbb\xbf\r\n;;;\r\n",
        ["utfall.csv", "filen är tom"],
    ),
    (
        "header but no rows",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\n".encode(),
        ["utfall.csv importerades inte", "inga rader med data"],
    ),
    (
        "month not ended",
        "utfall",
        "utfall-juni.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;5;100\nbun;2027;6;100\n".encode(),
        ["utfall-juni.csv, rad 3, kolumn månad: månaden 2027-06 är inte slut den 15 juni 2027"],
    ),
    (
        "forecast made in a future month",
        "prognos",
        "prognos.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;7;100\n".encode(),
        ["prognos.csv, rad 2, kolumn månad: månaden 2027-07 har inte börjat den 15 juni 2027"],
    ),
    (
        "month out of range",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;13;100\n".encode(),
        ["utfall.csv, rad 2, kolumn månad: ”13” är ingen månad (1–12)"],
    ),
    (
        "year far from the present",
        "ramar",
        "ramar.csv",
        "enhet;budgetår;typ;område;belopp_tkr;status\nbun;2208;drift;;100;kf\n".encode(),
        ["ramar.csv, rad 2, kolumn budgetår: 2208 ligger för långt från 2027; här tas 2017–2037"],
    ),
    (
        "unknown extra column",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr;kommentar\nbun;2027;4;100;ok\n".encode(),
        ["utfall.csv, rad 1, kolumn E: kolumnen ”kommentar” är okänd"],
    ),
    (
        "misspelt column",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belop_tkr\nbun;2027;4;100\n".encode(),
        [
            "utfall.csv, rad 1, kolumn D: kolumnen ”belop_tkr” är okänd (menade du ”belopp_tkr”?)",
            "kolumnen ”belopp_tkr” saknas",
        ],
    ),
    (
        "the same column twice",
        "utfall",
        "utfall.csv",
        "enhet;år;ar;månad;belopp_tkr\nbun;2027;2027;4;100\n".encode(),
        ["utfall.csv, rad 1, kolumn C: kolumnen ”år” finns redan i kolumn B"],
    ),
    (
        "a value without a header",
        "utfall",
        "utfall.csv",
        "enhet;år;månad;belopp_tkr;\nbun;2027;4;100;\nsn;2027;4;100;x\n".encode(),
        ["utfall.csv, rad 3, kolumn E: ”x” står i en kolumn utan rubrik"],
    ),
    (
        "unknown status",
        "ramar",
        "ramar.csv",
        "enhet;budgetår;typ;område;belopp_tkr;status\nbun;2028;drift;;100;slutlig\n".encode(),
        [
            "ramar.csv, rad 2, kolumn status: ”slutlig” är inget giltigt värde; "
            "giltiga: föregående, preliminär, förslag, ks, kf"
        ],
    ),
    (
        "investment without area",
        "ramar",
        "ramar.csv",
        "enhet;budgetår;typ;område;belopp_tkr;status\nbun;2028;investering;;100;kf\n".encode(),
        ["ramar.csv, rad 2, kolumn område: värde saknas"],
    ),
    (
        "missing amount",
        "prognos",
        "prognos.csv",
        "enhet;år;månad;belopp_tkr\nbun;2027;4;\n".encode(),
        ["prognos.csv, rad 2, kolumn belopp_tkr: värde saknas"],
    ),
    (
        "not an age group",
        "befolkning",
        "befolkning.csv",
        "år;åldersgrupp;antal\n2028;äldre;100\n2028;0-5;-3\n".encode(),
        [
            "befolkning.csv, rad 2, kolumn åldersgrupp: ”äldre” är ingen åldersgrupp",
            "befolkning.csv, rad 3, kolumn antal: -3 är mindre än 0",
        ],
    ),
    (
        "an HTML page saved as .xls",
        "utfall",
        "utfall.xls",
        b"<html><body><table><tr><td>enhet</td></tr></table></body></html>",
        ["utfall.xls kan inte importeras", "webbsida"],
    ),
]


@pytest.mark.parametrize(
    ("kind", "name", "content", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_is_refused_clearly_and_changes_nothing(
    db: tuple[Session, Municipality],
    tmp_path: Path,
    kind: str,
    name: str,
    content: bytes,
    words: list[str],
) -> None:
    session, _ = db
    run(db, "utfall", DATA / "utfall.csv")  # something there already, to stay unchanged
    before = counts(session)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArshjulError) as caught:
        run(db, kind, path)
    message = str(caught.value)
    for word in words:
        assert word in message
    assert counts(session) == before
    assert landed(session, "utfall") == EXPECTED["utfall"]


def test_bad_xlsx_names_the_rows_excel_shows(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    before = counts(session)
    path = write_xlsx(
        tmp_path / "ramar.xlsx",
        [
            ["enhet", "budgetår", "typ", "område", "belopp_tkr", "status"],
            ["bun", 2028, "drift", None, 100, "preliminär"],
            [None] * 6,
            ["Gatunämnden", 2028, "drift", None, 100, "preliminär"],
            ["sn", dt.datetime(2028, 1, 1), "drift", None, "tolv", "preliminär"],
            ["sn", 2028, "drift", None, True, "preliminär"],
        ],
    )
    with pytest.raises(ArshjulError) as caught:
        run(db, "ramar", path)
    details = caught.value.details
    assert details[0].startswith("ramar.xlsx, rad 4, kolumn enhet: ”Gatunämnden”")
    assert "ramar.xlsx, rad 5, kolumn budgetår: ”2028-01-01” är ett datum, inget år" in details
    assert "ramar.xlsx, rad 5, kolumn belopp_tkr: ”tolv” är inget belopp i tkr" in details
    assert details[-1].startswith("ramar.xlsx, rad 6, kolumn belopp_tkr: ”True”")
    assert counts(session) == before


def test_an_age_group_excel_turned_into_a_date_is_explained(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "befolkning.xlsx",
        [["år", "åldersgrupp", "antal"], [2028, dt.datetime(2027, 5, 1), 820]],
    )
    with pytest.raises(ArshjulError) as caught:
        run(db, "befolkning", path)
    assert "rad 2, kolumn åldersgrupp: ”2027-05-01” är ett datum: Excel har gjort om" in str(
        caught.value
    )


def test_other_zip_files_are_not_excel(db: tuple[Session, Municipality], tmp_path: Path) -> None:
    docx = tmp_path / "ramar.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ArshjulError, match="ramar.xlsx kan inte importeras: filen är ett Word"):
        run(db, "ramar", docx)
    broken = tmp_path / "trasig.xlsx"
    shutil.copy(write_xlsx(tmp_path / "ok.xlsx", [["år"]]), broken)
    broken.write_bytes(broken.read_bytes()[:200])
    with pytest.raises(ArshjulError, match="trasig.xlsx kan inte importeras"):
        run(db, "ramar", broken)


def test_many_problems_are_capped_at_twenty(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    path = tmp_path / "utfall.csv"
    path.write_text(
        "enhet;år;månad;belopp_tkr\n" + "".join(f"bun;2027;4;fel{n}\n" for n in range(30)),
        encoding="utf-8",
    )
    with pytest.raises(ArshjulError) as caught:
        run(db, "utfall", path)
    assert caught.value.message.startswith("utfall.csv importerades inte: 30 fel; de första 20")
    assert len(caught.value.details) == 20
    assert caught.value.details[0] == (
        "utfall.csv, rad 2, kolumn belopp_tkr: ”fel0” är inget belopp i tkr"
    )


def test_a_missing_file_and_an_unknown_kind(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    with pytest.raises(ArshjulError, match="finns inte"):
        run(db, "utfall", tmp_path / "saknas.csv")
    with pytest.raises(ArshjulError, match="”budget” är ingen importtyp; välj en av: ramar"):
        run(db, "budget", DATA / "ramar.csv")
    assert get_kind("Finansiella mål").slug == "finansiella-mal"


# --------------------------------------------------------------------------- reading, no database
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("enhet;år\nbun;2027\n".encode(), ("enhet", "år")),
        ("enhet,år\nbun,2027\n".encode(), ("enhet", "år")),
        ("enhet\tår\nbun\t2027\n".encode("utf-16"), ("enhet", "år")),
        ("sep=,\nenhet,år;x\nbun,2027\n".encode(), ("enhet", "år;x")),
        ("\ufeffenhet;år\r\nbun;2027\r\n".encode(), ("enhet", "år")),
        ("enhet;år\nbun;2027\n".encode("cp1252"), ("enhet", "år")),
        (" Enhet ;År;;\nbun;2027;;\n".encode(), ("Enhet", "År")),
    ],
)
def test_csv_dialects_and_encodings(content: bytes, expected: tuple[str, ...]) -> None:
    table = read_bytes("f.csv", content)
    assert table.headers == expected
    assert table.rows[0].number == 2
    assert table.rows[0].cells[0] == "bun"


def test_row_numbers_are_excels_with_blank_lines_and_quoted_line_breaks() -> None:
    table = read_bytes("f.csv", b'\nenhet;text\nbun;"tv\xc3\xa5\nrader"\n;\nsn;x\n')
    assert table.header_row == 2
    assert [(r.number, r.cells[0]) for r in table.rows] == [(3, "bun"), (5, "sn")]


def test_headers_match_without_case_accents_or_spacing() -> None:
    columns = KINDS["ramar"].columns
    match = match_headers(
        columns, ("ENHET", "budgetar", "Typ ", "omrade", "Belopp (tkr)", "status")
    )
    assert not match.problems
    assert match.positions["budgetår"] == 1
    assert fold(" Budget-år ") == "budget_ar"


def test_an_amount_cell_formatted_as_per_cent_is_refused(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    """Excel shows 0,25 formatted as per cent as 25 %: as an amount it would be stored ×100."""
    session, _ = db
    before = counts(session)
    path = write_xlsx(
        tmp_path / "utfall.xlsx",
        [["enhet", "år", "månad", "belopp_tkr"], ["bun", 2027, 4, 0.25]],
        {"D2": "0%"},
    )
    with pytest.raises(ArshjulError) as caught:
        run(db, "utfall", path)
    assert "utfall.xlsx, rad 2, kolumn belopp_tkr: cellen är formaterad som procent" in str(
        caught.value
    )
    assert counts(session) == before


def test_the_plausibility_cap_is_the_municipalitys(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    """A smaller municipality sets its own cap; the file and the portal both refuse above it."""
    session, _ = db
    text = shipped_config_path().read_text(encoding="utf-8") + (
        "\n[plausibility]\nmax_amount_tkr = 500000\n"
    )
    config = tmp_path / "kommun.toml"
    config.write_text(text, encoding="utf-8")
    municipality = apply_config(session, load_config(config)).municipality
    session.commit()
    path = tmp_path / "utfall.csv"
    path.write_text("enhet;år;månad;belopp_tkr\nbun;2027;4;600 000\n", encoding="utf-8")
    with pytest.raises(ArshjulError) as caught:
        run((session, municipality), "utfall", path)
    assert "”600 000” tkr är orimligt stort: högst 500\u00a0000 tkr" in str(caught.value)
    path.write_text("enhet;år;månad;belopp_tkr\nbun;2027;4;400 000\n", encoding="utf-8")
    assert run((session, municipality), "utfall", path).created == 1

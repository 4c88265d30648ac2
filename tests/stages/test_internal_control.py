"""Intern kontroll: risks and controls imported, outcomes reported at the annual report.

Risks are valued probability × consequence on the municipality's scale (1–4 by
default, 1–5 if configured) and have one of its categories; the annual report's
form asks each committee for the outcome of each of its controls, and the
report shows them per unit, highest risk first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError
from arshjul.imports import import_file
from arshjul.models import AuditEntry, Control, Municipality, OrgUnit, Risk, SubmissionRequest
from arshjul.stages.base import StageContext

DATA = Path(__file__).parents[1] / "data" / "import"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 6, 15, 9, 0, tzinfo=STOCKHOLM)
REPORT_AS_OF = dt.datetime(2028, 2, 15, 9, 0, tzinfo=STOCKHOLM)
KEY = b"k" * 48

RISK_HEADER = "enhet;år;nyckel;beskrivning;kategori;sannolikhet;konsekvens"
CONTROL_HEADER = "enhet;år;risk;nyckel;metod;frekvens;ansvarig;rapportdatum"


@pytest.fixture
def db(arboga_engine: Engine) -> Iterator[tuple[Session, Municipality]]:
    """A session on a database loaded with the shipped Arboga configuration."""
    with Session(arboga_engine, expire_on_commit=False) as session:
        yield session, session.exec(select(Municipality)).one()


def run(db: tuple[Session, Municipality], kind: str, path: Path) -> Any:
    """Import as the CLI would: commit on success, roll back on a refusal."""
    session, municipality = db
    try:
        report = import_file(
            session, municipality=municipality, kind=kind, path=path, as_of=AS_OF, actor="test"
        )
    except ArshjulError:
        session.rollback()
        raise
    session.commit()
    return report


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(session: Session) -> tuple[int, int]:
    return (
        session.exec(select(func.count()).select_from(Risk)).one(),
        session.exec(select(func.count()).select_from(Control)).one(),
    )


def refused(db: tuple[Session, Municipality], kind: str, path: Path) -> list[str]:
    """The problems of a refused file; nothing was stored."""
    before = stored(db[0])
    with pytest.raises(ArshjulError) as caught:
        run(db, kind, path)
    assert "Inget har ändrats" in str(caught.value)
    assert stored(db[0]) == before
    return list(caught.value.details)


def imported(db: tuple[Session, Municipality]) -> None:
    run(db, "risker", DATA / "risker.csv")
    run(db, "kontroller", DATA / "kontroller.csv")


# --------------------------------------------------------------------------- imports
def test_risks_and_controls_import_from_csv_and_a_reimport_changes_nothing(
    db: tuple[Session, Municipality],
) -> None:
    session, _ = db
    risks = run(db, "risker", DATA / "risker.csv")
    controls = run(db, "kontroller", DATA / "kontroller.csv")
    assert (risks.created, controls.created) == (4, 4)
    units = {u.id: u.key for u in session.exec(select(OrgUnit))}
    assert {
        (units[r.unit_id], r.year, r.key, r.category, r.probability, r.consequence)
        for r in session.exec(select(Risk))
    } == {
        ("bun", 2027, "bun-r1", "rapportering", 3, 4),
        ("bun", 2027, "bun-r2", "omvärld", 2, 2),
        ("bun", 2027, "bun-r3", "IT", 4, 4),  # "it" kept as the configuration spells it
        ("sn", 2027, "sn-r1", "legal", 2, 3),
    }
    risk_keys = {r.id: r.key for r in session.exec(select(Risk))}
    assert {
        (risk_keys[c.risk_id], c.key, c.frequency, c.owner, c.report_on)
        for c in session.exec(select(Control))
    } == {
        ("bun-r1", "k1", "två gånger per år", "ekonomichef", dt.date(2027, 10, 31)),
        ("bun-r2", "k3", "årligen", "upphandlare", dt.date(2027, 9, 30)),
        ("bun-r3", "k2", "kvartalsvis", "IT-samordnare", dt.date(2027, 12, 15)),
        ("sn-r1", "k1", "årligen", "verksamhetschef", dt.date(2027, 11, 30)),
    }
    audits = {a.action: a.details for a in session.exec(select(AuditEntry))}
    assert audits["import.risker"]["created"] == 4
    assert audits["import.kontroller"]["created"] == 4

    before = stored(session), session.exec(select(func.count()).select_from(AuditEntry)).one()
    assert not run(db, "risker", DATA / "risker.csv").changed
    assert not run(db, "kontroller", DATA / "kontroller.csv").changed
    after = stored(session), session.exec(select(func.count()).select_from(AuditEntry)).one()
    assert after == before


def test_a_changed_risk_is_updated_and_a_reported_outcome_survives_a_reimport(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    imported(db)
    control = session.exec(select(Control).where(Control.key == "k2")).one()
    control.outcome = "Inga brister"
    session.add(control)
    session.commit()
    changed = write(
        tmp_path / "risker.csv",
        RISK_HEADER,
        "bun;2027;bun-r2;Leverantören går i konkurs;omvärld;3;2",
    )
    report = run(db, "risker", changed)
    assert (report.created, report.updated) == (0, 1)
    risk = session.exec(select(Risk).where(Risk.key == "bun-r2")).one()
    assert (risk.description, risk.value) == ("Leverantören går i konkurs", 6)
    run(db, "kontroller", DATA / "kontroller.csv")
    assert session.exec(select(Control).where(Control.key == "k2")).one().outcome == "Inga brister"


@pytest.mark.parametrize(
    ("kind", "lines", "expected"),
    [
        (
            "risker",
            [RISK_HEADER, "bun;2027;r1;Fel i underlaget;verksamhet;5;2"],
            "risker.csv, rad 2, kolumn sannolikhet: 5 ligger utanför skalan 1–4",
        ),
        (
            "risker",
            [RISK_HEADER, "bun;2027;r1;Fel i underlaget;verksamhet;2;7"],
            "risker.csv, rad 2, kolumn konsekvens: 7 ligger utanför skalan 1–4",
        ),
        (
            "risker",
            [RISK_HEADER, "bun;2027;r1;Fel i underlaget;verksamhet;0;2"],
            "risker.csv, rad 2, kolumn sannolikhet: 0 är mindre än 1",
        ),
        (
            "risker",
            [RISK_HEADER, "bun;2027;r1;Fel i underlaget;ekonomi;2;2"],
            "risker.csv, rad 2, kolumn kategori: ”ekonomi” är ingen kategori för intern "
            "kontroll; välj en av: omvärld, verksamhet, legal, IT, rapportering",
        ),
        (
            "kontroller",
            [CONTROL_HEADER, "bun;2027;bun-r9;k9;Stickprov;årligen;ekonomichef;2027-10-31"],
            "kontroller.csv, rad 2, kolumn risk: ”bun-r9” är ingen risk för bun 2027; "
            "importera risken först (arshjul import risker)",
        ),
        (
            "kontroller",
            # The risk exists, but for another unit.
            [CONTROL_HEADER, "sn;2027;bun-r1;k9;Stickprov;årligen;ekonomichef;2027-10-31"],
            "kontroller.csv, rad 2, kolumn risk: ”bun-r1” är ingen risk för sn 2027",
        ),
        (
            "kontroller",
            [CONTROL_HEADER, "bun;2027;bun-r1;k9;Stickprov;årligen;ekonomichef;31/10/2027"],
            "kontroller.csv, rad 2, kolumn rapportdatum: ”31/10/2027” är inget datum; "
            "skriv det som ÅÅÅÅ-MM-DD",
        ),
        (
            "kontroller",
            [CONTROL_HEADER, "bun;2027;bun-r1;k9;Stickprov;årligen;ekonomichef;2027-02-30"],
            "kontroller.csv, rad 2, kolumn rapportdatum: ”2027-02-30” är inget datum",
        ),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_stored(
    db: tuple[Session, Municipality], tmp_path: Path, kind: str, lines: list[str], expected: str
) -> None:
    run(db, "risker", DATA / "risker.csv")
    # A good row beside the bad one: the whole file is refused.
    good = {
        "risker": "sn;2027;sn-r2;Ny risk;legal;1;1",
        "kontroller": "sn;2027;sn-r1;k2;Granskning;årligen;chef;2027-11-30",
    }[kind]
    problems = refused(db, kind, write(tmp_path / f"{kind}.csv", lines[0], good, *lines[1:]))
    assert len(problems) == 1
    assert problems[0].replace("rad 3", "rad 2").startswith(expected), problems


def test_a_configured_scale_of_five_accepts_five(engine: Engine, tmp_path: Path) -> None:
    toml = shipped_config_path().read_text(encoding="utf-8")
    config = tmp_path / "kommun.toml"
    config.write_text(
        toml + '\n[internal_control]\nscale = 5\ncategories = ["ekonomi", "IT"]\n',
        encoding="utf-8",
    )
    with Session(engine, expire_on_commit=False) as session:
        municipality = apply_config(session, load_config(config)).municipality
        session.commit()
        db = (session, municipality)
        path = write(
            tmp_path / "risker.csv", RISK_HEADER, "bun;2027;r1;Fel i underlaget;Ekonomi;5;5"
        )
        assert run(db, "risker", path).created == 1
        assert session.exec(select(Risk)).one().category == "ekonomi"
        too_high = write(tmp_path / "hog.csv", RISK_HEADER, "bun;2027;r2;Fel;IT;6;1")
        assert refused(db, "risker", too_high) == [
            "hog.csv, rad 2, kolumn sannolikhet: 6 ligger utanför skalan 1–5 "
            "(kommunens skala för intern kontroll)"
        ]
        default_category = write(tmp_path / "kat.csv", RISK_HEADER, "bun;2027;r2;Fel;legal;1;1")
        assert "”legal” är ingen kategori" in refused(db, "risker", default_category)[0]


def test_the_config_refuses_a_scale_outside_three_to_five(tmp_path: Path) -> None:
    toml = shipped_config_path().read_text(encoding="utf-8")
    config = tmp_path / "kommun.toml"
    config.write_text(toml + "\n[internal_control]\nscale = 6\n", encoding="utf-8")
    with pytest.raises(ArshjulError):
        load_config(config)
    assert load_config().config.internal_control.scale == 4


# --------------------------------------------------------------------------- the annual report
def _annual_report(session: Session, municipality: Municipality, tmp_path: Path) -> StageContext:
    from arshjul.lifecycle.requests import open_requests
    from arshjul.settings import Settings
    from arshjul.stages.base import stage_context

    settings = Settings(
        database_url=str(session.get_bind().url),
        secret_key="s" * 40,
        output_dir=tmp_path / "utdata",
    )
    ctx = stage_context(
        session,
        municipality=municipality,
        year=2027,
        slug="arsredovisning",
        as_of=REPORT_AS_OF,
        settings=settings,
    )
    open_requests(
        session, municipality=municipality, stage=ctx.stage, as_of=REPORT_AS_OF, link_key=KEY
    )
    session.commit()
    return ctx


def _request(session: Session, ctx: StageContext, unit_key: str) -> SubmissionRequest:
    unit = session.exec(select(OrgUnit).where(OrgUnit.key == unit_key)).one()
    return session.exec(
        select(SubmissionRequest).where(
            SubmissionRequest.stage_instance_id == ctx.stage.id,
            SubmissionRequest.unit_id == unit.id,
        )
    ).one()


def _answer(controls: dict[str, Any]) -> dict[str, Any]:
    return {
        "result_comment": "Ett år i balans.",
        "goals": {"bun-1": {"attainment": "uppfyllt", "motivation": "Målet nåddes."}},
        "internal_control": "Alla kontroller i planen har gjorts.",
        "controls": controls,
    }


def test_the_form_asks_each_control_highest_risk_first_and_requires_an_outcome(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    from arshjul.forms.figures import stage_facts
    from arshjul.lifecycle.on_behalf import submit_on_behalf

    session, municipality = db
    imported(db)
    ctx = _annual_report(session, municipality, tmp_path)
    request = _request(session, ctx, "bun")
    facts = stage_facts(session, request)
    assert [(c["key"], c["risk"], c["value_text"]) for c in facts.context()["controls"]] == [
        ("k2", "bun-r3", "4×4 = 16"),
        ("k1", "bun-r1", "3×4 = 12"),
        ("k3", "bun-r2", "2×2 = 4"),
    ]

    def submit(controls: dict[str, Any]) -> Any:
        return submit_on_behalf(
            session,
            request=request,
            data=_answer(controls),
            submitted_by="Controller",
            as_of=REPORT_AS_OF,
        )

    with pytest.raises(ArshjulError) as caught:
        submit({"k1": {"outcome": "Inga brister"}, "k2": {"outcome": " ", "measure": "Byt rutin"}})
    assert "sparades inte" in str(caught.value)
    assert sorted(caught.value.details) == [
        "controls.k2.outcome: Fältet måste fyllas i",
        "controls.k3.outcome: Fältet måste fyllas i",
    ]
    session.rollback()

    submission = submit(
        {
            "k1": {"outcome": "Inga brister i stickprovet."},
            "k2": {"outcome": "Två konton hade för höga behörigheter.", "measure": "Ny rutin"},
            "k3": {"outcome": "Leverantören är stabil.", "measure": ""},
            "okand": {"outcome": "Räknas inte"},
        }
    )
    assert submission.data["controls"] == {
        "k2": {"outcome": "Två konton hade för höga behörigheter.", "measure": "Ny rutin"},
        "k1": {"outcome": "Inga brister i stickprovet.", "measure": ""},
        "k3": {"outcome": "Leverantören är stabil.", "measure": ""},
    }
    # A company has no controls to report.
    company = stage_facts(session, _request(session, ctx, "vatten"))
    assert company.controls == []


def test_the_outcomes_reach_the_annual_report_highest_risk_first(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    from arshjul.lifecycle.on_behalf import submit_on_behalf
    from arshjul.stages.followup import write_arsredovisning
    from arshjul.stages.followup_records import record_control_outcomes
    from arshjul.stages.followup_report import _internal_control

    session, municipality = db
    imported(db)
    ctx = _annual_report(session, municipality, tmp_path)
    submit_on_behalf(
        session,
        request=_request(session, ctx, "bun"),
        data=_answer(
            {
                "k1": {"outcome": "Inga brister i stickprovet."},
                "k2": {"outcome": "Två konton hade för höga behörigheter.", "measure": "Ny rutin"},
                "k3": {"outcome": "Leverantören är stabil."},
            }
        ),
        submitted_by="Controller",
        as_of=REPORT_AS_OF,
    )
    session.commit()

    record_control_outcomes(ctx)
    session.commit()
    sections = {section.unit: section.controls for section in _internal_control(ctx)}
    bun = sections["Barn- och utbildningsnämnden"]
    assert [c.risk for c in bun] == [
        "Intrång i elevregistret (IT, 4×4 = 16)",
        "Fel i underlaget för elevpeng (rapportering, 3×4 = 12)",
        "Leverantör av skolskjuts går i konkurs (omvärld, 2×2 = 4)",
    ]
    assert [(c.outcome, c.measure) for c in bun] == [
        ("Två konton hade för höga behörigheter.", "Ny rutin"),
        ("Inga brister i stickprovet.", ""),
        ("Leverantören är stabil.", ""),
    ]
    assert (
        bun[0].control == "Genomgång av behörigheter i elevregistret (kvartalsvis, IT-samordnare)"
    )
    # The social committee did not answer: its control is shown as not reported.
    assert [c.outcome for c in sections["Socialnämnden"]] == ["Ej rapporterat"]

    # Recording again changes nothing.
    values = sorted((c.key, c.outcome, c.measure) for c in session.exec(select(Control)))
    record_control_outcomes(ctx)
    assert not session.dirty
    assert sorted((c.key, c.outcome, c.measure) for c in session.exec(select(Control))) == values

    # The built annual report carries the table.
    paths = write_arsredovisning(ctx)
    session.commit()
    document = Document(str(next(p for p in paths if p.suffix == ".docx")))
    rows = [
        [cell.text for cell in row.cells]
        for table in document.tables
        for row in table.rows
        if "4×4 = 16" in row.cells[0].text or "3×4 = 12" in row.cells[0].text
    ]
    assert rows[0][0].endswith("4×4 = 16)") and rows[0][3] == "Ny rutin"
    assert rows[1][0].endswith("3×4 = 12)") and rows[1][2] == "Inga brister i stickprovet."

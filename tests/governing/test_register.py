"""The register of governing documents (#18, item 4): the rule, the seeded register, the import.

The rule of which body decides which kind is tested without a database; the register
on SQLite and PostgreSQL (the ``engine`` fixture), as a controller meets it: the
shipped configuration seeds the eighteen documents of the governance model's section
6.1, ``arshjul import styrdokument`` stores a file's rows, and a bad row is refused
in Swedish naming the row, the column, the document and the body, with nothing written.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError, ConfigError
from arshjul.governance.documents import (
    FITTING_BODIES,
    POLITICAL_KINDS,
    DecidingBody,
    DocumentKind,
    body_problem,
    default_review_years,
    next_review,
)
from arshjul.imports.governing import TEMPLATE, import_governing_documents
from arshjul.models import (
    AuditEntry,
    DocumentReview,
    DocumentState,
    GoverningDocument,
    Municipality,
    OrgUnit,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 1, 15, 9, 0, tzinfo=STOCKHOLM)
SHIPPED = shipped_config_path().read_text(encoding="utf-8")
HEADER = "nyckel;titel;slag;ägare;beslutat_av;beslutsdatum;paragraf;översyn_år;nästa_översyn;fil"

#: Section 6.1 of the governance model (seed/000_626ec6c99c110f06.txt), in its order.
SECTION_6_1 = [
    "Politiskt program",
    "Reglemente för kommunstyrelsen och nämnderna",
    "Delegationsordningar",
    "Värdegrunden PUMI",
    "Strategisk och ekonomisk plan inklusive resursfördelningsmodell",
    "God ekonomisk hushållning",
    "Finanspolicy",
    "Översiktsplan",
    "Lokalförsörjningsplan",
    "Policy för personalpolitik",
    "Chef- och ledarskapsstrategi",
    "Riktlinjer för medarbetarsamtal och lönesamtal",
    "Riktlinjer för arbetet med barnkonventionen",
    "Riktlinjer för styrdokument",
    "Riktlinjer för uppsiktsplikt",
    "Reglemente för intern kontroll",
    "Upphandlingspolicy",
    "Dokumenthanteringsplan",
]


# --------------------------------------------------------------------------- the rule
@pytest.mark.parametrize("kind", sorted(POLITICAL_KINDS))
def test_a_political_kind_is_decided_by_the_council_the_board_or_a_committee(
    kind: DocumentKind,
) -> None:
    for body in (DecidingBody.COUNCIL, DecidingBody.EXECUTIVE_BOARD, DecidingBody.COMMITTEE):
        assert body_problem(kind, body, title="X") is None
    for body in (DecidingBody.CHIEF_EXECUTIVE, DecidingBody.HEAD_OF_ADMINISTRATION):
        assert body_problem(kind, body, title="X") is not None
    assert default_review_years(kind) == 4  # once per term


def test_administrative_kinds_follow_section_6() -> None:
    # Common to every administration: the chief executive; one administration's: its head.
    assert FITTING_BODIES[DocumentKind.JOINT_INSTRUCTION] == {DecidingBody.CHIEF_EXECUTIVE}
    assert FITTING_BODIES[DocumentKind.INSTRUCTION] == {DecidingBody.HEAD_OF_ADMINISTRATION}
    assert body_problem(DocumentKind.ROUTINE, DecidingBody.COUNCIL, title="X") is not None
    assert len(DocumentKind) == 8 and len(POLITICAL_KINDS) == 5


def test_a_mismatch_names_the_document_its_kind_and_the_body() -> None:
    message = body_problem(DocumentKind.POLICY, DecidingBody.CHIEF_EXECUTIVE, title="Finanspolicy")
    assert message == (
        "”Finanspolicy” är en policy, ett politiskt styrdokument, och beslutas av "
        "kommunfullmäktige, kommunstyrelsen eller en nämnd, inte av kommundirektören"
    )
    message = body_problem(
        DocumentKind.ROUTINE, DecidingBody.COUNCIL, title="Rutin för attest", body_name="KF"
    )
    assert message is not None and "ett förvaltningsbeslut" in message
    assert message.endswith("beslutas av kommundirektören eller en förvaltningschef, inte av KF")


def test_the_next_review_is_the_interval_after_the_decision() -> None:
    assert next_review(dt.date(2023, 2, 23), 4) == dt.date(2027, 2, 23)
    assert next_review(dt.date(2024, 2, 29), 2) == dt.date(2026, 2, 28)


# --------------------------------------------------------------------------- the configuration
@pytest.fixture
def db(arboga_engine: Engine) -> Iterator[tuple[Session, Municipality]]:
    """A session on a database loaded with the shipped Arboga configuration."""
    with Session(arboga_engine, expire_on_commit=False) as session:
        yield session, session.exec(select(Municipality)).one()


def _register(session: Session) -> list[GoverningDocument]:
    return list(session.exec(select(GoverningDocument).order_by(GoverningDocument.id)).all())


def test_arboga_is_seeded_with_the_eighteen_documents_of_section_6_1(
    db: tuple[Session, Municipality],
) -> None:
    session, municipality = db
    rows = _register(session)
    assert [r.title for r in rows] == SECTION_6_1
    assert len(rows) == 18
    units = {u.id: u.key for u in session.exec(select(OrgUnit)).all()}
    for row in rows:
        kind = DocumentKind(row.kind)
        assert body_problem(kind, DecidingBody(row.deciding_body), title=row.title) is None
        assert row.decided_on < row.next_review_on
        assert row.state == DocumentState.IN_FORCE and row.paragraph.startswith(("KF §", "KS §"))
        assert units[row.owner_unit_id] == "ks"
    by_key = {r.key: r for r in rows}
    # A political document: once per term; the yearly plan: the date the file gives.
    assert by_key["finanspolicy"].next_review_on == dt.date(2027, 10, 26)
    assert by_key["sep"].next_review_on == dt.date(2027, 11, 25)
    # Loading the file again changes nothing.
    report = apply_config(session, load_config())
    assert not report.changed


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kommun.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_configured_document_decided_by_the_wrong_body_stops_init(tmp_path: Path) -> None:
    wrong = SHIPPED.replace(
        'key = "finanspolicy"\ntitle = "Finanspolicy"\nkind = "policy"\nowner = "ks"\n'
        'decided_by = "kf"',
        'key = "finanspolicy"\ntitle = "Finanspolicy"\nkind = "policy"\nowner = "ks"\n'
        'decided_by = "chief_executive"',
    )
    assert wrong != SHIPPED
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, wrong))
    message = str(caught.value)
    assert "governing_documents.documents[6].decided_by" in message
    assert "”Finanspolicy” är en policy, ett politiskt styrdokument" in message
    assert "inte av kommundirektören" in message


def test_a_configured_review_before_the_decision_stops_init(tmp_path: Path) -> None:
    wrong = SHIPPED.replace("next_review = 2027-11-25", "next_review = 2026-01-01")
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, wrong))
    assert "nästa översyn 2026-01-01 ligger inte efter beslutet 2026-11-26" in str(caught.value)


# --------------------------------------------------------------------------- the import
def _import(db: tuple[Session, Municipality], path: Path, as_of: dt.datetime = AS_OF) -> str:
    """Import as the CLI would: commit on success, roll back on a refusal."""
    session, municipality = db
    try:
        report = import_governing_documents(
            session, municipality=municipality, path=path, as_of=as_of, actor="test"
        )
    except ArshjulError:
        session.rollback()
        raise
    session.commit()
    return str(report)


def _csv(tmp_path: Path, *rows: str, name: str = "register.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_template_imports_its_rows_and_again_changes_nothing(
    db: tuple[Session, Municipality],
) -> None:
    session, _ = db
    before = len(_register(session))
    first = _import(db, TEMPLATE)
    assert first == "Styrdokument från styrdokument.csv: 2 rader lästa, 1 ny, 0 ändrade."
    rows = _register(session)
    assert len(rows) == before + 1  # the finance policy is the seeded one, unchanged
    routine = next(r for r in rows if r.key == "rutin-attest")
    assert routine.kind == "routine" and routine.deciding_body == "head_of_administration"
    assert routine.next_review_on == dt.date(2027, 9, 1)  # the file's two years
    assert routine.file == r"G:\Styrdokument\BUF\rutin-attest.docx"
    again = _import(db, TEMPLATE)
    assert "inget ändrat" in again
    audits = session.exec(
        select(AuditEntry).where(AuditEntry.action == "import.styrdokument")
    ).all()
    assert len(audits) == 1 and audits[0].details["created"] == 1


def test_bad_rows_are_refused_in_swedish_and_nothing_is_written(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    count = session.exec(select(func.count()).select_from(GoverningDocument)).one()
    path = _csv(
        tmp_path,
        "ny-policy;Miljöpolicy;policy;ks;KF;2025-05-22;KF § 50;;;",  # fine on its own
        ";Klimatlöfte;manifest;ks;KF;2025-05-22;KF § 51;;;",
        ";Rutin för attest;rutin;buf;KF;2025-09-01;KF § 88;;;",
        ";Avfallspolicy;policy;ks;kommundirektören;2025-02-01;;;;",
        ";Taxa för bygglov;taxa;ks;KF;2025-06-19;KF § 70;;2024-06-01;",
    )
    with pytest.raises(ArshjulError) as caught:
        _import(db, path)
    error = caught.value
    assert str(error).splitlines()[0] == (
        "register.csv importerades inte: 4 fel. Inget har ändrats."
    )
    details = error.details
    assert details[0].startswith("register.csv, rad 3, kolumn slag: ”manifest” är inget slag")
    assert details[1] == (
        "register.csv, rad 4, kolumn beslutat_av: ”Rutin för attest” är en rutin, ett "
        "förvaltningsbeslut, och beslutas av kommundirektören eller en förvaltningschef, "
        "inte av Kommunfullmäktige"
    )
    assert details[2] == (
        "register.csv, rad 5, kolumn beslutat_av: ”Avfallspolicy” är en policy, ett politiskt "
        "styrdokument, och beslutas av kommunfullmäktige, kommunstyrelsen eller en nämnd, "
        "inte av kommundirektören"
    )
    assert details[3] == (
        "register.csv, rad 6, kolumn nästa_översyn: nästa översyn 2024-06-01 ligger inte "
        "efter beslutet 2025-06-19"
    )
    assert session.exec(select(func.count()).select_from(GoverningDocument)).one() == count


def test_a_new_decision_supersedes_the_version_in_force_and_keeps_it(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    path = _csv(tmp_path, "finanspolicy;Finanspolicy;policy;ks;kf;2026-10-29;KF § 101;;;")
    assert "1 ny" in _import(db, path)
    versions = [r for r in _register(session) if r.key == "finanspolicy"]
    assert [(v.decided_on, v.state) for v in versions] == [
        (dt.date(2023, 10, 26), DocumentState.SUPERSEDED),
        (dt.date(2026, 10, 29), DocumentState.IN_FORCE),
    ]
    assert versions[1].replaces_id == versions[0].id
    assert versions[1].next_review_on == dt.date(2030, 10, 29)


def test_an_xlsx_register_with_excel_dates_and_a_committee(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    book = Workbook()
    sheet = book.active
    sheet.append(["Titel", "Slag", "Ägare", "Beslutat av", "Beslutsdatum", "Paragraf"])
    sheet.append(
        ["Skolplan", "Handlingsplan", "bun", "Barn- och utbildningsnämnden",
         dt.datetime(2025, 3, 18), "BUN § 21"]
    )  # fmt: skip
    sheet.append(["Anvisning för skolskjuts", "anvisning", "buf", "buf", dt.date(2026, 8, 3), ""])
    path = tmp_path / "register.xlsx"
    book.save(path)
    assert "2 nya" in _import(db, path)
    rows = {r.key: r for r in _register(session)}
    plan = rows["skolplan"]
    assert (plan.kind, plan.deciding_body, plan.decided_on) == (
        "plan",
        "committee",
        dt.date(2025, 3, 18),
    )
    assert plan.next_review_on == dt.date(2029, 3, 18)
    instruction = rows["anvisning-for-skolskjuts"]
    assert instruction.deciding_body == "head_of_administration"
    assert instruction.next_review_on == dt.date(2028, 8, 3)  # administrative: two years


def test_the_command_line_imports_and_refuses_in_swedish(arboga: Engine, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "arshjul", "import", "styrdokument"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [*command, str(TEMPLATE), "--as-of", "2027-01-15"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Styrdokument från styrdokument.csv: 2 rader lästa, 1 ny" in done.stdout
    bad = _csv(tmp_path, ";Avfallspolicy;policy;ks;kommundirektören;2025-02-01;;;;")
    refused = subprocess.run(
        [*command, str(bad)], capture_output=True, text=True, env=env, check=False
    )
    assert refused.returncode != 0
    assert "Fel: register.csv importerades inte: 1 fel. Inget har ändrats." in refused.stderr
    assert "”Avfallspolicy” är en policy" in refused.stderr
    with Session(arboga) as session:
        assert len(_register(session)) == 19


def test_the_review_interval_is_configurable_per_kind(tmp_path: Path) -> None:
    text = SHIPPED.replace(
        "# [governing_documents.review_years]\n# guideline = 4\n",
        "[governing_documents.review_years]\nguideline = 2\n",
    )
    assert text != SHIPPED
    cfg = load_config(_write(tmp_path, text)).config
    assert cfg.governing_documents.review_years == {DocumentKind.GUIDELINE: 2}
    with pytest.raises(ConfigError, match="review_years"):
        load_config(_write(tmp_path, text.replace("guideline = 2", "guideline = 0")))


def test_a_guideline_reviewed_every_two_years_when_configured(
    engine: Engine, tmp_path: Path
) -> None:
    text = SHIPPED.replace(
        "# [governing_documents.review_years]\n# guideline = 4\n",
        "[governing_documents.review_years]\nguideline = 2\n",
    )
    with Session(engine) as session:
        apply_config(session, load_config(_write(tmp_path, text)))
        rows = {r.key: r for r in _register(session)}
    # Riktlinjer för styrdokument, KF § 61 on 25 May 2023: two years on, not four.
    assert rows["riktlinjer-styrdokument"].review_interval_years == 2
    assert rows["riktlinjer-styrdokument"].next_review_on == dt.date(2025, 5, 25)
    assert rows["finanspolicy"].next_review_on == dt.date(2027, 10, 26)  # a policy: a term


def test_an_older_version_read_after_its_successor_is_kept_but_not_in_force(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    path = _csv(tmp_path, "finanspolicy;Finanspolicy;policy;ks;kf;2019-05-23;KF § 61;;;")
    assert "1 ny" in _import(db, path)
    versions = {v.decided_on: v for v in _register(session) if v.key == "finanspolicy"}
    assert versions[dt.date(2019, 5, 23)].state == DocumentState.SUPERSEDED
    assert versions[dt.date(2023, 10, 26)].state == DocumentState.IN_FORCE


ANSWER_HEADER = "nyckel;titel;slag;ägare;beslutat_av;beslutsdatum;paragraf;översyn;revideras_senast"


def _answers(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "svar.csv"
    path.write_text("\n".join([ANSWER_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_an_owners_answer_is_recorded_by_importing_the_register_once(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    path = _answers(
        tmp_path, "finanspolicy;Finanspolicy;policy;ks;KF;2023-10-26;KF § 112;oförändrat;"
    )
    august = dt.datetime(2027, 8, 2, 9, 0, tzinfo=STOCKHOLM)
    assert _import(db, path, august).endswith("1 rad läst, 0 nya, 1 ändrad.")
    policy = next(r for r in _register(session) if r.key == "finanspolicy")
    # The columns the file leaves out keep the register's values.
    assert policy.file.endswith("/finanspolicy.pdf") and policy.replaces.startswith("Finans")
    assert policy.last_reviewed_on == dt.date(2027, 8, 2)
    assert policy.next_review_on == dt.date(2031, 8, 2)  # a term from the answer
    [review] = session.exec(select(DocumentReview)).all()
    assert (review.outcome, review.due_on, review.answered_by) == (
        "unchanged",
        dt.date(2027, 10, 26),
        "test",
    )
    assert "inget ändrat" in _import(db, path, august)  # the same answer again


def test_a_wrong_answer_is_refused_naming_the_row(
    db: tuple[Session, Municipality], tmp_path: Path
) -> None:
    session, _ = db
    path = _answers(
        tmp_path,
        "finanspolicy;Finanspolicy;policy;ks;KF;2023-10-26;KF § 112;ska revideras;",
        "sep;Strategisk och ekonomisk plan;plan;ks;KF;2026-11-26;KF § 121;revideras;2027-01-01",
        "upphandlingspolicy;Upphandlingspolicy;policy;ks;KF;2020-04-23;KF § 40;oförändrat;",
    )
    with pytest.raises(ArshjulError) as caught:
        _import(db, path, dt.datetime(2027, 3, 1, 9, 0, tzinfo=STOCKHOLM))
    assert caught.value.details == [
        "svar.csv, rad 2, kolumn revideras_senast: ska revideras: ange när (revideras_senast)",
        "svar.csv, rad 3, kolumn revideras_senast: 2027-01-01 ligger inte efter i dag",
    ]
    # Once every row reads, the answers are checked against the register.
    path = _answers(
        tmp_path,
        "finanspolicy;Finanspolicy;policy;ks;KF;2023-10-26;KF § 112;oförändrat;",
        "upphandlingspolicy;Upphandlingspolicy;policy;ks;KF;2020-04-23;KF § 40;oförändrat;",
    )
    with pytest.raises(ArshjulError) as caught:
        _import(db, path, dt.datetime(2027, 3, 1, 9, 0, tzinfo=STOCKHOLM))
    assert caught.value.details == [
        "svar.csv, rad 3, kolumn översyn: ”Upphandlingspolicy” beslutat 2020-04-23 är ingen "
        "gällande version i registret; en översyn gäller den version som gäller",
    ]
    assert session.exec(select(DocumentReview)).all() == []

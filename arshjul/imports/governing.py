"""``arshjul import styrdokument FIL``: the register of governing documents from CSV or XLSX.

Not a kind of ``kinds.py``: those are figures per year, upserted by a unit and a year,
while a document is found again by its key and decision date and a later decision
supersedes the version before it (``arshjul/queries/governing.py``). The reading,
the header matching and the messages are the other kinds' (``reader.py``,
``columns.py``, ``apply.Problems``): every problem names the file, the row as Excel
shows it and the column, and one problem refuses the whole file, writing nothing.

A row whose deciding body does not fit its kind (a policy decided by the chief
executive, a routine by the council) is refused with the rule's own words
(:func:`arshjul.governance.documents.body_problem`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from arshjul.config.stored import municipality_config
from arshjul.errors import ArshjulError
from arshjul.governance.documents import (
    BODY_OF_UNIT_KIND,
    KIND_SV,
    KIND_WORDS,
    REVIEW_OUTCOME_SV,
    DecidingBody,
    DocumentKind,
    ReviewOutcome,
    answer_review,
    body_problem,
    next_review,
    review_date_problem,
    review_years,
)
from arshjul.imports.apply import ImportReport, Problems, begin_import
from arshjul.imports.columns import (
    CellContext,
    CellError,
    Column,
    ColumnType,
    fold,
    match_headers,
    read_cell,
)
from arshjul.imports.reader import Cell
from arshjul.models import (
    AuditEntry,
    DocumentState,
    Municipality,
    OrgUnit,
    UnitKind,
)
from arshjul.queries.governing import (
    find_version,
    last_answer,
    open_review,
    present_review,
    store_version,
)

SLUG = "styrdokument"
TITLE = "Styrdokument"
TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "import" / f"{SLUG}.csv"


def _key(text: str) -> str:
    key = fold(text).replace("_", "-")
    if not key:
        raise ValueError(f"”{text}” duger inte som nyckel; skriv t.ex. finanspolicy")
    return key


COLUMNS: tuple[Column, ...] = (
    Column("nyckel", ColumnType.TEXT, "key", required=False, max_length=80, clean=_key),
    Column("titel", ColumnType.TEXT, "title", aliases=("namn", "styrdokument")),
    Column("slag", ColumnType.TEXT, "kind", aliases=("typ", "dokumenttyp"), max_length=40),
    Column("ägare", ColumnType.UNIT, "owner", aliases=("ägande_enhet", "enhet")),
    Column(
        "beslutat_av",
        ColumnType.TEXT,
        "body",
        aliases=("beslutande", "beslutande_organ", "organ", "beslutsfattare"),
    ),
    Column("beslutsdatum", ColumnType.TEXT, "decided_on", aliases=("beslutad", "datum")),
    Column("paragraf", ColumnType.TEXT, "paragraph", required=False, max_length=60),
    Column(
        "översyn_år",
        ColumnType.INT,
        "interval",
        required=False,
        aliases=("översynsintervall", "intervall_år"),
        minimum=1,
        maximum=10,
    ),
    Column("nästa_översyn", ColumnType.TEXT, "next_review", required=False),
    Column("fil", ColumnType.TEXT, "file", required=False, max_length=500),
    Column("ersätter", ColumnType.TEXT, "replaces", required=False, max_length=300),
    # The owner's answer to a review of a version in the register (item 5): the
    # controller who receives it by e-mail records it by re-importing the register.
    Column(
        "översyn",
        ColumnType.CHOICE,
        "review",
        required=False,
        aliases=("översynens_svar", "svar"),
        choices={
            "oförändrat": ReviewOutcome.UNCHANGED,
            "ska revideras": ReviewOutcome.REVISE,
            "ska upphävas": ReviewOutcome.REPEAL,
            "oförändrad": ReviewOutcome.UNCHANGED,
            "revideras": ReviewOutcome.REVISE,
            "upphävas": ReviewOutcome.REPEAL,
        },
    ),
    Column(
        "revideras_senast", ColumnType.TEXT, "revise_by", required=False, aliases=("klart_senast",)
    ),
)
_DATES = ("decided_on", "next_review", "revise_by")
#: The optional columns whose absence keeps a stored version's value, and its field.
_KEPT_WHEN_ABSENT = {
    "paragraf": "paragraph",
    "fil": "file",
    "ersätter": "replaces",
    "översyn_år": "review_interval_years",
}

#: The words for a body that is not a unit of the organisation.
_BODY_WORDS: dict[str, DecidingBody] = {
    "kf": DecidingBody.COUNCIL,
    "kommunfullmaktige": DecidingBody.COUNCIL,
    "fullmaktige": DecidingBody.COUNCIL,
    "ks": DecidingBody.EXECUTIVE_BOARD,
    "kommunstyrelsen": DecidingBody.EXECUTIVE_BOARD,
    "kommundirektor": DecidingBody.CHIEF_EXECUTIVE,
    "kommundirektoren": DecidingBody.CHIEF_EXECUTIVE,
    "forvaltningschef": DecidingBody.HEAD_OF_ADMINISTRATION,
    "forvaltningschefen": DecidingBody.HEAD_OF_ADMINISTRATION,
}
_BODY_UNIT_KIND = {
    DecidingBody.COUNCIL: UnitKind.COUNCIL,
    DecidingBody.EXECUTIVE_BOARD: UnitKind.EXECUTIVE_BOARD,
}


@dataclass(frozen=True)
class _Document:
    """A checked row: what to store."""

    row: int
    key: str
    decided_on: dt.date
    values: dict[str, Any]
    review: ReviewOutcome | None = None
    revise_by: dt.date | None = None
    # Fields whose column the file leaves out: a version already in the register keeps
    # its own (a file of answers need not repeat every address and paragraph).
    absent: frozenset[str] = frozenset()


def import_governing_documents(
    session: Session,
    *,
    municipality: Municipality,
    path: Path,
    as_of: dt.datetime,
    actor: str,
    origin: str = "cli",
    dry_run: bool = False,
) -> ImportReport:
    """Import the register in ``path``, all rows or none, in the caller's transaction.

    A row is a version of a document (its key, else its title folded, and its decision
    date). A version the register has is updated; a new decision on a known key is a
    new version and supersedes the one in force. Raises :class:`ArshjulError` listing
    every problem, and then nothing is written; a second import of the same file
    changes nothing. ``as_of`` (aware) refuses a decision dated in the future.
    """
    mid = municipality.id
    assert mid is not None
    table, report, units, ctx = begin_import(
        session,
        municipality=municipality,
        path=path,
        kind=SLUG,
        title=TITLE,
        as_of=as_of,
        dry_run=dry_run,
    )
    configured = municipality_config(municipality).governing_documents.review_years
    documents = _check(table.file, table.headers, table.header_row, table.rows, ctx, configured)
    problems = Problems(table.file)
    answering: list[_Document] = []
    for document in documents:
        existing = find_version(
            session, municipality_id=mid, key=document.key, decided_on=document.decided_on
        )
        if existing is not None:
            for name in document.absent:
                document.values[name] = getattr(existing, name)
        if document.review is not None and _new_answer(document, existing, session, problems):
            answering.append(document)
        if existing is None:
            report.created += 1
        elif any(
            getattr(existing, k) != v
            for k, v in document.values.items()
            # A reviewed version's next review is the review's (as store_version keeps it).
            if not (k == "next_review_on" and existing.last_reviewed_on is not None)
        ):
            report.updated += 1
        else:
            report.unchanged += 1
    problems.raise_if_any()
    # An answer changes the register even where the version's own values do not.
    report.updated += len(answering)
    report.unchanged -= min(report.unchanged, len(answering))
    if dry_run or not report.changed:
        return report
    for document in documents:
        store_version(
            session,
            municipality_id=mid,
            key=document.key,
            decided_on=document.decided_on,
            values=document.values,
            source=table.file[:300],
        )
    for document in answering:
        version = find_version(
            session, municipality_id=mid, key=document.key, decided_on=document.decided_on
        )
        assert version is not None and document.review is not None
        review = open_review(session, version, as_of=as_of)
        answer_review(
            review,
            version,
            outcome=document.review,
            revise_by=document.revise_by,
            answered_by=actor,
            as_of=as_of,
        )
        session.add(review)
        session.add(version)
    session.add(
        AuditEntry(
            municipality_id=mid,
            actor=actor,
            origin=origin,
            action=f"import.{SLUG}",
            entity="governing_document",
            details={
                "file": report.file,
                "sha256": report.sha256,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    )
    session.flush()
    return report


def _check(
    file: str,
    headers: tuple[str, ...],
    header_row: int,
    rows: Any,
    ctx: CellContext,
    configured: Mapping[DocumentKind, int],
) -> list[_Document]:
    """Every row read and checked; the documents to store, or one error with every problem."""
    problems = Problems(file)
    header = match_headers(COLUMNS, headers)
    for letter, message in header.problems:
        problems.add(header_row, message, letter)
    problems.raise_if_any()
    if not rows:
        raise ArshjulError(
            f"{file} importerades inte: filen har rubrikraden men inga rader med data. "
            "Inget har ändrats."
        )
    used = set(header.positions.values())
    absent = {field for name, field in _KEPT_WHEN_ABSENT.items() if name not in header.positions}
    if "översyn_år" not in header.positions and "nästa_översyn" not in header.positions:
        absent.add("next_review_on")
    seen: dict[tuple[str, dt.date], int] = {}
    documents: list[_Document] = []
    for row in rows:
        before = len(problems.items)
        values: dict[str, Any] = {}
        for column in COLUMNS:
            position = header.positions.get(column.name)
            cell: Cell = None
            if position is not None and position < len(row.cells):
                cell = row.cells[position]
            if column.field in _DATES and isinstance(cell, dt.date):
                # Excel keeps a typed date as a date: read it as the day it shows.
                cell = (cell.date() if isinstance(cell, dt.datetime) else cell).isoformat()
            try:
                values[column.field] = read_cell(column, cell, ctx)
            except CellError as exc:
                problems.add(row.number, str(exc), column.name)
        problems.add_stray_cells(row, used)
        if len(problems.items) > before:
            continue
        document = _document(row.number, values, ctx, configured, problems, frozenset(absent))
        if document is None:
            continue
        identity = (document.key, document.decided_on)
        if identity in seen:
            problems.add_text(
                f"rad {row.number} upprepar rad {seen[identity]} (samma nyckel och beslutsdatum)"
            )
            continue
        seen[identity] = row.number
        documents.append(document)
    problems.raise_if_any()
    return documents


def _document(
    number: int,
    values: dict[str, Any],
    ctx: CellContext,
    configured: Mapping[DocumentKind, int],
    problems: Problems,
    absent: frozenset[str],
) -> _Document | None:
    """One read row as a document; its problems added (then None)."""
    before = len(problems.items)
    title: str = values["title"]
    folded = fold(values["kind"])
    kind = KIND_WORDS.get(folded) or KIND_WORDS.get(folded.replace("_", " "))
    if kind is None:
        known = ", ".join(KIND_SV[k] for k in DocumentKind)
        problems.add(
            number, f"”{values['kind']}” är inget slag av styrdokument; slagen: {known}", "slag"
        )
    owner: OrgUnit = values["owner"]
    decided_on = _date(values["decided_on"], number, "beslutsdatum", problems)
    if decided_on is not None and decided_on > ctx.as_of.date():
        problems.add(
            number, f"beslutet {decided_on.isoformat()} ligger i framtiden", "beslutsdatum"
        )
    body_of = deciding_body_of(values["body"], owner, ctx)
    if isinstance(body_of, str):
        problems.add(number, body_of, "beslutat_av")
    elif kind is not None:
        body, unit, name = body_of
        problem = body_problem(kind, body, title=title, body_name=name)
        if problem:
            problems.add(number, problem, "beslutat_av")
    review_on = None
    if values["next_review"]:
        review_on = _date(values["next_review"], number, "nästa_översyn", problems)
    if decided_on is not None and review_on is not None:
        problem = review_date_problem(decided_on, review_on)
        if problem:
            problems.add(number, problem, "nästa_översyn")
    revise_by = None
    if values["revise_by"]:
        revise_by = _date(values["revise_by"], number, "revideras_senast", problems)
    review = ReviewOutcome(values["review"]) if values["review"] else None
    if review == ReviewOutcome.REVISE and revise_by is None and not values["revise_by"]:
        problems.add(number, "ska revideras: ange när (revideras_senast)", "revideras_senast")
    elif review != ReviewOutcome.REVISE and values["revise_by"]:
        problems.add(number, "anges bara när översynen säger ska revideras", "revideras_senast")
    if revise_by is not None and revise_by <= ctx.as_of.date():
        message = f"{revise_by.isoformat()} ligger inte efter i dag"
        problems.add(number, message, "revideras_senast")
    if len(problems.items) > before or kind is None or decided_on is None:
        return None
    assert not isinstance(body_of, str)
    body, unit, _ = body_of
    years = values["interval"] or review_years(kind, configured)
    return _Document(
        row=number,
        key=values["key"] or _key(title),
        decided_on=decided_on,
        values={
            "kind": kind.value,
            "title": title,
            "owner_unit_id": owner.id,
            "deciding_body": body.value,
            "deciding_unit_id": unit.id if unit is not None else None,
            "paragraph": values["paragraph"],
            "review_interval_years": years,
            "next_review_on": review_on or next_review(decided_on, years),
            "file": values["file"],
            "replaces": values["replaces"],
        },
        review=review,
        revise_by=revise_by,
        absent=absent,
    )


def _new_answer(document: _Document, existing: Any, session: Session, problems: Problems) -> bool:
    """Whether the row records a new answer to the version's review.

    The review asked for the present review date, or one made now (an owner may review
    before being asked). The same answer imported again is no new answer: after
    "oförändrat" the review date has moved, and the version's last answer is that one.
    Nothing to answer, or another answer given before, is a problem.
    """
    if existing is None or existing.state != DocumentState.IN_FORCE:
        problems.add(
            document.row,
            f"”{document.values['title']}” beslutat {document.decided_on.isoformat()} är ingen "
            "gällande version i registret; en översyn gäller den version som gäller",
            "översyn",
        )
        return False
    review = present_review(session, existing)
    if review is not None and review.outcome is None:
        return True
    same = (str(document.review), document.revise_by)
    if review is None:
        last = last_answer(session, existing)
        return last is None or (last.outcome, last.revise_by) != same
    if (review.outcome, review.revise_by) == same:
        return False
    assert review.outcome is not None  # an open review returned above
    first = REVIEW_OUTCOME_SV[ReviewOutcome(review.outcome)]
    problems.add(
        document.row, f"översynen av ”{existing.title}” är redan besvarad: {first}", "översyn"
    )
    return False


def _date(text: str, number: int, column: str, problems: Problems) -> dt.date | None:
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    problems.add(
        number, f"”{text}” är inget datum; skriv det som ÅÅÅÅ-MM-DD, t.ex. 2027-03-25", column
    )
    return None


def deciding_body_of(
    text: str, owner: OrgUnit, ctx: CellContext
) -> tuple[DecidingBody, OrgUnit | None, str] | str:
    """The body a cell names, its unit and its name for a message; else the Swedish reason.

    ``KF``, ``kommunstyrelsen``, ``kommundirektören``, a committee's or an
    administration's key or name (an administration: its head decided), or
    ``förvaltningschef`` alone for the head of the owning administration.
    """
    word = fold(text)
    body = _BODY_WORDS.get(word)
    if body in _BODY_UNIT_KIND:
        unit = next((u for u in ctx.units.values() if u.kind == _BODY_UNIT_KIND[body]), None)
        return body, unit, unit.name if unit else text
    if body == DecidingBody.CHIEF_EXECUTIVE:
        return body, None, "kommundirektören"
    if body == DecidingBody.HEAD_OF_ADMINISTRATION:
        if owner.kind != UnitKind.ADMINISTRATION:
            return (
                f"”{text}”: ange vilken förvaltnings chef som beslutade (förvaltningens nyckel "
                f"eller namn), {owner.name} är ingen förvaltning"
            )
        return body, owner, f"förvaltningschefen för {owner.name}"
    unit = ctx.units.get(word)
    if unit is None:
        return (
            f"”{text}” är inget beslutande organ; skriv KF, KS, kommundirektören, "
            "förvaltningschef eller en nämnds eller förvaltnings nyckel "
            f"({', '.join(ctx.unit_keys)})"
        )
    unit_body = BODY_OF_UNIT_KIND.get(unit.kind)
    if unit_body is None:
        return f"{unit.name} beslutar inga av kommunens styrdokument"
    if unit_body == DecidingBody.HEAD_OF_ADMINISTRATION:
        return unit_body, unit, f"förvaltningschefen för {unit.name}"
    return unit_body, unit, unit.name

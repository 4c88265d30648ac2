""" "Översyn av politisk organisation och politiskt program YEAR" (stage ``politisk-oversyn``,
election years only): the review's inputs, compiled."""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.followup_common import fitted
from arshjul.documents.ledningsdialog import write_text
from arshjul.documents.planning_data import OversynData, ReviewInput
from arshjul.formats import format_date

TITLE = "Översyn av politisk organisation och politiskt program"

__all__ = ["TITLE", "OversynData", "ReviewInput", "build_oversyn_document"]


def _inputs(doc: DocumentBuilder, items: tuple[ReviewInput, ...]) -> None:
    for item in items:
        doc.heading(item.title, 2)
        if item.source:
            doc.paragraph(f"Från: {item.source}", italic=True)
        write_text(doc, item.text)


def _documents_due(doc: DocumentBuilder, data: OversynData) -> None:
    """The political governing documents the new council is to review in its term."""
    term = f"{data.cycle_year + 1}–{data.cycle_year + 4}"
    doc.prose("oversyn/styrdokument.md.j2", antal=len(data.documents_due), mandatperiod=term)
    if data.documents_due:
        doc.table(
            ["Styrdokument", "Slag", "Beslut", "Översyn senast", "Ägare"],
            [
                [d.title, d.kind, d.decided, format_date(d.review_by), d.owner]
                for d in data.documents_due
            ],
            numeric_columns=(),
            caption=f"Politiska styrdokument att se över under mandatperioden {term}",
            widths_cm=fitted(doc, (5.2, 2.2, 3.4, 2.8, 2.4)),
        )


def build_oversyn_document(
    data: OversynData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
    prose_dir: Path | None = None,
) -> Path:
    """Write the document into ``out_dir``; ``template`` is the municipality's base .docx."""
    doc = DocumentBuilder(
        template,
        data.municipality,
        TITLE,
        f"Inför mandatperioden {data.cycle_year + 1}–{data.cycle_year + 4}",
        data.cycle_year,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        prose_dir=prose_dir,
        logo=logo,
    )
    doc.prose(
        "oversyn/inledning.md.j2",
        arbetsar=data.cycle_year,
        valdag=data.election_day,
        mandatperiod_start=data.cycle_year + 1,
    )
    if data.background.strip():
        doc.heading("Bakgrund", 1)
        write_text(doc, data.background)
    doc.prose("oversyn/organisation.md.j2", antal=len(data.organisation))
    _inputs(doc, data.organisation)
    doc.prose("oversyn/program.md.j2", antal=len(data.programme))
    _inputs(doc, data.programme)
    _documents_due(doc, data)
    if data.next_steps.strip():
        doc.heading("Fortsatt arbete", 1)
        write_text(doc, data.next_steps)
    return doc.save(out_dir)

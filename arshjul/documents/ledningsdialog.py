""" "Underlag till ledningsdialog (vår|höst)": the submitted texts, and who is missing.

Stages ``ledningsdialog-mars`` and ``ledningsdialog-september``.
"""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.comparison import comparison_block
from arshjul.documents.planning_data import (
    DialogueSubmission,
    LedningsdialogData,
    Season,
    paragraphs,
)

TITLE = "Underlag till ledningsdialog"
EMPTY_TEXT = "Ingen text har lämnats."

__all__ = [
    "TITLE",
    "DialogueSubmission",
    "LedningsdialogData",
    "Season",
    "build_ledningsdialog_document",
    "write_text",
]


def write_text(doc: DocumentBuilder, text: str, *, empty: str = EMPTY_TEXT) -> None:
    """A text as a user typed it: literal paragraphs, or ``empty`` in italics (if any)."""
    parts = paragraphs(text)
    if not parts and empty:
        doc.paragraph(empty, italic=True)
    for part in parts:
        doc.paragraph(part)


def _submissions(doc: DocumentBuilder, heading: str, items: list[DialogueSubmission]) -> None:
    if not items:
        return
    doc.heading(heading, 1)
    for item in items:
        doc.heading(item.unit, 2)
        for title, text in (
            ("Nuläge", item.present),
            ("Framtid", item.future),
            ("Utmaningar", item.challenges),
        ):
            doc.heading(title, 3)
            write_text(doc, text)


def build_ledningsdialog_document(
    data: LedningsdialogData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
    prose_dir: Path | None = None,
) -> Path:
    """Write the document into ``out_dir``; ``template`` is the municipality's base .docx."""
    season = Season(data.season)
    doc = DocumentBuilder(
        template,
        data.municipality,
        f"{TITLE} ({season.value})",
        "Nuläge, framtid och utmaningar",
        data.cycle_year,
        data.body,
        data.meeting_date,
        data.diary_number,
        demo=data.demo,
        prose_dir=prose_dir,
        logo=logo,
    )
    administrations = [s for s in data.submissions if not s.is_company]
    companies = [s for s in data.submissions if s.is_company]
    doc.prose(
        "ledningsdialog/inledning.md.j2",
        arbetsar=data.cycle_year,
        sasong=season.value,
        dialogdag=data.dialogue_date,
        antal_forvaltningar=len(administrations),
        antal_bolag=len(companies),
        antal_saknas=len(data.not_submitted),
        beslutsinstans=data.body,
    )
    _submissions(doc, "Förvaltningarnas underlag", administrations)
    _submissions(doc, "Bolagens underlag", companies)
    _comparisons(doc, data)
    doc.prose("ledningsdialog/saknas.md.j2", antal_saknas=len(data.not_submitted))
    if data.not_submitted:
        doc.bullets(list(data.not_submitted))
    return doc.save(out_dir)


def _comparisons(doc: DocumentBuilder, data: LedningsdialogData) -> None:
    """The term's compared indicators, by goal: where the municipality stands among others."""
    if not data.comparisons:
        return
    doc.heading("Jämförelser med andra kommuner", 1)
    doc.prose("ledningsdialog/jamforelser.md.j2", antal=len(data.comparisons))
    goal = None
    for item in data.comparisons:
        if item.goal != goal:
            goal = item.goal
            doc.heading(goal, 2)
        comparison_block(doc, item.indicator, item.comparison)

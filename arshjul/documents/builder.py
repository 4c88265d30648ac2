"""The document builder every stage document uses: title page, TOC, prose, tables, charts."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import tempfile
from collections.abc import Collection, Sequence
from functools import lru_cache
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Emu, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from jinja2.sandbox import SandboxedEnvironment

from arshjul.documents import charts, markup, ooxml, pdf, toc
from arshjul.documents.base import (
    TEMPLATES_DIR,
    bullets_are_numbered,
    ensure_header,
    open_base_template,
)
from arshjul.documents.filenames import safe_filename
from arshjul.documents.tables import Cell, add_table, usable_width
from arshjul.formats import format_date, format_mnkr, format_tkr

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
DIARY_PLACEHOLDER = "____"


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...]) -> SandboxedEnvironment:
    return markup.make_environment(*dirs)


class DocumentBuilder:
    """One Word document on a base template; call the methods in reading order, then save."""

    def __init__(
        self,
        template: Path | None,
        municipality: str,
        title: str,
        subtitle: str | None = None,
        year: int | None = None,
        body: str | None = None,
        meeting_date: dt.date | None = None,
        diary_number: str | None = None,
        *,
        subject: str | None = None,
        demo: bool = False,
        prose_dir: Path | None = None,
        toc: bool = True,
        logo: Path | None = None,
    ) -> None:
        self.document = open_base_template(template)
        self.municipality = ooxml.clean_text(municipality)
        ensure_header(self.document, self.municipality, logo)
        self.title = ooxml.clean_text(title)
        self.subtitle = ooxml.clean_text(subtitle) if subtitle else None
        self.year = year
        self.demo = demo
        dirs = (prose_dir, TEMPLATES_DIR) if prose_dir else (TEMPLATES_DIR,)
        self._env = _environment(tuple(Path(d) for d in dirs))
        self._level = 0
        self._counters: dict[str, int] = {}
        self._break_before_next = False
        self._numbered_bullets = bullets_are_numbered(self.document)
        self._set_properties(subject or self.subtitle or self.title, diary_number)
        self._title_page(body, meeting_date, diary_number)
        if toc:
            self._table_of_contents()

    # ----------------------------------------------------------------- front matter
    def _set_properties(self, subject: str, diary_number: str | None) -> None:
        props = self.document.core_properties
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
        props.title = self.full_title
        props.subject = ooxml.clean_text(subject)
        props.author = self.municipality
        props.last_modified_by = self.municipality
        props.language = ooxml.LANGUAGE
        props.keywords = "demo" if self.demo else ""
        props.comments = "Skapat av Årshjul"
        props.category = ""
        props.identifier = ooxml.clean_text(diary_number or "")
        props.created = now
        props.modified = now
        props.revision = 1

    @property
    def full_title(self) -> str:
        """The title with the year, as in the file name and the document properties."""
        return f"{self.title} {self.year}" if self.year else self.title

    def _title_page(self, body: str | None, meeting: dt.date | None, diary: str | None) -> None:
        title = self.document.add_paragraph(self.title, style="Title")
        title.paragraph_format.space_before = Pt(140)
        subtitle = self.subtitle or (str(self.year) if self.year else None)
        if subtitle:
            self.document.add_paragraph(subtitle, style="Subtitle")
        lines = [self.municipality]
        if body:
            lines.append(f"Beslutsinstans: {ooxml.clean_text(body)}")
        if meeting:
            lines.append(f"Sammanträde: {format_date(meeting)}")
        lines.append(f"Diarienummer: {ooxml.clean_text(diary) if diary else DIARY_PLACEHOLDER}")
        for index, line in enumerate(lines):
            paragraph = self.document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(2)
            if index == 0:
                paragraph.paragraph_format.space_before = Pt(36)
            paragraph.add_run(line).bold = index == 0
        if self.demo:
            self.prose("gemensamt/demo.md.j2")
        self._break_before_next = True

    def _table_of_contents(self) -> None:
        heading = self._paragraph("Innehåll", style="TOC Heading")
        heading.paragraph_format.keep_with_next = True
        paragraph = self.document.add_paragraph()
        # The result is written from the headings when the document is saved (toc.fill).
        ooxml.add_field(paragraph, TOC_INSTRUCTION, "")
        self._break_before_next = True

    # ----------------------------------------------------------------- text
    def _paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph(ooxml.clean_text(text), style=style)
        if self._break_before_next:
            paragraph.paragraph_format.page_break_before = True
            self._break_before_next = False
        return paragraph

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """A paragraph in Word's built-in "Heading N" style; levels may not skip (1 → 3)."""
        if not 1 <= level <= 3 or level > self._level + 1:
            raise ValueError(f"heading level {level} after level {self._level}: {text!r}")
        self._level = level
        return self._paragraph(text, style=f"Heading {level}")

    def paragraph(self, text: str, *, bold: bool = False, italic: bool = False) -> Paragraph:
        """A plain paragraph; the text is taken literally (no markup)."""
        paragraph = self._paragraph()
        run = paragraph.add_run(ooxml.clean_text(text))
        run.bold = bold or None
        run.italic = italic or None
        return paragraph

    def bullets(self, items: Sequence[str], *, markup_bold: bool = False) -> None:
        """A bullet list in the "List Bullet" style."""
        for item in items:
            paragraph = self._paragraph(style="List Bullet")
            if not self._numbered_bullets:
                paragraph.add_run("•\u00a0")
            self._runs(paragraph, ooxml.clean_text(item), markup_bold)

    @staticmethod
    def _runs(paragraph: Paragraph, text: str, with_bold: bool) -> None:
        if not with_bold:
            paragraph.add_run(text)
            return
        for piece, bold in markup.inline_runs(text):
            paragraph.add_run(piece).bold = bold or None

    def prose(self, template_name: str, **context: object) -> None:
        """Render a prose template (``arshjul/templates/documents/…``) into the document."""
        base = {
            "kommun": self.municipality,
            "titel": self.title,
            "ar": self.year,
            "demo": self.demo,
        }
        text = markup.render(self._env, template_name, {**base, **context})
        for block in markup.parse(text):
            if block.kind == "heading":
                self.heading(block.text, block.level)
            elif block.kind == "bullets":
                self.bullets(block.items, markup_bold=True)
            else:
                self._runs(self._paragraph(), ooxml.clean_text(block.text), True)

    def page_break(self) -> None:
        """Start the next paragraph on a new page."""
        self._break_before_next = True

    # ----------------------------------------------------------------- tables and figures
    def caption(self, kind: str, text: str) -> Paragraph:
        """``Tabell 3. text`` with a SEQ field, kept with what follows."""
        number = self._counters[kind] = self._counters.get(kind, 0) + 1
        paragraph = self._paragraph(f"{kind} ", style="Caption")
        ooxml.add_field(paragraph, f"SEQ {kind} \\* ARABIC", str(number))
        paragraph.add_run(f". {ooxml.clean_text(text)}")
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        *,
        totals: Sequence[Cell] | None = None,
        numeric_columns: Collection[int] | None = None,
        caption: str = "",
        widths_cm: Sequence[float] | None = None,
    ) -> Table:
        """A table; ``int`` cells are kronor shown in tkr, numeric columns right-aligned."""
        if caption:
            self.caption("Tabell", caption)
        if self._break_before_next:
            self._paragraph().paragraph_format.space_after = Pt(0)
        table = add_table(
            self.document,
            columns,
            rows,
            totals=totals,
            numeric_columns=numeric_columns,
            widths_cm=widths_cm,
            caption=caption,
        )
        spacer = self.document.add_paragraph()
        spacer.paragraph_format.space_after = Pt(4)
        return table

    def picture(self, png: bytes, *, title: str, alt_text: str, width_cm: float = 16.0) -> None:
        """A centred image with its alternative text (``descr``) and title."""
        if not alt_text.strip():
            raise ValueError("a picture needs alternative text")
        paragraph = self._paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        width = min(int(Cm(width_cm)), usable_width(self.document))
        shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Emu(width))
        ooxml.set_picture_description(
            shape._inline, title=ooxml.clean_text(title), description=ooxml.clean_text(alt_text)
        )
        shape._inline.docPr.set("id", str(ooxml.next_drawing_id(self.document)))

    def chart_bar(
        self,
        title: str,
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[int]]],
        *,
        alt_text: str | None = None,
    ) -> None:
        """Grouped horizontal bars of kronor (shown in tkr, or mnkr when large), with caption."""
        largest = max((abs(v) for _, values in series for v in values), default=0)
        divisor, unit, fmt = (
            (1_000_000, "mnkr", format_mnkr)
            if largest >= 100_000_000
            else (1000, "tkr", format_tkr)
        )
        scaled = [(label, [v / divisor for v in values]) for label, values in series]
        png = charts.bar_chart(categories, scaled, unit=unit)
        if alt_text is None:
            groups = [
                f"{name}: " + ", ".join(f"{label} {fmt(values[i])}" for label, values in series)
                for i, name in enumerate(categories)
            ]
            alt_text = f"Stapeldiagram. {title}. " + "; ".join(groups) + "."
        self.caption("Diagram", title)
        self.picture(png, title=title, alt_text=alt_text)

    def chart_stacked(
        self,
        title: str,
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[int]]],
        *,
        unit: str = "Antal mål",
        alt_text: str | None = None,
    ) -> None:
        """Stacked horizontal bars of counts; goal-attainment labels get their colours."""
        styles = {label.lower(): (colour, hatch) for label, colour, hatch in charts.GOAL_ATTAINMENT}
        segments = []
        for index, (label, values) in enumerate(series):
            fallback = (charts.SERIES_COLOURS[index % len(charts.SERIES_COLOURS)], "")
            colour, hatch = styles.get(label.lower(), fallback)
            segments.append((label, values, colour, hatch))
        png = charts.stacked_bar_chart(categories, segments, unit=unit)
        if alt_text is None:
            groups = [
                f"{name}: " + ", ".join(f"{label} {values[i]}" for label, values in series)
                for i, name in enumerate(categories)
            ]
            alt_text = f"Stapeldiagram. {title}. " + "; ".join(groups) + "."
        self.caption("Diagram", title)
        self.picture(png, title=title, alt_text=alt_text)

    # ----------------------------------------------------------------- output
    def default_filename(self) -> str:
        """``Preliminära ramar och anvisningar 2028 – Arboga kommun.docx``."""
        return safe_filename(f"{self.full_title} – {self.municipality}", ".docx")

    def save(self, out_dir: Path, filename: str | None = None) -> Path:
        """Write the document atomically into ``out_dir`` and return its path."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        name = safe_filename(filename, ".docx") if filename else self.default_filename()
        if filename and filename.lower().endswith(".docx"):
            name = safe_filename(filename[:-5], ".docx")
        path = out_dir / name
        has_toc = bool(toc.fill(self.document))
        self._write(path)
        # A PDF from an earlier version of the document would contradict the new .docx.
        path.with_suffix(".pdf").unlink(missing_ok=True)
        if pdf.enabled():
            self._publish_pdf(path, has_toc=has_toc)
        return path

    def _write(self, path: Path) -> None:
        """Atomically: a reader (the portal, a mail attachment) never sees half a file."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~", suffix=".docx")
        try:
            with os.fdopen(fd, "wb") as handle:
                self.document.save(handle)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _publish_pdf(self, path: Path, *, has_toc: bool) -> None:
        """The tagged PDF beside the .docx; the TOC's page numbers from a first pass."""
        program = pdf.soffice()
        if program is None:
            pdf.report_missing_once()
            return
        try:
            if has_toc:
                with tempfile.TemporaryDirectory(prefix="arshjul-pdf-") as draft_dir:
                    outline = pdf.outline(pdf.convert(path, Path(draft_dir), program=program))
                if outline:
                    toc.fill(self.document, outline)
                    self._write(path)
            published = pdf.convert(path, path.parent, program=program)
            os.chmod(published, 0o644)
        except (OSError, RuntimeError, subprocess.SubprocessError) as error:
            pdf.warn(path, error)

"""Fill the table of contents field with the document's headings, as Word would.

A TOC field whose result is empty shows nothing until someone updates it in Word,
and no converter updates it by itself. So at save time the field's result is written
from the headings (levels 1–3): one paragraph per heading in the "TOC N" style, a
hyperlink to a ``_Toc`` bookmark on the heading, a dotted tab and a PAGEREF field.
The field stays a real TOC field, so Word rebuilds it on "Uppdatera fält".

LibreOffice computes PAGEREF fields while it lays the pages out, so the PDF gets
the right page numbers. The cached numbers in the .docx come from that PDF when one
was written (:func:`set_page_numbers`); otherwise they are left empty rather than
guessed (Word fills them when it updates the fields on opening).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Pt
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

from arshjul.documents.base import text_width

LEVELS = (1, 2, 3)
BOOKMARK_PREFIX = "_Toc"
_INDENT_PT = 11  # per level below the first, as Word's own TOC 2 and TOC 3


@dataclass(frozen=True)
class Entry:
    """A heading as the table of contents lists it."""

    level: int
    text: str
    bookmark: str


def heading_level(paragraph: Paragraph) -> int | None:
    """1–3 for a paragraph in a built-in heading style, else None."""
    style = paragraph.style
    name = style.name if style is not None else ""
    if name and name.startswith("Heading "):
        level = name.removeprefix("Heading ")
        if level.isdigit() and int(level) in LEVELS:
            return int(level)
    return None


def _field_paragraph(document: Document) -> BaseOxmlElement | None:
    """The body paragraph whose field instruction is TOC."""
    for p in document.element.body.iter(qn("w:p")):
        for instr in p.iter(qn("w:instrText")):
            if (instr.text or "").strip().startswith("TOC"):
                return p
    return None


def _bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    """Wrap the heading's runs in a bookmark the entry's hyperlink and PAGEREF point to."""
    p = paragraph._p
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    ppr = p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(end)


def _next_bookmark_id(document: Document) -> int:
    ids = [
        int(b.get(qn("w:id"), "0"))
        for b in document.element.body.iter(qn("w:bookmarkStart"))
        if b.get(qn("w:id"), "0").isdigit()
    ]
    return max(ids, default=0) + 1


def mark_headings(document: Document) -> list[Entry]:
    """Bookmark every heading of levels 1–3 (once) and return them in reading order."""
    entries: list[Entry] = []
    ident = _next_bookmark_id(document)
    for index, paragraph in enumerate(document.paragraphs, start=1):
        level = heading_level(paragraph)
        if level is None or not paragraph.text.strip():
            continue
        existing = [
            b.get(qn("w:name"), "")
            for b in paragraph._p.iter(qn("w:bookmarkStart"))
            if b.get(qn("w:name"), "").startswith(BOOKMARK_PREFIX)
        ]
        name = existing[0] if existing else f"{BOOKMARK_PREFIX}{index:09d}"
        if not existing:
            _bookmark(paragraph, name, ident)
            ident += 1
        entries.append(Entry(level, paragraph.text.strip(), name))
    return entries


def _run(text: str | None = None, *, child: BaseOxmlElement | None = None) -> BaseOxmlElement:
    r = OxmlElement("w:r")
    if child is not None:
        r.append(child)
    if text is not None:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
    return r


def _fld_char(kind: str) -> BaseOxmlElement:
    return _run(child=_element("w:fldChar", {"w:fldCharType": kind}))


def _element(tag: str, attributes: Mapping[str, str]) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(name), value)
    return element


def _instruction(text: str) -> BaseOxmlElement:
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {text} "
    return _run(child=instr)


def _entry_paragraph(entry: Entry, style_id: str, page: str) -> BaseOxmlElement:
    """``<w:p>`` TOC N style, hyperlink(text, tab, PAGEREF) — as Word writes an entry."""
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    # The style's id, not its name: a Swedish Word template calls "TOC 1" "Innehll1".
    ppr.append(_element("w:pStyle", {"w:val": style_id}))
    p.append(ppr)
    link = _element("w:hyperlink", {"w:anchor": entry.bookmark, "w:history": "1"})
    link.append(_run(entry.text))
    link.append(_run(child=OxmlElement("w:tab")))
    link.append(_fld_char("begin"))
    link.append(_instruction(f"PAGEREF {entry.bookmark} \\h"))
    link.append(_fld_char("separate"))
    link.append(_run(page))
    link.append(_fld_char("end"))
    p.append(link)
    return p


def _entries_of(field: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
    """The paragraphs of the field's result: from the one with its ``begin`` to the one
    with its ``end``, counting the PAGEREF fields nested inside."""
    depth = 0
    paragraph: BaseOxmlElement | None = field
    while paragraph is not None:
        yield paragraph
        for char in paragraph.iter(qn("w:fldChar")):
            kind = char.get(qn("w:fldCharType"))
            depth += 1 if kind == "begin" else -1 if kind == "end" else 0
        if depth <= 0:
            return
        paragraph = paragraph.getnext()


def page_numbers(entries: Sequence[Entry], outline: Sequence[tuple[str, int]]) -> list[int | None]:
    """Each entry's page from a PDF's outline, matched in reading order by text.

    In order, not by text alone: "Kommunstyrelsen" is a heading in several chapters.
    """
    found: list[int | None] = []
    start = 0
    for entry in entries:
        text = " ".join(entry.text.split())
        index = next((i for i in range(start, len(outline)) if outline[i][0] == text), None)
        if index is None:
            found.append(None)
            continue
        found.append(outline[index][1])
        start = index + 1
    return found


def fill(document: Document, outline: Sequence[tuple[str, int]] = ()) -> list[Entry]:
    """Write the TOC field's result from the headings, with page numbers from a PDF's
    ``outline`` when given. Called again it rewrites the result in place."""
    field = _field_paragraph(document)
    if field is None:
        return []
    entries = mark_headings(document)
    ensure_toc_styles(document)
    old = list(_entries_of(field))
    instruction = next(
        (i.text or "").strip()
        for i in field.iter(qn("w:instrText"))
        if (i.text or "").strip().startswith("TOC")
    )
    ids = {level: _style_id(document, level) for level in LEVELS}
    pages = page_numbers(entries, outline)
    paragraphs = [
        _entry_paragraph(e, ids[e.level], "" if page is None else str(page))
        for e, page in zip(entries, pages, strict=True)
    ]
    if not paragraphs:  # nothing to list: an empty result, still a field Word can update
        paragraphs = [OxmlElement("w:p")]
    first, last = paragraphs[0], paragraphs[-1]
    opening = [_fld_char("begin"), _instruction(instruction), _fld_char("separate")]
    anchor = first.find(qn("w:pPr"))
    for run in reversed(opening):
        if anchor is not None:
            anchor.addnext(run)
        else:
            first.insert(0, run)
    last.append(_fld_char("end"))
    after = old[-1]
    for p in paragraphs:
        after.addnext(p)
        after = p
    for p in old:
        p.getparent().remove(p)
    return entries


def _style_id(document: Document, level: int) -> str:
    style = toc_style(document, level)
    if style is None or not style.style_id:
        raise LookupError(f"toc {level}")
    return style.style_id


def toc_style(document: Document, level: int) -> BaseStyle | None:
    """The template's "TOC N" style; Word stores built-in names in lower case ("toc 1")."""
    wanted = f"toc {level}"
    return next((s for s in document.styles if (s.name or "").lower() == wanted), None)


def ensure_toc_styles(document: Document) -> None:
    """ "TOC 1"–"TOC 3" when the template lacks them: indented, page number at the right
    margin after a dotted leader."""
    width = text_width(document)
    for level in LEVELS:
        if toc_style(document, level) is not None:
            continue
        style = document.styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        # Word's own name and id, so that Word's "Uppdatera fält" keeps using this style.
        style.element.name_val = f"toc {level}"
        style.element.set(qn("w:styleId"), f"TOC{level}")
        style.base_style = document.styles["Normal"]
        fmt = style.paragraph_format
        fmt.left_indent = Pt(_INDENT_PT * (level - 1))
        fmt.space_after = Pt(4 if level == 1 else 2)
        fmt.tab_stops.add_tab_stop(Emu(width), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        style.font.bold = level == 1 or None

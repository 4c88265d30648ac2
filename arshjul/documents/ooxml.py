"""Small WordprocessingML helpers that python-docx has no API for: fields, language, flags."""

from __future__ import annotations

import re

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

LANGUAGE = "sv-SE"

# Children of w:settings that must come after w:updateFields / w:themeFontLang (ECMA-376 order).
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
)
_AFTER_THEME_FONT_LANG = _AFTER_UPDATE_FIELDS[_AFTER_UPDATE_FIELDS.index("themeFontLang") + 1 :]
_AFTER_LANG_IN_RPR = ("eastAsianLayout", "specVanish", "oMath")
_PAGE_FIELD = re.compile(r"\bPAGE\b")
# Characters XML 1.0 refuses; lxml raises on them, so text from the database is cleaned first.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: object) -> str:
    """``str(text)`` without the control characters XML cannot hold."""
    return _XML_ILLEGAL.sub("", str(text))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _insert_before(
    parent: BaseOxmlElement, child: BaseOxmlElement, successors: tuple[str, ...] | list[str]
) -> None:
    for existing in parent:
        if _local(existing.tag) in successors:
            existing.addprevious(child)
            return
    parent.append(child)


def _child(
    parent: BaseOxmlElement, tag: str, successors: tuple[str, ...] | list[str]
) -> BaseOxmlElement:
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        _insert_before(parent, found, successors)
    return found


def add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """Append a complex field (``begin``/``instrText``/``separate``/result/``end``)."""
    runs = [paragraph.add_run() for _ in range(5)]
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    runs[0]._r.append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    runs[1]._r.append(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    runs[2]._r.append(separate)
    runs[3].text = placeholder
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    runs[4]._r.append(end)


def has_page_field(element: BaseOxmlElement) -> bool:
    """Whether a header or footer part already shows the page number."""
    instructions = [t.text or "" for t in element.iter(qn("w:instrText"))]
    instructions += [f.get(qn("w:instr"), "") for f in element.iter(qn("w:fldSimple"))]
    return any(_PAGE_FIELD.search(text) for text in instructions)


def set_update_fields(settings: BaseOxmlElement) -> None:
    """``<w:updateFields w:val="true"/>``: Word offers to update the TOC when opened."""
    _child(settings, "w:updateFields", _AFTER_UPDATE_FIELDS).set(qn("w:val"), "true")


def set_settings_language(settings: BaseOxmlElement, lang: str = LANGUAGE) -> None:
    """``w:themeFontLang``: the language Word assumes for theme fonts and new text."""
    _child(settings, "w:themeFontLang", _AFTER_THEME_FONT_LANG).set(qn("w:val"), lang)


def set_styles_language(styles: BaseOxmlElement, lang: str = LANGUAGE) -> None:
    """Set ``w:lang`` in the document defaults and in every style that names a language."""
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = _child(defaults, "w:rPrDefault", ("pPrDefault",))
    rpr = _child(rpr_default, "w:rPr", ())
    _child(rpr, "w:lang", _AFTER_LANG_IN_RPR)
    for element in styles.iter(qn("w:lang")):
        element.set(qn("w:val"), lang)


def mark_header_row(tr: BaseOxmlElement) -> None:
    """Repeat this row at the top of every page and never split it."""
    trpr = tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        if trpr.find(qn(tag)) is None:
            trpr.append(OxmlElement(tag))


def keep_row_together(tr: BaseOxmlElement) -> None:
    """``w:cantSplit``: a row never breaks across pages."""
    trpr = tr.get_or_add_trPr()
    if trpr.find(qn("w:cantSplit")) is None:
        trpr.insert(0, OxmlElement("w:cantSplit"))


def set_table_properties(
    tbl: BaseOxmlElement, *, width_twips: int, caption: str, last_row: bool
) -> None:
    """Fixed layout, full width, the conditional formats used, and the accessible caption."""
    tblpr = tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        _insert_before(
            tblpr,
            width,
            (
                "jc",
                "tblCellSpacing",
                "tblInd",
                "tblBorders",
                "shd",
                "tblLayout",
                "tblCellMar",
                "tblLook",
                "tblCaption",
                "tblDescription",
            ),
        )
    width.set(qn("w:w"), str(width_twips))
    width.set(qn("w:type"), "dxa")
    layout = _child(tblpr, "w:tblLayout", ("tblCellMar", "tblLook", "tblCaption", "tblDescription"))
    layout.set(qn("w:type"), "fixed")
    look = _child(tblpr, "w:tblLook", ("tblCaption", "tblDescription"))
    for name, value in (
        ("firstRow", "1"),
        ("lastRow", "1" if last_row else "0"),
        ("firstColumn", "0"),
        ("lastColumn", "0"),
        ("noHBand", "1"),
        ("noVBand", "1"),
    ):
        look.set(qn(f"w:{name}"), value)
    look.set(qn("w:val"), "0660" if last_row else "0620")
    if caption:
        _child(tblpr, "w:tblCaption", ("tblDescription",)).set(qn("w:val"), caption[:255])


def next_drawing_id(document: Document) -> int:
    """A ``wp:docPr`` id used nowhere in the body, headers or footers (Word wants them unique)."""
    parts = [document.part]
    parts += [
        rel.target_part
        for rel in document.part.rels.values()
        if not rel.is_external and rel.reltype.endswith(("/header", "/footer"))
    ]
    ids = [0]
    for part in parts:
        for doc_pr in part.element.iter(qn("wp:docPr")):
            value = doc_pr.get("id", "0")
            ids.append(int(value) if value.isdigit() else 0)
    return max(ids) + 1


def set_picture_description(inline: BaseOxmlElement, *, title: str, description: str) -> None:
    """Alternative text on a picture: ``wp:docPr`` ``descr`` and ``title``."""
    doc_pr = inline.docPr
    doc_pr.set("descr", description)
    doc_pr.set("title", title)

"""Generate the neutral default base template ``arshjul/templates/documents/standard.docx``.

Run ``python -m arshjul.documents.make_base_template [OUT.docx]``. It starts from
python-docx's own template, keeps only Word's built-in styles the builder uses (Title,
Subtitle, Heading 1–3, Normal, Caption, List Bullet, TOC Heading, Header, Footer), sets
Calibri 11 pt (Carlito is metric-compatible), Swedish, A4 with 2.5 cm margins, a table
style "Årshjul tabell", and "Sida X av Y" in the footer. A municipality makes its own
template by opening this file in Word, changing fonts, colours, header (logo) and footer,
and saving it under a new name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from arshjul.documents.base import DEFAULT_TEMPLATE, write_page_number

FONT = "Calibri"
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x40, 0x40, 0x40)
KEEP_TABLE_STYLES = {"Normal Table", "Table Grid"}
_DROP_RELS = ("stylesWithEffects", "customXml", "metadata/thumbnail")

TABLE_STYLE = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="Arshjultabell">
  <w:name w:val="Årshjul tabell"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
  <w:tblPr>
    <w:tblBorders>
      <w:top w:val="single" w:sz="8" w:space="0" w:color="404040"/>
      <w:bottom w:val="single" w:sz="8" w:space="0" w:color="404040"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>
      <w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tblPr/>
    <w:tcPr>
      <w:tcBorders><w:bottom w:val="single" w:sz="8" w:space="0" w:color="404040"/></w:tcBorders>
      <w:shd w:val="clear" w:color="auto" w:fill="E3E9F0"/>
    </w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="lastRow">
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tblPr/>
    <w:tcPr>
      <w:tcBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="404040"/></w:tcBorders>
    </w:tcPr>
  </w:tblStylePr>
</w:style>
"""

DOC_DEFAULTS = f"""
<w:docDefaults {nsdecls("w")}>
  <w:rPrDefault><w:rPr>
    <w:rFonts w:ascii="{FONT}" w:eastAsia="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>
    <w:sz w:val="22"/><w:szCs w:val="22"/>
    <w:lang w:val="sv-SE" w:eastAsia="en-US" w:bidi="ar-SA"/>
  </w:rPr></w:rPrDefault>
  <w:pPrDefault><w:pPr>
    <w:spacing w:after="120" w:line="264" w:lineRule="auto"/>
  </w:pPr></w:pPrDefault>
</w:docDefaults>
"""

# name → (size pt, bold, colour, space before pt, space after pt, outline level)
PARAGRAPH_STYLES: dict[str, tuple[float, bool, RGBColor, float, float, int | None]] = {
    "Title": (28, False, ACCENT, 0, 12, None),
    "Subtitle": (15, False, GREY, 0, 6, None),
    "Heading 1": (16, True, ACCENT, 18, 6, 0),
    "Heading 2": (13, True, ACCENT, 14, 4, 1),
    "Heading 3": (11, True, ACCENT, 10, 3, 2),
    "TOC Heading": (16, True, ACCENT, 0, 12, 9),
    "Caption": (9, True, GREY, 8, 3, None),
    "Header": (9, False, GREY, 0, 0, None),
    "Footer": (9, False, GREY, 0, 0, None),
}


def _restyle(document: Document, name: str) -> None:
    size, bold, colour, before, after, outline = PARAGRAPH_STYLES[name]
    style = document.styles[name]
    element = style.element
    for tag in ("w:pPr", "w:rPr"):
        for child in element.findall(qn(tag)):
            element.remove(child)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = colour
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if outline is not None:
        fmt.keep_with_next = True
        fmt.keep_together = True
        level = parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{outline}"/>')
        element.get_or_add_pPr().append(level)


def _styles(document: Document) -> None:
    styles = document.styles.element
    old = styles.find(qn("w:docDefaults"))
    styles.replace(old, parse_xml(DOC_DEFAULTS))
    for style in list(document.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in KEEP_TABLE_STYLES:
            styles.remove(style.element)
    styles.append(parse_xml(TABLE_STYLE))
    for name in PARAGRAPH_STYLES:
        _restyle(document, name)
    document.styles["List Bullet"].paragraph_format.space_after = Pt(8)  # after the last item


def _settings(document: Document) -> None:
    settings = document.settings.element
    for tag, value in (
        ("w:themeFontLang", "sv-SE"),
        ("w:decimalSymbol", ","),
        ("w:listSeparator", ";"),
    ):
        element = settings.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), value)
    proof_state = settings.find(qn("w:proofState"))
    if proof_state is not None:  # "already spell-checked" would hide Word's own check
        settings.remove(proof_state)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.attrib.pop(qn("w:eastAsia"), None)


def _page(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)
    section.header_distance = section.footer_distance = Mm(12.5)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.first_page_footer.is_linked_to_previous = False
    section.header.is_linked_to_previous = False
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    write_page_number(paragraph)


def _sample_body(document: Document) -> None:
    """Text shown when someone opens the template itself; the builder removes it."""
    document.add_paragraph("Årshjul – standardmall", style="Title")
    document.add_paragraph("Grundmall för kommunens dokument", style="Subtitle")
    document.add_paragraph(
        "Årshjul tömmer brödtexten i den här mallen och behåller formatmallarna, sidformatet, "
        "sidhuvudet och sidfoten. Gör en egen mall genom att ändra typsnitt och färger i "
        "formatmallarna (Rubrik, Rubrik 1–3, Normal, Beskrivning, Årshjul tabell), lägga "
        "kommunens logotyp i sidhuvudet och spara filen under ett nytt namn. Peka sedan ut "
        "filen i kommunens konfiguration."
    )
    document.add_paragraph("Rubrik 1", style="Heading 1")
    document.add_paragraph("Rubrik 2", style="Heading 2")
    document.add_paragraph("Rubrik 3", style="Heading 3")
    document.add_paragraph("Punktlista", style="List Bullet")


def _properties(document: Document) -> None:
    props = document.core_properties
    props.title = "Årshjul – standardmall"
    props.author = "Årshjul"
    props.last_modified_by = "Årshjul"
    props.language = "sv-SE"
    props.subject = "Grundmall för dokument"
    props.keywords = props.comments = props.category = ""
    props.revision = 1


def make_base_template(out: Path = DEFAULT_TEMPLATE) -> Path:
    """Write the default template to ``out``."""
    document = docx.Document()
    for rels in (document.part.rels, document.part.package.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype.endswith(_DROP_RELS):
                rels.pop(r_id)
    _styles(document)
    _settings(document)
    _page(document)
    _sample_body(document)
    _properties(document)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TEMPLATE
    print(make_base_template(target))

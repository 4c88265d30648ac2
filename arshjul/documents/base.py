"""Open a municipality's base template (.docx or .dotx) and make it ready to write into.

The body is cleared; styles, section properties (page size, margins), headers and
footers (with the municipality's logo) are kept. What the builder relies on is added
only when the template lacks it: the built-in styles it uses, Swedish as the
language, and page numbers in the footer.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph

from arshjul.documents import ooxml
from arshjul.errors import ArshjulError

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"
DEFAULT_TEMPLATE = TEMPLATES_DIR / "standard.docx"

_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"

# name → (size in pt, bold, outline level or None)
_FALLBACK_STYLES: dict[str, tuple[float, bool, int | None]] = {
    "Title": (26, False, None),
    "Subtitle": (14, False, None),
    "Heading 1": (16, True, 0),
    "Heading 2": (13, True, 1),
    "Heading 3": (11, True, 2),
    "Caption": (9, True, None),
    "TOC Heading": (16, True, None),
    "List Bullet": (11, False, None),
    "Footer": (9, False, None),
}


def _read_package(path: Path) -> io.BytesIO:
    """The file's bytes; a .dotx gets a document content type so python-docx opens it."""
    data = path.read_bytes()
    if path.suffix.lower() not in {".dotx"}:
        return io.BytesIO(data)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(_DOTX_MAIN.encode(), _DOCX_MAIN.encode())
            target.writestr(item, content)
    out.seek(0)
    return out


def open_base_template(path: Path | None = None) -> Document:
    """The template as a python-docx document with an empty body; Swedish message on error."""
    path = Path(path) if path is not None else DEFAULT_TEMPLATE
    if not path.is_file():
        raise ArshjulError(f"Dokumentmallen finns inte: {path}")
    if path.suffix.lower() in {".docm", ".dotm"}:
        raise ArshjulError(
            f"Dokumentmallen {path} innehåller makron: spara den som .docx eller .dotx utan makron"
        )
    try:
        document = docx.Document(_read_package(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArshjulError(
            f"Dokumentmallen {path} går inte att läsa som en Word-fil (.docx): {exc}"
        ) from exc
    clear_body(document)
    prepare(document)
    return document


def clear_body(document: Document) -> None:
    """Remove everything in the body except the final section properties."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    body.get_or_add_sectPr()


def prepare(document: Document) -> None:
    """Styles, language, update-fields flag and page numbers the builder relies on."""
    ensure_styles(document)
    ooxml.set_styles_language(document.styles.element)
    settings = document.settings.element
    ooxml.set_update_fields(settings)
    ooxml.set_settings_language(settings)
    ensure_page_numbers(document)


def has_style(document: Document, name: str) -> bool:
    """Whether the template defines the style (python-docx matches built-in names)."""
    try:
        document.styles[name]
    except KeyError:
        return False
    return True


def ensure_styles(document: Document) -> None:
    """Add the built-in paragraph styles the builder uses when the template lacks them."""
    for name, (size, bold, outline) in _FALLBACK_STYLES.items():
        if has_style(document, name):
            continue
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = bold
        if outline is not None:
            style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
            style.paragraph_format.keep_with_next = True
            style.paragraph_format.space_before = Pt(18 - 3 * outline)
            ppr = style.element.get_or_add_pPr()
            level = ppr.makeelement(qn("w:outlineLvl"), {qn("w:val"): str(outline)})
            ppr.append(level)
        if name == "List Bullet":
            style.paragraph_format.left_indent = Pt(18)
            style.paragraph_format.first_line_indent = Pt(-12)


def bullets_are_numbered(document: Document) -> bool:
    """Whether "List Bullet" draws its own bullet (through numbering) in this template."""
    style = document.styles["List Bullet"]
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.find(qn("w:numPr")) is not None:
            return True
        style = style.base_style
    return False


def ensure_page_numbers(document: Document) -> None:
    """Add "Sida X av Y" to the footer of each section whose footer has no PAGE field."""
    footers = []
    for section in document.sections:
        footers.append(section.footer)
        if document.settings.odd_and_even_pages_header_footer:
            footers.append(section.even_page_footer)
    for footer in footers:
        if footer.is_linked_to_previous:
            footer.is_linked_to_previous = False
        if ooxml.has_page_field(footer._element):
            continue
        paragraphs = footer.paragraphs
        empty = len(paragraphs) == 1 and not paragraphs[0].text.strip()
        paragraph = paragraphs[0] if empty else footer.add_paragraph()
        if has_style(document, "Footer"):
            paragraph.style = document.styles["Footer"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        write_page_number(paragraph)


def text_width(document: Document) -> int:
    """The text width of the last section in EMU."""
    section = document.sections[-1]
    width, left, right = section.page_width, section.left_margin, section.right_margin
    if width is None or left is None or right is None:
        raise TypeError("the document's last section has no page width or margins")
    return int(width - left - right)


LOGO_HEIGHT = Cm(1.0)
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff")


def ensure_header(document: Document, municipality: str, logo: Path | None = None) -> None:
    """The municipality's logo and name in the header of every page but the title page.

    Only into an empty header: a municipality whose own template has a header keeps it.
    The title page (a different first-page header in the standard template) stays clean.
    """
    headers = []
    for section in document.sections:
        headers.append(section.header)
        if document.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
    for header in headers:
        if header.is_linked_to_previous:
            header.is_linked_to_previous = False
        element = header._element
        if "".join(element.itertext()).strip() or element.find(".//" + qn("w:drawing")) is not None:
            continue
        paragraph = header.paragraphs[0]
        if has_style(document, "Header"):
            paragraph.style = document.styles["Header"]
        tab = Emu(text_width(document))  # the name at the right margin
        paragraph.paragraph_format.tab_stops.add_tab_stop(tab, WD_TAB_ALIGNMENT.RIGHT)
        if logo is not None:
            _add_logo(document, paragraph, logo, municipality)
        paragraph.add_run("\t" + municipality)


def _add_logo(document: Document, paragraph: Paragraph, logo: Path, municipality: str) -> None:
    if logo.suffix.lower() not in LOGO_SUFFIXES or not logo.is_file():
        raise ArshjulError(
            f"Logotypen {logo} finns inte eller är ingen bild (PNG eller JPEG): "
            "rätta documents.logo i kommunens konfiguration"
        )
    try:
        shape = paragraph.add_run().add_picture(str(logo), height=LOGO_HEIGHT)
    except Exception as exc:  # python-docx raises its own and PIL's errors on a bad image
        raise ArshjulError(f"Logotypen {logo} går inte att läsa som bild: {exc}") from exc
    ooxml.set_picture_description(
        shape._inline, title="Logotyp", description=f"Logotyp: {municipality}"
    )
    shape._inline.docPr.set("id", str(ooxml.next_drawing_id(document)))


def write_page_number(paragraph: Paragraph) -> None:
    """``Sida X av Y`` with PAGE and NUMPAGES fields."""
    paragraph.add_run("Sida ")
    ooxml.add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" av ")
    ooxml.add_field(paragraph, "NUMPAGES", "1")

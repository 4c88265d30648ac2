"""What a reader of a published document sees: a filled table of contents, a header with
the municipality's name and logo, figures that never break, a tagged PDF beside the .docx.

The .docx is read back with python-docx; the PDF with poppler (pdftotext, pdfinfo).
The LibreOffice tests skip locally without ``soffice`` and fail when CI is set.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from PIL import Image
from test_documents import special_data
from test_documents_followup import sample

from arshjul.config.schema import DocumentsConfig
from arshjul.documents import DocumentBuilder, build_ramar_document, pdf
from arshjul.documents.arsredovisning import build_arsredovisning_document
from arshjul.documents.tables import column_widths, needed_cm
from arshjul.documents.tertial import build_tertial_document
from arshjul.documents.toc import heading_level
from arshjul.errors import ArshjulError
from arshjul.settings import get_settings

NUMBER = re.compile(r"[−-]?\d{1,3}(?: \d{3})+(?:,\d+)?")
SPACES = re.compile(r"[\u00a0\u202f]")


def _logo(path: Path) -> Path:
    Image.new("RGB", (120, 40), (139, 0, 0)).save(path)
    return path


def _pdf_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSHJUL_PDF", "1")
    get_settings.cache_clear()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} saknas: apt-get install libreoffice-writer poppler-utils"
    pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    raise AssertionError  # unreachable: fail and skip raise


def _toc_paragraphs(document: Document) -> list:
    """The body paragraphs between the TOC field's begin and its end."""
    body = list(document.element.body.iter(qn("w:p")))
    start = next(
        i
        for i, p in enumerate(body)
        if any((t.text or "").strip().startswith("TOC") for t in p.iter(qn("w:instrText")))
    )
    depth, found = 0, []
    for p in body[start:]:
        found.append(p)
        for char in p.iter(qn("w:fldChar")):
            kind = char.get(qn("w:fldCharType"))
            depth += {"begin": 1, "end": -1}.get(kind, 0)
        if depth == 0:
            return found
    raise AssertionError("the TOC field never ends")


def _headings(document: Document) -> list[str]:
    return [p.text for p in document.paragraphs if heading_level(p) and p.text.strip()]


def _entry_text(p) -> str:
    """An entry's visible text: its link's text up to the tab before the page number."""
    texts = []
    for node in p.find(qn("w:hyperlink")).iter(qn("w:t"), qn("w:tab")):
        if node.tag == qn("w:tab"):
            break
        texts.append(node.text or "")
    return "".join(texts)


# --------------------------------------------------------------------------- the .docx
def test_toc_lists_every_heading_with_a_link_to_it(tmp_path: Path) -> None:
    path = build_ramar_document(special_data(), out_dir=tmp_path)
    document = docx.Document(str(path))
    entries = _toc_paragraphs(document)
    headings = _headings(document)
    assert len(headings) >= 10
    assert [_entry_text(p) for p in entries] == headings
    text = "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))
    assert "Uppdatera fält" not in text and "Högerklicka" not in text
    # Each entry's link leads to a bookmark on its own heading.
    marks = {
        b.get(qn("w:name")): p
        for p in document.paragraphs
        for b in p._p.iter(qn("w:bookmarkStart"))
    }
    for entry, heading in zip(entries, headings, strict=True):
        anchor = entry.find(qn("w:hyperlink")).get(qn("w:anchor"))
        assert marks[anchor].text == heading
    # Still a field Word can update, with the levels and links it had.
    instructions = [t.text.strip() for t in entries[0].iter(qn("w:instrText"))]
    assert instructions[0] == 'TOC \\o "1-3" \\h \\z \\u'
    styles = {document.styles.element.get_by_id(p.pPr.pStyle.val).name_val for p in entries}
    assert styles <= {"toc 1", "toc 2", "toc 3"} and "toc 2" in styles


def test_header_shows_the_name_and_the_logo_but_not_on_the_title_page(tmp_path: Path) -> None:
    logo = _logo(tmp_path / "logo.png")
    builder = DocumentBuilder(None, "Arboga kommun", "Provdokument", year=2027, logo=logo)
    builder.heading("Inledning")
    document = docx.Document(str(builder.save(tmp_path / "ut")))
    section = document.sections[0]
    assert "Arboga kommun" in section.header.paragraphs[0].text
    images = [
        rel.target_part.blob
        for rel in section.header.part.rels.values()
        if rel.reltype.endswith("/image")
    ]
    assert images == [logo.read_bytes()]
    described = [d.get("descr") for d in section.header._element.iter(qn("wp:docPr"))]
    assert described == ["Logotyp: Arboga kommun"]
    assert section.different_first_page_header_footer
    assert not section.first_page_header._element.xpath(".//w:t | .//w:drawing")


def test_header_without_a_logo_has_the_name(tmp_path: Path) -> None:
    document = docx.Document(str(build_ramar_document(special_data(), out_dir=tmp_path)))
    header = document.sections[0].header
    assert header.paragraphs[0].text.strip() == "Arboga kommun"
    assert not header._element.xpath(".//w:drawing")


def test_a_logo_that_is_no_image_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_text("ingen bild")
    with pytest.raises(ArshjulError, match="Logotypen .*logo.png"):
        DocumentBuilder(None, "Arboga kommun", "Prov", logo=bad)


def test_logo_in_the_configuration_is_read_from_the_file_folder(tmp_path: Path) -> None:
    config = DocumentsConfig.model_validate({"logo": "bilder/logo.png"})
    assert config.logo_path(tmp_path / "kommun.toml") == tmp_path / "bilder" / "logo.png"
    assert DocumentsConfig().logo_path(tmp_path / "kommun.toml") is None
    with pytest.raises(ValueError, match="PNG- eller JPEG"):
        DocumentsConfig.model_validate({"logo": "logo.svg"})


def test_numeric_columns_are_as_wide_as_their_longest_figure() -> None:
    """Even where a layout gives a figure column less (the SEP's investment table)."""
    figures = ["Summa", "1\u00a0001\u00a0005,0", "\u2212336\u00a0028,3"]
    texts = [["Nämnd", "Kommunstyrelsen"], figures, figures, figures, figures, ["Not", "x"]]
    total = int(16.0 * 360000)
    for widths_cm in (None, [5.2, 2.2, 2.2, 2.2, 2.2, 2.0]):
        widths = column_widths(total, texts, {1, 2, 3, 4}, widths_cm)
        for i in (1, 2, 3, 4):
            assert widths[i] >= needed_cm(figures) * 360000 - 100  # rounding to whole EMU
        assert sum(widths) <= total + len(widths)


def test_without_libreoffice_no_pdf_and_one_line_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _pdf_on(monkeypatch)
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    monkeypatch.setattr(pdf, "_said_missing", False)
    with caplog.at_level(logging.INFO, logger="arshjul"):
        first = build_ramar_document(special_data(), out_dir=tmp_path / "a")
        build_ramar_document(special_data(), out_dir=tmp_path / "b")
    assert first.is_file() and not first.with_suffix(".pdf").exists()
    said = [r.getMessage() for r in caplog.records if "LibreOffice" in r.getMessage()]
    assert len(said) == 1 and "inte installerat" in said[0]


def test_a_failing_conversion_warns_and_keeps_the_docx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _pdf_on(monkeypatch)
    monkeypatch.setattr(pdf, "soffice", lambda: shutil.which("false") or "/bin/false")
    with caplog.at_level(logging.WARNING, logger="arshjul"):
        path = build_ramar_document(special_data(), out_dir=tmp_path)
    assert path.is_file() and not path.with_suffix(".pdf").exists()
    assert any("PDF kunde inte skapas" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- through LibreOffice
def _pdf_lines(path: Path, *pages: int) -> list[str]:
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    out = subprocess.run(
        [_tool("pdftotext"), "-layout", *span, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [SPACES.sub(" ", line) for line in out.splitlines()]


def _figures(document: Document) -> Counter[str]:
    """Every figure with a thousands separator in the document's tables, as shown."""
    found: Counter[str] = Counter()
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.update(NUMBER.findall(SPACES.sub(" ", cell.text)))
    return found


def _broken(docx_path: Path, pdf_path: Path) -> list[str]:
    """Figures of the .docx that do not stand whole on one line of the PDF."""
    lines = _pdf_lines(pdf_path)
    broken = []
    for figure, count in _figures(docx.Document(str(docx_path))).items():
        whole = re.compile(rf"(?<![\d,]){re.escape(figure)}(?![\d,])")
        if sum(len(whole.findall(line)) for line in lines) < count:
            broken.append(figure)
    return broken


@pytest.mark.slow
def test_tagged_pdf_beside_the_docx_with_the_toc_and_its_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tool("soffice")
    _pdf_on(monkeypatch)
    path = build_ramar_document(special_data(), out_dir=tmp_path)
    published = path.with_suffix(".pdf")
    assert published.is_file()
    info = subprocess.run(
        [_tool("pdfinfo"), str(published)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    document = docx.Document(str(path))
    # One line of text per page: a long entry wraps onto a second line.
    toc_page = " ".join(" ".join(_pdf_lines(published, 2)).split())
    assert toc_page.startswith("Arboga kommun Innehåll")  # the header, then the TOC
    for paragraph in _toc_paragraphs(document):
        heading = _entry_text(paragraph)
        line = re.search(rf"{re.escape(heading)} ?\.{{3,}} ?(\d+)", toc_page)
        assert line, f"{heading!r} is not in the PDF's table of contents"
        page = int(line.group(1))
        on_page = " ".join(" ".join(_pdf_lines(published, page)).split())
        assert heading in on_page, f"{heading!r} is not on page {page}"
        # The .docx says the same page (the PAGEREF's cached result).
        assert paragraph.xpath("string(.)").endswith(str(page))


@pytest.mark.slow
@pytest.mark.parametrize("carlito", [True, False], ids=["med-carlito", "utan-carlito"])
def test_figures_never_break_across_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, carlito: bool
) -> None:
    """The widest tables (the annual report's statements, the tertial's economy per
    committee with its bold total), in Calibri's stand-in and in DejaVu Sans, the font
    LibreOffice falls back to on a server without Carlito."""
    _tool("soffice")
    if not carlito:
        conf = tmp_path / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            "<dir>/usr/share/fonts/truetype/dejavu</dir>"
            f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
        )
        monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    written = [
        build_arsredovisning_document(sample("arsredovisning"), out_dir=tmp_path / "ar"),
        build_tertial_document(sample("tertial"), out_dir=tmp_path / "tertial"),
    ]
    for path in written:  # one pass: the TOC's page numbers are not what is tested here
        pdf.convert(path, path.parent)
    fonts = subprocess.run(
        [_tool("pdffonts"), str(written[0].with_suffix(".pdf"))], capture_output=True, text=True
    ).stdout
    assert ("Carlito" in fonts) is carlito
    for path in written:
        assert _figures(docx.Document(str(path))), f"{path.name} has no figures to check"
        assert _broken(path, path.with_suffix(".pdf")) == [], path.name


def test_pdf_is_off_in_tests_unless_asked() -> None:
    assert get_settings().pdf is False

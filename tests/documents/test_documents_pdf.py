"""The ramar document through LibreOffice: converted to PDF, read back with pdftotext.

Needs ``soffice``, ``pdftotext`` and ``pdffonts`` (Debian: libreoffice-writer,
poppler-utils, fonts-dejavu-core, fonts-crosextra-carlito). Without them the tests
skip locally and fail when the environment variable CI is set.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)

from arshjul.documents import CommitteeFrame, FrameChange, build_ramar_document
from arshjul.documents.sample import sample_ramar_data
from arshjul.formats import format_tkr

pytestmark = pytest.mark.slow

ODD_NAME = 'Teknik- & servicenämnden <"Åäö">'
SOFFICE_TIMEOUT = 240


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{names[0]} saknas: apt-get install libreoffice-writer poppler-utils"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _set_font(style: object, name: str) -> None:
    """Like Word: the font named on the style, not the theme's."""
    style.font.name = name
    fonts = style.element.rPr.find(qn("w:rFonts"))
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)


def _logo_png() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1.4, 0.45), dpi=100)
    FigureCanvasAgg(figure)
    figure.text(0.05, 0.3, "EXEMPELBY", fontsize=12, color="#8B0000", weight="bold")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _municipality_template(path: Path) -> Path:
    document = docx.Document()
    _set_font(document.styles["Normal"], "DejaVu Serif")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _set_font(document.styles[name], "DejaVu Serif")
    header = document.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].add_run().add_picture(io.BytesIO(_logo_png()))
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def data():
    base = sample_ramar_data(2027)
    odd = CommitteeFrame(
        ODD_NAME, 5_000_000, (FrameChange("Minskad lokalyta & städ", -250_000),), 4_750_000
    )
    committees = (*base.committees, odd)
    financial = dataclasses.replace(
        base.financial, total_frame=sum(c.preliminary_frame for c in committees)
    )
    return dataclasses.replace(base, committees=committees, financial=financial)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory, data) -> dict[str, Path]:
    """Both documents (default template, municipality template) converted in one soffice run."""
    soffice = _tool("soffice", "libreoffice")
    _tool("pdftotext")
    root = tmp_path_factory.mktemp("pdf")
    standard = build_ramar_document(data, out_dir=root / "standard")
    template = _municipality_template(root / "mall.docx")
    own = build_ramar_document(data, template=template, out_dir=root / "egen")
    own = own.rename(own.with_name("egen mall.docx"))
    out = root / "ut"
    profile = (root / "lo-profil").as_uri()
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(standard),
            str(own),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT,
        check=False,
    )
    converted = {"standard": out / standard.with_suffix(".pdf").name, "egen": out / "egen mall.pdf"}
    for path in converted.values():
        assert path.is_file(), f"soffice wrote no {path.name}: {result.stdout}\n{result.stderr}"
    return converted


def pdf_text(path: Path) -> str:
    """The PDF's text with every run of white space (no-break, thin, line ends) as one space."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def plain(value: str) -> str:
    return value.replace("\u00a0", " ")


@pytest.mark.parametrize("which", ["standard", "egen"])
def test_pdf_holds_headings_and_figures(pdfs: dict[str, Path], data, which: str) -> None:
    text = pdf_text(pdfs[which])
    for heading in (
        "Preliminära ramar och anvisningar",
        "Inledning",
        "Ekonomiska förutsättningar",
        "Preliminära driftramar per nämnd",
        "Förändringar per nämnd",
        "Investeringsramar",
        "Tidplan för årets arbete",
        "Anvisningar för nämndernas analyser",
    ):
        assert heading in text
    total = plain(format_tkr(data.committee_total, unit=False))
    assert total in text
    assert plain(format_tkr(data.financial.taxes_and_grants)) in text
    assert "\u2212250,0" in text  # the negative change, with a real minus sign
    assert ODD_NAME in text
    assert "Demouppgifter" in text
    assert "Diarienummer: ____" in text
    assert re.search(r"Sida \d+ av \d+", text)
    assert "23 april 2027" in text


def test_fonts_follow_the_template(pdfs: dict[str, Path]) -> None:
    pdffonts = _tool("pdffonts")

    def fonts(path: Path) -> str:
        return subprocess.run([pdffonts, str(path)], capture_output=True, text=True).stdout

    assert "Carlito" in fonts(pdfs["standard"])  # Calibri's metric-compatible substitute
    assert "DejaVuSerif" in fonts(pdfs["egen"])


def test_pdf_has_the_chart_and_the_logo(pdfs: dict[str, Path]) -> None:
    pdfimages = _tool("pdfimages")

    def images(path: Path) -> int:
        listing = subprocess.run([pdfimages, "-list", str(path)], capture_output=True, text=True)
        return sum(1 for line in listing.stdout.splitlines()[2:] if " image " in line)

    assert images(pdfs["standard"]) >= 1
    assert images(pdfs["egen"]) > images(pdfs["standard"])  # the logo on every page

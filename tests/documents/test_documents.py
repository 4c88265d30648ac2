"""The document builder and the "Preliminära ramar och anvisningar" document, read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)

from arshjul.documents import (
    DOCUMENT_KINDS,
    CommitteeFrame,
    DocumentBuilder,
    FrameChange,
    RamarDocumentData,
    build_document,
    build_ramar_document,
    markup,
    safe_filename,
)
from arshjul.documents.ramar_data import ChangeKind
from arshjul.documents.sample import sample_ramar_data
from arshjul.errors import ArshjulError, NotFoundError
from arshjul.formats import NBSP, format_tkr, parse_tkr

T = 1000
LONG_NAME = (
    "Gemensamma nämnden för räddningstjänst, krisberedskap, överförmyndarverksamhet "
    "och myndighetsutövning inom miljö- & byggområdet i Västra Mälardalen"
)
ODD_NAME = "Teknik- & servicenämnden <\"Åä-öÖ\"> 'Fastigheter'"
H1 = [
    "Inledning",
    "Ekonomiska förutsättningar",
    "Preliminära driftramar per nämnd",
    "Investeringsramar",
    "Tidplan för årets arbete",
    "Anvisningar för nämndernas analyser",
]
FRAMES_HEADER = ["Nämnd", "Ram 2027, tkr", "Förändring, tkr", "Preliminär ram 2028, tkr"]
CHANGES_HEADER = ["Förändring", "Typ", "tkr"]


def special_data(*, demo: bool = True, **changes: object) -> RamarDocumentData:
    """Arboga's sample plus a very long name and one with & < quotes å ä ö, six in all."""
    base = sample_ramar_data(2027, demo=demo)
    extra = (
        CommitteeFrame(
            LONG_NAME,
            12_345_678,
            (FrameChange("Ökade volymer & fler larm", 654_322, ChangeKind.VOLUME),),
            13_000_000,
            1_500_000,
        ),
        CommitteeFrame(
            ODD_NAME,
            80_000_000,
            (
                FrameChange('Effektivisering <"lokalvård"> & städ', -2_500_000, "beslut"),
                FrameChange("Pris- och löneuppräkning", 1_234_567, ChangeKind.PRICE_WAGE),
            ),
            78_734_567,
            25_000_000,
        ),
    )
    committees = base.committees[:4] + extra
    financial = dataclasses.replace(
        base.financial, total_frame=sum(c.preliminary_frame for c in committees)
    )
    return dataclasses.replace(base, committees=committees, financial=financial, **changes)


def paragraphs_and_tables(document: Document) -> list[Paragraph | Table]:
    """The body in order."""
    items: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            items.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            items.append(Table(child, document))
    return items


def headings(document: Document) -> list[tuple[int, str]]:
    """``(level, text)`` of every paragraph in a built-in Heading style."""
    found = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name
        if name.startswith("Heading "):
            found.append((int(name.split()[1]), paragraph.text))
    return found


def cells(row: object) -> list[str]:
    return [c.text for c in row.cells]


def table_with_header(document: Document, header: list[str]) -> Table:
    matches = [t for t in document.tables if cells(t.rows[0]) == header]
    assert len(matches) == 1, [cells(t.rows[0]) for t in document.tables]
    return matches[0]


def number(text: str) -> int:
    """A Swedish tkr figure from a cell back to whole kronor."""
    return parse_tkr(text)


def assert_sums(parts: list[str], total: str) -> None:
    """The shown parts add up to the shown total, within the rounding to 0,1 tkr."""
    assert abs(sum(number(p) for p in parts) - number(total)) <= 50 * len(parts), (parts, total)


@pytest.fixture(scope="module")
def data() -> RamarDocumentData:
    return special_data()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, data: RamarDocumentData) -> Path:
    return build_ramar_document(data, out_dir=tmp_path_factory.mktemp("ramar"))


@pytest.fixture(scope="module")
def document(built: Path) -> Document:
    return docx.Document(str(built))


# --------------------------------------------------------------------------- structure
def test_file_name_is_swedish_and_readable(built: Path) -> None:
    assert built.name == "Preliminära ramar och anvisningar 2028 – Arboga kommun.docx"
    assert zipfile.is_zipfile(built)


def test_headings_in_order_with_builtin_styles(document: Document, data: RamarDocumentData) -> None:
    found = headings(document)
    assert [text for level, text in found if level == 1] == H1
    assert [text for level, text in found if level == 2] == ["Förändringar per nämnd"]
    assert [text for level, text in found if level == 3] == [c.name for c in data.committees]
    previous = 0
    for level, text in found:
        assert level <= previous + 1, f"heading jump before {text!r}"
        previous = level
    ids = {p.style.style_id for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert ids == {"Heading1", "Heading2", "Heading3"}
    assert document.paragraphs[0].style.name == "Title"


def test_title_page(document: Document) -> None:
    texts = [p.text for p in document.paragraphs[:12]]
    assert texts[0] == "Preliminära ramar och anvisningar"
    assert "Budget 2028 med plan 2029–2030" in texts
    assert "Arboga kommun" in texts
    assert "Beslutsinstans: Kommunstyrelsen" in texts
    assert "Sammanträde: 2 mars 2027" in texts
    assert "Diarienummer: ____" in texts


def test_diary_number_shown_when_known(tmp_path: Path) -> None:
    path = build_ramar_document(special_data(diary_number="KS 2027/12"), out_dir=tmp_path)
    document = docx.Document(str(path))
    assert "Diarienummer: KS 2027/12" in [p.text for p in document.paragraphs[:12]]
    assert document.core_properties.identifier == "KS 2027/12"


def test_toc_field_and_update_fields(document: Document) -> None:
    body = document.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    assert any(i.strip() == 'TOC \\o "1-3" \\h \\z \\u' for i in instructions)
    text = "".join(t.text or "" for t in body.iter(qn("w:t")))
    assert "Högerklicka" not in text and "Uppdatera fält" not in text
    update = document.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


def test_core_properties_and_language(document: Document) -> None:
    props = document.core_properties
    assert props.title == "Preliminära ramar och anvisningar 2028"
    assert props.author == "Arboga kommun"
    assert props.language == "sv-SE"
    assert props.subject == "Budget 2028 med plan 2029–2030"
    styles = document.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert default.find(qn("w:lang")).get(qn("w:val")) == "sv-SE"
    assert {e.get(qn("w:val")) for e in styles.iter(qn("w:lang"))} == {"sv-SE"}


# --------------------------------------------------------------------------- tables
def test_frames_totals_row_is_the_sum(document: Document, data: RamarDocumentData) -> None:
    table = table_with_header(document, FRAMES_HEADER)
    rows = [cells(r) for r in table.rows[1:]]
    body, totals = rows[:-1], rows[-1]
    assert [r[0] for r in body] == [c.name for c in data.committees]
    assert totals[0] == "Summa"
    for column in (1, 2, 3):
        assert_sums([r[column] for r in body], totals[column])
    for r in body:
        assert_sums([r[1], r[2]], r[3])
    assert all(run.bold for c in table.rows[-1].cells for run in c.paragraphs[0].runs)
    assert totals[3] == format_tkr(data.financial.total_frame, unit=False)


def test_each_committees_changes_sum_to_its_change(
    document: Document, data: RamarDocumentData
) -> None:
    frames = {
        cells(r)[0]: number(cells(r)[2])
        for r in table_with_header(document, FRAMES_HEADER).rows[1:-1]
    }
    seen: dict[str, list[str]] = {}
    current = None
    for item in paragraphs_and_tables(document):
        if isinstance(item, Paragraph) and item.style.name == "Heading 3":
            current = item.text
        elif isinstance(item, Table) and current and cells(item.rows[0]) == CHANGES_HEADER:
            rows = [cells(r) for r in item.rows[1:]]
            assert rows[-1][0] == "Summa förändring"
            assert_sums([r[2] for r in rows[:-1]], rows[-1][2])
            assert number(rows[-1][2]) == frames[current]
            seen[current] = [r[0] for r in rows[:-1]]
            current = None
    with_changes = [c for c in data.committees if c.changes]
    assert set(seen) == {c.name for c in with_changes}
    for committee in with_changes:
        assert seen[committee.name] == [ch.reason for ch in committee.changes]


def test_negative_change_shown_with_real_minus(document: Document) -> None:
    table = table_with_header(document, FRAMES_HEADER)
    odd = next(cells(r) for r in table.rows if cells(r)[0] == ODD_NAME)
    assert odd[2] == f"\u22121{NBSP}265,4"


def test_header_rows_repeat_and_figures_right_aligned(document: Document) -> None:
    assert len(document.tables) >= 8
    for table in document.tables:
        trpr = table.rows[0]._tr.trPr
        assert trpr is not None and trpr.find(qn("w:tblHeader")) is not None
    table = table_with_header(document, FRAMES_HEADER)
    for row in table.rows:
        assert row.cells[0].paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT
        for cell in row.cells[1:]:
            assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    caption = table._tbl.tblPr.find(qn("w:tblCaption"))
    assert caption.get(qn("w:val")) == "Preliminära driftramar per nämnd 2028, tkr"


def test_investment_and_timetable_tables(document: Document, data: RamarDocumentData) -> None:
    investments = table_with_header(document, ["Nämnd", "Investeringsram 2028, tkr"])
    rows = [cells(r) for r in investments.rows[1:]]
    assert_sums([r[1] for r in rows[:-1]], rows[-1][1])
    timetable = table_with_header(document, ["Steg", "Öppnar", "Sista dag", "Beslut"])
    first = cells(timetable.rows[1])
    assert first == [
        "Preliminära ramar och anvisningar",
        "11 januari 2027",
        "5 mars 2027",
        "KS 2 mars 2027",
    ]


def test_chart_has_alt_text(document: Document, built: Path) -> None:
    assert len(document.inline_shapes) == 1
    doc_prs = list(document.element.body.iter(qn("wp:docPr")))
    assert doc_prs
    for doc_pr in doc_prs:
        assert doc_pr.get("descr", "").strip()
        assert doc_pr.get("title", "").strip()
    assert "Kommunstyrelsen" in doc_prs[0].get("descr")
    assert "Driftram per nämnd" in doc_prs[0].get("title")


def test_footer_has_page_numbers(document: Document) -> None:
    footer = document.sections[0].footer
    instructions = [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
    assert "PAGE" in instructions and "NUMPAGES" in instructions
    assert footer.paragraphs[-1].text.startswith("Sida ")


def test_special_characters_intact(document: Document, built: Path) -> None:
    in_headings = [text for _, text in headings(document)]
    assert LONG_NAME in in_headings and ODD_NAME in in_headings
    all_cells = {c.text for t in document.tables for r in t.rows for c in r.cells}
    assert 'Effektivisering <"lokalvård"> & städ' in all_cells
    assert ODD_NAME in all_cells
    raw = zipfile.ZipFile(built).read("word/document.xml").decode("utf-8")
    assert "&lt;&quot;Åä-öÖ&quot;&gt;" in raw or '&lt;"Åä-öÖ"&gt;' in raw


def test_demo_label(document: Document, tmp_path: Path) -> None:
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Demouppgifter" in text
    real = docx.Document(str(build_ramar_document(special_data(demo=False), out_dir=tmp_path)))
    assert "demouppgifter" not in "\n".join(p.text for p in real.paragraphs).lower()


def test_election_year_note(tmp_path: Path) -> None:
    data = sample_ramar_data(2026)
    data = dataclasses.replace(data, election_year=True, election_day=dt.date(2026, 9, 13))
    document = docx.Document(str(build_ramar_document(data, out_dir=tmp_path)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026 är valår." in text and "13 september 2026" in text
    assert "valår" not in "\n".join(
        p.text
        for p in docx.Document(
            str(build_ramar_document(sample_ramar_data(2027), out_dir=tmp_path / "b"))
        ).paragraphs
    )


# --------------------------------------------------------------------------- data checks
def test_frames_that_do_not_add_up_are_refused() -> None:
    wrong = CommitteeFrame("Socialnämnden", 100_000, (FrameChange("Pris", 5_000),), 106_000)
    with pytest.raises(ArshjulError) as error:
        dataclasses.replace(sample_ramar_data(), committees=(wrong,))
    assert "Socialnämnden" in str(error.value) and "inte den preliminära ramen" in str(error.value)


def test_unknown_change_kind_is_refused() -> None:
    with pytest.raises(ArshjulError, match="Okänd typ"):
        FrameChange("Något", 1, "okänt")


# --------------------------------------------------------------------------- municipality template
def _set_font(style: object, name: str) -> None:
    """Like Word: the font named on the style, not the theme's."""
    style.font.name = name
    fonts = style.element.rPr.find(qn("w:rFonts"))
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)


def _logo_png() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1.2, 0.4), dpi=100)
    FigureCanvasAgg(figure)
    figure.text(0.05, 0.3, "KOMMUN", fontsize=14, color="#8B0000")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def municipality_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base template as a municipality would make it: serif font, red headings, logo."""
    document = docx.Document()
    _set_font(document.styles["Normal"], "DejaVu Serif")
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        _set_font(document.styles[name], "DejaVu Serif")
        document.styles[name].font.color.rgb = RGBColor(0x8B, 0x00, 0x00)
    header = document.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].add_run().add_picture(io.BytesIO(_logo_png()))
    header.add_paragraph("Exempelby kommun")
    document.add_paragraph("Mallens brödtext som ska bort")
    path = tmp_path_factory.mktemp("mall") / "exempelby.docx"
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def on_template(
    tmp_path_factory: pytest.TempPathFactory, data: RamarDocumentData, municipality_template: Path
) -> Document:
    out = tmp_path_factory.mktemp("exempelby")
    path = build_ramar_document(data, template=municipality_template, out_dir=out)
    return docx.Document(str(path))


def test_municipality_template_keeps_content(document: Document, on_template: Document) -> None:
    assert headings(on_template) == headings(document)
    assert [[cells(r) for r in t.rows] for t in on_template.tables] == [
        [cells(r) for r in t.rows] for t in document.tables
    ]
    assert "Mallens brödtext som ska bort" not in [p.text for p in on_template.paragraphs]


def test_municipality_template_keeps_font_logo_and_gets_page_numbers(on_template: Document) -> None:
    assert on_template.styles["Normal"].font.name == "DejaVu Serif"
    assert on_template.styles["Heading 1"].font.color.rgb == RGBColor(0x8B, 0x00, 0x00)
    header = on_template.sections[0].header
    assert "Exempelby kommun" in [p.text for p in header.paragraphs]
    blips = list(header._element.iter(qn("a:blip")))
    assert len(blips) == 1
    image = header.part.related_parts[blips[0].get(qn("r:embed"))]
    assert image.blob.startswith(b"\x89PNG")
    header_ids = {e.get("id") for e in header._element.iter(qn("wp:docPr"))}
    body_ids = {e.get("id") for e in on_template.element.body.iter(qn("wp:docPr"))}
    assert header_ids and body_ids and not header_ids & body_ids
    footer = on_template.sections[0].footer
    assert "PAGE" in [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
    lang = on_template.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert lang.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val")) == "sv-SE"


def test_dotx_template_is_accepted(tmp_path: Path, municipality_template: Path) -> None:
    dotx = tmp_path / "mall.dotx"
    with zipfile.ZipFile(municipality_template) as source, zipfile.ZipFile(dotx, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(item, content)
    builder = DocumentBuilder(dotx, "Exempelby kommun", "Prov", year=2027)
    assert builder.document.sections[0].header.paragraphs[-1].text == "Exempelby kommun"


def test_missing_or_broken_template_is_a_swedish_error(tmp_path: Path) -> None:
    with pytest.raises(ArshjulError, match="Dokumentmallen finns inte"):
        DocumentBuilder(tmp_path / "saknas.docx", "X kommun", "Prov")
    broken = tmp_path / "trasig.docx"
    broken.write_text("inte en Word-fil")
    with pytest.raises(ArshjulError, match="går inte att läsa"):
        DocumentBuilder(broken, "X kommun", "Prov")


# --------------------------------------------------------------------------- builder and markup
def test_builder_refuses_heading_jumps_and_empty_alt_text(tmp_path: Path) -> None:
    builder = DocumentBuilder(None, "X kommun", "Prov", year=2027, toc=False)
    with pytest.raises(ValueError, match="heading level 2"):
        builder.heading("För djupt", 2)
    builder.heading("Ett", 1)
    builder.heading("Två", 2)
    with pytest.raises(ValueError, match="alternative text"):
        builder.picture(b"", title="Tom", alt_text=" ")


def test_prose_markup_and_filters(tmp_path: Path) -> None:
    prose = tmp_path / "texter"
    (prose / "prov").mkdir(parents=True)
    (prose / "prov" / "text.md.j2").write_text(
        '# Rubrik & <mer> "citat"\n\n'
        "Första raden\nfortsätter här med **fet** text och {{ belopp|tkr }}.\n\n"
        "- punkt ett {{ dag|datum }}\n  fortsätter\n- punkt två {{ andel|procent }}\n\n"
        "## Underrubrik\n\n"
        "\\# inte en rubrik, {{ namn }}\n",
        encoding="utf-8",
    )
    builder = DocumentBuilder(None, "X kommun", "Prov", year=2027, prose_dir=prose, toc=False)
    builder.prose(
        "prov/text.md.j2",
        belopp=-1_234_500,
        dag=dt.date(2027, 5, 15),
        andel=0.005,
        namn='Å & Ö <"x">',
    )
    paragraphs = builder.document.paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[-6:] == [
        'Rubrik & <mer> "citat"',
        f"Första raden fortsätter här med fet text och \u22121{NBSP}234,5{NBSP}tkr.",
        "punkt ett 15 maj 2027 fortsätter",
        f"punkt två 0,5{NBSP}%",
        "Underrubrik",
        '# inte en rubrik, Å & Ö <"x">',
    ]
    assert paragraphs[-6].style.name == "Heading 1"
    assert paragraphs[-2].style.name == "Heading 2"
    assert paragraphs[-4].style.name == "List Bullet"
    bold = [r.text for r in paragraphs[-5].runs if r.bold]
    assert bold == ["fet"]


def test_prose_template_errors_are_swedish() -> None:
    builder = DocumentBuilder(None, "X kommun", "Prov", toc=False)
    with pytest.raises(ArshjulError, match="Textmallen finns/inte.md.j2 finns inte"):
        builder.prose("finns/inte.md.j2")
    message = "Fel i textmallen ramar/namnd.md.j2 \\(rad 1\\): variabeln ”arbetsar” finns inte"
    with pytest.raises(ArshjulError, match=message):
        builder.prose("ramar/namnd.md.j2")  # its variables are missing


def test_parse_markup_edge_cases() -> None:
    blocks = markup.parse("Text\n- a\n- b\nefter\n\n### Tre\n**ej stängd")
    assert [(b.kind, b.text, b.items) for b in blocks] == [
        ("paragraph", "Text", ()),
        ("bullets", "", ("a", "b")),
        ("paragraph", "efter", ()),
        ("heading", "Tre", ()),
        ("paragraph", "**ej stängd", ()),
    ]
    assert list(markup.inline_runs("a **b** c **d")) == [
        ("a ", False),
        ("b", True),
        (" c **d", False),
    ]


def test_generic_table_and_stacked_chart(tmp_path: Path) -> None:
    builder = DocumentBuilder(None, "X kommun", "Prov", year=2027)
    builder.heading("Mål", 1)
    builder.table(
        ["Område", "Antal mål"], [["Livsmiljö", "3"]], caption="Mål per område", numeric_columns={1}
    )
    builder.chart_stacked(
        "Måluppfyllelse per strategiskt område",
        ["Inspirerande livsmiljö", "Inspirerande lärande och arbete"],
        [
            ("Uppfyllt", [2, 1]),
            ("Delvis uppfyllt", [1, 1]),
            ("Ej uppfyllt", [0, 1]),
            ("Ej bedömd", [1, 0]),
        ],
    )
    path = builder.save(tmp_path, "Mål & uppföljning: 2027?")
    assert path.name == "Mål & uppföljning 2027.docx"
    document = docx.Document(str(path))
    descr = next(document.element.body.iter(qn("wp:docPr"))).get("descr")
    assert (
        "Inspirerande livsmiljö: Uppfyllt 2, Delvis uppfyllt 1, Ej uppfyllt 0, Ej bedömd 1" in descr
    )
    assert [p.text for p in document.paragraphs if p.style.name == "Caption"] == [
        "Tabell 1. Mål per område",
        "Diagram 1. Måluppfyllelse per strategiskt område",
    ]


def test_default_template_is_neutral_a4() -> None:
    from arshjul.documents import DEFAULT_TEMPLATE

    document = docx.Document(str(DEFAULT_TEMPLATE))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 25
    assert document.styles["Normal"].font.name is None  # from the document defaults
    fonts = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert fonts.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:ascii")) == "Calibri"
    assert document.styles["Heading 1"].font.size == Pt(16)
    assert "Årshjul tabell" in [s.name for s in document.styles]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Preliminära ramar och anvisningar 2028 – Arboga kommun",
            "Preliminära ramar och anvisningar 2028 – Arboga kommun",
        ),
        ('Rapport: "a/b" <c>|d?*  ', "Rapport a b c d"),
        ("CON", "CON (dokument)"),
        ("...", "dokument"),
        ("A" * 200, "A" * 150),
        ("Ärende " + "ord " * 60, ("Ärende " + "ord " * 60)[:150].rsplit(" ", 1)[0]),
    ],
)
def test_safe_filename(title: str, expected: str) -> None:
    assert safe_filename(title) == expected
    assert safe_filename(title, "docx") == expected + ".docx"


def test_registry_builds_by_slug(tmp_path: Path) -> None:
    assert DOCUMENT_KINDS["ramar"].title == "Preliminära ramar och anvisningar"
    assert DOCUMENT_KINDS["ramar"].data_type is RamarDocumentData
    path = build_document("ramar", sample_ramar_data(), out_dir=tmp_path)
    assert path.exists()
    with pytest.raises(NotFoundError, match="ramar"):
        build_document("okänd", sample_ramar_data(), out_dir=tmp_path)

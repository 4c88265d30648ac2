"""An indicator's key figure compared with the comparison group and the country: the
figures from the database, and the block a report shows (sentence, chart with alt text,
table, source), read back from a real Word file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from statistics import fmean

import docx
from sqlalchemy import Engine
from sqlmodel import Session

from arshjul.config.schema import KoladaConfig
from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.comparison import KeyFigureComparison, comparison_block
from arshjul.kolada import import_kolada_file
from arshjul.kolada.comparison import comparison_group, key_figure_comparison, what_is_missing
from arshjul.kolada.store import store_group_members
from arshjul.models import Municipality

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "arshjul"
    / "templates"
    / "import"
    / "kolada"
    / "exempel.json"
)
NEIGHBOURS = ("1983", "1960", "1961", "1982", "1907")
AS_OF = dt.datetime(2027, 1, 4, 7, 0, tzinfo=dt.UTC)


def _sample_total(kpi: str, code: str, year: int) -> float | None:
    """The sample file's total (T) value, read straight from the JSON."""
    for entry in json.loads(SAMPLE.read_text(encoding="utf-8"))["values"]:
        if (entry["kpi"], entry["municipality"], entry["period"]) == (kpi, code, year):
            return next((v["value"] for v in entry["values"] if v["gender"] == "T"), None)
    return None


def _imported(engine: Engine) -> None:
    with Session(engine) as session:
        municipality = Municipality(code="1984", name="Arboga kommun", short_name="Arboga")
        session.add(municipality)
        session.flush()
        import_kolada_file(
            session, municipality=municipality, path=SAMPLE, as_of=AS_OF, actor="test"
        )
        session.commit()


def _compare(
    session: Session, kpi: str, group: tuple[str, ...], year: int = 2027
) -> KeyFigureComparison:
    return key_figure_comparison(
        session,
        kpi=kpi,
        own_code="1984",
        municipality="Arboga kommun",
        unit_of_measure="procent",
        group=group,
        up_to_year=year,
    )


def test_the_comparison_shows_the_last_five_years_the_group_mean_the_country_and_the_rank(
    engine: Engine,
) -> None:
    _imported(engine)
    with Session(engine) as session:
        group = comparison_group(
            session, KoladaConfig(comparison_municipalities=[*NEIGHBOURS, "1984"]), "1984"
        )
        assert group == tuple(sorted(NEIGHBOURS))  # the municipality itself is left out
        c = _compare(session, "N15428", group)
    assert c.years == (2022, 2023, 2024, 2025, 2026)
    assert c.own == tuple(_sample_total("N15428", "1984", y) for y in c.years)
    assert c.country == tuple(_sample_total("N15428", "0000", y) for y in c.years)
    for year, mean in zip(c.years, c.group_mean, strict=True):
        values = [_sample_total("N15428", code, year) for code in NEIGHBOURS]
        assert mean is not None
        assert abs(mean - fmean(v for v in values if v is not None)) < 1e-9
    own = _sample_total("N15428", "1984", 2026)
    others = [_sample_total("N15428", code, 2026) for code in NEIGHBOURS]
    assert own is not None
    assert c.rank == 1 + sum(1 for v in others if v is not None and v > own)
    assert (c.ranked, c.rank_year) == (6, 2026)
    assert c.retrieved == dt.date(2027, 1, 4) and c.updated is None


def test_a_year_kolada_has_not_published_moves_the_window_back(engine: Engine) -> None:
    """Arboga's N00914 for 2026 is missing in the sample, as before Kolada publishes it."""
    _imported(engine)
    with Session(engine) as session:
        c = _compare(session, "N00914", NEIGHBOURS)
        earlier = _compare(session, "N00914", NEIGHBOURS, year=2023)
    assert c.years == (2021, 2022, 2023, 2024, 2025)
    assert None not in c.own
    assert earlier.years == (2019, 2020, 2021, 2022, 2023)  # nothing after the report's year
    assert earlier.own[:2] == (None, None)


def test_a_kolada_group_is_compared_through_its_members_as_last_fetched(engine: Engine) -> None:
    _imported(engine)
    config = KoladaConfig(comparison_group="G33894")
    with Session(engine) as session:
        assert comparison_group(session, config, "1984") == ()
        store_group_members(session, "G33894", ["1984", "1983", "1960"], fetched_at=AS_OF)
        store_group_members(session, "G33894", [], fetched_at=AS_OF)  # an empty answer keeps them
        session.commit()
        group = comparison_group(session, config, "1984")
        c = _compare(session, "N15428", group)
    assert group == ("1960", "1983")
    first = [_sample_total("N15428", code, 2022) for code in group]
    assert c.group_mean[0] == fmean(v for v in first if v is not None)
    assert c.ranked == 3


def test_a_key_figure_without_values_says_so_and_the_log_names_it(engine: Engine) -> None:
    _imported(engine)
    with Session(engine) as session:
        c = _compare(session, "N99999", NEIGHBOURS)
        alone = _compare(session, "N15428", ())
    assert not c.has_values
    assert what_is_missing(c, "2.1-a") == [
        "Kolada-jämförelse för indikator 2.1-a (N99999): inga värden är hämtade eller "
        "importerade (kör Kolada-hämtningen eller 'arshjul import kolada FIL')"
    ]
    assert what_is_missing(alone, "2.1-a") == [
        "Kolada-jämförelse för indikator 2.1-a (N15428): inga jämförelsekommuner "
        "(comparison_municipalities eller comparison_group under [kolada])"
    ]
    assert alone.rank is None and all(v is None for v in alone.group_mean)


def _written(tmp_path: Path, c: KeyFigureComparison) -> docx.document.Document:
    doc = DocumentBuilder(None, "Arboga kommun", "Delårsrapport 2027", toc=False)
    comparison_block(doc, "Behöriga till yrkesprogram", c)
    return docx.Document(str(doc.save(tmp_path)))


def test_the_report_block_has_the_sentence_a_chart_with_alt_text_the_table_and_the_source(
    tmp_path: Path,
) -> None:
    c = KeyFigureComparison(
        kpi="N15428",
        municipality="Arboga kommun",
        unit_of_measure="procent",
        years=(2022, 2023, 2024, 2025, 2026),
        own=(84.4, 85.6, 85.6, 86.0, 87.2),
        group_mean=(83.0, 83.5, None, 84.0, 84.5),
        country=(85.0, 85.2, 85.3, 85.1, 85.6),
        group_size=5,
        rank=2,
        ranked=6,
        rank_year=2026,
        updated=dt.date(2026, 4, 15),
    )
    written = _written(tmp_path, c)
    text = "\n".join(p.text for p in written.paragraphs)
    assert (
        "År 2026 var värdet för Arboga kommun 87,2\u00a0procent, jämfört med 84,5 i genomsnitt "
        "för liknande kommuner och 85,6 för riket. Bland 6 jämförda kommuner hade Arboga "
        "kommun det näst högsta värdet 2026. Sedan 2022 har värdet ökat med "
        "2,8\u00a0procentenheter."
    ) in text
    assert "Källa: Kolada (RKA), nyckeltal N15428, uppdaterad 15 april 2026." in text
    described = [
        d.get("descr", "")
        for d in written.element.body.iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
        )
    ]
    assert len(described) == 1
    assert described[0].startswith("Linjediagram. Behöriga till yrkesprogram, 2022–2026 (procent).")
    assert "Arboga kommun: 2022 84,4" in described[0]
    assert "2024 uppgift saknas" in described[0]
    table = written.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["År", "Arboga kommun", "Liknande kommuner (5), medel", "Riket"]
    assert rows[3] == ["2024", "85,6", "uppgift saknas", "85,3"]


def test_a_key_figure_without_values_is_said_in_the_report_never_blank(tmp_path: Path) -> None:
    written = _written(tmp_path, KeyFigureComparison("N15428", "Arboga kommun", "procent"))
    text = "\n".join(p.text for p in written.paragraphs)
    assert "Nyckeltalet N15428 i Kolada: uppgift saknas för Arboga kommun" in text
    assert "Källa: Kolada (RKA), nyckeltal N15428." in text
    assert not written.inline_shapes

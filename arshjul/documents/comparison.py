"""An indicator's comparison with other municipalities and over time (seed 2.5), as the
interim report, the annual report and the management dialogue show it.

The figures come from Kolada (RKA): the municipality's value over the last five years,
the comparison group's unweighted mean, the country's value and the municipality's
rank in its group. The comparison is drawn as a line chart with alternative text and
given as a table, and said in one sentence that the goal's assessment can lean on. A key
figure without stored values is said to lack them; it is never a blank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.charts import line_chart
from arshjul.formats import format_date, format_number

SOURCE = "Källa: Kolada (RKA)"
NOT_AVAILABLE = "uppgift saknas"


@dataclass(frozen=True)
class KeyFigureComparison:
    """A key figure's values by year for the municipality, its group and the country.

    The three series run over ``years``; a year Kolada has no value for is None. The
    rank is the municipality's place in its group by value, highest first, in
    ``rank_year`` (the latest year the municipality and its group both have values).
    """

    kpi: str
    municipality: str  # as written in the document: "Arboga kommun"
    unit_of_measure: str
    years: tuple[int, ...] = ()
    own: tuple[float | None, ...] = ()
    group_mean: tuple[float | None, ...] = ()
    country: tuple[float | None, ...] = ()
    group_size: int = 0  # the comparison municipalities (the municipality not counted)
    rank: int | None = None
    ranked: int = 0  # municipalities ranked, the municipality included
    rank_year: int | None = None
    updated: dt.date | None = None  # Kolada's latest update date among the values shown
    retrieved: dt.date | None = None  # when they were last fetched or imported

    @property
    def has_values(self) -> bool:
        return any(v is not None for v in (*self.own, *self.group_mean, *self.country))

    @property
    def decimals(self) -> int:
        """One decimal when any value has one (Kolada's shares), else whole numbers."""
        values = [v for v in (*self.own, *self.group_mean, *self.country) if v is not None]
        return 0 if all(float(v).is_integer() for v in values) else 1

    def latest(self) -> int | None:
        """The index of the latest year the municipality has a value for."""
        found = [i for i, v in enumerate(self.own) if v is not None]
        return found[-1] if found else None


class GoalComparison(NamedTuple):
    """An indicator's comparison with the goal it measures, for a section of comparisons."""

    goal: str  # "2.1 Alla barn och elever når målen"
    indicator: str
    comparison: KeyFigureComparison


def _figure(value: float | None, decimals: int, unit: str = "") -> str:
    if value is None:
        return NOT_AVAILABLE
    shown = format_number(value, decimals)
    return f"{shown}\u00a0{unit}" if unit else shown


def _change_unit(unit: str) -> str:
    return "procentenheter" if unit.strip().lower() in {"procent", "%"} else unit


def comparison_sentence(c: KeyFigureComparison) -> str:
    """The comparison in words, for the goal's assessment."""
    latest = c.latest()
    if not c.has_values or latest is None:
        return (
            f"Nyckeltalet {c.kpi} i Kolada: {NOT_AVAILABLE} för {c.municipality}, så målet "
            "kan inte jämföras med andra kommuner."
        )
    year, own, unit, d = c.years[latest], c.own[latest], c.unit_of_measure, c.decimals
    words = [f"År {year} var värdet för {c.municipality} {_figure(own, d, unit)}"]
    group, country = c.group_mean[latest], c.country[latest]
    words.append(
        f", jämfört med {_figure(group, d)} i genomsnitt för liknande kommuner"
        if group is not None
        else f", liknande kommuners genomsnitt: {NOT_AVAILABLE}"
    )
    words.append(
        f" och {_figure(country, d)} för riket."
        if country is not None
        else f" och rikets: {NOT_AVAILABLE}."
    )
    if c.rank is not None:
        words.append(
            f" Bland {c.ranked} jämförda kommuner hade {c.municipality} det "
            f"{_ordinal(c.rank)} högsta värdet {c.rank_year}."
            if c.rank > 1
            else f" Bland {c.ranked} jämförda kommuner hade {c.municipality} det högsta "
            f"värdet {c.rank_year}."
        )
    first = next(i for i, v in enumerate(c.own) if v is not None)
    if first < latest:
        before = c.own[first]
        assert before is not None and own is not None
        change = own - before
        if round(change, 1) == 0:
            words.append(f" Värdet är oförändrat sedan {c.years[first]}.")
        else:
            way = "ökat" if change > 0 else "minskat"
            words.append(
                f" Sedan {c.years[first]} har värdet {way} med "
                f"{_figure(abs(change), d, _change_unit(unit))}."
            )
    return "".join(words)


def _ordinal(place: int) -> str:
    words = {2: "näst", 3: "tredje", 4: "fjärde", 5: "femte", 6: "sjätte", 7: "sjunde"}
    return words.get(place, f"{place}:e")


def source_line(c: KeyFigureComparison) -> str:
    """``Källa: Kolada (RKA), nyckeltal N15428, uppdaterad 15 april 2026.``

    A value imported from a file that gave no update date is dated by its import.
    """
    if c.updated:
        when = f", uppdaterad {format_date(c.updated)}"
    elif c.retrieved:
        when = f", hämtad {format_date(c.retrieved)} (Koladas uppdateringsdatum saknas)"
    else:
        when = ""
    return f"{SOURCE}, nyckeltal {c.kpi}{when}."


def comparison_block(doc: DocumentBuilder, name: str, c: KeyFigureComparison) -> None:
    """The indicator's comparison: the sentence, a chart, a table and the source."""
    # The words stay on the page of the chart they introduce.
    doc.paragraph(f"Jämförelse: {name}", bold=True).paragraph_format.keep_with_next = True
    doc.paragraph(comparison_sentence(c)).paragraph_format.keep_with_next = c.has_values
    if not c.has_values:
        doc.paragraph(source_line(c), italic=True)
        return
    d = c.decimals
    group_label = f"Liknande kommuner ({c.group_size}), medel"
    series = [
        (c.municipality, c.own),
        (group_label, c.group_mean),
        ("Riket", c.country),
    ]
    title = f"{name}, {c.years[0]}–{c.years[-1]}"
    described = "; ".join(
        f"{label}: "
        + ", ".join(f"{year} {_figure(v, d)}" for year, v in zip(c.years, values, strict=True))
        for label, values in series
    )
    unit = c.unit_of_measure
    alt_text = f"Linjediagram. {title}{f' ({unit})' if unit else ''}. {described}."
    png = line_chart([str(y) for y in c.years], series, unit=unit)
    doc.caption("Diagram", title)
    doc.picture(png, title=title, alt_text=alt_text, width_cm=13.0)
    doc.table(
        ["År", c.municipality, group_label, "Riket"],
        [
            [str(year), _figure(own, d), _figure(group, d), _figure(country, d)]
            for year, own, group, country in zip(
                c.years, c.own, c.group_mean, c.country, strict=True
            )
        ],
        numeric_columns={1, 2, 3},
        caption=f"{title}{f' ({unit})' if unit else ''}",
    )
    doc.paragraph(source_line(c), italic=True)

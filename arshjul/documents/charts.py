"""Charts as PNG images for the documents: matplotlib's Agg canvas, imported on first use."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from arshjul.formats import format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Goal attainment levels in the order they are shown, with colour and a hatch so
# that the levels can be told apart without colour vision (and in grey print).
GOAL_ATTAINMENT: tuple[tuple[str, str, str], ...] = (
    ("Uppfyllt", "#2E7D32", ""),
    ("Delvis uppfyllt", "#F2C12E", "//"),
    ("Ej uppfyllt", "#C62828", "xx"),
    ("Ej bedömd", "#9E9E9E", ".."),
)
SERIES_COLOURS = ("#1F3A5F", "#8FB3D9", "#D98C3F", "#5B8C5A")
WIDTH_INCHES = 6.3  # 16 cm, the text width of an A4 page with 2.5 cm margins
DPI = 200


def _figure(categories: int, per_category: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = max(2.2, 1.0 + 0.34 * categories * per_category)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    # Not savefig: with a layout engine it draws the figure twice, the first
    # time only to lay it out; the canvas draws once (the same bytes, 5 % sooner).
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # _figure puts every figure on one
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _legend(figure: Figure, columns: int) -> None:
    """The legend above the plot, inside the image whatever the label widths."""
    figure.legend(fontsize=8, loc="outside upper center", ncols=columns, frameon=False)


def _category_axis(ax: Axes, categories: Sequence[str]) -> None:
    ax.set_yticks(range(len(categories)))
    ax.set_yticklabels([textwrap.fill(c, 32) for c in categories], fontsize=8)
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    unit: str,
    colours: Sequence[str] = SERIES_COLOURS,
) -> bytes:
    """Horizontal grouped bars, one group per category; values already in ``unit``."""
    from matplotlib.ticker import FuncFormatter

    count = max(len(series), 1)
    figure = _figure(len(categories), 0.55 + 0.45 * count)
    ax = figure.add_subplot()
    height = 0.8 / count
    for index, (label, values) in enumerate(series):
        offsets = [i - 0.4 + height * (index + 0.5) for i in range(len(categories))]
        colour = colours[index % len(colours)]
        ax.barh(offsets, list(values), height=height * 0.92, label=label, color=colour)
    _category_axis(ax, categories)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value)))
    ax.set_xlabel(unit, fontsize=8)
    ax.axvline(0, color="#404040", linewidth=0.8)
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    if len(series) > 1:
        _legend(figure, count)
    return _png(figure)


def stacked_bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], str, str]],
    *,
    unit: str,
) -> bytes:
    """Horizontal stacked bars: ``(label, values, colour, hatch)`` per segment, counts shown."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure(len(categories), 1.0)
    ax = figure.add_subplot()
    left = [0.0] * len(categories)
    for label, values, colour, hatch in series:
        bars = ax.barh(
            range(len(categories)),
            list(values),
            left=left,
            height=0.6,
            label=label,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.6,
        )
        labels = [str(v) if v else "" for v in values]
        ax.bar_label(
            bars,
            labels=labels,
            label_type="center",
            fontsize=8,
            color="black",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    _category_axis(ax, categories)
    ax.set_xlabel(unit, fontsize=8)
    locator = ax.xaxis.get_major_locator()
    assert isinstance(locator, MaxNLocator)  # a linear axis's AutoLocator is one
    locator.set_params(integer=True)
    _legend(figure, len(series))
    return _png(figure)


# Line styles as well as colours, so the series can be told apart in grey print.
LINE_STYLES = ("-", "--", ":")
LINE_MARKERS = ("o", "s", "^")


def line_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    unit: str,
) -> bytes:
    """Lines over the periods, one per series; a missing value breaks its line."""
    from matplotlib.ticker import FuncFormatter

    figure = _figure(0, 0)
    figure.set_size_inches(WIDTH_INCHES * 0.8, 2.8)
    ax = figure.add_subplot()
    positions = range(len(periods))
    for index, (label, values) in enumerate(series):
        ax.plot(
            list(positions),
            [float("nan") if v is None else v for v in values],
            label=label,
            color=SERIES_COLOURS[index % len(SERIES_COLOURS)],
            linestyle=LINE_STYLES[index % len(LINE_STYLES)],
            marker=LINE_MARKERS[index % len(LINE_MARKERS)],
            markersize=4,
            linewidth=1.6,
        )
    ax.set_xticks(list(positions))
    ax.set_xticklabels(list(periods), fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, 1)))
    if unit:
        ax.set_ylabel(unit, fontsize=8)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _legend(figure, len(series))
    return _png(figure)

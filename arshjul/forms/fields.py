"""The field kinds of the stage forms: helpers that put a field's kind and rules in its metadata.

``json_schema_extra`` carries ``kind`` (``tkr``, ``text``, ``longtext``,
``choice``, ``yesno``, ``date``, ``rows``, ``goals``, ``indicators``, ``file``),
``required`` and the kind's rules; :mod:`arshjul.forms.base` converts what was
typed by them, and the page is rendered from them.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from arshjul.formats import format_tkr
from arshjul.swedish_numbers import PLAUSIBLE_MAX_TKR

DEFAULT_MAX_TKR = PLAUSIBLE_MAX_TKR
TEXT_MAX = 200
LONGTEXT_MAX = 4000


def _field(
    kind: str,
    title: str,
    description: str | None,
    *,
    required: bool,
    default: Any,
    only_for: Sequence[str] | None = None,
    **rules: Any,
) -> Any:
    extra = {"kind": kind, "required": required, **rules}
    if only_for:
        extra["only_for"] = list(only_for)
    return Field(
        ... if required else default,
        title=title,
        description=description,
        json_schema_extra=extra,
    )


def tkr(
    title: str,
    description: str | None = None,
    *,
    required: bool = True,
    negative: bool = False,
    negative_for: Sequence[str] = (),
    max_tkr: int | None = None,
    compare: str | None = None,
    only_for: Sequence[str] | None = None,
) -> Any:
    """An amount typed in tkr (``1 234,5``) and kept in whole kronor.

    ``negative_for``: unit kinds (``company``) for which a negative amount is allowed.
    ``compare``: the key of a known figure shown beside the field.
    ``max_tkr``: a cap of the field's own; without one, the municipality's
    ``[plausibility]`` cap (the form's context), else :data:`DEFAULT_MAX_TKR`.
    """
    return _field(
        "tkr",
        title,
        description,
        required=required,
        default=None,
        only_for=only_for,
        negative=negative,
        negative_for=list(negative_for),
        max_kr=max_tkr * 1000 if max_tkr is not None else None,
        compare=compare,
    )


def text(
    title: str,
    description: str | None = None,
    *,
    required: bool = True,
    max_length: int = TEXT_MAX,
    only_for: Sequence[str] | None = None,
) -> Any:
    """A one-line text."""
    return _field(
        "text",
        title,
        description,
        required=required,
        default="",
        only_for=only_for,
        max_length=max_length,
    )


def longtext(
    title: str,
    description: str | None = None,
    *,
    required: bool = True,
    max_length: int = LONGTEXT_MAX,
    only_for: Sequence[str] | None = None,
) -> Any:
    """A text of several paragraphs."""
    return _field(
        "longtext",
        title,
        description,
        required=required,
        default="",
        only_for=only_for,
        max_length=max_length,
    )


def choice(
    title: str,
    options: Sequence[tuple[str, str]],
    description: str | None = None,
    *,
    required: bool = True,
    only_for: Sequence[str] | None = None,
) -> Any:
    """One of a few options, as radio buttons: (value stored, label shown)."""
    return _field(
        "choice",
        title,
        description,
        required=required,
        default=None,
        only_for=only_for,
        options=[list(o) for o in options],
    )


def yesno(
    title: str,
    description: str | None = None,
    *,
    required: bool = True,
    only_for: Sequence[str] | None = None,
) -> Any:
    """Ja or nej, kept as a bool."""
    return _field("yesno", title, description, required=required, default=None, only_for=only_for)


def date(title: str, description: str | None = None, *, required: bool = True) -> Any:
    """A date typed as ÅÅÅÅ-MM-DD."""
    return _field("date", title, description, required=required, default=None)


def rows(
    title: str,
    description: str | None = None,
    *,
    count: int = 5,
    min_rows: int = 0,
    item: str = "Rad",
) -> Any:
    """A fixed number of rows of a :class:`RowPart` model; blank rows are ignored."""
    return _field(
        "rows",
        title,
        description,
        required=False,
        default=[],
        count=count,
        min_rows=min_rows,
        item=item,
    )


def goals(title: str, description: str | None = None) -> Any:
    """An assessment of each of the unit's goals (the goals come from the context)."""
    return _field("goals", title, description, required=False, default={})


def indicators(title: str, description: str | None = None) -> Any:
    """A value for each of the unit's indicators (from the context); blank: not known."""
    return _field("indicators", title, description, required=False, default={})


def file(title: str, description: str | None = None) -> Any:
    """An attached document; the portal checks the file and keeps its name here."""
    return _field("file", title, description, required=False, default=None)


def format_tkr_exact(kronor: int, *, unit: bool = True) -> str:
    """Whole kronor as tkr with as many decimals as it takes to be exact (at least one)."""
    decimals = 1 if kronor % 100 == 0 else 2 if kronor % 10 == 0 else 3
    return format_tkr(kronor, unit=unit, decimals=decimals)


# --------------------------------------------------------------------------- metadata
def extra_of(field: FieldInfo) -> dict[str, Any]:
    """A field's kind and rules."""
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def kind_of(field: FieldInfo) -> str | None:
    return typing.cast(str | None, extra_of(field).get("kind"))


def row_model(field: FieldInfo) -> type[BaseModel]:
    """The row model of a ``rows`` field (``list[MeasureRow]`` → ``MeasureRow``)."""
    (inner,) = typing.get_args(field.annotation)
    return typing.cast("type[BaseModel]", inner)


def applies_to(field: FieldInfo, unit_kind: str | None) -> bool:
    """Whether a field is asked of a unit of this kind."""
    only = extra_of(field).get("only_for")
    return not only or unit_kind is None or unit_kind in only

"""The submission page's inputs, built from a stage form's metadata, and the templates.

Every input gets an id, a label, its hint and its error; the templates only
lay them out. Jinja2 autoescapes everything, so whatever a person typed is
shown as text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from arshjul.formats import format_date, format_datetime, format_tkr
from arshjul.forms.base import GoalJudgement, StageForm
from arshjul.forms.fields import extra_of, kind_of, row_model
from arshjul.forms.figures import KnownFigure, StageFacts
from arshjul.forms.followup import ControlAnswer
from arshjul.forms.present import fields_for, row_count
from arshjul.portal.attachments import format_size
from arshjul.timezone import STOCKHOLM

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "portal"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class InputView:
    """One input (or a group of them) as the page shows it."""

    kind: str
    name: str
    label: str
    hint: str = ""
    required: bool = False
    value: str = ""
    error: str | None = None
    options: list[tuple[str, str]] = dc_field(default_factory=list)
    max_length: int | None = None
    children: list[InputView] = dc_field(default_factory=list)
    suffix: str = ""

    @property
    def id(self) -> str:
        return "f-" + _ID_UNSAFE.sub("_", self.name)

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def describedby(self) -> str:
        ids = [self.hint_id] if self.hint else []
        return " ".join([*ids, self.error_id] if self.error else ids)

    @property
    def anchor(self) -> str:
        """Where the error summary's link for this input leads."""
        if self.kind in ("choice", "yesno"):
            return f"{self.id}-0"
        if self.children:
            return self.children[0].anchor
        return self.id

    @property
    def is_group(self) -> bool:
        return self.kind in ("rows", "row", "goals", "goal", "indicators")


def _hint(field: FieldInfo, facts: StageFacts | None) -> str:
    hint = field.description or ""
    compare = extra_of(field).get("compare")
    if compare and facts is not None:
        figure = next((f for f in facts.figures if f.key == compare), None)
        if figure is not None:
            hint = f"{hint} {figure.label}: {figure.shown}.".strip()
    return hint


def _label(field: FieldInfo, name: str) -> str:
    label = field.title or name
    if kind_of(field) == "tkr" and "tkr" not in label:
        label = f"{label} (tkr)"
    return label


def _input(
    name: str,
    field: FieldInfo,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    facts: StageFacts | None = None,
    *,
    label: str | None = None,
) -> InputView:
    extra = extra_of(field)
    kind = kind_of(field) or "text"
    return InputView(
        kind=kind,
        name=name,
        label=label or _label(field, name),
        hint=_hint(field, facts),
        required=bool(extra.get("required")),
        value=values.get(name, ""),
        error=errors.get(name),
        options=[(o[0], o[1]) for o in extra.get("options", [])]
        or ([("ja", "Ja"), ("nej", "Nej")] if kind == "yesno" else []),
        max_length=extra.get("max_length"),
        suffix="tkr" if kind == "tkr" else "",
    )


def _rows(
    name: str, field: FieldInfo, values: Mapping[str, str], errors: Mapping[str, str]
) -> InputView:
    model = row_model(field)
    item = str(extra_of(field).get("item", "rad"))
    indexes = [key.split(".")[1] for key in values if key.startswith(f"{name}.")]
    filled = max((int(i) + 1 for i in indexes if i.isdigit() and len(i) < 4), default=0)
    group = InputView("rows", name, field.title or name, field.description or "")
    group.error = errors.get(name)
    for i in range(row_count(field, filled)):
        row = InputView("row", f"{name}.{i}", f"{item.capitalize()} {i + 1}")
        row.children = [
            _input(f"{name}.{i}.{column}", sub, values, errors)
            for column, sub in model.model_fields.items()
        ]
        group.children.append(row)
    return group


def _judged(
    name: str,
    field: FieldInfo,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    items: list[tuple[str, str]],
    answer: type[BaseModel],
) -> InputView:
    """One fieldset per goal or control, each with the answer model's inputs."""
    group = InputView("goals", name, field.title or name, field.description or "")
    for key, label in items:
        one = InputView("goal", f"{name}.{key}", label)
        one.children = [
            _input(f"{name}.{key}.{part}", sub, values, errors)
            for part, sub in answer.model_fields.items()
        ]
        group.children.append(one)
    return group


def _goals(
    name: str,
    field: FieldInfo,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    facts: StageFacts,
) -> InputView:
    items = [(g["key"], f"Mål {g['key']}: {g['title']}") for g in facts.goals]
    return _judged(name, field, values, errors, items, GoalJudgement)


def _controls(
    name: str,
    field: FieldInfo,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    facts: StageFacts,
) -> InputView:

    items = [
        (c["key"], f"{c['method']} – risk: {c['risk_text']} ({c['value_text']})")
        for c in facts.controls
    ]
    return _judged(name, field, values, errors, items, ControlAnswer)


def _indicators(
    name: str,
    field: FieldInfo,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    facts: StageFacts,
) -> InputView:
    group = InputView("indicators", name, field.title or name, field.description or "")
    for ind in facts.indicators:
        key = f"{name}.{ind['key']}"
        unit = "%" if str(ind["unit"]).lower() in ("procent", "%") else str(ind["unit"])
        hint = f"Mål {ind['goal']}." + (
            f" Målvärde {facts.year}: {ind['target']}." if ind["target"] else ""
        )
        group.children.append(
            InputView(
                "number",
                key,
                f"{ind['name']} ({ind['unit']})" if ind["unit"] else ind["name"],
                hint=hint,
                value=values.get(key, ""),
                error=errors.get(key),
                suffix=unit,
            )
        )
    return group


def build_inputs(
    form: type[StageForm],
    facts: StageFacts,
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> list[InputView]:
    """The page's inputs for a unit, in the form's order, with values and errors."""
    views = []
    for name, field in fields_for(form, facts.unit.kind):
        kind = kind_of(field)
        if kind == "rows":
            views.append(_rows(name, field, values, errors))
        elif kind == "goals":
            if facts.goals:
                views.append(_goals(name, field, values, errors, facts))
            elif facts.goals_note:  # a sentence saying why, never an empty part
                views.append(InputView("goals", name, field.title or name, facts.goals_note))
        elif kind == "indicators":
            if facts.indicators:
                views.append(_indicators(name, field, values, errors, facts))
        elif kind == "controls":
            if facts.controls:
                views.append(_controls(name, field, values, errors, facts))
        elif kind != "file" and name != "submitted_by":
            views.append(_input(name, field, values, errors, facts))
    return views


def walk(
    views: list[InputView], trail: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], InputView]]:
    """Every input and group with the labels of the groups it sits in."""
    for view in views:
        yield trail, view
        if view.children:
            yield from walk(view.children, (*trail, view.label))


def error_summary(views: list[InputView], errors: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(anchor, where, message) for the summary at the top of the page."""
    found, placed = [], set()
    for trail, view in walk(views):
        if view.error:
            found.append((view.anchor, ", ".join([*trail, view.label]), view.error))
            placed.add(view.name)
    found += [("", "Formuläret", message) for name, message in errors.items() if name not in placed]
    return found


# --------------------------------------------------------------------------- rendering
def _in_stockholm(value: dt.datetime) -> dt.datetime:
    return value.astimezone(STOCKHOLM)


def datumtid(value: dt.datetime) -> str:
    """``7 maj 2027 kl. 16.00`` in Swedish time."""
    return format_datetime(_in_stockholm(value))


def datum(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = _in_stockholm(value).date()
    return format_date(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The page templates: every value escaped, a missing one an error."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat per page
    )
    env.filters.update(datumtid=datumtid, datum=datum, tkr=format_tkr, storlek=format_size)
    return env


def render(template: str, **context: Any) -> str:
    """One page."""
    return environment().get_template(template).render(**context)


@lru_cache(maxsize=1)
def stylesheet() -> bytes:
    """The page's one stylesheet."""
    return (TEMPLATE_DIR / "portal.css").read_bytes()


__all__ = [
    "InputView",
    "KnownFigure",
    "build_inputs",
    "error_summary",
    "render",
    "stylesheet",
]

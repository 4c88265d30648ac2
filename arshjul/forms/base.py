"""What was typed → values: the conversion every stage form shares, and its base models.

A stage form is a pydantic model whose fields are made with the helpers of
:mod:`arshjul.forms.fields`. One ``before`` validator turns what a person typed
into each field's value by the field's kind, so a model accepts the strings of
a posted form (``"1 234,5"`` tkr, ``"ja"``) as well as the values it stored
(whole kronor as ``int``, ``True``). Every problem is told in Swedish and tied
to an input name (:mod:`arshjul.forms.errors`): ``forecast_kr``,
``measures.2.effect_kr`` (rows count from 0 as shown), ``goals.bun-1.motivation``.

What was stored goes the other way without that conversion: ``Form.from_stored(data)``
gives the model of a stored answer (``form.stage_data()``) for the stages to read.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo

from arshjul import swedish_numbers
from arshjul.formats import format_number, format_tkr, parse_tkr
from arshjul.forms.errors import (
    CHOOSE,
    CHOOSE_YES_NO,
    REQUIRED,
    REQUIRED_IN_ROW,
    FormProblems,
    Loc,
    input_name,
    problem_list,
)
from arshjul.forms.fields import (
    DEFAULT_MAX_TKR,
    TEXT_MAX,
    choice,
    extra_of,
    file,
    kind_of,
    longtext,
    row_model,
    text,
)

YES, NO = "ja", "nej"
# Everything but tab and newline below space, and DEL: PostgreSQL refuses NUL in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# --------------------------------------------------------------------------- converters
def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _shown(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _missing(extra: dict[str, Any], in_row: bool, message: str = REQUIRED) -> Any:
    if extra.get("required"):
        raise ValueError(REQUIRED_IN_ROW if in_row else message)
    return None


def _to_tkr(
    value: Any, extra: dict[str, Any], in_row: bool, unit_kind: str | None, max_tkr: int | None
) -> Any:
    if _is_blank(value):
        return _missing(extra, in_row)
    if isinstance(value, bool):
        raise ValueError("Skriv ett belopp i tkr")
    if isinstance(value, int):
        kronor = value  # a stored value: already whole kronor
    else:
        try:
            kronor = parse_tkr(str(value))
        except ValueError as exc:
            reason = str(exc)
            if reason.endswith("är inget belopp i tkr"):
                reason = (
                    f"”{_shown(str(value))}” är inget belopp: skriv beloppet i tkr med siffror, "
                    "t.ex. 1\u00a0234,5"
                )
            raise ValueError(reason[0].upper() + reason[1:]) from None
    negative_ok = extra.get("negative") or (unit_kind in extra.get("negative_for", []))
    if kronor < 0 and not negative_ok:
        raise ValueError("Beloppet får inte vara negativt")
    limit = int(extra.get("max_kr") or (max_tkr or DEFAULT_MAX_TKR) * 1000)
    if abs(kronor) > limit:
        raise ValueError(f"Orimligt stort belopp: högst {format_tkr(limit, decimals=0)}")
    return kronor


def _to_text(value: Any, extra: dict[str, Any], in_row: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("Skriv en text")
    cleaned = _clean(value)
    if not cleaned and extra.get("required"):
        raise ValueError(REQUIRED_IN_ROW if in_row else REQUIRED)
    limit = int(extra.get("max_length", TEXT_MAX))
    if len(cleaned) > limit:
        raise ValueError(
            f"Texten är för lång: högst {format_number(limit)} tecken "
            f"(nu {format_number(len(cleaned))})"
        )
    return cleaned


def _to_choice(value: Any, extra: dict[str, Any], in_row: bool) -> Any:
    if _is_blank(value):
        return _missing(extra, in_row, CHOOSE)
    allowed = [o[0] for o in extra.get("options", [])]
    if value not in allowed:
        raise ValueError(CHOOSE)
    return value


def _to_yesno(value: Any, extra: dict[str, Any], in_row: bool) -> Any:
    if isinstance(value, bool):
        return value
    if _is_blank(value):
        return _missing(extra, in_row, CHOOSE_YES_NO)
    answer = str(value).strip().lower()
    if answer in (YES, NO):
        return answer == YES
    raise ValueError(CHOOSE_YES_NO)


def _to_date(value: Any, extra: dict[str, Any], in_row: bool) -> Any:
    if isinstance(value, dt.date):
        return value
    if _is_blank(value):
        return _missing(extra, in_row)
    typed = str(value).strip()
    try:
        day = dt.date.fromisoformat(typed)
    except ValueError:
        day = None
    if day is None or len(typed) != 10 or not 2000 <= day.year <= 2100:
        raise ValueError(
            f"”{_shown(typed)}” är inget datum: skriv det som ÅÅÅÅ-MM-DD, t.ex. 2027-05-07"
        )
    return day


def _to_rows(value: Any, field: FieldInfo, info: ValidationInfo) -> list[Any]:
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        raise ValueError("Raderna kunde inte läsas")
    model = row_model(field)
    kept, problems = [], []
    for index, row in enumerate(value):
        if isinstance(row, BaseModel):
            kept.append(row)
            continue
        if not isinstance(row, dict) or all(_is_blank(v) for v in row.values()):
            continue  # a blank row is no row
        try:
            kept.append(model.model_validate(row, context=info.context))
        except ValidationError as exc:
            problems += [((index, *loc), message) for loc, message in problem_list(exc)]
    if problems:
        raise FormProblems(problems)
    extra = extra_of(field)
    if len(kept) < int(extra.get("min_rows", 0)):
        item = str(extra.get("item", "rad")).lower()
        count = int(extra["min_rows"])
        raise FormProblems([((), f"Fyll i minst {'en' if count == 1 else count} {item}")])
    return kept


def _to_goals(value: Any, info: ValidationInfo) -> dict[str, Any]:
    return to_answers(value, info, context_key="goals", answer=GoalJudgement)


def to_answers(
    value: Any, info: ValidationInfo, *, context_key: str, answer: type[BaseModel]
) -> dict[str, Any]:
    """One answer per item the context lists (goals, controls), each its own model."""
    given = value if isinstance(value, dict) else {}
    expected = [item["key"] for item in _context(info).get(context_key, [])] or list(given)
    kept: dict[str, Any] = {}
    problems: list[tuple[Loc, str]] = []
    for key in expected:
        one = given.get(key)
        if isinstance(one, BaseModel):
            kept[key] = one
            continue
        try:
            blank = dict.fromkeys(answer.model_fields, "")
            kept[key] = answer.model_validate(
                {**blank, **(one if isinstance(one, dict) else {})}, context=info.context
            )
        except ValidationError as exc:
            problems += [((key, *loc), message) for loc, message in problem_list(exc)]
    if problems:
        raise FormProblems(problems)
    return kept


def parse_number(value: Any) -> float:
    """A number as a Swede types it (``87,5``, ``1 200``, ``−3``), read by
    :mod:`arshjul.swedish_numbers`; ``ValueError`` with its Swedish reason."""
    return float(swedish_numbers.parse_number(value, suffixes=("%",)))


def _to_indicators(value: Any, info: ValidationInfo) -> dict[str, float | None]:
    given = value if isinstance(value, dict) else {}
    known = {i["key"]: i for i in _context(info).get("indicators", [])}
    keys = list(known) or list(given)
    kept: dict[str, float | None] = {}
    problems: list[tuple[Loc, str]] = []
    for key in keys:
        raw = given.get(key)
        if _is_blank(raw):
            kept[key] = None
            continue
        try:
            number = parse_number(raw)
        except ValueError as exc:
            reason = str(exc)
            if reason.endswith("är inget tal"):
                reason = f"”{_shown(str(raw))}” är inget tal: skriv värdet med siffror, t.ex. 87,5"
            problems.append(((key,), reason[0].upper() + reason[1:]))
            continue
        unit = str(known.get(key, {}).get("unit", "")).lower()
        if unit in ("procent", "%") and not 0 <= number <= 100:
            problems.append(((key,), "En andel i procent ligger mellan 0 och 100"))
            continue
        if abs(number) > 1e12:
            problems.append(((key,), "Orimligt stort värde"))
            continue
        kept[key] = number
    if problems:
        raise FormProblems(problems)
    return kept


# --------------------------------------------------------------------------- stored → model
def _part_of(annotation: Any) -> type[FormPart] | None:
    """The model of a field holding parts: ``list[MeasureRow]``, ``dict[str, GoalJudgement]``."""
    args = typing.get_args(annotation)
    inner = args[-1] if args else None
    return inner if isinstance(inner, type) and issubclass(inner, FormPart) else None


def _is_part(part: type[FormPart], value: Any) -> bool:
    return isinstance(value, part | Mapping)


def _stored_part(part: type[FormPart], value: Any) -> FormPart:
    return value if isinstance(value, part) else part.from_stored(value)


def _stored_value(field: FieldInfo, value: Any) -> Any:
    """A stored (JSON) value as the field holds it, its parts as their models."""
    origin, part = typing.get_origin(field.annotation), _part_of(field.annotation)
    if part is not None and origin is list:
        return [_stored_part(part, one) for one in value or () if _is_part(part, one)]
    if part is not None and origin is dict:
        return {
            key: _stored_part(part, one)
            for key, one in (value or {}).items()
            if _is_part(part, one)
        }
    kind = kind_of(field)
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if kind == "indicators" and isinstance(value, Mapping):
        return {key: None if number is None else float(number) for key, number in value.items()}
    return value


def _not_stored(field: FieldInfo) -> Any:
    """A field a stored version lacks: its default, or blank (a required field has none)."""
    if not field.is_required():
        return copy.deepcopy(field.get_default(call_default_factory=True))
    return "" if kind_of(field) in ("text", "longtext") else None


# --------------------------------------------------------------------------- models
class FormPart(BaseModel):
    """A model made of form fields: every field converts what was typed."""

    # Defaults are validated too: a field left out counts as left blank, and a rule
    # tied to a field (an explanation required by a forecast) runs whether or not
    # the field was given, and beside the other fields' errors.
    model_config = ConfigDict(extra="ignore", validate_default=True)

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Self:
        """The model of what a form stored, built without validating it again.

        Validation reads what a person typed: an ``int`` in a tkr field is taken as
        kronor already stored but a text as tkr, and several rules need the
        request's context (unit kind, goals, indicators, controls, the frame, the
        plausibility cap) that a stored answer no longer has; a rule that changed
        since would refuse a version accepted then. So a stored answer is taken as
        it is: each field's stored value (JSON: a date as ``ÅÅÅÅ-MM-DD``) in the
        field's type, rows and per-item answers (goals, controls) as their own
        models, keys the form no longer has dropped, computed fields computed again.

        A field the stored version lacks (one added to the form since) takes its
        default. A required field has none: every version a form stored has it, and
        one written by hand without it reads blank, ``""`` for a text and ``None``
        otherwise.
        """
        values = {
            name: _stored_value(field, data[name]) if name in data else _not_stored(field)
            for name, field in cls.model_fields.items()
        }
        # pydantic's mypy plugin types model_construct as returning this class, not Self.
        return typing.cast(Self, cls.model_construct(**values))

    @field_validator("*", mode="before")
    @classmethod
    def _from_typed(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None  # a field validator is told its field
        field = cls.model_fields[info.field_name]
        extra = extra_of(field)
        kind = extra.get("kind")
        in_row = issubclass(cls, RowPart)
        unit_kind = _context(info).get("unit_kind")
        if kind == "tkr":
            return _to_tkr(value, extra, in_row, unit_kind, _context(info).get("max_tkr"))
        if kind in ("text", "longtext", "file"):
            return _to_text(value, extra, in_row) or (None if kind == "file" else "")
        if kind == "choice":
            return _to_choice(value, extra, in_row)
        if kind == "yesno":
            return _to_yesno(value, extra, in_row)
        if kind == "date":
            return _to_date(value, extra, in_row)
        if kind == "rows":
            return _to_rows(value, field, info)
        if kind == "goals":
            return _to_goals(value, info)
        if kind == "indicators":
            return _to_indicators(value, info)
        return value


class RowPart(FormPart):
    """One row of a repeated group."""


ATTAINMENT_OPTIONS = [
    ("uppfyllt", "Uppfyllt"),
    ("delvis uppfyllt", "Delvis uppfyllt"),
    ("ej uppfyllt", "Ej uppfyllt"),
    ("ej bedömd", "Ej bedömd"),
]


class GoalJudgement(FormPart):
    """A unit's judgement of one of its goals."""

    attainment: str = choice("Måluppfyllelse", ATTAINMENT_OPTIONS)
    motivation: str = longtext("Motivering", max_length=2000)


class StageForm(FormPart):
    """What a stage asks of a unit; every stage's form adds its own fields."""

    title: ClassVar[str] = "Underlag"

    submitted_by: str = text("Inlämnat av", "Ditt namn (och gärna din roll).", max_length=200)
    attachment: str | None = file(
        "Bifogat dokument",
        "Frivilligt: Word (.docx), PDF eller Excel (.xlsx).",
    )

    def stage_data(self) -> dict[str, Any]:
        """What is stored as the submission: every field but who submitted it."""
        return self.model_dump(mode="json", exclude={"submitted_by"})


def validate_form(
    form: type[StageForm], values: dict[str, Any], context: dict[str, Any]
) -> tuple[StageForm | None, dict[str, str]]:
    """The validated form, or None and one Swedish message per input name."""
    try:
        return form.model_validate(values, context=context), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for loc, message in problem_list(exc):
            errors.setdefault(input_name(loc), message)
        return None, errors


__all__ = ["FormPart", "GoalJudgement", "RowPart", "StageForm", "parse_number", "validate_form"]

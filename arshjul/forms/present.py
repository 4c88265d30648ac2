"""Between the page and the model: posted inputs → model input, stored data → inputs and text.

Inputs are named after the place of their value: ``forecast_kr``,
``measures.0.effect_kr``, ``goals.bun-1.attainment``, ``indicators.bun-1-a``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from arshjul.formats import format_number
from arshjul.forms.base import NO, YES, GoalJudgement, StageForm
from arshjul.forms.fields import applies_to, extra_of, format_tkr_exact, kind_of, row_model
from arshjul.forms.followup import ControlAnswer

MAX_ROWS = 40
# Field kinds answered once per item the context lists (its key is the kind's name).
ANSWERS: dict[str, type[BaseModel]] = {"goals": GoalJudgement, "controls": ControlAnswer}
SUMMARY_TEXT_MAX = 200
MISSING = "uppgift saknas"


def fields_for(form: type[StageForm], unit_kind: str | None) -> Iterator[tuple[str, FieldInfo]]:
    """The form's fields asked of a unit of this kind, in order."""
    for name, field in form.model_fields.items():
        if applies_to(field, unit_kind):
            yield name, field


def row_count(field: FieldInfo, filled: int) -> int:
    """How many rows to show: the field's count, or room for one more than filled."""
    return min(MAX_ROWS, max(int(extra_of(field).get("count", 5)), filled + 1))


# --------------------------------------------------------------------------- posted → model
def collect(
    form: type[StageForm], posted: Mapping[str, str], context: dict[str, Any]
) -> dict[str, Any]:
    """The model's input from a posted form (file fields are the portal's business)."""
    data: dict[str, Any] = {}
    for name, field in fields_for(form, context.get("unit_kind")):
        kind = kind_of(field)
        if kind == "file":
            continue
        if kind == "rows":
            columns = list(row_model(field).model_fields)
            found = []
            for i in range(MAX_ROWS):
                keys = [f"{name}.{i}.{c}" for c in columns]
                if not any(k in posted for k in keys):
                    break
                found.append({c: posted.get(k, "") for c, k in zip(columns, keys, strict=True)})
            data[name] = found
        elif kind in ANSWERS:
            data[name] = {
                item["key"]: {
                    part: posted.get(f"{name}.{item['key']}.{part}", "")
                    for part in ANSWERS[kind].model_fields
                }
                for item in context.get(kind, [])
            }
        elif kind == "indicators":
            data[name] = {
                i["key"]: posted.get(f"{name}.{i['key']}", "")
                for i in context.get("indicators", [])
            }
        else:
            data[name] = posted.get(name, "")
    return data


# --------------------------------------------------------------------------- stored → inputs
def _input_text(field: FieldInfo, value: Any) -> str:
    kind = kind_of(field)
    if value is None:
        return ""
    if kind == "tkr" and isinstance(value, int) and not isinstance(value, bool):
        return format_tkr_exact(value, unit=False)
    if kind == "yesno" and isinstance(value, bool):
        return YES if value else NO
    return str(value)


def values_from_data(
    form: type[StageForm], data: Mapping[str, Any], submitted_by: str = ""
) -> dict[str, str]:
    """The inputs of a stored version, to show it again in the form."""
    values = {"submitted_by": submitted_by}
    for name, field in form.model_fields.items():
        kind = kind_of(field)
        value = data.get(name)
        if kind == "rows":
            columns = row_model(field).model_fields
            for i, row in enumerate(value or []):
                for column, sub in columns.items():
                    values[f"{name}.{i}.{column}"] = _input_text(sub, (row or {}).get(column))
        elif kind in ANSWERS:
            for key, answer in (value or {}).items():
                for part, sub in ANSWERS[kind].model_fields.items():
                    values[f"{name}.{key}.{part}"] = _input_text(sub, (answer or {}).get(part))
        elif kind == "indicators":
            for key, number in (value or {}).items():
                values[f"{name}.{key}"] = "" if number is None else _number_text(number)
        elif kind not in ("file", None) and name != "submitted_by":
            values[name] = _input_text(field, value)
    return values


def _number_text(value: float) -> str:
    exponent = Decimal(str(value)).normalize().as_tuple().exponent
    return format_number(value, min(4, max(0, -int(exponent))))


# --------------------------------------------------------------------------- stored → text
def shown_value(field: FieldInfo, value: Any) -> str:
    """A stored value as a person reads it."""
    kind = kind_of(field)
    if value is None or value == "":
        return "–"
    if kind == "tkr":
        return format_tkr_exact(int(value))
    if kind == "yesno":
        return "Ja" if value else "Nej"
    if kind == "choice":
        labels = {o[0]: o[1] for o in extra_of(field).get("options", [])}
        return labels.get(value, str(value))
    return str(value)


def _short(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def describe(
    form: type[StageForm],
    data: Mapping[str, Any],
    context: dict[str, Any],
    *,
    limit: int | None = None,
    attachment: bool = True,
) -> list[tuple[str, str]]:
    """A stored version as (label, value) lines: the receipt's list of what was stored.

    ``limit`` shortens long texts (the e-mail's summary); ``attachment`` adds the
    attached file's name last.
    """
    goal_titles = {g["key"]: g["title"] for g in context.get("goals", [])}
    indicators = {i["key"]: i for i in context.get("indicators", [])}
    lines: list[tuple[str, str]] = []
    for name, field in fields_for(form, context.get("unit_kind")):
        kind, title = kind_of(field), field.title or name
        value = data.get(name)
        if name == "submitted_by" or kind == "file":
            continue
        if kind == "rows":
            item = str(extra_of(field).get("item", "rad"))
            columns = row_model(field).model_fields
            for i, row in enumerate(value or [], start=1):
                parts = [shown_value(sub, row.get(c)) for c, sub in columns.items()]
                lines.append((f"{title}, {item} {i}", _short("; ".join(parts), limit)))
            if not value:
                lines.append((title, "–"))
        elif kind == "goals":
            for key, judged in (value or {}).items():
                label = f"Mål {key}: {goal_titles.get(key, '')}".rstrip(": ")
                attainment = shown_value(
                    GoalJudgement.model_fields["attainment"], judged.get("attainment")
                )
                lines.append(
                    (label, _short(f"{attainment}. {judged.get('motivation', '')}", limit))
                )
        elif kind == "controls":
            for key, answer in (value or {}).items():
                measure = (answer or {}).get("measure") or ""
                text = (answer or {}).get("outcome", "") + (
                    f" Åtgärd: {measure}" if measure else ""
                )
                lines.append((f"Kontroll {key}", _short(text, limit)))
        elif kind == "indicators":
            for key, number in (value or {}).items():
                info = indicators.get(key, {"name": key, "unit": ""})
                unit = " %" if str(info["unit"]).lower() in ("procent", "%") else ""
                shown = MISSING if number is None else _number_text(number) + unit
                lines.append((str(info["name"]), shown))
        else:
            lines.append((title, _short(shown_value(field, value), limit)))
    total = data.get("total_effect_kr")
    if total is not None and "total_effect_kr" in form.model_computed_fields:
        lines.append(
            (form.model_computed_fields["total_effect_kr"].title or "", format_tkr_exact(total))
        )
    if attachment and data.get("attachment"):
        lines.append(("Bifogat dokument", str(data["attachment"])))
    return lines

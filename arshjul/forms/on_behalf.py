"""An answer that does not come through the page: a controller's file, or the demo's.

It goes through the stage's own form model, so what is stored is exactly what
the page would have stored, and a mistake gets the page's Swedish messages. A
file is read as the page would post it (numbers as the text they stand for).
Storing it is the lifecycle's (:func:`arshjul.lifecycle.on_behalf.submit_on_behalf`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from arshjul.errors import ArshjulError
from arshjul.forms.base import validate_form
from arshjul.forms.figures import stage_facts
from arshjul.forms.registry import form_for
from arshjul.models import SubmissionRequest


def validated(
    session: Session, *, request: SubmissionRequest, data: dict[str, Any], submitted_by: str
) -> dict[str, Any]:
    """The answer as the stage's form stores it; every problem named in Swedish."""

    facts = stage_facts(session, request)
    form, errors = validate_form(
        form_for(facts.stage.slug), {**data, "submitted_by": submitted_by}, facts.context()
    )
    if form is None:
        raise ArshjulError(
            f"Underlaget för {facts.unit.name} ({facts.stage.name}) sparades inte:",
            details=[f"{name}: {message}" for name, message in errors.items()],
        )
    return form.stage_data()


def read_answer_file(path: Path) -> dict[str, Any]:
    """A submission from a JSON object, or from an Excel sheet of field/value rows."""
    if not path.is_file():
        raise ArshjulError(f"Filen {path} finns inte.")
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        return _from_excel(path)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArshjulError(
            f"{path.name}: filen är varken JSON eller Excel (.xlsx): {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ArshjulError(f"{path.name}: JSON-filen ska innehålla ett objekt med fälten.")
    return as_written(data)


def as_written(value: Any) -> Any:
    """A person's file as the page would post it: every number as the text it stands for.

    The forms read an integer as an amount already in whole kronor (a stored answer
    read back), and text as what a person writes: tkr for an amount. A file's 412500
    under "Helårsprognos (tkr)" means 412 500 tkr, as the label says, so numbers from
    a file reach the form as text (a decimal point becomes the Swedish comma).
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            return repr(value).replace(".", ",")  # NaN and infinity are then refused as text
        return str(int(value))
    if isinstance(value, dict):
        return {k: as_written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_written(v) for v in value]
    return value


def _from_excel(path: Path) -> dict[str, Any]:
    """Two columns, ``fält`` and ``värde``; a field's rows as ``fält.N.del``."""
    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ArshjulError(f"{path.name}: Excel-filen kunde inte läsas: {exc}") from None
    data: dict[str, Any] = {}
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number == 1 or not row or row[0] in (None, ""):
            continue
        key, value = str(row[0]).strip(), row[1] if len(row) > 1 else None
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            rows = data.setdefault(parts[0], [])
            index = int(parts[1])
            while len(rows) <= index:
                rows.append({})
            rows[index][parts[2]] = value
        else:
            data[key] = value
    return as_written(data)

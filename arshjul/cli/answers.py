"""The answer file of ``arshjul submit``: its template, its fields' Swedish labels, its reading.

A stage's form (:mod:`arshjul.forms`) names its fields in English (``forecast_kr``)
and gives each a Swedish title. A controller writes the English names in the file
and reads the Swedish ones: the template (``arshjul submit --mall SKEDE``) carries
the label of every field in ``_etiketter``, and a refused submission names each
field by its label, never by its English name alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arshjul.errors import ArshjulError

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo
    from sqlmodel import Session

    from arshjul.models import SubmissionRequest

# Not asked in the file: who submits is --av, an attached document goes through the page.
NOT_IN_FILE = ("submitted_by", "attachment")
LABELS = "_etiketter"
GUIDANCE = "_anvisning"
# Stand-ins for the keys that depend on the unit (its goals, indicators, controls).
PLACEHOLDER = {"goals": "MÅL", "indicators": "INDIKATOR", "controls": "KONTROLL"}
ROW = "N"
WHOLE_FORM = "__form__"


def _kinds_sv(kinds: list[str]) -> str:
    from arshjul.models.organisation import UNIT_KIND_SV

    names = [UNIT_KIND_SV.get(k, k) for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def _format(field: FieldInfo) -> list[str]:
    """How a field's value is written in the file, and whether it may be left out."""
    from arshjul.forms.fields import extra_of

    extra = extra_of(field)
    kind = extra.get("kind")
    hints: list[str] = []
    if kind == "tkr":
        # The form reads a bare integer as whole kronor (a stored value), text as tkr.
        hints.append(
            "belopp i tkr som text inom citattecken, t.ex. 1 234,5 (ett tal utan "
            "citattecken kan läsas som kronor)"
        )
        if extra.get("negative"):
            hints.append("får vara negativt")
        elif extra.get("negative_for"):
            hints.append(f"negativt bara för {_kinds_sv(list(extra['negative_for']))}")
    elif kind in ("text", "longtext"):
        hints.append("text")
    elif kind == "choice":
        hints.append("ett av: " + ", ".join(str(o[0]) for o in extra.get("options", [])))
    elif kind == "yesno":
        hints.append("ja eller nej")
    elif kind == "date":
        hints.append("datum ÅÅÅÅ-MM-DD")
    elif kind == "rows":
        item = str(extra.get("item", "rad")).lower()
        rows = f"en lista med en rad per {item}"
        least = int(extra.get("min_rows", 0))
        if least:
            rows += f", minst {'en' if least == 1 else least}"
        hints.append(rows)
    elif kind == "goals":
        hints.append(f"ett svar per mål: byt {PLACEHOLDER['goals']} mot målets nyckel, t.ex. bun-1")
    elif kind == "indicators":
        hints.append(
            f"ett tal per indikator: byt {PLACEHOLDER['indicators']} mot indikatorns nyckel, "
            "t.ex. bun-1-a; tomt om värdet saknas"
        )
    elif kind == "controls":
        hints.append(
            f"ett svar per kontroll i internkontrollplanen: byt {PLACEHOLDER['controls']} "
            "mot kontrollens nyckel"
        )
    if extra.get("required"):
        hints.append("krävs")
    if extra.get("only_for"):
        hints.append(f"bara för {_kinds_sv(list(extra['only_for']))}")
    return hints


def label_text(field: FieldInfo, name: str) -> str:
    """A field's line in ``_etiketter``: title, how to write it, the form's own help."""
    text = field.title or name
    hints = "; ".join(_format(field))
    if hints:
        text += f" – {hints}"
    if field.description and field.description not in hints:
        text += f". {field.description}"
    return text


def template(slug: str) -> dict[str, Any]:
    """An answer file for the stage with every field empty, and each field's label."""
    from arshjul.forms.fields import kind_of, row_model
    from arshjul.forms.present import ANSWERS
    from arshjul.forms.registry import form_for

    form = form_for(slug)
    labels: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, field in form.model_fields.items():
        if name in NOT_IN_FILE:
            continue
        kind = kind_of(field)
        labels[name] = label_text(field, name)
        if kind == "rows":
            columns = row_model(field).model_fields
            values[name] = [dict.fromkeys(columns, "")]
            for column, sub in columns.items():
                labels[f"{name}.{ROW}.{column}"] = label_text(sub, column)
        elif kind in ANSWERS:
            key = PLACEHOLDER[kind]
            parts = ANSWERS[kind].model_fields
            values[name] = {key: dict.fromkeys(parts, "")}
            for part, sub in parts.items():
                labels[f"{name}.{key}.{part}"] = label_text(sub, part)
        elif kind == "indicators":
            values[name] = {PLACEHOLDER[kind]: ""}
        else:
            values[name] = ""
    instance = " --instans ENHET" if slug == "atgardsplan" else ""
    guidance = (
        f"Fyll i värdena och lämna in med: arshjul submit {slug} --enhet ENHET{instance} "
        "--year ÅR --fil FIL --av NAMN. Fält som börjar med _ läses inte och kan stå kvar. "
        f"I {LABELS} står varje fälts svenska namn och hur värdet skrivs."
    )
    if any(f"{n}.{ROW}." in key for n in values for key in labels):
        guidance += f" {ROW} i en rads namn är radens plats i listan, från 0."
    return {GUIDANCE: guidance, LABELS: labels, **values}


def input_label(form: type[Any], name: str, context: dict[str, Any]) -> str:
    """The Swedish name of an input the form's validation names (``measures.0.effect_kr``)."""
    from arshjul.forms.fields import extra_of, kind_of, row_model
    from arshjul.forms.present import ANSWERS

    if name == WHOLE_FORM:
        return "Underlaget"
    if name == "submitted_by":
        return "--av (Inlämnat av)"
    first, *rest = name.split(".")
    field = form.model_fields.get(first)
    if field is None:
        return name
    title = field.title or first
    kind = kind_of(field)
    if not rest:
        return title
    if kind == "rows" and rest[0].isdigit():
        item = str(extra_of(field).get("item", "rad")).lower()
        where = f"{title}, {item} {int(rest[0]) + 1}"
        column = row_model(field).model_fields.get(rest[1]) if len(rest) > 1 else None
        return f"{where}: {column.title}" if column is not None and column.title else where
    if kind in ANSWERS:
        what = {"goals": "mål", "controls": "kontroll"}[kind]
        where = f"{title}, {what} {rest[0]}"
        part = ANSWERS[kind].model_fields.get(rest[1]) if len(rest) > 1 else None
        return f"{where}: {part.title}" if part is not None and part.title else where
    if kind == "indicators":
        names = {i["key"]: i.get("name") for i in context.get("indicators", [])}
        shown = names.get(rest[0])
        return f"{title}, {rest[0]}" + (f" ({shown})" if shown else "")
    return f"{title}, {'.'.join(rest)}"


# --------------------------------------------------------------------------- reading
_JSON_REASONS = {
    "Expecting value": "här väntades ett värde; en text skrivs inom dubbla citattecken",
    "Expecting property name enclosed in double quotes": (
        "här väntades ett fältnamn inom dubbla citattecken (ett kommatecken för mycket "
        "före }, eller enkla citattecken?)"
    ),
    "Expecting ',' delimiter": (
        "här saknas ett kommatecken mellan två fält eller värden (eller citattecken runt en text)"
    ),
    "Expecting ':' delimiter": "här saknas ett kolon mellan fältets namn och dess värde",
    "Extra data": "det står mer efter JSON-objektets avslutande }",
    "Unterminated string starting at": "en text saknar sitt avslutande citattecken",
    "Invalid control character at": (
        "en text innehåller en radbrytning eller ett styrtecken; skriv radbrytningar som \\n"
    ),
}


def _json_reason(message: str) -> str:
    if message in _JSON_REASONS:
        return _JSON_REASONS[message]
    if message.startswith("Invalid \\"):
        return "ett omvänt snedstreck i en text ska skrivas \\\\"
    return "filen följer inte JSON:s regler här"


def _check_json(path: Path, raw: bytes) -> None:
    """Refuse, in Swedish, a file that is not JSON: where it breaks, and how to mend it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArshjulError(
            f"{path.name} är varken JSON i UTF-8 eller Excel (.xlsx): "
            f"tecknet på plats {exc.start + 1} är inte UTF-8."
        ) from None
    if not text.strip():
        raise ArshjulError(
            f"{path.name} är tom: skriv ut en mall med arshjul submit --mall SKEDE och fyll i den."
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        lines = text.splitlines()
        shown = lines[exc.lineno - 1].strip() if exc.lineno <= len(lines) else ""
        shown = shown if len(shown) <= 80 else shown[:79] + "…"
        reason = _json_reason(exc.msg)
        if exc.pos >= len(text.rstrip()):
            reason = "filen tar slut innan allt är avslutat (saknas en } eller ] sist?)"
        raise ArshjulError(
            f"{path.name} är varken giltig JSON eller Excel (.xlsx): rad {exc.lineno}, "
            f"tecken {exc.colno}: {reason}.",
            details=[f"rad {exc.lineno}: {shown}"] if shown else None,
        ) from None


def read_answers(path: Path) -> dict[str, Any]:
    """The answers in a JSON or Excel file; a JSON mistake told in Swedish with its place."""
    from arshjul.forms.on_behalf import read_answer_file

    if path.is_file():
        raw = path.read_bytes()
        if raw[:2] != b"PK":  # an .xlsx is a zip file; read_answer_file reads it
            _check_json(path, raw)
    return read_answer_file(path)


def check_answers(
    session: Session, *, request: SubmissionRequest, data: dict[str, Any], submitted_by: str
) -> None:
    """Validate as the page and ``submit_on_behalf`` do; every problem under its field's label.

    ``submit_on_behalf`` validates again before storing: the same form, the same context.
    """
    from arshjul.forms.base import validate_form
    from arshjul.forms.figures import stage_facts
    from arshjul.forms.registry import form_for

    facts = stage_facts(session, request)
    form = form_for(facts.stage.slug)
    context = facts.context()
    _, errors = validate_form(form, {**data, "submitted_by": submitted_by}, context)
    if errors:
        raise ArshjulError(
            f"Underlaget från {facts.unit.name} till {facts.stage.name} sparades inte:",
            details=[
                f"{input_label(form, name, context)}: {message}" for name, message in errors.items()
            ],
        )

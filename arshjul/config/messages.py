"""Pydantic's validation errors, told in Swedish with the field's path."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_MESSAGES: dict[str, str] = {
    "missing": "saknas men måste anges",
    "extra_forbidden": "är inget känt fält (felstavat?)",
    "string_type": "ska vara text inom citattecken",
    "string_too_short": "får inte vara tomt",
    "string_pattern_mismatch": "har fel form",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal",
    "float_parsing": "ska vara ett tal",
    "finite_number": "ska vara ett ändligt tal (inte inf eller nan)",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "list_type": "ska vara en lista",
    "dict_type": "ska vara en tabell",
    "model_type": "ska vara en tabell",
    "model_attributes_type": "ska vara en tabell",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "time_type": "ska vara en tid (TT:MM)",
    "time_parsing": "ska vara en tid (TT:MM)",
    "too_short": "har för få värden",
}


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part).startswith(("function-", "literal[")):
            continue
        else:
            text += ("." if text else "") + str(part)
    return text


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind == "assertion_error":
        return error["msg"].removeprefix("Assertion failed, ")
    if kind == "literal_error":
        return f"ska vara ett av: {ctx.get('expected', '')}".replace(" or ", ", ")
    if kind in ("greater_than", "greater_than_equal"):
        sign = ">" if kind == "greater_than" else "≥"
        return f"ska vara {sign} {ctx.get('gt', ctx.get('ge'))}"
    if kind in ("less_than", "less_than_equal"):
        sign = "<" if kind == "less_than" else "≤"
        return f"ska vara {sign} {ctx.get('lt', ctx.get('le'))}"
    if kind == "too_short" and "min_length" in ctx:
        return f"behöver minst {ctx['min_length']} värde(n)"
    return _MESSAGES.get(kind, error["msg"])


def swedish_errors(exc: ValidationError) -> list[str]:
    """One Swedish line per problem: ``path: what is wrong``."""
    lines: list[str] = []
    for error in exc.errors():
        path = _path(tuple(error["loc"]))
        for message in _message(error).split("\n"):
            if path and not message.startswith(path.split(".")[0]):
                lines.append(f"{path}: {message}")
            else:
                lines.append(message)
    return lines

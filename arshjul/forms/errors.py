"""Validation problems in Swedish, each tied to the name of the input it belongs to."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ValidationError

REQUIRED = "Fältet måste fyllas i"
REQUIRED_IN_ROW = "Fyll i även detta fält, eller töm hela raden"
CHOOSE = "Välj ett av alternativen"
CHOOSE_YES_NO = "Välj ja eller nej"

Loc = tuple[str | int, ...]


class FormProblems(ValueError):
    """Several problems at once, each at a place relative to where it was raised."""

    def __init__(self, problems: Iterable[tuple[Loc, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(message for _, message in self.problems))


_BUILTIN = {
    "missing": REQUIRED,
    "string_type": "Skriv en text",
    "int_type": "Skriv ett heltal",
    "int_parsing": "Skriv ett heltal",
    "bool_type": CHOOSE_YES_NO,
    "bool_parsing": CHOOSE_YES_NO,
    "date_type": "Skriv ett datum som ÅÅÅÅ-MM-DD",
    "date_from_datetime_parsing": "Skriv ett datum som ÅÅÅÅ-MM-DD",
    "float_parsing": "Skriv ett tal",
    "dict_type": "Uppgifterna kunde inte läsas",
    "list_type": "Raderna kunde inte läsas",
}


def problem_list(exc: ValidationError) -> list[tuple[Loc, str]]:
    """Every problem of a validation as (place, Swedish message)."""
    found: list[tuple[Loc, str]] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FormProblems):
            found += [((*loc, *sub), message) for sub, message in cause.problems]
        elif error["type"] == "value_error":
            found.append((loc, str(cause) if cause is not None else error["msg"]))
        else:
            found.append((loc, _BUILTIN.get(error["type"], "Ogiltigt värde")))
    return found


def input_name(loc: Loc) -> str:
    """The name of the input a problem belongs to: ``measures.2.effect_kr``."""
    return ".".join(str(part) for part in loc) or "__form__"

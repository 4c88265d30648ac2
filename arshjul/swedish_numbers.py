"""Numbers as a Swede writes them, read in one place: the portal, the imports, ``submit``
and the command line all call :func:`parse_number`.

Swedish writing: a space (or a non-breaking one) between groups of three digits, a comma
before the decimals, a minus sign or a dash in front: ``−1 234 567,5``. A dot is read
as a decimal point only where it cannot be a thousands separator: ``12.5`` is twelve and
a half, but ``412.500`` might be 412 500 or 412,5 and is refused rather than guessed.
What a program writes and no person types (``1e3``, ``1_000``) is refused, as are
misplaced group separators (``5 00``), infinities and anything that is no number at all.
Each refusal is one Swedish sentence the caller puts beside the field, row or column.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# The largest operating frame, actual or forecast that is plausible for a Swedish
# municipality's committee or company, in tkr: Stockholm's whole budget is about
# 60 000 000 tkr, and no committee of a municipality the engine serves comes near a
# sixth of it. Larger figures are a typing or export error.
PLAUSIBLE_MAX_TKR = 10_000_000

_MINUS_SIGNS = "-\u2212\u2013"
_SEPARATORS = re.compile("[ \u00a0\u202f]+")
_GROUPED = re.compile(r"[0-9]{1,3}( [0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+")
_FRACTION = re.compile(r"[0-9]+")
_DOT_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
_LONGEST = 40  # characters; 10 kB of digits is no figure
_MOST_DIGITS = 15  # before the decimals: 10¹⁵ is beyond any figure of a municipality


class NumberError(ValueError):
    """A text that is no number as a Swede writes it; the message is Swedish."""


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 24 else text[:23] + "…"


def parse_number(
    value: str | int | float | Decimal, *, what: str = "tal", suffixes: tuple[str, ...] = ()
) -> Decimal:
    """A number as written (``1 234,5``, ``−12``, ``87.5``) → its exact Decimal.

    ``suffixes``: units the text may end with (``tkr``, ``%``), dropped before reading.
    Raises :class:`NumberError` with a Swedish sentence naming what is wrong.
    """
    if isinstance(value, bool):
        raise NumberError(f"”{value}” är inget {what}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():
            raise NumberError(f"”{value}” är inget {what}")
        return number
    original = str(value)
    text = original.strip()
    for suffix in suffixes:
        if text.lower().endswith(suffix):
            text = text[: -len(suffix)].rstrip()
            break
    if not text:
        raise NumberError(f"värde saknas: skriv ett {what}")
    if len(text) > _LONGEST:
        raise NumberError(f"”{_shown(original)}” är för långt för att vara ett {what}")
    sign = ""
    if text[0] in _MINUS_SIGNS:
        sign, text = "-", text[1:].lstrip()
    elif text[0] == "+":
        text = text[1:].lstrip()
    if re.fullmatch(r"[0-9 .,]*[0-9][eE][+\-−]?[0-9]+", text) or re.search(r"[0-9]_[0-9]", text):
        raise NumberError(
            f"”{_shown(original)}” är inget {what}: skriv siffrorna ut (inte 1e3 eller 1_000)"
        )
    if "," in text and "." in text:
        raise NumberError(
            f"”{_shown(original)}” blandar punkt och komma: skriv t.ex. 1 234,5 "
            "(mellanslag mellan tusental, komma före decimalerna)"
        )
    compact = _SEPARATORS.sub(" ", text)
    if "." in compact:
        if _DOT_THOUSANDS.fullmatch(compact.replace(" ", "")):
            grouped = compact.replace(".", " ")
            decimals = compact.replace(".", ",")
            raise NumberError(
                f"”{_shown(original)}” är tvetydigt: punkt är ingen tusentalsavgränsare; "
                f"skriv {grouped} (tusental) eller {decimals} (decimaler)"
            )
        compact = compact.replace(".", ",")
    whole, comma, fraction = compact.partition(",")
    whole = whole.strip()
    if not (_PLAIN.fullmatch(whole) or _GROUPED.fullmatch(whole)) or (
        comma and not _FRACTION.fullmatch(fraction.strip())
    ):
        if " " in whole and re.fullmatch(r"[0-9 ]+", whole):
            raise NumberError(
                f"”{_shown(original)}” har mellanslag på fel ställe: skriv tusental i "
                "grupper om tre, t.ex. 1 234 567,5"
            )
        raise NumberError(f"”{_shown(original)}” är inget {what}")
    if len(whole.replace(" ", "").lstrip("0")) > _MOST_DIGITS:
        raise NumberError(f"”{_shown(original)}” är orimligt stort för ett {what}")
    digits = whole.replace(" ", "") + ("." + fraction.strip() if comma else "")
    try:
        return Decimal(sign + digits)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise NumberError(f"”{_shown(original)}” är inget {what}") from None

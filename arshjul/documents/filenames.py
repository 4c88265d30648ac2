"""File names a person understands and every file system accepts."""

from __future__ import annotations

import re
import unicodedata

_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_LENGTH = 150  # characters before the extension; keeps whole paths under Windows' 260


def safe_filename(title: str, extension: str = "") -> str:
    """``Preliminära ramar och anvisningar 2028 – Arboga kommun`` stays as it is (NFC).

    Characters Windows refuses (``<>:"/\\|?*`` and control characters) become spaces,
    runs of spaces collapse, trailing dots and spaces go, reserved device names get a
    suffix, and the name is cut at a word boundary if very long.
    """
    name = unicodedata.normalize("NFC", title)
    name = _ILLEGAL.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_LENGTH:
        cut = name[:MAX_LENGTH]
        name = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" .–-")
    if not name:
        name = "dokument"
    if name.split(".")[0].upper() in _RESERVED:
        name = f"{name} (dokument)"
    if extension and not extension.startswith("."):
        extension = "." + extension
    return name + extension

"""Attached documents: Word (.docx), PDF and Excel (.xlsx), recognised by content, not name.

A .docx or .xlsx is a ZIP whose ``[Content_Types].xml`` declares the main
document part; the check reads the ZIP's directory and that one small part,
never extracts anything, and refuses macro-enabled files (``.docm``, ``.xlsm``:
a ``macroEnabled`` content type or a ``vbaProject.bin`` part).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from arshjul.errors import ArshjulError
from arshjul.formats import format_number

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAIN_PARTS = {
    f"{DOCX}.main+xml": (DOCX, ".docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (XLSX, ".xlsx"),
}
_CONTENT_TYPES_MAX = 1024 * 1024
_MAX_PARTS = 20_000
_OVERRIDE = re.compile(
    rb"<(?:\w+:)?Override\b[^>]*?PartName\s*=\s*[\"']([^\"']+)[\"'][^>]*?"
    rb"ContentType\s*=\s*[\"']([^\"']+)[\"']"
    rb"|<(?:\w+:)?Override\b[^>]*?ContentType\s*=\s*[\"']([^\"']+)[\"'][^>]*?"
    rb"PartName\s*=\s*[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")

NEITHER = "Filen ”{name}” är varken Word (.docx), PDF eller Excel (.xlsx)"
MACROS = "Filer med makron tas inte emot: spara ”{name}” utan makron (.docx eller .xlsx)"


class AttachmentRefused(ArshjulError):
    """A file the portal does not take; the message says why, in Swedish."""


@dataclass(frozen=True)
class CheckedFile:
    """An accepted attachment: a safe name, the type its content shows, the bytes."""

    filename: str
    content_type: str
    content: bytes


def format_size(size: int) -> str:
    """``10 MB``, ``1,5 MB``, ``20 kB`` (binary units, as file managers show them)."""
    for unit, scale in (("MB", 1024 * 1024), ("kB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{format_number(value, 0 if value.is_integer() else 1)}\u00a0{unit}"
    return f"{size}\u00a0byte"


def safe_filename(name: str, extension: str) -> str:
    """The file's own name without any folder, unsafe characters or a wrong extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .")[:100]
    return f"{stem or 'bilaga'}{extension}"


def display_name(name: str) -> str:
    """A file's name as given, without folders or unsafe characters, for messages."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    return " ".join(_UNSAFE.sub(" ", base).split())[:120] or "filen"


def _office_type(content: bytes, shown: str) -> tuple[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise AttachmentRefused(NEITHER.format(name=shown)) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_PARTS:
            raise AttachmentRefused(NEITHER.format(name=shown))
        names = {i.filename.lstrip("/").lower(): i for i in infos}
        if any(n.endswith("vbaproject.bin") for n in names):
            raise AttachmentRefused(MACROS.format(name=shown))
        types_info = names.get("[content_types].xml")
        if types_info is None or types_info.file_size > _CONTENT_TYPES_MAX:
            raise AttachmentRefused(NEITHER.format(name=shown))
        try:
            with archive.open(types_info) as handle:
                declared = handle.read(_CONTENT_TYPES_MAX + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
            raise AttachmentRefused(NEITHER.format(name=shown)) from None
        if b"macroenabled" in declared.lower():
            raise AttachmentRefused(MACROS.format(name=shown))
        for match in _OVERRIDE.finditer(declared):
            part = (match.group(1) or match.group(4)).decode("utf-8", "replace")
            ctype = (match.group(2) or match.group(3)).decode("utf-8", "replace").strip()
            if ctype in _MAIN_PARTS and part.lstrip("/").lower() in names:
                return _MAIN_PARTS[ctype]
    raise AttachmentRefused(NEITHER.format(name=shown))


def check_attachment(filename: str, content: bytes, *, limit: int) -> CheckedFile:
    """Accept a file by what it is, or raise :class:`AttachmentRefused`.

    ``content`` is what was read of the upload: at most ``limit + 1`` bytes.
    """
    shown = display_name(filename)
    if len(content) > limit:
        raise AttachmentRefused(f"Filen är större än {format_size(limit)}")
    if not content:
        raise AttachmentRefused(f"Filen ”{shown}” är tom")
    if content.startswith(b"%PDF-"):
        content_type, extension = PDF, ".pdf"
    elif content.startswith(b"PK\x03\x04"):
        content_type, extension = _office_type(content, shown)
    else:
        raise AttachmentRefused(NEITHER.format(name=shown))
    return CheckedFile(safe_filename(filename, extension), content_type, content)

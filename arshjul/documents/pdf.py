"""A tagged PDF for publication beside each Word document, through LibreOffice.

``soffice --convert-to pdf`` with ``UseTaggedPDF`` gives a PDF with a structure tree
(headings, tables, alternative text) that screen readers and the accessibility law
(DOS-lagen) ask of documents on a municipality's website.

LibreOffice keeps a TOC field's cached result as it is and cannot update indexes on
load without a macro (Basic and Python scripting are separate Debian packages that
CI does not install). So the page numbers are made in two passes: the first PDF's
outline (its bookmarks, one per heading) says on which page each heading landed; they
are written into the TOC's PAGEREF results, the .docx is saved again, and the second
PDF is the published one. The TOC's lines do not change in number, so pagination does
not move between the passes. Measured on this machine (2 cores, LibreOffice 7.4): about
1.7 s a pass for a 7-page document, with the profile already made.

Without LibreOffice no PDF is written and the log says so once per process; a failed
conversion is a Swedish warning, never a failed stage.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from html import unescape
from pathlib import Path

from arshjul.settings import get_settings

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 180
# JSON filter options (LibreOffice ≥ 7.4): a tagged PDF with the headings as bookmarks.
PDF_FILTER = (
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
    '"ExportBookmarks":{"type":"boolean","value":"true"}}'
)
_ITEM = re.compile(r'<item page="(\d+)">(.*?)</item>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

_said_missing = False
_LOCK = threading.Lock()
_PROFILE: list[str] = []


def _profile() -> str:
    """This process's LibreOffice profile folder, removed when the process ends."""
    if not _PROFILE:
        folder = tempfile.mkdtemp(prefix="arshjul-lo-")
        atexit.register(shutil.rmtree, folder, True)
        _PROFILE.append(folder)
    return _PROFILE[0]


def _log() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The flow run's logger when there is one, so the line shows in the stage's log in the
    Prefect UI; else the package's. (tasks.step.step_logger does the same, but documents
    sit below tasks in the layers.)"""
    try:
        from prefect.context import FlowRunContext, TaskRunContext
        from prefect.logging import get_run_logger

        if TaskRunContext.get() or FlowRunContext.get():
            return get_run_logger()
    except ImportError:  # pragma: no cover - Prefect is a dependency
        pass
    return logging.getLogger("arshjul.documents")


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def enabled() -> bool:
    """Whether PDFs are wanted (``ARSHJUL_PDF``, on by default)."""
    return get_settings().pdf


def report_missing_once() -> None:
    """One line per process: the demo writes ~20 documents and needs to hear it once."""
    global _said_missing
    if not _said_missing:
        _said_missing = True
        _log().info(
            "LibreOffice (soffice) är inte installerat: dokumenten skrivs bara som Word-filer, "
            "utan PDF för publicering (Debian: apt-get install libreoffice-writer)"
        )


def convert(docx: Path, out_dir: Path, *, program: str | None = None) -> Path:
    """``docx`` as a tagged PDF in ``out_dir`` (same stem); raises on failure.

    The process has its own LibreOffice profile, and converts one document at a time:
    two instances on one profile (two workers, a test beside a demo) block each other
    or fail silently. Kept for the process's life: making a profile costs about 1 s
    of each conversion's 3–4 s.
    """
    program = program or soffice()
    if program is None:
        raise FileNotFoundError("soffice")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{docx.stem}.pdf"
    with _LOCK:
        profile = _profile()
        result = subprocess.run(
            [
                program,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                PDF_FILTER,
                "--outdir",
                str(out_dir),
                str(docx),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "HOME": profile},
        )
    if result.returncode != 0 or not target.is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError(detail[-1] if detail else f"slutkod {result.returncode}")
    return target


def outline(pdf: Path) -> list[tuple[str, int]]:
    """The PDF's bookmarks in reading order as (text, page); empty without pdftohtml."""
    program = shutil.which("pdftohtml")
    if program is None:
        return []
    result = subprocess.run(
        [program, "-xml", "-i", "-q", "-stdout", str(pdf)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        return []
    start = result.stdout.find("<outline")
    if start < 0:
        return []
    return [
        (" ".join(unescape(_TAG.sub("", text)).split()), int(page))
        for page, text in _ITEM.findall(result.stdout[start:])
    ]


def warn(docx: Path, error: BaseException) -> None:
    """A failed conversion is a warning in the stage's log: the .docx is what is decided on."""
    _log().warning("PDF kunde inte skapas för %s: %s", docx.name, error)

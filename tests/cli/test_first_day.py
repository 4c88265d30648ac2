"""README's "Kom igång" block, run line by line in a fresh folder as a controller would.

The block imports last year's plan from the shipped templates, runs the first
stage (the preliminary frames, a Word document) and then the committees'
analyses, whose requests go out; no command may print a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- kom-igång"


def first_day_block() -> str:
    """The shell block under README's "Kom igång" marker."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```sh\n", readme.index(MARKER)) + len("```sh\n")
    return readme[start : readme.index("```\n", start)]


def test_the_block_uses_only_the_shipped_files() -> None:
    block = first_day_block()
    for path in ("arshjul/config/arboga.toml", "arshjul/templates/import/ramar.csv"):
        assert path in block and (ROOT / path).is_file()


@pytest.mark.slow
def test_the_readmes_first_day_works_in_a_fresh_folder(
    prefect_harness: None, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    # The block runs in the checkout; a fresh folder with the package and the venv in it.
    (tmp_path / "arshjul").symlink_to(ROOT / "arshjul")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    env["ARSHJUL_PDF"] = "0"  # LibreOffice's PDFs are tested in tests/documents
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())  # the session's server: no start-up
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + first_day_block()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown[-3000:]
    assert "Traceback" not in shown
    folder = tmp_path / "kommun"
    frames = list((folder / "utdata" / "2027" / "ramar").glob("*.docx"))
    assert [p.name for p in frames] == [
        "Preliminära ramar och anvisningar 2028 – Arboga kommun.docx"
    ]
    requests = sorted(p.name for p in (folder / "e-post").glob("*.eml"))
    assert len(requests) == 10  # five committees and five companies
    assert all("Begäran om underlag – Nämndernas analyser 2027" in name for name in requests)
    assert "Barn- och utbildningsnämnden" in shown and " bun " in shown  # status: unit keys

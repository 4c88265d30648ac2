"""The command line as a controller uses it: messages, exit codes, and a light start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ARSHJUL = Path(sys.executable).with_name("arshjul")


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    environment["ARSHJUL_PDF"] = "0"  # LibreOffice's PDFs are tested in tests/documents
    environment.update(env or {})
    return subprocess.run(
        [str(ARSHJUL), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_calendar_imports_neither_prefect_nor_the_database(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from arshjul.cli import app\n"
        "sys.argv = ['arshjul', 'calendar', '2027']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('prefect', 'sqlmodel', 'sqlalchemy', 'docx', 'matplotlib') "
        "if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert "Tertialuppföljning" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_calendar_json_and_ics(tmp_path: Path) -> None:
    result = run("calendar", "2026", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["year"] == 2026 and shown["warnings"] == []
    kf = next(s for s in shown["stages"] if s["slug"] == "kf-beslut")
    assert kf["election_year"] is True and "2026-10-15" < kf["decision"] <= "2026-11-30"
    result = run("calendar", "2027", "--ics", str(tmp_path / "år.ics"), cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "år.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")


def test_init_twice_and_a_broken_file(tmp_path: Path) -> None:
    first = run("init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Arboga kommun (1984)" in first.stdout and "Nytt:" in first.stdout
    second = run("init", cwd=tmp_path)
    assert "Inget ändrat" in second.stdout
    broken = tmp_path / "kommun.toml"
    broken.write_text("[municipality]\ncode = 'abc'\n", encoding="utf-8")
    result = run("init", "--config", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert "municipality.code" in result.stderr and "har inte lästs in" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_stage_and_bad_date_are_told_in_swedish(tmp_path: Path) -> None:
    run("init", cwd=tmp_path)
    result = run("document", "tertialrapport", "--year", "2027", cwd=tmp_path)
    assert result.returncode != 0 and "tertialrapport" in result.stderr
    assert "Traceback" not in result.stderr
    result = run("status", "--as-of", "31/12", cwd=tmp_path)
    assert result.returncode == 2 and "ÅÅÅÅ-MM-DD" in result.stderr


def _only_the_first_term(tmp_path: Path) -> Path:
    """The shipped file without its [[terms]] for 2027–2030: goals for 2023–2026 only."""
    from arshjul.config.loader import shipped_config_path

    text = shipped_config_path().read_text(encoding="utf-8")
    cut = text[text.index("[[terms]]\nstart_year = 2027") : text.index("# --- Organisationen")]
    path = tmp_path / "bara-2023.toml"
    path.write_text(text.replace(cut, ""), encoding="utf-8")
    return path


def test_calendar_warns_when_a_plan_year_has_no_term_with_goals(tmp_path: Path) -> None:
    for year in ("2026", "2027"):
        result = run("calendar", year, cwd=tmp_path)
        assert result.returncode == 0 and "Varning" not in result.stdout + result.stderr
    result = run("calendar", "2034", cwd=tmp_path)
    assert result.returncode == 0 and "Tertialuppföljning" in result.stdout
    assert "Varning: planåren 2035, 2036, 2037" in result.stderr
    assert "mandatperioden 2035–2038" in result.stderr
    old = _only_the_first_term(tmp_path)
    result = run("calendar", "2026", "--json", "--config", str(old), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "planåren 2027, 2028, 2029" in warning and "mandatperioden 2027–2030" in warning
    assert result.stderr == ""


def test_init_warns_for_the_cycle_of_its_day(tmp_path: Path) -> None:
    result = run("init", "--as-of", "2027-01-10", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Varning" not in result.stderr
    old = _only_the_first_term(tmp_path)
    result = run("init", "--config", str(old), "--as-of", "2026-03-02", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Varning: planåren 2027, 2028, 2029" in result.stderr
    assert "mandatperioden 2027–2030" in result.stderr
    result = run("init", "--config", str(old), "--as-of", "2025-03-03", cwd=tmp_path)
    assert "Varning: planåren 2027, 2028 ligger utanför" in result.stderr

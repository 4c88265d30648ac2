"""Bad input to the plan, as a controller types it: each refused in Swedish, nothing written.

Through the command line on a database set up with ``arshjul init``: a council decision
without a tax rate, a tax rate outside 15–40 or not a number, a tax-base forecast for the
wrong years or from the future, a frame for a committee that does not exist (in a file and
in a decision).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ARSHJUL = Path(sys.executable).with_name("arshjul")


def arshjul(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    env["ARSHJUL_PDF"] = "0"  # LibreOffice's PDFs are tested in tests/documents
    env["ARSHJUL_DATABASE_URL"] = f"sqlite:///{cwd / 'arshjul.db'}"
    return subprocess.run(
        [str(ARSHJUL), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def count(folder: Path, table: str) -> int:
    with sqlite3.connect(folder / "arshjul.db") as db:
        return int(db.execute(f"select count(*) from {table}").fetchone()[0])


@pytest.fixture(scope="module")
def _initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after ``arshjul init`` and the frames' import, made once for the module."""
    folder = tmp_path_factory.mktemp("planeringsunderlag")
    assert arshjul("init", cwd=folder).returncode == 0
    frames = folder / "ramar.csv"
    frames.write_text(
        "enhet;budgetår;typ;område;belopp_tkr;status\n"
        "bun;2028;drift;;412 500;förslag\nsn;2028;drift;;398 750;förslag\n",
        encoding="utf-8",
    )
    done = arshjul("import", "ramar", str(frames), "--as-of", "2027-05-20", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def municipality(_initialised: Path, tmp_path: Path) -> Path:
    """A copy of that folder (database and key file) for the test to change."""
    shutil.copytree(_initialised, tmp_path, dirs_exist_ok=True)
    return tmp_path


DECIDE = ("decide", "kf-beslut", "--year", "2027", "--date", "2027-08-27", "--paragraph", "§ 64")


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ((), "Kommunfullmäktige beslutar skattesatsen med budgeten: ange den med --skattesats"),
        (("--skattesats", "45"), "Skattesatsen 45 ligger utanför 15–40 kronor per 100 kronor"),
        (("--skattesats", "12,5"), "Skattesatsen 12,5 ligger utanför 15–40"),
        (("--skattesats", "tjugotvå"), "--skattesats: ”tjugotvå” är ingen skattesats"),
        (("--skattesats", "22,41", "--ram", "xyz=100"), "Okända enheter i beslutet: xyz"),
    ],
)
def test_a_council_decision_that_cannot_stand_is_refused(
    municipality: Path, extra: tuple[str, ...], said: str
) -> None:
    decisions, frames = count(municipality, "decision"), count(municipality, "budget_frame")
    result = arshjul(*DECIDE, *extra, cwd=municipality)
    assert result.returncode == 2
    assert said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (count(municipality, "decision"), count(municipality, "budget_frame")) == (
        decisions,
        frames,
    )


def test_a_council_decision_with_its_tax_rate_is_recorded(municipality: Path) -> None:
    result = arshjul(*DECIDE, "--skattesats", "22,41", cwd=municipality)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(municipality / "arshjul.db") as db:
        (details,) = db.execute("select details from decision").fetchone()
    assert '"tax_rate": "22.41"' in details


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (
            "2033;Skatteintäkter;900 000;2027-04-24",
            "2033 är inget år som prognosen från 2027-04-24 gäller",
        ),
        ("2028;Skatteintäkter;815 400;2027-12-24", "2027-12-24 ligger efter i dag"),
        (
            "2028;Skatteintäkter;−815 400;2027-04-24",
            "skatteintäkterna ska vara ett positivt belopp",
        ),
        ("2028;Kommunalskatt;815 400;2027-04-24", "”Kommunalskatt” är inget giltigt värde"),
        ("2028;Skatteintäkter;815 400;24/4 2027", "är inget datum; skriv det som ÅÅÅÅ-MM-DD"),
    ],
)
def test_a_tax_forecast_that_cannot_be_right_is_refused(
    municipality: Path, rows: str, said: str
) -> None:
    forecast = municipality / "prognos.csv"
    forecast.write_text(f"år;post;belopp_tkr;prognosdatum\n{rows}\n", encoding="utf-8")
    before = count(municipality, "planning_figure")
    result = arshjul(
        "import", "skatteprognos", str(forecast), "--as-of", "2027-06-01", cwd=municipality
    )
    assert result.returncode == 2
    assert said in result.stderr, result.stderr
    assert "Inget har ändrats" in result.stderr
    assert count(municipality, "planning_figure") == before


def test_a_frame_for_a_committee_that_does_not_exist_is_refused(municipality: Path) -> None:
    frames = municipality / "ramar-fel.csv"
    frames.write_text(
        "enhet;budgetår;typ;område;belopp_tkr;status\nbyggnämnden;2028;drift;;12 000;förslag\n",
        encoding="utf-8",
    )
    before = count(municipality, "budget_frame")
    result = arshjul("import", "ramar", str(frames), "--as-of", "2027-05-20", cwd=municipality)
    assert result.returncode == 2
    assert "”byggnämnden” är ingen känd enhet" in result.stderr
    assert count(municipality, "budget_frame") == before


def test_the_preliminary_frames_name_what_they_lack_and_never_show_a_zero(tmp_path: Path) -> None:
    """Only last year's frames are in: the document says "uppgift saknas" for tax, grants,
    the result goal and the investment frames, and the command names each one."""
    import docx

    assert arshjul("init", cwd=tmp_path).returncode == 0
    frames = tmp_path / "ramar.csv"
    frames.write_text(
        "enhet;budgetår;typ;område;belopp_tkr;status\n"
        "bun;2028;drift;;412 500;föregående\nsn;2028;drift;;398 750;föregående\n",
        encoding="utf-8",
    )
    assert (
        arshjul("import", "ramar", str(frames), "--as-of", "2027-01-10", cwd=tmp_path).returncode
        == 0
    )
    done = arshjul("document", "ramar", "--year", "2027", "--as-of", "2027-01-20", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lacking = [
        line.removeprefix("Saknas i underlaget: ")
        for line in done.stdout.splitlines()
        if line.startswith("Saknas i underlaget: ")
    ]
    for named in (
        "skatteintäkter och generella statsbidrag 2028",
        "skattesats 2028",
        "resultatmål 2028",
        "investeringsramar 2028",
        "pris- och löneindex 2028",
    ):
        assert any(line.startswith(named) for line in lacking), (named, lacking)
    (path,) = (tmp_path / "utdata" / "2027" / "ramar").glob("*.docx")
    document = docx.Document(str(path))
    starting = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    for line in (
        "Skattesats, kronor per 100 kronor",
        "Skatteintäkter, prognos, tkr",
        "Generella statsbidrag och utjämning, prognos, tkr",
        "Resultatmål, tkr",
    ):
        assert starting[line] == "uppgift saknas", line
    assert starting["Total ram för driften, tkr"] == "811\u00a0250,0"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "De preliminära investeringsramarna för 2028: uppgift saknas" in text
    headers = [t.rows[0].cells[-1].text for t in document.tables]
    assert "Investeringsram 2028, tkr" not in headers

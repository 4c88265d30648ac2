"""Typer's and Click's own messages in Swedish: what a controller reads after a typing mistake.

Each case runs the installed console script, as a controller would, and reads its
standard error: the Swedish line naming the option or argument, the usage line
and where help is, exit code 2, and none of Click's English left.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from test_cli import run

# Click's and Typer's English, and the JSON module's, as they read before.
ENGLISH = (
    "Error",
    "Usage",
    "Try ",
    "for help",
    "Missing",
    "Invalid value",
    "No such",
    "Got unexpected",
    "Possible options",
    "Did you mean",
    "does not",
    "requires",
    "is a directory",
    "Input should",
    "Expecting",
    "delimiter",
    "line ",
    "column",
    "Traceback",
)


def usage_error(result: subprocess.CompletedProcess[str]) -> str:
    """The standard error of a refused command line, checked to be Swedish only."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for english in ENGLISH:
        assert english not in result.stderr, (english, result.stderr)
    assert result.stdout == ""
    return result.stderr


def test_missing_option(tmp_path: Path) -> None:
    err = usage_error(
        run(
            "submit", "tertial", "--enhet", "bun", "--fil", "svar.json", "--av", "Eva", cwd=tmp_path
        )
    )
    assert err.splitlines() == [
        "Användning: arshjul submit [FLAGGOR] SKEDE",
        "Mer hjälp: arshjul submit --help",
        "",
        "Fel: Flaggan --year saknas: Årshjulets år.",
    ]


def test_missing_argument(tmp_path: Path) -> None:
    err = usage_error(run("run", "--year", "2027", cwd=tmp_path))
    assert "Fel: Argumentet SKEDE saknas: Skedets slug, t.ex. tertial" in err


def test_unknown_option(tmp_path: Path) -> None:
    err = usage_error(run("calendar", "2027", "--bogus", cwd=tmp_path))
    assert err.splitlines()[0] == "Användning: arshjul calendar [FLAGGOR] ÅR"
    assert err.splitlines()[-1] == "Fel: Okänd flagga: --bogus."
    err = usage_error(run("status", "--jsn", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Okänd flagga: --jsn. Menade du ”--json”?"


def test_bad_values(tmp_path: Path) -> None:
    err = usage_error(run("calendar", "tjugosju", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Ogiltigt värde för ÅR: ”tjugosju” är inget heltal."
    err = usage_error(run("status", "--year", "20x7", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Ogiltigt värde för --year: ”20x7” är inget heltal."
    err = usage_error(run("portal", "--workers", "0", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Ogiltigt värde för --workers: ”0” är för litet (minst 1)."
    err = usage_error(run("import", "utfall", str(tmp_path), cwd=tmp_path))
    assert err.splitlines()[-1] == (
        f"Fel: Ogiltigt värde för FIL: ”{tmp_path}” är en mapp, inte en fil."
    )


def test_extra_argument(tmp_path: Path) -> None:
    err = usage_error(run("calendar", "2027", "2028", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Oväntat argument: 2028."


def test_option_without_its_value_and_a_flag_with_one(tmp_path: Path) -> None:
    err = usage_error(run("status", "--year", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Flaggan --year behöver ett värde."
    err = usage_error(run("status", "--json=ja", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Flaggan --json tar inget värde."


def test_unknown_command(tmp_path: Path) -> None:
    err = usage_error(run("statsu", cwd=tmp_path))
    assert err.splitlines() == [
        "Användning: arshjul [FLAGGOR] KOMMANDO [ARGUMENT]...",
        "Mer hjälp: arshjul --help",
        "",
        "Fel: Det finns inget kommando ”statsu”. Menade du ”status”?",
    ]
    err = usage_error(run("nyckel", "gammal", cwd=tmp_path))
    assert err.splitlines()[-1] == "Fel: Det finns inget kommando ”gammal”."


def test_malformed_json_to_submit(tmp_path: Path) -> None:
    answers = tmp_path / "svar.json"
    answers.write_text('{\n  "forecast_kr": "412 500"\n  "measures": ""\n}\n', encoding="utf-8")
    args = ("submit", "tertial", "--enhet", "bun", "--year", "2027", "--av", "Eva")
    err = usage_error(run(*args, "--fil", str(answers), cwd=tmp_path))
    assert err.splitlines() == [
        "Fel: svar.json är varken giltig JSON eller Excel (.xlsx): rad 3, tecken 3: här saknas "
        "ett kommatecken mellan två fält eller värden (eller citattecken runt en text).",
        '  – rad 3: "measures": ""',
    ]
    answers.write_text("{'forecast_kr': '412 500'}", encoding="utf-8")
    err = usage_error(run(*args, "--fil", str(answers), cwd=tmp_path))
    assert "rad 1, tecken 2: här väntades ett fältnamn inom dubbla citattecken" in err
    answers.write_text('{"forecast_kr": "412 500",', encoding="utf-8")
    err = usage_error(run(*args, "--fil", str(answers), cwd=tmp_path))
    assert "filen tar slut innan allt är avslutat" in err
    answers.write_text("", encoding="utf-8")
    err = usage_error(run(*args, "--fil", str(answers), cwd=tmp_path))
    assert "svar.json är tom: skriv ut en mall med arshjul submit --mall SKEDE" in err


def test_help_pages_are_swedish(tmp_path: Path) -> None:
    result = run("submit", "--help", cwd=tmp_path)
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("Användning: arshjul submit [FLAGGOR] SKEDE\n")
    for swedish in ("Argument:", "Flaggor:", "[krävs]", "--year <heltal>", "--mall SKEDE"):
        assert swedish in text, swedish
    assert "--help            Visa den här hjälpen och avsluta." in text
    for english in ("Usage", "Options:", "Arguments:", "[required]", "Show this", "<str>"):
        assert english not in text, english
    demo = run("demo", "--help", cwd=tmp_path).stdout
    assert "[standard: 2027]" in demo and "default" not in demo
    # No command: the whole help, as before on standard error and with exit code 2.
    bare = run(cwd=tmp_path)
    assert bare.returncode == 2 and "Kommandon:" in bare.stderr and "Commands" not in bare.stderr


def test_in_process_the_app_speaks_swedish_too() -> None:
    from typer.testing import CliRunner

    from arshjul.cli import app

    result = CliRunner().invoke(app, ["calendar", "2027", "--bogus"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Fel: Okänd flagga: --bogus."
    result = CliRunner().invoke(app, ["calendar", "--help"])
    assert result.exit_code == 0 and "Användning: arshjul calendar" in result.stdout

"""``arshjul import kolada FIL``: Kolada's JSON as the API answers it, or a CSV; a bad
file is refused in Swedish naming the file, the row and what is wrong, and changes
nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.errors import ArshjulError
from arshjul.kolada import import_kolada_file
from arshjul.models import AuditEntry, KoladaValue, Municipality

TEMPLATES = Path(__file__).resolve().parents[2] / "arshjul" / "templates" / "import" / "kolada"
SAMPLE = TEMPLATES / "exempel.json"
AS_OF = dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC)


def _import(engine: Engine, path: Path, *, dry_run: bool = False) -> str:
    with Session(engine, expire_on_commit=False) as session:
        municipality = session.exec(select(Municipality)).first()
        if municipality is None:
            # The import needs a municipality only for its audit entry: a bare row does,
            # and saves loading the whole Arboga example (3 s a test on PostgreSQL).
            municipality = Municipality(code="1984", name="Arboga kommun", short_name="Arboga")
            session.add(municipality)
            session.flush()
        report = import_kolada_file(
            session,
            municipality=municipality,
            path=path,
            as_of=AS_OF,
            actor="test",
            dry_run=dry_run,
        )
        session.commit()
    return str(report)


def _stored(engine: Engine) -> dict[tuple[str, str, int, str], float]:
    with Session(engine) as session:
        return {
            (v.kpi, v.municipality_code, v.year, v.gender): v.value
            for v in session.exec(select(KoladaValue))
        }


def _sample_values() -> dict[tuple[str, str, int, str], float | None]:
    answer = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return {
        (e["kpi"], e["municipality"], e["period"], v["gender"]): v["value"]
        for e in answer["values"]
        for v in e["values"]
    }


def test_the_shipped_sample_is_marked_made_up_and_imports_twice_the_same(
    engine: Engine,
) -> None:
    answer = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert answer["_anmarkning"].startswith("Påhittade värden för demon")
    expected = {k: v for k, v in _sample_values().items() if v is not None}
    blanks = len(_sample_values()) - len(expected)

    first = _import(engine, SAMPLE)
    second = _import(engine, SAMPLE)

    assert _stored(engine) == expected
    assert f"{len(expected)} nya värden" in first and f"{blanks} saknas hos Kolada" in first
    assert f"0 nya värden, 0 ändrade, {len(expected)} oförändrade" in second
    with Session(engine) as session:
        audits = session.exec(select(AuditEntry).where(AuditEntry.action == "import.kolada"))
        assert len(audits.all()) == 1  # the second import changed nothing


def test_the_csv_template_imports(engine: Engine) -> None:
    report = _import(engine, TEMPLATES / "kolada.csv")

    assert "Kolada-värden från kolada.csv: 3 värden lästa; 3 nya värden" in report
    assert _stored(engine)[("N15428", "1984", 2025, "K")] == 88.1
    with Session(engine) as session:
        row = session.exec(select(KoladaValue).where(KoladaValue.municipality_code == "0000")).one()
        assert row.kolada_updated == dt.date(2026, 4, 15) and row.source == "kolada.csv"


def test_a_dry_run_counts_and_stores_nothing(engine: Engine) -> None:
    report = _import(engine, TEMPLATES / "kolada.csv", dry_run=True)

    assert report.startswith("Provläsning, inget sparat: ") and "3 nya värden" in report
    assert _stored(engine) == {}


CSV_PROBLEMS = [
    (
        "kpi;kommun;år;värde\nN15428;1984;2025;86,4\nN15428;19840;2025;86\n",
        "kolada.csv kan inte importeras: rad 3, kolumn kommun: ”19840” är ingen kommunkod",
    ),
    (
        "kpi;kommun;år;kön;värde\nN15428;1984;2025;X;86,4\n",
        "rad 2, kolumn kön: ”X” ska vara T, K eller M",
    ),
    (
        "kpi;kommun;år;värde\nN15428;1984;tjugo;86,4\n",
        "rad 2, kolumn år: ”tjugo” är inget årtal",
    ),
    (
        "kpi;kommun;år;värde\nN15428;1984;2025;86.400\n",
        "rad 2, kolumn värde: ”86.400” är tvetydigt",
    ),
    (
        "kpi;kommun;år;värde;färg\nN15428;1984;2025;86,4;röd\n",
        "rad 1, kolumn 5: okänd kolumn ”färg”",
    ),
    ("kpi;kommun;värde\nN15428;1984;86,4\n", "rad 1: kolumnen år saknas"),
    (
        "kpi;kommun;år;värde\nN15428;1984;2025;86,4\nN15428;1984;2025;87\n",
        "N15428 för 1984 år 2025, kön T står mer än en gång",
    ),
    ("kpi;kommun;år;värde\n", "filen har bara en rubrikrad, inga värden"),
    ("", "kolada.csv kan inte importeras: filen är tom. Inget har ändrats."),
]


@pytest.mark.parametrize(("content", "message"), CSV_PROBLEMS)
def test_a_bad_csv_is_refused_naming_the_row_and_changes_nothing(
    engine: Engine, tmp_path: Path, content: str, message: str
) -> None:
    _import(engine, TEMPLATES / "kolada.csv")
    before = _stored(engine)
    path = tmp_path / "kolada.csv"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ArshjulError) as refused:
        _import(engine, path)

    assert message in str(refused.value)
    assert "Inget har ändrats" in str(refused.value)
    assert _stored(engine) == before


JSON_PROBLEMS = [
    ('{"values": [\n  {"kpi": "N15428",,}\n]}', "svar.json kan inte importeras: rad 2, tecken"),
    ('{"kpi": [], "count": 0}', "JSON-filen är inget svar från Koladas data-API"),
    (
        '{"values": [{"kpi": "N15428", "municipality": "1984", "period": 2025, '
        '"values": [{"gender": "T", "value": "många"}]}]}',
        "post 1 (N15428 1984 2025), värde 1: value ”många” är inget tal",
    ),
    (
        '{"values": [{"kpi": "N15428", "municipality": "1984", "values": []}]}',
        "post 1: period ”” är inget årtal",
    ),
    ('{"values": [], "count": 0, "next_page": null}', "filen har inga värden"),
]


@pytest.mark.parametrize(("content", "message"), JSON_PROBLEMS)
def test_a_bad_json_file_is_refused_naming_the_entry_and_changes_nothing(
    engine: Engine, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "svar.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ArshjulError) as refused:
        _import(engine, path)

    assert message in str(refused.value)
    assert _stored(engine) == {}


def test_arshjul_import_kolada_on_the_command_line(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    arshjul = str(Path(sys.executable).with_name("arshjul"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [arshjul, *args], cwd=tmp_path, env=environment, capture_output=True, text=True
        )

    assert run("init").returncode == 0
    done = run("import", "kolada", str(SAMPLE), "--as-of", "2027-03-02")
    assert done.returncode == 0, done.stderr
    values = _sample_values()
    stored = sum(v is not None for v in values.values())
    expected = f"Kolada-värden från exempel.json: {len(values)} värden lästa; {stored} nya"
    assert done.stdout.startswith(expected), done.stdout

    bad = tmp_path / "fel.csv"
    bad.write_text("kpi;kommun;år;värde\nN15428;1984;2025;mycket\n", encoding="utf-8")
    refused = run("import", "kolada", str(bad))
    assert refused.returncode == 2
    assert "fel.csv kan inte importeras: rad 2, kolumn värde: ”mycket” är inget tal" in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr

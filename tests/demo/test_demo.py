"""The README's first command, `arshjul demo`, run as a new user would and checked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

ARSHJUL = Path(sys.executable).with_name("arshjul")


def _demo(tmp_path: Path, *args: str) -> tuple[str, Path]:
    from prefect.settings import PREFECT_API_URL

    out = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHJUL_")}
    # The session's server (as `arshjul server start` gives a user): no temporary server
    # to start and migrate, 20 s of the test; tests/cli/test_keys.py runs that path.
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    result = subprocess.run(
        [str(ARSHJUL), "demo", "--out", str(out), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout, out


def _number(output: str, label: str) -> int:
    match = re.search(rf"{label}: (\d+)", output)
    assert match, f"{label!r} saknas i sammanfattningen:\n{output}"
    return int(match[1])


@pytest.mark.slow
def test_demo_reports_what_it_did(prefect_harness: None, tmp_path: Path) -> None:
    # One year through Prefect (75 s); the election year's shifted schedule is
    # checked on the quick path (tests/stages/test_planning_year.py, 2026 and 2030).
    year = 2027
    output, out = _demo(tmp_path, "--year", str(year))
    assert f"Sammanfattning av årshjulet {year}" in output
    assert "(valår)" not in output
    # A line per compiled stage, and the progress bar (rich) drawn complete at the end.
    assert re.search(r"^ +1/\d+ Preliminära ramar och anvisningar", output, re.M)
    assert re.search(r"^Skeden .* (\d+)/\1 ", output, re.M)
    assert "\x1b[" not in output  # no colours or cursor moves in a pipe
    assert "PDF för publicering: inte i demon (ARSHJUL_PDF=1" in output

    engine = sa.create_engine(f"sqlite:///{out / 'arshjul.db'}")
    with engine.connect() as db:
        count = lambda sql: db.execute(sa.text(sql)).scalar_one()  # noqa: E731
        assert _number(output, "begäranden om underlag") == count(
            "select count(*) from submission_request"
        )
        assert _number(output, "inlämningar") == count("select count(*) from submission")
        sent = count("select count(*) from outbox_message where state = 'sent'")
        assert _number(output, "e-brev") == sent
        assert _number(output, "beslut registrerade") == count("select count(*) from decision") == 3
        assert count("select count(*) from action_plan") >= 1
        escalated = count("select count(*) from outbox_message where purpose = 'escalation'")
        assert escalated >= 2  # the late secretaries were escalated
        paths = [row[0] for row in db.execute(sa.text("select path from generated_document"))]
        kf_day = db.execute(
            sa.text(
                "select d.decided_on from decision d join stage_instance s "
                "on s.id = d.stage_instance_id where s.slug = 'kf-beslut'"
            )
        ).scalar_one()
    engine.dispose()

    # The e-mails are real .eml files, one per message sent, readable by a mail reader.
    mail = sorted((out / "e-post").glob("*.eml"))
    assert len(mail) == sent
    message = BytesParser(policy=policy.default).parsebytes(mail[0].read_bytes())
    assert "Arboga kommun" in str(message["From"]) and message["Message-ID"]

    # Every document listed is there and opens; the year's stages all wrote theirs.
    listed = [line.strip() for line in output.splitlines() if line.strip().endswith(".docx")]
    assert sorted(listed) == sorted(set(paths)) and len(listed) == _number(output, "dokument")
    for path in listed:
        assert docx.Document(path).core_properties.author == "Arboga kommun"
    names = " ".join(Path(p).name for p in listed)
    assert "Tertialuppföljning" in names and "Delårsrapport" in names and "Årsredovisning" in names
    assert "Åtgärdsplan" in names
    assert str(kf_day).startswith("2027-08")

    # The imported Kolada sample is compared in the management dialogue, once per key
    # figure, and in the interim and the annual report.
    (dialogue,) = [p for p in listed if "ledningsdialog (vår)" in p]
    paragraphs = [p.text for p in docx.Document(dialogue).paragraphs]
    assert "Jämförelser med andra kommuner" in paragraphs
    assert sum(1 for p in paragraphs if p.startswith("Källa: Kolada (RKA)")) == 2
    assert any("(även mål bun-1)" in p for p in paragraphs)
    for name in ("Delårsrapport", "Årsredovisning"):
        (path,) = [p for p in listed if Path(p).name.startswith(name)]
        _check_comparisons(docx.Document(path), out / "arshjul.db")


NEIGHBOURS = ("1983", "1960", "1961", "1982", "1907")  # arboga.toml's [kolada]
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


def _check_comparisons(document: docx.document.Document, database: Path) -> None:
    """Each compared key figure: a chart with alt text, the source, and a table whose
    figures are the database's (Arboga's own values, the neighbours' mean, the country)."""
    text = "\n".join(p.text for p in document.paragraphs)
    sources = re.findall(r"Källa: Kolada \(RKA\), nyckeltal (N\d+), hämtad", text)
    assert sorted(sources) == ["N00914", "N15419"]  # bun-1-a refers to 2.1-a's, not again
    charts = [d.get("descr", "") for d in document.element.body.iter(DRAWING)]
    assert sum(1 for d in charts if d.startswith("Linjediagram.")) == 2
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as db:
        values = {
            (kpi, code, year): value
            for kpi, code, year, value in db.execute(
                sa.text(
                    "select kpi, municipality_code, year, value from kolada_value "
                    "where gender = 'T'"
                )
            )
        }
    engine.dispose()
    tables = [
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells]
        == ["År", "Arboga kommun", "Liknande kommuner (5), medel", "Riket"]
    ]
    assert len(tables) == 2
    for table, kpi in zip(tables, sources, strict=True):  # each table before its source
        for row in table.rows[1:]:
            year, own, mean, country = (c.text for c in row.cells)
            neighbours = [values[(kpi, code, int(year))] for code in NEIGHBOURS]
            shown = lambda v: f"{v:.1f}".replace(".", ",")  # noqa: E731
            assert own == shown(values[(kpi, "1984", int(year))])
            assert mean == shown(sum(neighbours) / len(neighbours))
            assert country == shown(values[(kpi, "0000", int(year))])

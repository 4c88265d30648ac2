"""The documents one click away (issue 14, item 5): the portal serves them to staff, over HTTP.

A real uvicorn on loopback, a real Word file opened by python-docx after the
download; with the password, without it, with a wrong one; a version replaced
on disk is not served as if it were the recorded one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import docx
import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portal_limits import serving

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.models import GeneratedDocument, Municipality
from arshjul.timezone import STOCKHOLM

PASSWORD = "rätt häst batteri"
NOW = dt.datetime(2027, 5, 20, 9, tzinfo=STOCKHOLM)


def _written(engine: Engine, folder: Path, text: str, version: int = 1) -> int:
    """A real Word file recorded as the tertial's document; its row's id."""
    path = folder / "Tertialuppföljning 2027.docx"
    document = docx.Document()
    document.add_heading(text, level=1)
    document.save(str(path))
    with Session(engine) as session:
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        row = GeneratedDocument(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            stage_instance_id=stage.id,  # type: ignore[arg-type]
            kind="tertial",
            version=version,
            title="Tertialuppföljning 2027",
            path=str(path.resolve()),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            missing=["prognos för Valnämnden"] if version == 1 else [],
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def _config(engine: Engine) -> None:
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()


def test_staff_download_documents_with_the_password_only(engine: Engine, tmp_path: Path) -> None:
    _config(engine)
    first = _written(engine, tmp_path, "Resultat per nämnd")
    with serving(engine, lambda: NOW, staff_password=PASSWORD) as served:
        url = f"{served.base}/personal/dokument/{first}"
        anonymous = httpx.get(url)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith('Basic realm="Årshjul personal"')
        assert "Inloggning krävs" in anonymous.text and "Resultat" not in anonymous.text
        wrong = httpx.get(url, auth=("personal", "fel"))
        assert wrong.status_code == 401

        answer = httpx.get(url, auth=("personal", PASSWORD))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert "Tertialuppf" in answer.headers["content-disposition"]
        opened = docx.Document(io.BytesIO(answer.content))
        assert opened.paragraphs[0].text == "Resultat per nämnd"

        listing = httpx.get(f"{served.base}/personal/dokument", auth=("personal", PASSWORD))
        assert listing.status_code == 200
        assert "Arboga kommun – årshjulet 2027" in listing.text
        assert f'href="/personal/dokument/{first}"' in listing.text
        assert "Uppgift saknas: prognos för Valnämnden" in listing.text
        assert httpx.get(f"{served.base}/personal/dokument").status_code == 401

        # Written again: the old version's file is gone, and the page says where the new one is.
        second = _written(engine, tmp_path, "Resultat per nämnd, rättad", version=2)
        replaced = httpx.get(url, auth=("personal", PASSWORD))
        assert replaced.status_code == 410
        assert f"/personal/dokument/{second}" in replaced.text and "version 2" in replaced.text
        newest = httpx.get(f"{served.base}/personal/dokument/{second}", auth=("personal", PASSWORD))
        assert docx.Document(io.BytesIO(newest.content)).paragraphs[0].text.endswith("rättad")
        # No PDF was written beside it (no LibreOffice in this test): said, not a broken file.
        pdf = httpx.get(
            f"{served.base}/personal/dokument/{second}/pdf", auth=("personal", PASSWORD)
        )
        assert pdf.status_code == 404 and "Ingen PDF" in pdf.text
        missing = httpx.get(f"{served.base}/personal/dokument/999999", auth=("personal", PASSWORD))
        assert missing.status_code == 404


def test_without_a_password_the_staff_pages_are_closed(engine: Engine, tmp_path: Path) -> None:
    _config(engine)
    first = _written(engine, tmp_path, "Resultat per nämnd")
    with serving(engine, lambda: NOW) as served:
        answer = httpx.get(f"{served.base}/personal/dokument/{first}", auth=("personal", ""))
    assert answer.status_code == 403
    assert "ARSHJUL_STAFF_PASSWORD" in answer.text

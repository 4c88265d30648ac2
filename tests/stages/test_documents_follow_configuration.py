"""What a municipality configures reaches its documents: the logo in the header, and the
calendar's own dates in the text instead of Arboga's months."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ConfigError
from arshjul.imports import import_file
from arshjul.imports.kinds import TEMPLATES
from arshjul.settings import get_settings
from arshjul.stages.base import stage_context
from arshjul.stages.catalogue import get_spec

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _config_with_logo(folder: Path, logo: str, more: str = "") -> Path:
    text = shipped_config_path().read_text(encoding="utf-8")
    path = folder / "kommun.toml"
    path.write_text(text + more + f'\n[documents]\nlogo = "{logo}"\n', encoding="utf-8")
    return path


def _frames_document(engine: Engine, config: Path) -> docx.document.Document:
    """The frames stage's document for 2027, written on 20 January from the shipped frames."""
    as_of = dt.datetime(2027, 1, 20, 9, tzinfo=STOCKHOLM)
    with Session(engine, expire_on_commit=False) as session:
        municipality = apply_config(session, load_config(config)).municipality
        import_file(
            session,
            municipality=municipality,
            kind="ramar",
            path=TEMPLATES / "ramar.csv",
            as_of=as_of,
            actor="test",
        )
        ctx = stage_context(
            session,
            municipality=municipality,
            year=2027,
            slug="ramar",
            as_of=as_of,
            settings=get_settings(),
        )
        write = get_spec("ramar").write
        assert write is not None
        [path, *_] = write(ctx)
        session.commit()
    return docx.Document(str(path))


def test_the_frames_document_carries_the_configured_logo(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "bilder").mkdir()
    Image.new("RGB", (120, 40), (0, 70, 140)).save(tmp_path / "bilder" / "logotyp.png")
    document = _frames_document(engine, _config_with_logo(tmp_path, "bilder/logotyp.png"))
    header = document.sections[0].header
    assert "Arboga kommun" in header.paragraphs[0].text
    images = [r.target_part.blob for r in header.part.rels.values() if r.reltype.endswith("/image")]
    assert images == [(tmp_path / "bilder" / "logotyp.png").read_bytes()]


def test_the_frames_text_names_the_calendars_days(engine: Engine, tmp_path: Path) -> None:
    Image.new("RGB", (120, 40), (0, 70, 140)).save(tmp_path / "logotyp.png")
    # A municipality whose budget preparation meets in June, with analyses due 30 April.
    june = (
        '\n[calendar.standard.budgetdag]\nopens = "05-24"\ndeadline = "05-28"\n'
        'decision = "06-03"\n[calendar.standard.namndanalys]\ndeadline = "04-30"\n'
        'decision = "05-12"\n'
    )
    document = _frames_document(engine, _config_with_logo(tmp_path, "logotyp.png", june))
    text = " ".join(p.text for p in document.paragraphs).replace("\u00a0", " ")
    assert "underlag till budgetberedningen 3 juni 2027" in text
    assert "inför budgetberedningen 3 juni 2027" in text
    assert "ska lämna senast 30 april 2027" in text
    assert "i maj" not in text and "under våren" not in text


def test_a_logo_that_is_not_there_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config_with_logo(tmp_path, "bilder/saknas.png"))
    assert f"documents.logo: filen {tmp_path / 'bilder' / 'saknas.png'} finns inte" in (
        caught.value.details
    )

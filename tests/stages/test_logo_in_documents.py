"""The logo of the municipality's configuration reaches the header of the stages' documents."""

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


def _config_with_logo(folder: Path, logo: str) -> Path:
    text = shipped_config_path().read_text(encoding="utf-8")
    path = folder / "kommun.toml"
    path.write_text(text + f'\n[documents]\nlogo = "{logo}"\n', encoding="utf-8")
    return path


def test_the_frames_document_carries_the_configured_logo(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "bilder").mkdir()
    Image.new("RGB", (120, 40), (0, 70, 140)).save(tmp_path / "bilder" / "logotyp.png")
    loaded = load_config(_config_with_logo(tmp_path, "bilder/logotyp.png"))
    as_of = dt.datetime(2027, 1, 20, 9, tzinfo=STOCKHOLM)
    with Session(engine, expire_on_commit=False) as session:
        municipality = apply_config(session, loaded).municipality
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
    header = docx.Document(str(path)).sections[0].header
    assert "Arboga kommun" in header.paragraphs[0].text
    images = [r.target_part.blob for r in header.part.rels.values() if r.reltype.endswith("/image")]
    assert images == [(tmp_path / "bilder" / "logotyp.png").read_bytes()]


def test_a_logo_that_is_not_there_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config_with_logo(tmp_path, "bilder/saknas.png"))
    assert f"documents.logo: filen {tmp_path / 'bilder' / 'saknas.png'} finns inte" in (
        caught.value.details
    )

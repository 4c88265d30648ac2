"""Every import template shipped in arshjul/templates/import/ is valid as shipped: it
imports into a fresh database loaded with the Arboga example, the stage it feeds writes
its document, and the imported figure is in that document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.stored import municipality_config
from arshjul.imports import get_kind, import_file, import_trial_balance
from arshjul.imports.kinds import TEMPLATES
from arshjul.models import Municipality
from arshjul.settings import get_settings
from arshjul.stages.base import stage_context
from arshjul.stages.catalogue import get_spec

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# template: (templates imported first, the stage's year and slug, when it runs, a text the
# document must show from the template)
FEEDS: dict[str, tuple[tuple[str, ...], int, str, dt.date, str]] = {
    "ramar": ((), 2027, "ramar", dt.date(2027, 1, 20), "412\u00a0500,0"),
    "index": (("ramar",), 2027, "ramar", dt.date(2027, 1, 20), "Löneuppräkning 3,4\u00a0%"),
    "befolkning": (("ramar",), 2027, "ramar", dt.date(2027, 1, 20), "Preliminära ramar"),
    "volymer": (("ramar",), 2027, "ramar", dt.date(2027, 1, 20), "Preliminära ramar"),
    "finansiella-mal": (("ramar",), 2027, "ramar", dt.date(2027, 1, 20), "22,41"),
    "skatteprognos": (("ramar",), 2027, "ramar", dt.date(2027, 1, 20), "815\u00a0400,0"),
    "utfall": ((), 2027, "tertial", dt.date(2027, 5, 10), "Tertialuppföljning"),
    "prognos": ((), 2027, "tertial", dt.date(2027, 5, 10), "413\u00a0200,0"),
    # A risk reaches the annual report through its controls (see kontroller).
    "risker": ((), 2027, "arsredovisning", dt.date(2028, 2, 15), "Intern kontroll"),
    "kontroller": (
        ("risker",),
        2027,
        "arsredovisning",
        dt.date(2028, 2, 15),
        "Stickprov på tio elevpengsunderlag",
    ),
    "saldobalans": ((), 2026, "arsredovisning", dt.date(2027, 2, 15), "Årsredovisning"),
    "koncerninternt": ((), 2026, "arsredovisning", dt.date(2027, 2, 15), "Årsredovisning"),
    "nyckeltal": ((), 2026, "arsredovisning", dt.date(2027, 2, 15), "41,5\u00a0%"),
    "sjukfranvaro": ((), 2026, "arsredovisning", dt.date(2027, 2, 15), "7,1\u00a0%"),
    "resultatbudget": (("books",), 2027, "delar", dt.date(2027, 9, 15), "790\u00a0000,0"),
    "resultatprognos": (("books",), 2027, "delar", dt.date(2027, 9, 15), "792\u00a0000,0"),
}


# Templates of registers, not of a stage's figures: tested with their own imports
# (tests/governing/test_register.py).
REGISTERS = {"styrdokument"}


def test_every_template_has_a_stage() -> None:
    shipped = {p.stem for p in TEMPLATES.glob("*.csv")} - REGISTERS
    assert shipped == set(FEEDS), shipped ^ set(FEEDS)


# Books through August 2027 (not a template): the interim report's statements need them.
BOOKS = (
    "konto;period;ackumulerat\n"
    "1930;2026-12;150 000,00\n2010;2026-12;-150 000,00\n"
    "1930;2027-08;170 000,00\n2010;2027-08;-150 000,00\n8011;2027-08;-20 000,00\n"
)


def _import(session: Session, municipality, name: str, as_of: dt.datetime, folder: Path) -> None:  # type: ignore[no-untyped-def]
    path = TEMPLATES / f"{name}.csv"
    if name == "books":
        path = folder / "saldobalans-2027.csv"
        path.write_text(BOOKS, encoding="utf-8")
    if name in ("saldobalans", "books"):
        import_trial_balance(
            session,
            municipality=municipality,
            config=municipality_config(municipality),
            path=path,
            as_of=as_of,
            actor="test",
        )
    else:
        import_file(
            session, municipality=municipality, kind=name, path=path, as_of=as_of, actor="test"
        )


@pytest.mark.parametrize("template", list(FEEDS))
def test_the_template_feeds_its_stage(arboga_engine: Engine, template: str, tmp_path: Path) -> None:
    first, year, slug, day, shown = FEEDS[template]
    as_of = dt.datetime.combine(day, dt.time(9), STOCKHOLM)
    with Session(arboga_engine, expire_on_commit=False) as session:
        municipality = session.exec(select(Municipality)).one()
        for name in (*first, template):
            if name not in ("saldobalans", "books"):
                get_kind(name)  # a declared kind
            _import(session, municipality, name, as_of, tmp_path)
        session.commit()
        ctx = stage_context(
            session,
            municipality=municipality,
            year=year,
            slug=slug,
            as_of=as_of,
            settings=get_settings(),
        )
        spec = get_spec(slug)
        assert spec.write is not None
        paths = spec.write(ctx)
        session.commit()
    assert paths, f"{slug} skrev inget dokument"
    document = docx.Document(str(paths[0]))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    assert shown in text, (template, slug)

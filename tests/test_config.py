"""The municipality configuration: the shipped file loads; broken files are refused clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ConfigError
from arshjul.models import (
    AuditEntry,
    Contact,
    Goal,
    Indicator,
    IndicatorTarget,
    Municipality,
    OrgUnit,
    StrategicArea,
)

SHIPPED = shipped_config_path().read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "kommun.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_loads_with_arbogas_public_facts() -> None:
    cfg = load_config().config
    assert cfg.municipality.code == "1984"
    assert cfg.municipality.vision == "Arboga – plats för inspiration"
    assert [a.name for a in cfg.strategic_areas] == [
        "Inspirerande livsmiljö",
        "Inspirerande lärande och arbete",
        "Inspirerande organisation",
    ]
    assert len(cfg.council_goals) == 7
    names = {u.name for u in cfg.units}
    assert {"Barn- och utbildningsnämnden", "Socialnämnden", "Rådhuset i Arboga AB"} <= names
    assert all(c.email.endswith("@arboga.example") for u in cfg.units for c in u.contacts)
    assert cfg.deviation.amount_tkr == 1000 and cfg.deviation.share_percent == 0.5


# Each broken file: (what is changed, the words the message must hold).
BROKEN: list[tuple[str, str, str, list[str]]] = [
    ("missing field", 'code = "1984"\n', "", ["municipality.code", "saknas"]),
    (
        "unknown unit in a goal",
        'unit = "bun"\nserves = "2.1"',
        'unit = "gatunamnden"\nserves = "2.1"',
        ["unit_goals[0].unit", "okänd enhet", "gatunamnden"],
    ),
    (
        "duplicate unit key",
        'key = "fkn"\nname = "Fritids- och kulturnämnden"',
        'key = "bun"\nname = "Fritids- och kulturnämnden"',
        ["units", "”bun”", "mer än en gång"],
    ),
    (
        "bad e-mail",
        "bun.sekreterare@arboga.example",
        "bun.sekreterare.arboga.example",
        ["units[2].contacts[0].email", "ingen giltig e-postadress"],
    ),
    (
        "deadline on a Sunday by override",
        "deadline_time = 16:00:00",
        "deadline_time = 16:00:00\n[calendar.dates.2027.tertial]\ndeadline = 2027-05-09",
        ["calendar.dates", "2027.tertial", "2027-05-09", "söndag"],
    ),
    (
        "unknown stage slug in the calendar",
        "deadline_time = 16:00:00",
        'deadline_time = 16:00:00\n[calendar.standard.tertialrapport]\ndeadline = "05-08"',
        ["calendar.standard", "tertialrapport", "okänt skede"],
    ),
    (
        "goal serving an unknown council goal",
        'serves = "1.2"',
        'serves = "9.9"',
        ["unit_goals[1].serves", "okänt fullmäktigemål", "9.9"],
    ),
    (
        "misspelt field",
        'short_name = "Arboga"',
        'short_name = "Arboga"\nkortnamn = "A"',
        ["kortnamn", "inget känt fält"],
    ),
    (
        "wrong kind",
        'kind = "federation"',
        'kind = "förbund"',
        ["units[", ".kind", "ska vara ett av"],
    ),
    (
        "text where a number belongs",
        "amount_tkr = 1000",
        'amount_tkr = "tusen"',
        ["deviation.amount_tkr", "tal"],
    ),
    (
        "company without ownership",
        'ownership_percent = 100\nmunicipal_purpose = "Allmännyttiga',
        'municipal_purpose = "Allmännyttiga',
        ["ownership_percent", "ägarandel"],
    ),
    (
        "committee without a secretary",
        '  { role = "secretary", name = "Nämndsekreterare SN (exempel)", email = "sn.sekreterare@arboga.example" },\n',  # noqa: E501
        "",
        ["Socialnämnden", "secretary"],
    ),
    ("term of five years", "end_year = 2026", "end_year = 2027", ["term", "fyra år"]),
    ("broken TOML", "[watch]", "[watch", ["ingen giltig TOML", "rad"]),
]


@pytest.mark.parametrize(("label", "old", "new", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_gets_its_own_swedish_message(
    tmp_path: Path, label: str, old: str, new: str, expected: list[str]
) -> None:
    assert old in SHIPPED, f"the test's anchor {old!r} is not in the shipped file"
    path = write(tmp_path, SHIPPED.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    for words in expected:
        assert words in message, f"{words!r} not in:\n{message}"


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="finns inte"):
        load_config(tmp_path / "saknas.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(SHIPPED.encode("utf-8").replace("å".encode(), "å".encode("latin-1")))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(latin1)


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
        for model in (
            Municipality,
            OrgUnit,
            Contact,
            StrategicArea,
            Goal,
            Indicator,
            IndicatorTarget,
        )
    }


def test_loading_twice_changes_nothing_and_an_edit_updates(engine: Engine, tmp_path: Path) -> None:
    loaded = load_config()
    with Session(engine) as session:
        first = apply_config(session, loaded)
        session.commit()
        assert first.created["org_unit"] == len(loaded.config.units)
        before = _counts(session)
        audits = session.exec(select(func.count()).select_from(AuditEntry)).one()

    with Session(engine) as session:
        second = apply_config(session, loaded)
        session.commit()
        assert not second.changed
        assert _counts(session) == before
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == audits

    edited = SHIPPED.replace('name = "Socialnämnden"', 'name = "Social- och omsorgsnämnden"')
    edited = edited.replace("sn.sekreterare@arboga.example", "sn.registrator@arboga.example")
    with Session(engine) as session:
        third = apply_config(session, load_config(write(tmp_path, edited)))
        session.commit()
        assert third.updated["org_unit"] == 1
        assert third.created["contact"] == 1 and third.removed["contact"] == 1
        sn = session.exec(select(OrgUnit).where(OrgUnit.key == "sn")).one()
        assert sn.name == "Social- och omsorgsnämnden"
        assert _counts(session) == before
        last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and last.action == "config.load"


def test_a_broken_file_leaves_the_database_as_it_was(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
        before = _counts(session)
    broken = write(tmp_path, SHIPPED.replace('name = "Socialnämnden"', 'name = ""'))
    with pytest.raises(ConfigError, match=re.escape("units[4].name")):
        load_config(broken)
    with Session(engine) as session:
        assert _counts(session) == before
        assert (
            session.exec(select(OrgUnit).where(OrgUnit.key == "sn")).one().name == "Socialnämnden"
        )

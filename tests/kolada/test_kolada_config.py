"""``[kolada]`` in a municipality's configuration: the comparison group and Kolada's
address, checked in Swedish, and what the fetch then asks for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kolada_server import FakeKolada, kolada_fixture  # noqa: F401 (the fixture)
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ConfigError
from arshjul.flows.kolada import kolada as kolada_flow
from arshjul.models import Indicator, KoladaValue
from arshjul.tasks.step import run_directly
from arshjul.timezone import STOCKHOLM


def _config(tmp_path: Path, section: str) -> Path:
    """The shipped configuration with its ``[kolada]`` section replaced by ``section``."""
    path = tmp_path / "kommun.toml"
    shipped = shipped_config_path().read_text(encoding="utf-8")
    before, found, after = shipped.partition("\n[kolada]\n")
    assert found, "the shipped configuration has a [kolada] section"
    rest = after[after.index("\n[") :]  # the next table
    path.write_text(before + "\n[kolada]\n" + section + rest, encoding="utf-8")
    return path


def test_without_a_kolada_section_kolada_itself_is_asked(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "")).config.kolada
    assert config.base_url == "https://api.kolada.se/v3"
    assert config.comparison_municipalities == [] and config.comparison_group is None
    assert config.years == 5


def test_arboga_compares_itself_with_its_neighbours() -> None:
    config = load_config().config.kolada
    assert config.comparison_municipalities == ["1983", "1960", "1961", "1982", "1907"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            'comparison_municipalities = ["1983", "198"]\n',
            "kolada.comparison_municipalities: ”198” är ingen kommunkod (fyra siffror",
        ),
        ('comparison_group = "33894"\n', "kolada.comparison_group: ”33894” är inget id"),
        (
            'comparison_municipalities = ["1983"]\ncomparison_group = "G33894"\n',
            "kolada: ange antingen comparison_municipalities eller comparison_group, inte båda",
        ),
        ('base_url = "api.kolada.se"\n', "kolada.base_url: ”api.kolada.se” ska vara en webb"),
        ("years = 0\n", "kolada.years"),
    ],
)
def test_a_bad_kolada_section_is_named_in_swedish(
    tmp_path: Path, section: str, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_config(_config(tmp_path, section))
    assert "kommun.toml: konfigurationen har fel" in str(refused.value)
    assert message in str(refused.value)


def test_the_flow_asks_for_the_configured_group_at_the_configured_address(
    arboga: Engine, kolada: FakeKolada, tmp_path: Path
) -> None:
    section = f'base_url = "{kolada.url}"\ncomparison_municipalities = ["1983", "1984", "1960"]\n'
    section += "years = 2\n"
    with Session(arboga) as session:
        apply_config(session, load_config(_config(tmp_path, section)))
        for indicator in session.exec(select(Indicator)):  # one key figure, the fake's
            indicator.kolada_kpi = "N15428" if indicator.key == "2.1-a" else None
            session.add(indicator)
        session.commit()
    kolada.add_kpi("N15428")
    for code in ("1984", "1983", "1960", "0000"):
        kolada.put("N15428", code, 2026, 80.0)

    as_of = dt.datetime(2027, 3, 2, 5, 0, tzinfo=STOCKHOLM)
    run_directly(kolada_flow, engine=arboga, as_of=as_of)

    # Arboga itself once, even though the file lists it among the comparison group.
    assert kolada.data_requests()[0].path.startswith(
        "/v3/data/kpi/N15428/municipality/1984,1983,1960,0000/year/2025,2026"
    )
    with Session(arboga) as session:
        codes = {v.municipality_code for v in session.exec(select(KoladaValue))}
    assert codes == {"1984", "1983", "1960", "0000"}


def test_a_configured_kolada_group_is_stored_with_its_members_for_the_reports(
    arboga: Engine, kolada: FakeKolada, tmp_path: Path
) -> None:
    from arshjul.kolada.comparison import comparison_group

    section = f'base_url = "{kolada.url}"\ncomparison_group = "G33894"\nyears = 1\n'
    loaded = load_config(_config(tmp_path, section))
    with Session(arboga) as session:
        apply_config(session, loaded)
        for indicator in session.exec(select(Indicator)):
            indicator.kolada_kpi = "N15428" if indicator.key == "2.1-a" else None
            session.add(indicator)
        session.commit()
    kolada.groups["G33894"] = ["1984", "1983", "1960"]
    kolada.add_kpi("N15428")
    for code in ("1984", "1983", "1960", "0000"):
        kolada.put("N15428", code, 2026, 80.0)

    run_directly(kolada_flow, engine=arboga, as_of=dt.datetime(2027, 3, 2, 5, 0, tzinfo=STOCKHOLM))

    with Session(arboga) as session:
        assert comparison_group(session, loaded.config.kolada, "1984") == ("1960", "1983")

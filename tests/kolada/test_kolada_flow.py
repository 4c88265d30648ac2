"""The Kolada-hämtning flow against the Kolada-shaped server: the body without Prefect
(``run_directly``), and one real run whose failure shows in Swedish."""

from __future__ import annotations

import datetime as dt
import functools
import logging

import pytest
from kolada_server import FakeKolada, kolada_fixture  # noqa: F401 (the fixture)
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.flows.kolada import kolada as kolada_flow
from arshjul.kolada import fetch_values
from arshjul.kolada.client import KoladaError
from arshjul.models import Indicator, KoladaValue, Municipality
from arshjul.tasks.step import run_directly
from arshjul.timezone import STOCKHOLM

AS_OF = dt.datetime(2027, 3, 2, 5, 0, tzinfo=STOCKHOLM)


def _name_kpis(engine: Engine, **kpis: str) -> None:
    """Give the Arboga example's indicators exactly these key figures (``{"2.1-a": "N15428"}``).

    The shipped ones are taken off first, so a test names all that the fake Kolada serves.
    """
    with Session(engine) as session:
        for indicator in session.exec(select(Indicator)):
            indicator.kolada_kpi = None
            session.add(indicator)
        for key, kpi in kpis.items():
            indicator = session.exec(select(Indicator).where(Indicator.key == key)).first()
            assert indicator is not None, key
            indicator.kolada_kpi = kpi
            session.add(indicator)
        session.commit()


def _serve(kolada: FakeKolada) -> None:
    kolada.add_kpi("N15428", "Elever i åk 9 som är behöriga till yrkesprogram, andel (%)")
    for code, base in (("1984", 86.0), ("0000", 85.5)):
        for year in range(2022, 2027):
            kolada.put("N15428", code, year, base + year - 2022, K=base + 2, M=base - 2)


def _stored(engine: Engine) -> dict[tuple[str, str, int, str], float]:
    with Session(engine) as session:
        return {
            (v.kpi, v.municipality_code, v.year, v.gender): v.value
            for v in session.exec(select(KoladaValue))
        }


def test_the_flow_stores_the_configured_key_figures(arboga: Engine, kolada: FakeKolada) -> None:
    _name_kpis(arboga, **{"2.1-a": "N15428"})
    _serve(kolada)

    totals = run_directly(kolada_flow, engine=arboga, as_of=AS_OF, base_url=kolada.url)

    # [kolada] years = 5 by default: the five years before 2027.
    assert "/year/2022,2023,2024,2025,2026" in kolada.data_requests()[0].path
    stored = _stored(arboga)
    assert len(stored) == 2 * 5 * 3 == totals["values"] == totals["created"]
    assert stored[("N15428", "1984", 2026, "T")] == 90.0
    assert totals["failed"] == 0


def test_a_failed_key_figure_fails_the_flow_in_swedish_and_the_others_are_stored(
    arboga: Engine, kolada: FakeKolada, caplog: pytest.LogCaptureFixture
) -> None:
    _name_kpis(arboga, **{"2.1-a": "N15428", "2.2-a": "N99999"})
    _serve(kolada)

    with caplog.at_level(logging.INFO, logger="arshjul"), pytest.raises(KoladaError) as failed:
        run_directly(kolada_flow, engine=arboga, as_of=AS_OF, base_url=kolada.url)

    assert str(failed.value).startswith(
        "Kolada-hämtningen 2 mars 2027 misslyckades för 1 av 2 nyckeltal; de värden som "
        "redan fanns är kvar.\n  – Nyckeltalet N99999 finns inte i Kolada: kontrollera "
        "kolada_kpi för indikator 2.2-a i konfigurationen."
    )
    assert "1984: Nyckeltalet N99999 finns inte i Kolada" in caplog.text
    assert {k[0] for k in _stored(arboga)} == {"N15428"}
    # The year's overview shows the failure until a fetch succeeds.
    assert _kolada_attention(arboga) == [
        "Kolada-hämtningen 2 mars 2027 misslyckades för N99999: Nyckeltalet N99999 finns "
        "inte i Kolada: kontrollera kolada_kpi för indikator 2.2-a i konfigurationen."
    ]
    _name_kpis(arboga, **{"2.1-a": "N15428"})
    run_directly(
        kolada_flow, engine=arboga, as_of=AS_OF + dt.timedelta(days=1), base_url=kolada.url
    )
    assert _kolada_attention(arboga) == []


def _kolada_attention(engine: Engine) -> list[str]:
    from arshjul.lifecycle.overview import year_overview

    with Session(engine) as session:
        municipality = session.exec(select(Municipality)).one()
        overview = year_overview(
            session,
            municipality=municipality,
            year=2027,
            as_of=AS_OF + dt.timedelta(days=2),
            portal_url="http://portal.example",
        )
    return [a.what for a in overview.attention if a.stage == "Kolada-hämtning"]


def test_kolada_down_leaves_the_stored_values(
    arboga: Engine, kolada: FakeKolada, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same retries as in production, without sitting through 2 + 4 + 8 s of back-off.
    quick = functools.partial(fetch_values, backoff=0.01)
    monkeypatch.setattr("arshjul.tasks.kolada.fetch_values", quick)
    _name_kpis(arboga, **{"2.1-a": "N15428"})
    _serve(kolada)
    run_directly(kolada_flow, engine=arboga, as_of=AS_OF, base_url=kolada.url)
    before = _stored(arboga)
    kolada.put("N15428", "1984", 2026, 12.0)
    kolada.trouble("/v3/", status=503, times=100)

    with pytest.raises(KoladaError, match="Kolada svarade med fel 503"):
        run_directly(
            kolada_flow, engine=arboga, as_of=AS_OF + dt.timedelta(days=30), base_url=kolada.url
        )

    assert _stored(arboga) == before


@pytest.mark.slow
def test_a_real_run_fails_with_the_swedish_message(
    prefect_harness: None, arboga: Engine, kolada: FakeKolada
) -> None:
    _name_kpis(arboga, **{"2.1-a": "N15428", "2.2-a": "N99999"})
    _serve(kolada)

    state = kolada_flow(as_of=AS_OF, base_url=kolada.url, return_state=True)

    assert state.is_failed()
    assert state.message is not None
    assert state.message.startswith("Kolada-hämtningen 2 mars 2027 misslyckades för 1 av 2")
    assert "N99999 finns inte i Kolada" in state.message
    assert {k[0] for k in _stored(arboga)} == {"N15428"}

"""The Kolada client against a Kolada-shaped server on loopback: what a user notices is
what is stored afterwards, and the Swedish message when a key figure could not be had."""

from __future__ import annotations

import datetime as dt

import pytest
from kolada_server import FakeKolada, kolada_fixture  # noqa: F401 (the fixture)
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.kolada import FetchPlan, fetch_values, store_values
from arshjul.kolada.client import KoladaError
from arshjul.kolada.fetch import FetchOutcome
from arshjul.models import KoladaValue

NOW = dt.datetime(2027, 3, 2, 5, 0, tzinfo=dt.UTC)
# Short waits: the retries are the same, the tests do not sit through real back-off.
QUICK = {"backoff": 0.05, "timeout": 5.0}


def _plan(kolada: FakeKolada, *kpis: str, **extra: object) -> FetchPlan:
    options: dict = {"comparison": ("1983", "1960"), "years": (2024, 2025)} | extra
    return FetchPlan(
        base_url=kolada.url,
        municipality="1984",
        kpis=kpis,
        indicators={kpi: ("2.1-a",) for kpi in kpis},
        **options,
    )


def _fetch_and_store(engine: Engine, plan: FetchPlan, **options: object) -> FetchOutcome:
    outcome = fetch_values(plan, **(QUICK | options))
    with Session(engine) as session:
        store_values(session, outcome.rows, source="api", fetched_at=NOW)
        session.commit()
    return outcome


def _stored(engine: Engine) -> dict[tuple[str, str, int, str], float]:
    with Session(engine) as session:
        return {
            (v.kpi, v.municipality_code, v.year, v.gender): v.value
            for v in session.exec(select(KoladaValue))
        }


def _arboga_and_others(kolada: FakeKolada, kpi: str = "N15428") -> None:
    kolada.add_kpi(kpi, "Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)")
    for code, base in (("1984", 86.0), ("1983", 84.0), ("1960", 82.0), ("0000", 85.5)):
        for year in (2024, 2025):
            kolada.put(kpi, code, year, base + year - 2024, K=base + 2, M=base - 2)


def test_every_page_is_fetched_and_stored_by_sex(engine: Engine, kolada: FakeKolada) -> None:
    _arboga_and_others(kolada)
    kolada.page_size = 3  # 8 entries (4 areas × 2 years): three pages

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"))

    assert outcome.failed == {}
    pages = [s.path for s in kolada.data_requests()]
    assert len(pages) == 3 and pages[1].endswith("?page=2") and pages[2].endswith("?page=3")
    stored = _stored(engine)
    assert len(stored) == 4 * 2 * 3  # areas × years × T, K, M
    assert stored[("N15428", "1984", 2025, "T")] == 87.0
    assert stored[("N15428", "1984", 2025, "K")] == 88.0
    assert stored[("N15428", "0000", 2024, "M")] == 83.5
    # The country and the comparison group are asked in the same call as the municipality.
    assert "/municipality/1984,1983,1960,0000/year/2024,2025" in pages[0]
    with Session(engine) as session:
        arboga = select(KoladaValue).where(KoladaValue.municipality_code == "1984")
        row = session.exec(arboga).first()
        assert row is not None
        assert row.kolada_updated == dt.date(2026, 4, 15)  # the KPI's publication date
        assert row.fetched_at == NOW


def test_a_429_is_waited_out_as_long_as_retry_after_says(
    engine: Engine, kolada: FakeKolada
) -> None:
    _arboga_and_others(kolada)
    kolada.trouble("/data/", status=429, headers={"Retry-After": "1"})

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"))

    assert outcome.failed == {}
    first, second = kolada.data_requests()
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.95  # Retry-After: 1, not the 0,05 s back-off
    assert len(_stored(engine)) == 24


def test_a_retry_after_longer_than_the_client_waits_fails_at_once(
    engine: Engine, kolada: FakeKolada
) -> None:
    _arboga_and_others(kolada)
    kolada.trouble("/data/", status=429, headers={"Retry-After": "3600"})

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"))

    assert "Kolada ber om en paus på 3600 sekunder (429)" in outcome.failed["N15428"]
    assert len(kolada.data_requests()) == 1
    assert _stored(engine) == {}


def test_a_server_error_is_retried_and_the_values_come(engine: Engine, kolada: FakeKolada) -> None:
    _arboga_and_others(kolada)
    kolada.trouble("/data/", status=503, times=2)

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"))

    assert outcome.failed == {}
    assert [s.status for s in kolada.data_requests()] == [503, 503, 200]
    assert len(_stored(engine)) == 24


def test_a_server_error_every_time_fails_in_swedish_and_the_stored_values_stay(
    engine: Engine, kolada: FakeKolada
) -> None:
    _arboga_and_others(kolada)
    _fetch_and_store(engine, _plan(kolada, "N15428"))
    kolada.put("N15428", "1984", 2025, 99.0)  # a new value that will not come
    kolada.trouble("/data/", status=500, times=10)

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"), attempts=3)

    message = outcome.failed["N15428"]
    assert message.startswith("N15428: Kolada svarade med fel 500: ")
    assert message.endswith("(3 försök).")
    assert _stored(engine)[("N15428", "1984", 2025, "T")] == 87.0


def test_an_empty_answer_is_no_failure_and_stores_nothing(
    engine: Engine, kolada: FakeKolada
) -> None:
    kolada.add_kpi("N15428")  # known, but without values for these years

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"))

    assert outcome.failed == {} and outcome.empty == ["N15428"]
    assert _stored(engine) == {}


def test_a_kpi_that_does_not_exist_is_named_and_the_others_are_stored(
    engine: Engine, kolada: FakeKolada
) -> None:
    _arboga_and_others(kolada)

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428", "N99999"))

    assert outcome.failed == {
        "N99999": "Nyckeltalet N99999 finns inte i Kolada: kontrollera kolada_kpi för "
        "indikator 2.1-a i konfigurationen."
    }
    assert {k[0] for k in _stored(engine)} == {"N15428"}
    assert not any("N99999" in s.path for s in kolada.data_requests())


def test_a_timeout_fails_in_swedish_and_the_stored_values_stay(
    engine: Engine, kolada: FakeKolada
) -> None:
    _arboga_and_others(kolada)
    _fetch_and_store(engine, _plan(kolada, "N15428"))
    kolada.trouble("/data/", delay=1.0, times=2)

    outcome = _fetch_and_store(engine, _plan(kolada, "N15428"), timeout=0.2, attempts=2)

    message = outcome.failed["N15428"]
    assert "Kolada svarade inte inom 0,2 sekunder: http://127.0.0.1:" in message
    assert message.endswith("(2 försök).")
    assert len(_stored(engine)) == 24


def test_a_second_fetch_updates_in_place_and_a_missing_value_overwrites_nothing(
    engine: Engine, kolada: FakeKolada
) -> None:
    _arboga_and_others(kolada)
    _fetch_and_store(engine, _plan(kolada, "N15428"))
    kolada.put("N15428", "1984", 2025, 90.0, K=None, M=89.0)  # revised; K blanked by Kolada
    kolada.add_kpi("N15428", published="2026-10-01")

    outcome = fetch_values(_plan(kolada, "N15428"), **QUICK)
    later = NOW + dt.timedelta(days=30)
    with Session(engine) as session:
        report = store_values(session, outcome.rows, source="api", fetched_at=later)
        session.commit()

    assert report.missing == 1
    stored = _stored(engine)
    assert len(stored) == 24  # no second row for any key
    assert stored[("N15428", "1984", 2025, "T")] == 90.0
    assert stored[("N15428", "1984", 2025, "M")] == 89.0
    assert stored[("N15428", "1984", 2025, "K")] == 88.0  # the blank did not overwrite it
    assert "1 saknas hos Kolada (inget skrevs över)" in str(report)


def test_a_kolada_group_is_asked_for_its_members(engine: Engine, kolada: FakeKolada) -> None:
    _arboga_and_others(kolada)
    kolada.groups["G33894"] = ["1983", "1960"]

    outcome = _fetch_and_store(
        engine, _plan(kolada, "N15428", comparison=(), comparison_group="G33894")
    )

    assert outcome.members == ("1983", "1960")
    assert {k[1] for k in _stored(engine)} == {"1984", "1983", "1960", "0000"}


def test_an_unknown_group_stops_the_fetch_in_swedish(kolada: FakeKolada) -> None:
    _arboga_and_others(kolada)

    with pytest.raises(KoladaError, match="Kommungruppen G1 finns inte i Kolada"):
        fetch_values(_plan(kolada, "N15428", comparison=(), comparison_group="G1"), **QUICK)


def test_retry_after_is_read_in_seconds_or_as_an_http_date() -> None:
    from email.utils import format_datetime

    from arshjul.kolada.client import _retry_after

    in_a_minute = format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60), usegmt=True)
    assert _retry_after("7") == 7.0
    assert 55 <= (_retry_after(in_a_minute) or 0) <= 60
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # already past: at once
    assert _retry_after("snart") is None and _retry_after(None) is None

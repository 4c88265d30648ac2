"""The daily watch through Prefect: what a manager sees in the UI and what arrives by mail."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from email import policy
from email.parser import BytesParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.lifecycle.tokens import ensure_link_key
from arshjul.models import Municipality, OutboxMessage
from arshjul.settings import get_settings

STOCKHOLM = ZoneInfo("Europe/Stockholm")


async def _artifact(key: str) -> object:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async with get_client() as client:
        found = await client.read_latest_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
        )
    return found[0] if found else None


@pytest.mark.slow
def test_watch_flow_reminds_once_and_publishes_the_state(
    prefect_harness: None, arboga: Engine, tmp_path: Path
) -> None:
    from arshjul.flows.bevakning import bevakning

    key = ensure_link_key(arboga, get_settings()).key  # as arshjul init makes it
    with Session(arboga) as session:
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        open_requests(
            session,
            municipality=municipality,
            stage=stage,
            as_of=dt.datetime(2027, 4, 13, 7, tzinfo=STOCKHOLM),
            link_key=key,
        )
        session.commit()

    first = bevakning(as_of=dt.date(2027, 4, 29))  # five working days before 7 May
    again = bevakning(as_of=dt.date(2027, 4, 29))
    sunday = bevakning(as_of=dt.date(2027, 5, 2))
    assert first["reminders"] == 10 and again["reminders"] == 0 and sunday["reminders"] == 0
    assert first["mail_sent"] == 20  # the ten requests and the ten reminders

    mail = sorted((tmp_path / "e-post").glob("*.eml"))
    assert len(mail) == 20
    reminders = [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes())
        for p in mail
        if "Påminnelse" in p.name
    ]
    assert len(reminders) == 10
    message = reminders[0]
    assert message["Subject"].startswith("Påminnelse")
    assert "Tertialuppföljning" in message["Subject"]
    assert "Ekonomiavdelningen, Arboga kommun" in str(message["From"])
    body = message.get_body(("plain",)).get_content()
    # The link's address is the municipality's ([portal] url in its configuration).
    assert "https://arshjul.arboga.example/begaran/" in body and "@@" not in body

    table = asyncio.run(_artifact("oppna-begaranden-1984"))
    assert table is not None
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert {"Enhet": "Barn- och utbildningsnämnden", "Status": "väntar"}.items() <= next(
        r for r in rows if r["Enhet"] == "Barn- och utbildningsnämnden"
    ).items()
    progress = asyncio.run(_artifact("tertial-2027-1984-inlamnat"))
    assert progress is not None and float(progress.data) == 0.0
    with Session(arboga) as session:
        assert all(m.state == "sent" for m in session.exec(select(OutboxMessage)))


async def _run_and_tasks(flow_run_id):  # type: ignore[no-untyped-def]
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        run = await client.read_flow_run(flow_run_id)
        tasks = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return run, tasks


@pytest.mark.slow
def test_a_stage_run_is_tagged_and_its_tasks_are_named_after_the_committees(
    prefect_harness: None, arboga: Engine
) -> None:
    import time

    from arshjul.flows.tertial import tertial

    state = tertial(year=2027, as_of=dt.date(2027, 4, 13), return_state=True)
    # Task runs reach the server as events: give their final names a moment to land.
    deadline = time.monotonic() + 20
    while True:
        run, tasks = asyncio.run(_run_and_tasks(state.state_details.flow_run_id))
        names = {t.name for t in tasks}
        landed = {"begäran-Socialnämnden", "läget-tertial-2027"} <= names
        if landed and len(tasks) >= 15 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert run.name == "tertial-2027 per 2027-04-13"  # the simulated date, not only the clock
    assert {"arshjul", "2027", "tertial", "kommun-1984"} <= set(run.tags)
    assert "begäran-Socialnämnden" in names
    # The UI shows the follow-up process, step by step, in the governance model's order.
    steps = [t.name for t in sorted(tasks, key=lambda t: t.expected_start_time)]
    process = [
        "komplett-tertial-2027",
        "beräkna-avvikelser-tertial-2027",
        "eskalera-avvikelser-tertial-2027",
        "begär-åtgärdsplaner-tertial-2027",
        "skriv-tertialuppföljningen-tertial-2027",
        "läget-tertial-2027",
    ]
    assert [name for name in steps if name in process] == process
    # Tags on task runs would cost a server round trip each (bench/tertial_scale.md).
    assert all(not t.tags for t in tasks)


@pytest.mark.slow
def test_a_run_over_several_municipalities_opens_each_in_one_task(
    prefect_harness: None, arboga: Engine, tmp_path: Path
) -> None:
    """Many municipalities: a task per municipality, every unit asked, one table for all."""
    import time

    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config, shipped_config_path
    from arshjul.flows.tertial import tertial
    from arshjul.models import SubmissionRequest

    other = tmp_path / "kungsor.toml"
    text = shipped_config_path().read_text(encoding="utf-8")
    text = text.replace('code = "1984"', 'code = "1983"', 1).replace("Arboga", "Kungsör")
    other.write_text(text.replace("arboga.example", "kungsor.example"), encoding="utf-8")
    with Session(arboga) as session:
        apply_config(session, load_config(other))
        session.commit()

    state = tertial(year=2027, as_of=dt.date(2027, 4, 13), return_state=True)
    assert state.is_completed()
    with Session(arboga) as session:
        asked = {
            code: len(
                session.exec(
                    select(SubmissionRequest)
                    .join(Municipality, Municipality.id == SubmissionRequest.municipality_id)
                    .where(Municipality.code == code)
                ).all()
            )
            for code in ("1984", "1983")
        }
    assert asked == {"1984": 10, "1983": 10}
    deadline = time.monotonic() + 20
    while True:
        run, tasks = asyncio.run(_run_and_tasks(state.state_details.flow_run_id))
        names = {t.name for t in tasks}
        if "begäran-tertial-2027-alla" in names or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # One opening task for every municipality of the run, not one per committee.
    assert [n for n in names if n.startswith("begäran-")] == ["begäran-tertial-2027-alla"]
    assert {"kommun-1984", "kommun-1983"} <= set(run.tags)
    # One request table for the run, each row naming its municipality.
    table = asyncio.run(_artifact("tertial-2027-alla-begaranden"))
    assert table is not None
    data = table.data  # type: ignore[attr-defined]
    rows = json.loads(data) if isinstance(data, str) else data
    assert len(rows) == 20
    per_municipality = {k: sum(r["Kommun"] == k for r in rows) for k in {r["Kommun"] for r in rows}}
    assert per_municipality == {"Arboga kommun": 10, "Kungsör kommun": 10}
    assert ("Kungsör kommun", "Socialnämnden") in {(r["Kommun"], r["Enhet"]) for r in rows}
    assert asyncio.run(_artifact("tertial-2027-1983-begaranden")) is None


@pytest.mark.slow
def test_a_watch_run_shows_its_steps_as_tasks_in_order(
    prefect_harness: None, arboga: Engine
) -> None:
    """Close, remind, escalate, mark ready: one task each, then the mail and the state."""
    import time

    from arshjul.flows.bevakning import bevakning

    key = ensure_link_key(arboga, get_settings()).key
    with Session(arboga) as session:
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        open_requests(
            session,
            municipality=municipality,
            stage=stage,
            as_of=dt.datetime(2027, 4, 13, 7, tzinfo=STOCKHOLM),
            link_key=key,
        )
        session.commit()

    # Wednesday 12 May: the grace (to 11 May) is over, three working days late.
    state = bevakning(as_of=dt.date(2027, 5, 12), return_state=True)
    assert state.is_completed()
    totals = state.result()
    assert (totals["closed"], totals["reminders"], totals["escalations"], totals["ready"]) == (
        10,
        0,
        20,  # each committee's head, then the chief executive
        1,
    )
    process = [
        "stäng-försenade-2027-05-12",
        "påminnelser-2027-05-12",
        "eskalera-2027-05-12",
        "klara-skeden-2027-05-12",
        "skicka-e-post",
        "läget-2027-05-12",
        "e-post",
    ]
    # Task runs reach the server as events: give their final names a moment to land.
    deadline = time.monotonic() + 20
    while True:
        run, tasks = asyncio.run(_run_and_tasks(state.state_details.flow_run_id))
        names = {t.name for t in tasks}
        if set(process) <= names or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert run.name == "bevakning-2027-05-12"
    # Filtering the runs by year or municipality keeps the watch (issue 14).
    assert {"arshjul", "bevakning", "2027", "kommun-1984"} <= set(run.tags)
    steps = [t.name for t in sorted(tasks, key=lambda t: t.expected_start_time)]
    assert steps == process  # one task per step, not one per municipality and step
    assert all(not t.tags for t in tasks)

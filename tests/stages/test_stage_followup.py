"""The follow-up year 2027 through the stage functions, on SQLite and PostgreSQL.

Socialnämnden overspends beyond the threshold in April and recovers by the
autumn: the escalation goes out once, the action plan is requested, followed
up in June and November, and closed; the documents show all of it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.deployments import flow_for
from arshjul.lifecycle.submissions import store_submission
from arshjul.models import (
    ActionPlan,
    ActionPlanFollowUp,
    BudgetFrame,
    Deviation,
    FinancialFigure,
    Municipality,
    OrgUnit,
    OutboxMessage,
    StageInstance,
    SubmissionRequest,
)
from arshjul.settings import Settings
from arshjul.tasks.step import run_directly

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FRAMES_TKR = {"ks": 160_000, "bun": 420_000, "fkn": 60_000, "sn": 360_000, "vn": 1_005}


def at(day: str, clock: str = "07:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=STOCKHOLM)


@pytest.fixture
def year(engine: Engine, tmp_path: Path, smtp_inbox, monkeypatch) -> tuple[Engine, Settings]:  # type: ignore[no-untyped-def]
    from arshjul.settings import get_settings

    monkeypatch.setenv("ARSHJUL_SECRET_KEY", "s" * 40)
    get_settings.cache_clear()
    settings = Settings(
        database_url=str(engine.url.render_as_string(hide_password=False)),
        secret_key="s" * 40,
        smtp_host="127.0.0.1",
        smtp_port=int(os.environ["ARSHJUL_SMTP_PORT"]),
        output_dir=tmp_path / "utdata",
    )
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        units = {u.key: u for u in session.exec(select(OrgUnit))}
        for key, tkr in FRAMES_TKR.items():
            session.add(
                BudgetFrame(
                    municipality_id=municipality.id,
                    unit_id=units[key].id,
                    budget_year=2027,
                    kind="operations",
                    status="council",
                    amount_kr=tkr * 1000,
                )
            )
            for month in range(1, 13):  # a twelfth a month; SN runs hot until the autumn
                extra = 600_000 if key == "sn" and month <= 8 else 0
                session.add(
                    FinancialFigure(
                        municipality_id=municipality.id,
                        unit_id=units[key].id,
                        year=2027,
                        month=month,
                        kind="actual",
                        amount_kr=tkr * 1000 // 12
                        + extra
                        - (900_000 if key == "sn" and month > 8 else 0),
                    )
                )
        session.commit()
    return engine, settings


@dataclass
class Outcome:
    """What a run of a stage's flow did, as the assertions below read it."""

    state: str
    opened: list[str]
    documents: list[Path]


def _requests(engine: Engine) -> list[tuple[int, str]]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(SubmissionRequest.id, OrgUnit.name)
                .join(OrgUnit, OrgUnit.id == SubmissionRequest.unit_id)
                .order_by(SubmissionRequest.id)
            ).all()
        )  # type: ignore[arg-type]


def _commit_run(engine: Engine, settings: Settings, slug: str, when: dt.datetime, key: str = ""):  # type: ignore[no-untyped-def]
    """The stage's own flow, run without Prefect (its body, every step a plain call)."""
    before = {request_id for request_id, _ in _requests(engine)}
    results = run_directly(flow_for(slug), year=2027, as_of=when, municipality="1984")
    result = results["1984" + (f":{key}" if key else "")]
    opened = [name for request_id, name in _requests(engine) if request_id not in before]
    return Outcome(result["state"], opened, [Path(p) for p in result["documents"]])


def _answer(
    engine: Engine, slug: str, unit_key: str, data: dict, when: dt.datetime, key: str = ""
) -> None:
    with Session(engine) as session:
        request = session.exec(
            select(SubmissionRequest)
            .join(StageInstance, StageInstance.id == SubmissionRequest.stage_instance_id)
            .join(OrgUnit, OrgUnit.id == SubmissionRequest.unit_id)
            .where(
                StageInstance.slug == slug,
                StageInstance.instance_key == key,
                OrgUnit.key == unit_key,
            )
        ).one()
        store_submission(
            session,
            request=request,
            data=data,
            submitted_by=f"{unit_key}@arboga.example",
            as_of=when,
        )
        session.commit()


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts).replace("\u00a0", " ")


def test_overspend_is_escalated_once_planned_followed_up_and_closed(
    smtp_inbox,  # type: ignore[no-untyped-def]
    year: tuple[Engine, Settings],
) -> None:
    engine, settings = year
    first = _commit_run(engine, settings, "tertial", at("2027-04-13"))
    assert len(first.opened) == 10  # five framed units and five companies
    for key, tkr in FRAMES_TKR.items():
        forecast = (tkr + 5_000) * 1000 if key == "sn" else tkr * 1000
        _answer(
            engine,
            "tertial",
            key,
            {
                "forecast_kr": forecast,
                "deviation_explanation": "Fler placeringar" if key == "sn" else "",
                "measures": "",
            },
            at("2027-05-03", "10:00"),
        )
    again = _commit_run(
        engine, settings, "tertial", at("2027-05-12")
    )  # the companies' grace is over
    assert again.state == "compiled" and len(again.documents) == 1
    twice = _commit_run(engine, settings, "tertial", at("2027-05-13"))
    assert twice.documents == []

    with Session(engine) as session:
        escalations = session.exec(
            select(OutboxMessage).where(OutboxMessage.purpose == "deviation_escalation")
        ).all()
        assert len(escalations) == 1 and "Socialnämnden" in escalations[0].subject
        sn_dev = session.exec(select(Deviation).where(Deviation.beyond_threshold == True)).one()  # noqa: E712
        assert sn_dev.deviation_kr == -5_000_000
        plan = session.exec(select(ActionPlan)).one()
        assert plan.state == "requested"
        plan_requests = [
            m
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "request"))
            if "sn.sekreterare@arboga.example" in str(m.to)
        ]
        assert len(plan_requests) == 2  # the tertial request and the action plan request
    tertial_text = _text(again.documents[0])
    assert "Socialnämnden" in tertial_text and "−5 000,0" in tertial_text

    _answer(
        engine,
        "atgardsplan",
        "sn",
        {
            "measures": [
                {
                    "text": "Färre externa placeringar",
                    "effect_kr": 3_000_000,
                    "decided_by": "Socialnämnden",
                    "when": "2027-06-15",
                },
                {
                    "text": "Vakansprövning",
                    "effect_kr": 2_000_000,
                    "decided_by": "Förvaltningschefen",
                    "when": "2027-06-01",
                },
            ],
            "needs_executive_board": False,
        },
        at("2027-05-20", "11:00"),
        key="sn",
    )
    planned = _commit_run(engine, settings, "atgardsplan", at("2027-05-21"), key="sn")
    assert planned.state == "compiled"

    june = _commit_run(engine, settings, "ekonomirapport-juni", at("2027-06-01"))
    assert june.opened == ["Socialnämnden"]
    _answer(
        engine,
        "ekonomirapport-juni",
        "sn",
        {"progress": "Placeringarna minskar", "remaining_deviation_kr": -3_000_000},
        at("2027-06-02", "09:00"),
    )
    june = _commit_run(engine, settings, "ekonomirapport-juni", at("2027-06-07"))
    assert june.state == "compiled"

    november = _commit_run(engine, settings, "ekonomirapport-november", at("2027-11-02"))
    assert november.opened == ["Socialnämnden"]
    _answer(
        engine,
        "ekonomirapport-november",
        "sn",
        {"progress": "I balans", "remaining_deviation_kr": 0},
        at("2027-11-03", "09:00"),
    )
    november = _commit_run(engine, settings, "ekonomirapport-november", at("2027-11-11"))

    with Session(engine) as session:
        plan = session.exec(select(ActionPlan)).one()
        follow_ups = session.exec(select(ActionPlanFollowUp)).all()
        assert [f.remaining_deviation_kr for f in follow_ups] == [-3_000_000, 0]
        assert plan.state == "closed" and plan.closed_on == dt.date(2027, 11, 11)
        purposes = Counter(m.purpose for m in session.exec(select(OutboxMessage)))
        assert purposes["deviation_escalation"] == 1
    # What arrived at the real SMTP server: the escalation once, to the head and controller.
    escalated = [m for m in smtp_inbox.messages if str(m["Subject"]).startswith("Avvikelse")]
    assert len(escalated) == 1 and "Socialnämnden" in str(escalated[0]["Subject"])
    assert "sof.chef@arboga.example" in str(escalated[0]["To"])
    # The head reads the committee's own explanation, not "(ingen förklaring lämnad)".
    body = escalated[0].get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    assert "Fler placeringar" in body and "ingen förklaring" not in body
    asked = [m for m in smtp_inbox.messages if "åtgärdsplan" in str(m["Subject"]).lower()]
    assert asked and "sn.sekreterare@arboga.example" in str(asked[0]["To"])
    report = _text(november.documents[0])
    assert "Färre externa placeringar" in report and "I balans" in report

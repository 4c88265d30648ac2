"""The budget a secretary sees beside the form is the frame the deviation is measured
against: both follow governance.frames, also when the council's frame is not yet in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.forms.figures import stage_facts
from arshjul.lifecycle.cycle import ensure_stage_instance
from arshjul.lifecycle.requests import open_requests
from arshjul.models import BudgetFrame, FrameKind, FrameStatus, Municipality, OrgUnit
from arshjul.stages.deviations import operating_frame

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KEY = b"k" * 32


def _frame(
    session: Session, municipality: Municipality, unit: OrgUnit, status: str, tkr: int
) -> None:
    session.add(
        BudgetFrame(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            unit_id=unit.id,  # type: ignore[arg-type]
            budget_year=2027,
            kind=FrameKind.OPERATIONS,
            status=FrameStatus(status),
            amount_kr=tkr * 1000,
        )
    )
    session.flush()


def test_the_form_shows_the_frame_the_deviation_is_measured_against(engine: Engine) -> None:
    with Session(engine) as session:
        apply_config(session, load_config())
        municipality = session.exec(select(Municipality)).one()
        bun = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        as_of = dt.datetime(2027, 4, 20, 8, tzinfo=STOCKHOLM)
        opened = open_requests(
            session, municipality=municipality, stage=stage, as_of=as_of, link_key=KEY
        )
        request = next(r for r in opened.created if r.unit_id == bun.id)

        def shown() -> int | None:
            figures = {f.key: f.kronor for f in stage_facts(session, request).figures}
            return figures["budget_kr"]

        assert shown() is None  # no frame: "uppgift saknas", never 0
        _frame(session, municipality, bun, "preliminary", 390_000)
        _frame(session, municipality, bun, "executive_board", 400_000)
        # Before the council has decided, the board's frame counts, on the page and in
        # the deviation alike (the page used to show nothing until the council's frame).
        assert shown() == 400_000_000
        assert operating_frame(session, unit_id=bun.id, budget_year=2027) == 400_000_000  # type: ignore[arg-type]
        _frame(session, municipality, bun, "council", 410_000)
        assert shown() == operating_frame(session, unit_id=bun.id, budget_year=2027) == 410_000_000  # type: ignore[arg-type]

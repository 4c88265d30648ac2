"""The planning half of a year through the stage functions, with mail to a real SMTP server.

A standard year (2027) and two election years (2026, 2030) on SQLite, and 2027
on PostgreSQL: simulated secretaries answer (some late, Valnämnden never), the
bodies decide, and the documents must add up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import docx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from arshjul.demo.year import PLANNING, Year, at
from arshjul.lifecycle.reviews import political_documents_due_in_term
from arshjul.models import (
    BudgetFrame,
    Cycle,
    Decision,
    GeneratedDocument,
    Municipality,
    OutboxMessage,
    StageInstance,
)


def _text(path: str) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(parts).replace("\u00a0", " ").replace("\u2212", "-")


def _tkr(text: str) -> int:
    return round(float(text.replace(" ", "").replace(",", ".")) * 1000)


def _run_planning_year(year: int, tmp_path: Path, smtp_inbox, database_url: str | None = None):  # type: ignore[no-untyped-def]
    from sqlmodel import Session as S

    from arshjul.config.apply import apply_config
    from arshjul.config.loader import load_config
    from arshjul.models.db import get_engine, upgrade
    from arshjul.settings import get_settings

    engine = get_engine(database_url or get_settings().database_url)
    upgrade(engine)
    with S(engine) as session:
        apply_config(session, load_config())
        session.commit()
    Year(
        engine,
        year,
        tmp_path,
        lambda _: None,
        through_prefect=False,
        slugs=set(PLANNING),
        never=frozenset({"vn"}),
    ).run()
    return engine


@pytest.mark.parametrize("year", [2027, 2026, 2030])
def test_planning_half_on_sqlite(year: int, tmp_path: Path, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    engine = _run_planning_year(year, tmp_path, smtp_inbox)
    _check_year(engine, year, smtp_inbox)


@pytest.mark.postgres
def test_planning_half_on_postgresql(tmp_path: Path, smtp_inbox, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    engine = _run_planning_year(2027, tmp_path, smtp_inbox, postgres_url)
    _check_year(engine, 2027, smtp_inbox)


def _check_year(engine, year: int, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        stages = {
            s.slug: s
            for s in session.exec(select(StageInstance).join(Cycle).where(Cycle.year == year))
        }
        expected = {
            "ramar",
            "ledningsdialog-mars",
            "namndanalys",
            "budgetdag",
            "ks-beslut",
            "kf-beslut",
            "ledningsdialog-september",
            "namndbudget",
        }
        if year in (2026, 2030):
            expected.add("politisk-oversyn")
        assert expected <= set(stages)
        assert all(stages[s].state in ("compiled", "decided") for s in expected), {
            s: stages[s].state for s in expected
        }

        decisions = {d.stage_instance_id: d for d in session.exec(select(Decision))}
        kf = next(d for d in decisions.values() if d.stage_instance_id == stages["kf-beslut"].id)
        if year in (2026, 2030):
            # The newly elected council decides: after 15 October, before December.
            assert dt.date(year, 10, 15) < kf.decided_on <= dt.date(year, 11, 30)
            assert stages["namndbudget"].deadline_on.month == 12
        else:
            assert kf.decided_on.month == 8

        council = session.exec(
            select(BudgetFrame).where(
                BudgetFrame.budget_year == year + 1,
                BudgetFrame.status == "council",
                BudgetFrame.kind == "operations",
            )
        ).all()
        assert len(council) == 5 and all(f.decision_id == kf.id for f in council)

        documents = {d.kind: d.path for d in session.exec(select(GeneratedDocument))}
        # The plan the council adopted: frames per committee sum to the total.
        sep = _text(documents["kf-beslut"])
        assert "(förslag)" not in Path(documents["kf-beslut"]).name
        rows = [line.split("|") for line in sep.splitlines() if line.count("|") == 3]
        frame_rows = [
            r
            for r in rows
            if r[0]
            in {
                "Kommunstyrelsen",
                "Barn- och utbildningsnämnden",
                "Fritids- och kulturnämnden",
                "Socialnämnden",
                "Valnämnden",
            }
        ]
        total_row = next(
            r for r in rows if r[0].startswith("Summa") and re.match(r"[\d ]+,\d", r[1])
        )
        # Shown in tkr with one decimal: each figure is within 50 kr of the krona.
        shown_total = _tkr(total_row[1])
        assert abs(sum(_tkr(r[1]) for r in frame_rows[:5]) - shown_total) <= 50 * 5
        assert abs(sum(f.amount_kr for f in council) - shown_total) <= 50

        # Every funding request appears in the budget day material.
        budgetdag = _text(documents["budgetdag"])
        assert "Fler elever i grundskolan" in budgetdag and "Utökad hemtjänst" in budgetdag
        # Every committee's budget sums to its frame (Valnämnden never answered).
        namndbudget = _text(documents["namndbudget"])
        assert "Valnämnden" in namndbudget
        assert "inte ramen" not in namndbudget
        if year in (2026, 2030):
            # The political documents the new council is to review in its term, from the
            # register (Arboga's 18 of section 6.1, each due once per term).
            due = political_documents_due_in_term(
                session, municipality=session.exec(select(Municipality)).one(), election_year=year
            )
            oversyn = docx.Document(documents["politisk-oversyn"])
            (table,) = [t for t in oversyn.tables if t.rows[0].cells[0].text == "Styrdokument"]
            assert [r.cells[0].text for r in table.rows[1:]] == [d.title for d in due]
            assert len(due) == 18

        # Mail: what arrived at the SMTP server is what the outbox sent, once each.
        sent = session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent")
        ).one()
        assert len(smtp_inbox.messages) == sent
        ids = Counter(str(m["Message-ID"]) for m in smtp_inbox.messages)
        assert max(ids.values()) == 1
        subjects = smtp_inbox.subjects()
        never = [s for s in subjects if s.startswith("Eskalering") and "Valnämnden" in s]
        assert len(never) >= 4  # namndanalys and namndbudget: to the head, then the chief
        assert any(s.startswith("Påminnelse") for s in subjects)
        notices = [s for s in subjects if "Fullmäktiges beslut om ram" in s]
        assert len(notices) == 5

    # Each stage run again sends nothing more.
    from arshjul.deployments import flow_for
    from arshjul.tasks.step import run_directly

    with Session(engine) as session:
        before = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    for slug in expected:
        run_directly(
            flow_for(slug), year=year, as_of=at(dt.date(year, 12, 30)), municipality="1984"
        )
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == before

"""The year at a glance in the Prefect UI: "Årshjulet 2027 – Arboga kommun" and "Behöver åtgärd".

Two markdown artifacts per municipality, with stable keys, published by every
stage run (for its year) and every daily watch (for the years in progress):

* ``arshjulet-2027-1984``: every stage of the year with its dates, state,
  answers, late answers, open requests, deviations beyond the threshold, open
  action plans, decision and links to its documents (served by the portal);
* ``behover-atgard-1984``: only what a manager must act on today.

The rows come from :func:`arshjul.lifecycle.overview.year_overview`; this module
only renders and publishes them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from arshjul.lifecycle.overview import YearOverview, year_overview
from arshjul.mail.address import addresses
from arshjul.models import Cycle, StageInstance
from arshjul.models.cycle import StageState
from arshjul.models.db import session_scope
from arshjul.queries.organisation import get_municipality
from arshjul.settings import Settings
from arshjul.tasks.artifacts import Artifact, publish
from arshjul.timezone import STOCKHOLM

# Narrow enough for the UI's page without scrolling sideways; the documents follow the table.
COLUMNS = (
    "Skede",
    "Öppnar",
    "Sista dag",
    "Beslut",
    "Läge",
    "Svar",
    "Öppna",
    "Avvikelser",
)
NOTHING_TO_DO = "Inget behöver åtgärdas i dag."


def overview_key(year: int, code: str) -> str:
    return f"arshjulet-{year}-{code}"


def attention_key(code: str) -> str:
    return f"behover-atgard-{code}"


def _cell(text: str) -> str:
    """A markdown table cell: a pipe or a line break would end it."""
    return text.replace("|", "\\|").replace("\n", " ")


def overview_markdown(overview: YearOverview) -> str:
    """The year as one markdown table, stage by stage in calendar order, then its documents.

    ``Beslut``: the registered decision (paragraph and day), else the day it is
    due; ``Svar``: answered of asked, and how many late; ``Avvikelser``:
    deviations beyond the threshold, and the action plans not yet closed. Eight
    columns: twelve did not fit the UI's page beside its side panel.
    """
    lines = [
        f"# {overview.title}",
        "",
        f"Läget den {overview.as_of.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}. "
        "Svar: inlämnade av begärda, och hur många av dem som kom efter sista dag. Öppna: "
        "begäranden utan svar. Avvikelser: över tröskeln, och åtgärdsplaner som inte är "
        "avslutade. Beslut: paragraf och dag när beslutet är registrerat, annars dagen det "
        "ska fattas.",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in overview.rows:
        due = f"{row.decision_on:%Y-%m-%d}" if row.decision_on else "–"
        cells = [
            _cell(row.name),
            f"{row.opens_on:%Y-%m-%d}",
            f"{row.deadline_on:%Y-%m-%d}",
            _cell(row.decision) or due,
            row.state_sv,
            _answers(row.answered, row.requests, row.answered_late),
            str(row.open_requests),
            _deviations(row.deviations_beyond, row.open_action_plans),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if overview.waivers:
        lines += ["", *(f"- {_cell(w)}" for w in overview.waivers)]
    if (register := overview.governing) is not None:
        lines += [
            "",
            "## Styrdokument",
            "",
            f"Översedda {overview.year}: {register.reviewed}. Ska ses över (inom "
            f"framförhållningen): {register.due}. Försenade: {register.overdue}.",
        ]
        for label, titles in (
            ("Försenad", register.overdue_titles),
            ("Ska ses över", register.due_titles),
        ):
            lines += [f"- {label}: {_cell(t)}" for t in titles]
    if overview.kolada:
        lines += ["", f"Jämförelser: {_cell(overview.kolada)}"]
    written = [row for row in overview.rows if row.documents]
    lines += ["", "## Dokument", ""]
    if not written:
        lines.append("Inga dokument är skrivna ännu.")
    for row in written:
        for doc in row.documents:
            lacking = f" – uppgift saknas: {'; '.join(doc.missing)}" if doc.missing else ""
            lines.append(f"- {row.name}: [{doc.title} (version {doc.version})]({doc.url}){lacking}")
    lines += [
        "",
        "Dokumenten öppnas på webbsidans personalsida (inloggning krävs; README, "
        "Dokumenten på webben).",
    ]
    return "\n".join(lines)


def _answers(answered: int, asked: int, late: int) -> str:
    """``8 av 10, 2 sena``; a dash when nobody was asked."""
    if not asked:
        return "–"
    return f"{answered} av {asked}" + (f", {late} {'sen' if late == 1 else 'sena'}" if late else "")


def _deviations(beyond: int, plans: int) -> str:
    """``1, 1 åtgärdsplan``: deviations beyond the threshold and the plans still open."""
    if not plans:
        return str(beyond)
    return f"{beyond}, {plans} {'åtgärdsplan' if plans == 1 else 'åtgärdsplaner'}"


def attention_markdown(overviews: list[YearOverview]) -> str:
    """What needs a manager today, over the years shown, or a line saying nothing does."""
    if not overviews:
        return f"# Behöver åtgärd\n\n{NOTHING_TO_DO}"
    first = overviews[0]
    lines = [
        f"# Behöver åtgärd – {first.municipality}",
        "",
        f"Den {first.as_of.astimezone(STOCKHOLM):%Y-%m-%d}.",
        "",
    ]
    items = [(o.year, a) for o in overviews for a in o.attention]
    if not items:
        lines.append(NOTHING_TO_DO)
    for year, item in items:
        lines.append(f"- **{_cell(item.stage)} {year}**: {item.what}. {item.todo}")
    return "\n".join(lines)


def years_in_progress(session: Session, municipality_id: int, as_of: dt.datetime) -> list[int]:
    """This calendar year's cycle and every cycle with a stage still open or ready."""
    busy = session.exec(
        select(Cycle.year)
        .join(StageInstance, col(StageInstance.cycle_id) == Cycle.id)
        .where(
            Cycle.municipality_id == municipality_id,
            col(StageInstance.state).in_([StageState.OPEN, StageState.READY]),
        )
        .distinct()
    ).all()
    return sorted({as_of.astimezone(STOCKHOLM).year, *busy})


def overview_artifacts(
    engine: Engine,
    settings: Settings,
    *,
    codes: list[str],
    as_of: dt.datetime,
    year: int | None = None,
) -> list[Artifact]:
    """Per municipality: the year's table (``year``, or every year in progress) and the to-do."""
    artifacts: list[Artifact] = []
    with session_scope(engine) as session:
        municipalities = [get_municipality(session, code) for code in codes]
        urls = addresses(
            session.connection(), settings, [m.id for m in municipalities if m.id is not None]
        )
        for municipality in municipalities:
            assert municipality.id is not None
            # The to-do covers every year in progress; a stage run shows its own year's table.
            years = years_in_progress(session, municipality.id, as_of)
            if year is not None and year not in years:
                years = sorted({*years, year})
            overviews = [
                year_overview(
                    session,
                    municipality=municipality,
                    year=y,
                    as_of=as_of,
                    portal_url=urls[municipality.id].url,
                )
                for y in years
            ]
            artifacts += [
                Artifact(
                    "markdown",
                    key=overview_key(o.year, o.code),
                    content=overview_markdown(o),
                    description=o.title,
                )
                for o in overviews
                if year is None or o.year == year
            ]
            artifacts.append(
                Artifact(
                    "markdown",
                    key=attention_key(municipality.code),
                    content=attention_markdown(overviews),
                    description=f"Behöver åtgärd – {municipality.name}",
                )
            )
    return artifacts


def publish_overviews(
    engine: Engine,
    settings: Settings,
    *,
    codes: list[str],
    as_of: dt.datetime,
    year: int | None = None,
) -> int:
    """Publish the overviews and to-dos of the run's municipalities; how many artifacts."""
    artifacts = overview_artifacts(engine, settings, codes=codes, as_of=as_of, year=year)
    publish(artifacts)
    return len(artifacts)

"""The daily watch (bevakning): every working day at 07:00, Europe/Stockholm."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.models import Municipality
from arshjul.models.db import session_scope
from arshjul.tasks.common import engine_and_settings, resolve_as_of, run_name
from arshjul.tasks.mail import deliver_mail, publish_mail_state
from arshjul.tasks.watch import publish_status, watch_municipality
from arshjul.timezone import STOCKHOLM


def _all_codes() -> list[str]:
    from sqlmodel import select

    engine, _ = engine_and_settings()
    with session_scope(engine) as session:
        return [m.code for m in session.exec(select(Municipality).order_by(Municipality.code))]


@flow(
    name="Bevakning",
    flow_run_name=run_name("bevakning"),
    description="Påminnelser, eskaleringar och sammanställning av det som är klart.",
)
def bevakning(
    as_of: dt.datetime | dt.date | None = None, municipality: str | None = None
) -> dict[str, int]:
    """Remind, escalate, mark what is ready, deliver the mail, show the state and the mail's."""
    moment = resolve_as_of(as_of)
    logger = get_run_logger()
    totals: dict[str, int] = {"reminders": 0, "escalations": 0, "closed": 0, "ready": 0}
    day = moment.astimezone(STOCKHOLM).date()
    if not WORKING_DAYS.is_working_day(day):
        # The schedule runs Monday to Friday; a holiday needs no watch.
        logger.info(
            "%s är ingen arbetsdag (%s): ingen bevakning.", day, WORKING_DAYS.why_not_working(day)
        )
        return totals | {"mail_sent": 0, "mail_failed": 0, "mail_deferred": 0, "mail_notices": 0}
    codes = [municipality] if municipality else _all_codes()
    if not codes:
        logger.warning("Databasen har ingen kommun: kör arshjul init.")
    for code in codes:
        for name, n in watch_municipality(code, moment).items():
            totals[name] += n
    totals.update({f"mail_{k}": v for k, v in deliver_mail(moment).items()})
    for code in codes:
        publish_status(code, moment)
    publish_mail_state(codes, moment)
    return totals

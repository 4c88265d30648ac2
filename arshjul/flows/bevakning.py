"""The daily watch (bevakning): every working day at 07:00, Europe/Stockholm."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.flows.common import fails_in_swedish
from arshjul.tasks.common import resolve_as_of, run_name
from arshjul.tasks.mail import deliver_mail, publish_mail_state
from arshjul.tasks.step import step_logger
from arshjul.tasks.watch import (
    begin_watch,
    close_requests,
    escalate,
    mark_ready,
    publish_status,
    remind,
)
from arshjul.timezone import STOCKHOLM

NO_MAIL = {"mail_sent": 0, "mail_failed": 0, "mail_deferred": 0, "mail_notices": 0}


@flow(
    name="Bevakning",
    flow_run_name=run_name("bevakning"),
    description=(
        "Stäng det som passerat fristen, påminn, eskalera, markera klara skeden; "
        "skicka e-posten och visa läget."
    ),
)
@fails_in_swedish
def bevakning(
    as_of: dt.datetime | dt.date | None = None, municipality: str | None = None
) -> dict[str, int]:
    """Close, remind, escalate, mark what is ready; deliver the mail, show the state and the mail's.

    Each of the four steps is a task over every municipality of the run, one
    transaction per municipality (``arshjul/tasks/watch.py``). If one fails, the
    run fails there: what the steps before it did stays done, the mail already
    queued goes with the next run's delivery, and the next watch redoes the rest
    (each step is idempotent: ``arshjul/lifecycle/watch.py``).
    """
    moment = resolve_as_of(as_of)
    logger = step_logger()
    totals: dict[str, int] = {"reminders": 0, "escalations": 0, "closed": 0, "ready": 0}
    day = moment.astimezone(STOCKHOLM).date()
    if not WORKING_DAYS.is_working_day(day):
        # The schedule runs Monday to Friday; a holiday needs no watch.
        logger.info(
            "%s är ingen arbetsdag (%s): ingen bevakning.", day, WORKING_DAYS.why_not_working(day)
        )
        return totals | NO_MAIL
    run = begin_watch(moment, municipality)
    if not run.codes:
        logger.warning("Databasen har ingen kommun: kör arshjul init.")
    totals["closed"] = close_requests(run)
    totals["reminders"] = remind(run)
    totals["escalations"] = escalate(run)
    totals["ready"] = mark_ready(run)
    totals.update({f"mail_{k}": v for k, v in deliver_mail(moment).items()})
    publish_status(run)
    publish_mail_state(list(run.codes), moment)
    logger.info(
        "Bevakning %s: %d påminnelser, %d eskaleringar, %d stängda begäranden, "
        "%d skeden klara att sammanställa",
        run.day,
        totals["reminders"],
        totals["escalations"],
        totals["closed"],
        totals["ready"],
    )
    return totals

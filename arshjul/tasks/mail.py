"""Delivering the outbox as a Prefect task, and telling the controller what was refused."""

from __future__ import annotations

import datetime as dt

from arshjul.mail.outbox import queue_failure_notices
from arshjul.mail.sender import deliver_queued
from arshjul.tasks.artifacts import publish_mail_artifacts
from arshjul.tasks.common import engine_and_settings
from arshjul.tasks.step import step, step_logger, without_a_server


@step("Skicka e-post", "skicka-e-post")
def deliver_mail(as_of: dt.datetime) -> dict[str, int]:
    """Deliver what is queued, then tell the controllers of refusals, once per run."""
    from prefect.runtime import flow_run

    engine, settings = engine_and_settings()
    report = deliver_queued(engine, settings=settings, as_of=as_of)
    logger = step_logger()
    notices = queue_failure_notices(engine, as_of=as_of, run_key=flow_run.get_id())
    if notices:
        logger.warning(
            "E-post som inte kom fram: besked till controllern köat (%d %s)",
            notices,
            "kommun" if notices == 1 else "kommuner",
        )
        if not report.error:  # the server is up: the notice goes now, not at the next pass
            again = deliver_queued(engine, settings=settings, as_of=as_of)
            report.sent += again.sent
            report.failed += again.failed
            report.deferred += again.deferred
    where = (
        f"som .eml-filer i {settings.mail_dir}" if settings.mail_to_files else settings.smtp_host
    )
    logger.info(
        "E-post: %d skickade (%s), %d misslyckade, %d väntar på nytt försök",
        report.sent,
        where,
        report.failed,
        report.deferred,
    )
    return {
        "sent": report.sent,
        "failed": report.failed,
        "deferred": report.deferred,
        "notices": notices,
    }


@step("Publicera e-postläget", "e-post")
def publish_mail_state(codes: list[str], as_of: dt.datetime) -> int:
    """Per municipality: the requests whose e-mail was refused and what still waits."""

    if without_a_server():
        return 0  # artifacts live in Prefect
    engine, _ = engine_and_settings()
    return publish_mail_artifacts(engine, codes=codes, as_of=as_of)

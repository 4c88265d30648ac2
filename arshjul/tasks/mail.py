"""Delivering the outbox as a Prefect task."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task

from arshjul.tasks.common import engine_and_settings


@task(name="Skicka e-post", task_run_name="skicka-e-post")
def deliver_mail(as_of: dt.datetime) -> dict[str, int]:
    """Deliver what is queued; an SMTP outage leaves it queued for the next pass."""
    from arshjul.mail.sender import deliver_queued

    engine, settings = engine_and_settings()
    report = deliver_queued(engine, settings=settings, as_of=as_of)
    logger = get_run_logger()
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
    return {"sent": report.sent, "failed": report.failed, "deferred": report.deferred}

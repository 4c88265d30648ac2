"""Stored answers as their forms' models, and the meeting a planning document goes to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from arshjul.forms.base import StageForm
from arshjul.forms.registry import form_for
from arshjul.models import StageInstance, Submission, SubmissionRequest
from arshjul.stages.base import StageContext

Form = TypeVar("Form", bound=StageForm)


def answers_by_unit(session: Session, stage: StageInstance, form: type[Form]) -> dict[int, Form]:
    """The current answer of every unit that answered a stage, as the stage's form model.

    ``form`` is what the caller reads: the stage's own form, or one it derives
    from (``ForecastForm`` for the tertial and the interim report, ``StageForm``
    for code that serves several stages and tells the forms apart itself). The
    answers are built as the stage's own form (:func:`arshjul.forms.form_for`)
    from what it stored (:meth:`StageForm.from_stored`), not validated again.
    Units come in the order of their requests, as the database gives them.
    """
    stored = form_for(stage.slug)
    if not issubclass(stored, form):
        raise TypeError(f"{stage.slug} answers with {stored.__name__}, not {form.__name__}")
    requests = session.exec(
        select(SubmissionRequest.id, SubmissionRequest.unit_id).where(
            SubmissionRequest.stage_instance_id == stage.id
        )
    ).all()
    current: dict[int, Mapping[str, Any]] = dict(
        session.exec(
            select(Submission.request_id, Submission.data).where(
                col(Submission.request_id).in_([request_id for request_id, _ in requests]),
                Submission.is_current == True,  # noqa: E712
            )
        ).all()
    )
    return {
        unit_id: stored.from_stored(current[request_id])
        for request_id, unit_id in requests
        if request_id in current
    }


def meeting(ctx: StageContext) -> dict[str, Any]:
    """The meeting a planning document goes to, and whether it is the demo's."""
    return {"meeting_date": ctx.stage.decision_on, "demo": ctx.demo}

"""Reading a committee's stored answer in the planning stages: its texts, rows and meeting."""

from __future__ import annotations

from typing import Any

from arshjul.stages.base import StageContext


def answer_text(answer: dict[str, Any], key: str) -> str:
    """A text field of a stored answer ("" when not answered)."""
    value = answer.get(key)
    return str(value) if value else ""


def answer_rows(answer: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A repeated group of a stored answer, its rows as stored."""
    value = answer.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def meeting(ctx: StageContext) -> dict[str, Any]:
    """The meeting a planning document goes to, and whether it is the demo's."""
    return {"meeting_date": ctx.stage.decision_on, "demo": ctx.demo}

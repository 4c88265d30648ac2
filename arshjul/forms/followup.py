"""The follow-up stages' forms: tertial, delår, årsredovisning, ekonomirapport, åtgärdsplan.

The keys are those the follow-up documents read (``forecast_kr``,
``deviation_explanation``, ``measures``, ``goals``, ``indicators``,
``result_comment``, ``progress``, ``remaining_deviation_kr`` …).

The annual report asks for the outcome of each of the unit's controls of the
year (``controls``: ``{control key: {"outcome": …, "measure": …}}``); the
controls come from the validation context like the goals do
(:func:`arshjul.forms.figures.controls_for`), highest risk first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import (
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from arshjul.formats import format_tkr
from arshjul.forms.base import FormPart, GoalJudgement, RowPart, StageForm, to_answers
from arshjul.forms.fields import date, goals, indicators, longtext, rows, tkr, yesno
from arshjul.forms.fields import text as line


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


class ForecastForm(StageForm):
    """A full-year forecast, explained when it differs from the budget frame."""

    forecast_kr: int = tkr(
        "Helårsprognos",
        "Nämnder: prognos för årets nettokostnad i tkr. Bolag: prognos för årets resultat "
        "(negativt belopp = förlust).",
        negative_for=("company",),
        compare="budget_kr",
    )
    deviation_explanation: str = longtext(
        "Förklaring till avvikelsen",
        "Måste fyllas i när prognosen avviker från budgetramen: vad beror avvikelsen på?",
        required=False,
    )

    @field_validator("deviation_explanation")
    @classmethod
    def _deviation_explained(cls, value: str, info: ValidationInfo) -> str:
        budget = _context(info).get("budget_kr")
        forecast = info.data.get("forecast_kr")
        if budget is not None and forecast is not None and forecast != budget and not value:
            raise ValueError(
                f"Prognosen ({format_tkr(forecast)}) avviker från budgetramen "
                f"({format_tkr(budget)}): förklara avvikelsen"
            )
        return value


class TertialForm(ForecastForm):
    title: ClassVar[str] = "Tertialuppföljning"

    measures: str = longtext(
        "Åtgärder inom egen delegation",
        "Vad nämnden själv gör för att hålla budgeten.",
        required=False,
    )


def _events() -> str:
    return longtext(
        "Händelser av väsentlig betydelse",
        "Det som hänt under perioden som påverkar verksamheten eller ekonomin; lämna tomt "
        "om inget sådant har hänt.",
        required=False,
    )


def _board_text(title: str, description: str) -> str:
    """A part of the management report that the executive board writes."""
    return longtext(title, description, required=False, only_for=("executive_board",))


class DelarForm(ForecastForm):
    title: ClassVar[str] = "Delårsrapport"

    measures: str = longtext(
        "Åtgärder inom egen delegation",
        "Vad nämnden själv gör för att hålla budgeten.",
        required=False,
    )
    significant_events: str = _events()
    expected_development: str = _board_text(
        "Förväntad utveckling",
        "Förvaltningsberättelsen: hur ekonomin och verksamheten väntas utvecklas resten av "
        "året och därefter.",
    )
    goals: dict[str, GoalJudgement] = goals(
        "Måluppfyllelse", "Bedöm vart och ett av nämndens mål och motivera bedömningen."
    )
    indicators: dict[str, float | None] = indicators(
        "Indikatorer", "Värdet hittills i år; lämna tomt om det inte finns ännu."
    )


class ControlAnswer(FormPart):
    """What one control of the internal control plan found, and what follows from it."""

    outcome: str = longtext(
        "Utfall", "Vad kontrollen visade: gjordes den, och fanns det brister?", max_length=2000
    )
    measure: str = longtext(
        "Åtgärd", "Vad som görs med det kontrollen visade, om något.", required=False
    )


def controls(title: str, description: str | None = None) -> Any:
    """The outcome of each of the unit's controls (the controls come from the context).

    Made like the other field kinds (:mod:`arshjul.forms.fields`): kind ``controls``.
    """
    return Field(
        default={},
        title=title,
        description=description,
        json_schema_extra={
            "kind": "controls",
            "required": False,
            "only_for": ["committee", "executive_board"],
        },
    )


def _to_controls(value: Any, info: ValidationInfo) -> dict[str, Any]:
    """Each control of the context answered: an outcome is required, a measure is not."""
    return to_answers(value, info, context_key="controls", answer=ControlAnswer)


class ArsredovisningForm(StageForm):
    title: ClassVar[str] = "Årsredovisning"

    result_comment: str = longtext(
        "Kommentar till årets resultat", "Utfallet mot budget och vad det beror på."
    )
    goals: dict[str, GoalJudgement] = goals(
        "Måluppfyllelse", "Bedöm vart och ett av målen för helåret och motivera bedömningen."
    )
    indicators: dict[str, float | None] = indicators(
        "Indikatorer", "Helårsvärdet; lämna tomt om det inte finns."
    )
    internal_control: str = longtext(
        "Utfall av den interna kontrollen",
        "Vilka kontroller som gjorts, vad de visade och vilka åtgärder som följer.",
    )
    purpose_assessment: str = longtext(
        "Bolagets verksamhet och det kommunala ändamålet",
        "Har verksamheten bedrivits i enlighet med ändamålet och de kommunala befogenheterna?",
        required=False,
        only_for=("company",),
    )
    purpose_matched: bool | None = yesno(
        "Har verksamheten följt ändamålet?", required=False, only_for=("company",)
    )
    controls: dict[str, ControlAnswer] = controls(
        "Internkontrollplanens kontroller",
        "Utfallet av var och en av årets kontroller, och åtgärd om någon behövs.",
    )
    significant_events: str = _events()
    overview: str = _board_text(
        "Översikt över verksamhetens utveckling",
        "Förvaltningsberättelsen: årets utveckling i stort, som inledning till femårsöversikten.",
    )
    important_circumstances: str = _board_text(
        "Viktiga förhållanden för resultat och ekonomisk ställning",
        "Förvaltningsberättelsen: omvärld, befolkning, skatteunderlag, risker.",
    )
    personnel: str = _board_text(
        "Väsentliga personalförhållanden",
        "Förvaltningsberättelsen: personalens antal, kompetensförsörjning och hälsa; "
        "sjukfrånvaron redovisas från personalsystemet.",
    )
    expected_development: str = _board_text(
        "Förväntad utveckling",
        "Förvaltningsberättelsen: hur ekonomin och verksamheten väntas utvecklas.",
    )

    @model_validator(mode="before")
    @classmethod
    def _flat_controls(cls, data: Any) -> Any:
        """``controls.KEY.outcome`` (an answer file's field/value rows) as ``controls``."""
        if not isinstance(data, dict):
            return data
        flat = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith("controls.")}
        if not flat:
            return data
        nested = dict(data.get("controls") or {})
        for name, value in flat.items():
            key, _, part = name.removeprefix("controls.").rpartition(".")
            if key and part in ControlAnswer.model_fields:
                nested[key] = {**(nested.get(key) or {}), part: value}
        return {**data, "controls": nested}

    @field_validator("controls", mode="before")
    @classmethod
    def _controls(cls, value: Any, info: ValidationInfo) -> dict[str, Any]:
        return _to_controls(value, info)


class EkonomirapportForm(StageForm):
    title: ClassVar[str] = "Ekonomirapport"

    progress: str = longtext(
        "Hur går arbetet med åtgärdsplanen?",
        "Vilka åtgärder som genomförts och vilken effekt de haft hittills.",
    )
    remaining_deviation_kr: int = tkr(
        "Kvarstående avvikelse",
        "Budget minus prognos i tkr; negativt belopp = underskott.",
        negative=True,
        compare="deviation_kr",
    )


class MeasureRow(RowPart):
    text: str = longtext("Åtgärd", max_length=1000)
    effect_kr: int = tkr("Effekt (tkr)", "Förbättring av årets resultat.")
    decided_by: str = line("Vem beslutar")
    when: dt.date = date("När", "ÅÅÅÅ-MM-DD")


class AtgardsplanForm(StageForm):
    title: ClassVar[str] = "Åtgärdsplan"

    measures: list[MeasureRow] = rows(
        "Åtgärder", "En åtgärd per rad; tomma rader räknas inte.", min_rows=1, item="åtgärd"
    )
    needs_executive_board: bool = yesno(
        "Behövs beslut av kommunstyrelsen?",
        "Ja om någon åtgärd ligger utanför nämndens egen delegation.",
    )

    # mypy takes no decorator above @property; pydantic's documented way is this ignore.
    @computed_field(title="Åtgärdernas sammanlagda effekt")  # type: ignore[prop-decorator]
    @property
    def total_effect_kr(self) -> int:
        return sum(m.effect_kr for m in self.measures)

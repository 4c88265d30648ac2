"""Simulated committee secretaries: when each answers, and what.

Personas, so the year shows every path: most answer in good time; Fritids- och
kulturnämnden waits for the reminders and answers on the last day;
Socialnämnden answers only after the escalation (late, within the grace) and
overspends in the spring; Arbogabostäder is late too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from arshjul.calendar.workdays import WORKING_DAYS
from arshjul.demo.figures import FRAMES_TKR

LATE_AFTER_ESCALATION = {"sn", "arbogabostader"}
ON_THE_LAST_DAY = {"fkn"}


def answer_day(unit_key: str, opened: dt.date, deadline: dt.date) -> dt.date:
    """The working day a unit's secretary sends in."""
    if unit_key in LATE_AFTER_ESCALATION:
        return WORKING_DAYS.next_working_day(deadline + dt.timedelta(days=1))
    if unit_key in ON_THE_LAST_DAY:
        return deadline
    return min(WORKING_DAYS.add_working_days(opened, 3), deadline)


def _forecast(unit_key: str, slug: str) -> tuple[int, str, str]:
    frame = FRAMES_TKR.get(unit_key, 0) * 1000
    if unit_key == "sn" and slug == "tertial":
        return frame + 6_000_000, "Fler externa placeringar än budgeterat.", "Vakansprövning."
    if unit_key == "sn" and slug == "delar":
        return frame + 1_500_000, "Placeringarna minskar enligt åtgärdsplanen.", ""
    if unit_key == "bun":
        return frame - 800_000, "Lägre kostnader för skolskjuts.", ""
    return frame, "", ""


_RESULT_COMMENTS = {
    "sn": "Underskottet på 0,6 mnkr beror på externa placeringar under våren; åtgärdsplanen "
    "minskade dem under hösten.",
    "bun": "Överskottet beror på lägre kostnader för skolskjuts.",
}


def _interim_texts(unit_key: str, unit_kind: str) -> dict[str, str]:
    """What the executive board and Socialnämnden write for the interim report."""
    if unit_kind == "executive_board":
        return {
            "significant_events": "Kommunfullmäktige antog Strategisk och ekonomisk plan "
            "2028–2030 i augusti. Skatteunderlaget växer något snabbare än i budgeten.",
            "expected_development": "Helårsprognosen är ett resultat på 38,1 mnkr. "
            "Kostnaderna för äldreomsorgen väntas öka de kommande åren.",
        }
    if unit_key == "sn":
        return {"significant_events": "Åtgärdsplanen för externa placeringar infördes i juni."}
    return {}


def _annual_texts(unit_key: str, unit_kind: str) -> dict[str, str]:
    """The executive board's parts of the management report, and committees' events."""
    if unit_kind == "executive_board":
        return {
            "overview": "Året präglades av ett starkt skatteunderlag och en stabil "
            "verksamhet. Resultatet överträffar målet för god ekonomisk hushållning.",
            "important_circumstances": "Befolkningen minskar något medan antalet äldre ökar; "
            "räntekostnaderna är lägre än befarat.",
            "significant_events": "Kommunfullmäktige antog Strategisk och ekonomisk plan "
            "2028–2030. Arbetet med nya förskolelokaler fortsatte.",
            "personnel": "Kompetensförsörjningen inom vård och omsorg är den största "
            "utmaningen; sjukfrånvaron är oförändrad.",
            "expected_development": "Kostnaderna för äldreomsorgen ökar de kommande åren, "
            "och investeringarna i förskolor kräver fortsatt lånefinansiering.",
        }
    if unit_key in ("bun", "sn"):
        return {"significant_events": "Nämnden har genomfört årets planerade verksamhet."}
    return {}


def _distribution(frame_kr: int) -> list[dict[str, Any]]:
    """A frame spread on three activities, summing to it to the krona."""
    first, second = frame_kr * 6 // 10, frame_kr * 3 // 10
    return [
        {"activity": "Kärnverksamhet", "amount_kr": first},
        {"activity": "Stöd och administration", "amount_kr": second},
        {"activity": "Utveckling", "amount_kr": frame_kr - first - second},
    ]


def answer(
    unit_key: str,
    unit_kind: str,
    slug: str,
    *,
    goals: list[str],
    indicators: list[str],
    frame_kr: int = 0,
    year: int = 2027,
) -> dict[str, Any]:
    """What a unit sends in for a stage (before the form validates it)."""
    if slug in ("ledningsdialog-mars", "ledningsdialog-september"):
        return {
            "present": "Verksamheten bedrivs inom ramen med god kvalitet.",
            "future": "Fler äldre och färre barn de närmaste åren.",
            "challenges": "Kompetensförsörjning & lokaler.",
        }
    if slug == "namndanalys":
        requests = (
            [
                {
                    "title": "Fler elever",
                    "amount_kr": 4_000_000,
                    "reason": "Fler elever i grundskolan",
                    "consequences": "Större klasser",
                }
            ]
            if unit_key == "bun"
            else [
                {
                    "title": "Hemtjänst",
                    "amount_kr": 2_500_000,
                    "reason": "Utökad hemtjänst",
                    "consequences": "Längre väntetider",
                }
            ]
            if unit_key == "sn"
            else []
        )
        return {
            "present": "Nuläget beskrivs i nämndens verksamhetsberättelse.",
            "future": "Demografin förändras.",
            "economy": "Ramen räcker med små marginaler.",
            "funding_requests": requests,
            "investment_needs": [{"project": "Ny förskola", "amount_kr": 30_000_000}]
            if unit_key == "bun"
            else [],
            "premises_needs": "En ny förskola från 2029." if unit_key == "bun" else "",
            "services_change": unit_key == "sn",
            "child_impact": "Barn i familjer med hemtjänst påverkas inte."
            if unit_key == "sn"
            else "",
        }
    if slug in ("tertial", "delar"):
        forecast, explanation, measures = _forecast(unit_key, slug)
        data: dict[str, Any] = {
            "forecast_kr": forecast,
            "deviation_explanation": explanation
            or ("Ingen avvikelse." if unit_kind != "company" else ""),
            "measures": measures,
        }
        if unit_kind == "company":
            data = {
                "forecast_kr": 1_200_000,
                "deviation_explanation": "",
                "measures": "Bolaget följer sin budget.",
            }
        if slug == "delar":
            data.update(_interim_texts(unit_key, unit_kind))
            data["goals"] = {
                g: {
                    "attainment": "uppfyllt" if i % 3 else "delvis uppfyllt",
                    "motivation": "Enligt indikatorerna.",
                }
                for i, g in enumerate(goals)
            }
            data["indicators"] = {k: 82.0 for k in indicators}
        return data
    if slug == "arsredovisning":
        return {
            **_annual_texts(unit_key, unit_kind),
            "result_comment": _RESULT_COMMENTS.get(unit_key, "Året slutade nära budget."),
            "goals": {
                g: {"attainment": "uppfyllt", "motivation": "Målvärdet nåddes."} for g in goals
            },
            "indicators": {k: 86.0 for k in indicators},
            "internal_control": "Kontrollerna genomfördes utan anmärkning.",
            "purpose_matched": True,
            "purpose_assessment": "Verksamheten har bedrivits enligt ändamålet.",
        }
    if slug.startswith("ekonomirapport"):
        remaining = -3_000_000 if slug.endswith("juni") else -400_000
        return {
            "progress": "Åtgärderna genomförs enligt plan.",
            "remaining_deviation_kr": remaining,
        }
    if slug == "atgardsplan":
        return {
            "measures": [
                {
                    "text": "Färre externa placeringar",
                    "effect_kr": 4_000_000,
                    "decided_by": "Socialnämnden",
                    "when": f"{year}-06-15",
                },
                {
                    "text": "Vakansprövning av alla tjänster",
                    "effect_kr": 2_000_000,
                    "decided_by": "Förvaltningschefen",
                    "when": f"{year}-05-31",
                },
            ],
            "needs_executive_board": False,
            "decided_by": "Socialnämnden",
        }
    if slug == "namndbudget":
        return {
            "distribution": _distribution(frame_kr),
            "goals_text": "Nämndens mål bidrar till fullmäktiges mål.",
            "activities": [{"title": "Digitalisera ansökningar", "goal": "3.1"}],
        }
    if slug == "politisk-oversyn":
        return {
            "comment": "Nämndorganisationen behålls; en beredning för hållbarhet inrättas. "
            "Programmet för nästa mandatperiod utgår från de strategiska områdena."
        }
    return {}

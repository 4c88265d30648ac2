"""The planning stages' forms: ledningsdialog, nämndanalys, nämndbudget (and översyn)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ValidationInfo, field_validator

from arshjul.forms.base import RowPart, StageForm
from arshjul.forms.fields import format_tkr_exact, longtext, rows, text, tkr, yesno

ANALYSIS_MAX = 8000


class LedningsdialogForm(StageForm):
    title: ClassVar[str] = "Ledningsdialog"

    present: str = longtext(
        "Nuläge", "Verksamhetens och ekonomins läge i dag.", max_length=ANALYSIS_MAX
    )
    future: str = longtext(
        "Framtid", "Förutsättningarna de kommande åren.", max_length=ANALYSIS_MAX
    )
    challenges: str = longtext(
        "Utmaningar", "De största utmaningarna i verksamhet och ekonomi.", max_length=ANALYSIS_MAX
    )


class FundingRow(RowPart):
    title: str = text("Vad gäller äskandet?")
    amount_kr: int = tkr("Belopp (tkr)")
    reason: str = longtext("Skäl", max_length=2000)
    consequences: str = longtext("Konsekvenser om äskandet inte beviljas", max_length=2000)


class InvestmentRow(RowPart):
    project: str = text("Projekt")
    amount_kr: int = tkr("Belopp (tkr)")
    operating_cost_kr: int | None = tkr("Driftkostnad per år (tkr)", required=False)


class NamndanalysForm(StageForm):
    title: ClassVar[str] = "Nämndens analys"

    present: str = longtext(
        "Nuläge", "Verksamhetens och ekonomins läge i dag.", max_length=ANALYSIS_MAX
    )
    future: str = longtext(
        "Framtid", "Behov och förutsättningar de kommande åren.", max_length=ANALYSIS_MAX
    )
    economy: str = longtext(
        "Ekonomiska förutsättningar",
        "Hur verksamheten ryms i den preliminära ramen.",
        max_length=ANALYSIS_MAX,
    )
    funding_requests: list[FundingRow] = rows(
        "Äskanden", "Ett äskande per rad; tomma rader räknas inte.", item="äskande"
    )
    investment_needs: list[InvestmentRow] = rows(
        "Investeringsbehov", "Ett projekt per rad; tomma rader räknas inte.", item="projekt"
    )
    premises_needs: str = longtext(
        "Lokalbehov", "Behov inför revideringen av lokalförsörjningsplanen.", required=False
    )
    services_change: bool = yesno(
        "Innebär analysen förändringar i verksamheten som berör barn?",
        "Vid ja krävs en barnkonsekvensanalys.",
    )
    child_impact: str = longtext(
        "Barnkonsekvensanalys",
        "Hur förändringen påverkar barn; måste fyllas i vid ja ovan.",
        required=False,
        max_length=ANALYSIS_MAX,
    )

    @field_validator("child_impact")
    @classmethod
    def _child_impact_when_services_change(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("services_change") and not value:
            raise ValueError("Verksamheten förändras: skriv en barnkonsekvensanalys")
        return value


class DistributionRow(RowPart):
    activity: str = text("Verksamhet")
    amount_kr: int = tkr("Belopp (tkr)")


class ActivityRow(RowPart):
    title: str = text("Aktivitet", max_length=300)
    goal: str = text("Mål som aktiviteten bidrar till", required=False)
    responsible: str = text("Ansvarig", required=False)


class NamndbudgetForm(StageForm):
    title: ClassVar[str] = "Nämndens budget"

    distribution: list[DistributionRow] = rows(
        "Ramens fördelning på verksamheter",
        "Summan måste bli exakt lika med ramen.",
        count=8,
        min_rows=1,
        item="verksamhet",
    )
    goals_text: str = longtext(
        "Nämndens mål",
        "Nämndmålen och hur de bidrar till fullmäktiges mål.",
        max_length=ANALYSIS_MAX,
    )
    activities: list[ActivityRow] = rows(
        "Verksamhetsplanens aktiviteter",
        "En aktivitet per rad; tomma rader räknas inte.",
        item="aktivitet",
    )

    @field_validator("distribution")
    @classmethod
    def _sums_to_frame(
        cls, value: list[DistributionRow], info: ValidationInfo
    ) -> list[DistributionRow]:
        context: dict[str, Any] = info.context if isinstance(info.context, dict) else {}
        frame = context.get("frame_kr")
        total = sum(row.amount_kr for row in value)
        if frame is not None and value and total != frame:
            raise ValueError(
                f"Fördelningen summerar till {format_tkr_exact(total)} men ramen är "
                f"{format_tkr_exact(frame)}: summan måste vara lika med ramen på kronan"
            )
        return value


class OversynForm(StageForm):
    title: ClassVar[str] = "Översyn"

    comment: str = longtext(
        "Synpunkter",
        "Synpunkter på den politiska organisationen och det politiska programmet.",
        max_length=ANALYSIS_MAX,
    )

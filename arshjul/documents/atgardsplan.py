"""Åtgärdsplan – <nämnd> (stage ``atgardsplan``): one committee's plan for a deviation.

The deviation, the measures with their effects in tkr (and their sum), who decides
each measure and when, and whether the plan needs the executive board's decision.
"""

from __future__ import annotations

from pathlib import Path

from arshjul.documents.followup_common import new_builder, unit_context
from arshjul.documents.followup_contents import ActionPlanSummary, FollowUpData
from arshjul.documents.followup_plans import follow_ups_table, measures_table, plan_context
from arshjul.errors import ArshjulError

TITLE = "Åtgärdsplan"
FOLDER = "atgardsplan"


def _plan(data: FollowUpData, unit: str | None) -> ActionPlanSummary:
    plans = [p for p in data.action_plans if unit is None or p.unit == unit]
    if len(plans) != 1:
        names = ", ".join(p.unit for p in data.action_plans) or "inga"
        wanted = f"för ”{unit}”" if unit else "i underlaget"
        raise ArshjulError(
            f"Det ska finnas precis en åtgärdsplan {wanted}, men det finns {len(plans)} "
            f"(planer: {names})"
        )
    return plans[0]


def build_atgardsplan_document(
    data: FollowUpData,
    *,
    template: Path | None = None,
    logo: Path | None = None,
    out_dir: Path,
    unit: str | None = None,
) -> Path:
    """Write the action plan of ``unit`` (or the only plan in ``data``) into ``out_dir``."""
    plan = _plan(data, unit)
    economy = next((u for u in data.units if u.name == plan.unit), None)
    title = f"{TITLE} – {plan.unit}"
    doc = new_builder(data, title, template, f"Budgetåret {data.year}", toc=False, logo=logo)
    context = {
        **plan_context(plan),
        **({f"enhet_{k}": v for k, v in unit_context(economy).items()} if economy else {}),
        "ekonomi": economy is not None,
        "period": data.period,
    }
    doc.prose(f"{FOLDER}/avvikelse.md.j2", **context)
    doc.prose(f"{FOLDER}/atgarder.md.j2", **context)
    measures_table(doc, plan)
    doc.prose(f"{FOLDER}/beslut.md.j2", **context)
    if plan.follow_ups or plan.closed_on:
        doc.prose(f"{FOLDER}/uppfoljning.md.j2", **context)
        follow_ups_table(doc, plan)
    return doc.save(out_dir)

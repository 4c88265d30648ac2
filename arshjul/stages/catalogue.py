"""Every stage's own parts by slug, for the commands that name a stage by its slug.

The flows import their stage's specification by name (``followup.TERTIAL``);
``arshjul document STAGE`` and the reconciler find it here. A stage with no
parts of its own (the decisions) runs the common lifecycle alone.
"""

from __future__ import annotations

from arshjul.calendar.stages import get_stage
from arshjul.stages import committee_budget, dialogue, followup, ramar, sep
from arshjul.stages.base import StageSpec

SPECS: dict[str, StageSpec] = {
    spec.slug: spec
    for module in (ramar, dialogue, sep, committee_budget, followup)
    for spec in module.SPECS
}


def get_spec(slug: str) -> StageSpec:
    """A stage's specification; an unknown slug is refused in Swedish by the calendar."""
    get_stage(slug)
    return SPECS.get(slug) or StageSpec(slug=slug)

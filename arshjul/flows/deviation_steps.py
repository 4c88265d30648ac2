"""The follow-up's deviation steps, shared by the tertial and the interim report's flows."""

from __future__ import annotations

from arshjul.stages import followup
from arshjul.tasks.stage import stage_step

record_deviations = stage_step("Beräkna avvikelser", followup.record_deviations)
escalate_deviations = stage_step("Eskalera avvikelser", followup.escalate_deviations)
request_action_plans = stage_step("Begär åtgärdsplaner", followup.request_action_plans)

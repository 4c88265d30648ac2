"""Which stages end in a body's decision that the controllers register with ``arshjul decide``.

The budget preparation adjusts the frames, the executive board proposes and the
council adopts the plan: until each decision is registered, the plan's frames
are not the ones in force. The year's overview asks for a decision that is due
and missing; the demo registers exactly these.
"""

from __future__ import annotations

RECORDED_DECISIONS: frozenset[str] = frozenset({"budgetdag", "ks-beslut", "kf-beslut"})

"""Every import kind by its slug, and the look-up a user's word goes through."""

from __future__ import annotations

from arshjul.errors import ArshjulError
from arshjul.imports.accounts_kinds import ACCOUNTS_KINDS
from arshjul.imports.columns import fold
from arshjul.imports.kinds import FIGURE_KINDS, ImportKind

KINDS: dict[str, ImportKind] = {**FIGURE_KINDS, **{k.slug: k for k in ACCOUNTS_KINDS}}
# Imported by their own module (arshjul.imports.trial_balance), not through KINDS.
SALDOBALANS = "saldobalans"


def get_kind(slug: str) -> ImportKind:
    """The import kind a user named (``finansiella-mål`` and ``Ramar`` work too)."""
    wanted = fold(slug).replace("_", "-")
    kind = KINDS.get(wanted)
    if kind is None:
        raise ArshjulError(
            f"”{slug}” är ingen importtyp; välj en av: {', '.join([*KINDS, SALDOBALANS])}.",
        )
    return kind

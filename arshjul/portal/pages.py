"""Only the old import path of tests/test_goals_by_term.py; nothing in the portal uses it.

The pages are split by job (see :mod:`arshjul.portal.app`). Remove this
module once that test imports ``Linked`` and ``load_page`` from
:mod:`arshjul.portal.access` and ``form_page`` from :mod:`arshjul.portal.form`.
"""

from __future__ import annotations

from arshjul.portal.access import Linked, load_page
from arshjul.portal.form import form_page

__all__ = ["Linked", "form_page", "load_page"]

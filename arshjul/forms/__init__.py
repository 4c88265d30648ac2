"""The stage forms: what each stage asks of a unit, as pydantic models with Swedish labels.

:func:`form_for` gives a stage's model, :func:`asks_for` the titles of what it
asks (for the request e-mails), :func:`known_figures` what the database already
knows (shown beside the fields).
"""

from arshjul.forms.base import StageForm, validate_form
from arshjul.forms.registry import FORMS, asks_for, form_for, known_figures

__all__ = ["FORMS", "StageForm", "asks_for", "form_for", "known_figures", "validate_form"]

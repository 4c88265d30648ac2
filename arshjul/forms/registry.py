"""Which form each stage asks to be filled in."""

from __future__ import annotations

from sqlmodel import Session

from arshjul.errors import NotFoundError
from arshjul.forms.base import StageForm
from arshjul.forms.fields import kind_of, row_model
from arshjul.forms.figures import stage_facts
from arshjul.forms.followup import (
    ArsredovisningForm,
    AtgardsplanForm,
    DelarForm,
    EkonomirapportForm,
    TertialForm,
)
from arshjul.forms.planning import (
    LedningsdialogForm,
    NamndanalysForm,
    NamndbudgetForm,
    OversynForm,
)
from arshjul.models import SubmissionRequest

FORMS: dict[str, type[StageForm]] = {
    "tertial": TertialForm,
    "delar": DelarForm,
    "arsredovisning": ArsredovisningForm,
    "ekonomirapport-mars": EkonomirapportForm,
    "ekonomirapport-juni": EkonomirapportForm,
    "ekonomirapport-november": EkonomirapportForm,
    "atgardsplan": AtgardsplanForm,
    "ledningsdialog-mars": LedningsdialogForm,
    "ledningsdialog-september": LedningsdialogForm,
    "namndanalys": NamndanalysForm,
    "namndbudget": NamndbudgetForm,
    "politisk-oversyn": OversynForm,
}

# Fields every form has that are about the sending, not the stage.
_COMMON = ("submitted_by", "attachment")


def form_for(slug: str) -> type[StageForm]:
    """The form of a stage; ``ekonomirapport-*`` share one."""
    form = FORMS.get(slug)
    if form is None and slug.startswith("ekonomirapport-"):
        form = EkonomirapportForm
    if form is None:
        raise NotFoundError(f"Skedet ”{slug}” tar inte emot något underlag via formulär.")
    return form


def asks_for(slug: str) -> list[str]:
    """The Swedish titles of what a stage asks for (for the request e-mails)."""
    form = form_for(slug)
    titles = []
    for name, field in form.model_fields.items():
        if name in _COMMON or not field.title:
            continue
        title = field.title
        if kind_of(field) == "rows":
            columns = [f.title for f in row_model(field).model_fields.values() if f.title]
            title = f"{title} ({', '.join(c.lower() for c in columns)})"
        titles.append(title)
    titles.append("eventuellt ett bifogat dokument (Word, PDF eller Excel)")
    return titles


def known_figures(session: Session, request: SubmissionRequest) -> list[tuple[str, str]]:
    """The figures shown beside a request's form: (label, value as text)."""
    return [(f.label, f.shown) for f in stage_facts(session, request).figures]

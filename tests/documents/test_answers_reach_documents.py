"""What the committees write reaches the documents: every field of every form, filled in.

The whole year of 2027 runs through the stage functions with secretaries who answer every
text field of their form with words of their own (each answer unique, with å, ä and ö),
every goal with a motivation and every control of the internal control plan with an
outcome and a measure. Then each answer must be found in the document of the stage it was
given for (a committee's analysis in the budget day's document, where the executive board
reads it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import settings_in
from pdf_off import _pdf_off_for_the_module  # noqa: F401  (autouse)
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config
from arshjul.demo import secretaries
from arshjul.demo.year import Year, at
from arshjul.forms.fields import applies_to, kind_of, row_model
from arshjul.forms.registry import form_for
from arshjul.imports import get_kind, import_file
from arshjul.models import (
    GeneratedDocument,
    OrgUnit,
    StageInstance,
    Submission,
    SubmissionRequest,
)

# Where a stage's answers are read: the stage's own document, or the one it feeds.
DOCUMENT_OF = {"namndanalys": "budgetdag"}
# Fields that are about the sending, not the stage.
NOT_CONTENT = {"submitted_by", "attachment"}


def _marker(slug: str, unit: str, field: str) -> str:
    return f"Svar {slug} {unit} {field} – åäö"


def _fill(slug: str, unit_key: str, unit_kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The simulated answer with every text, motivation and control outcome made unique."""
    form = form_for(slug)
    filled = dict(data)
    for name, field in form.model_fields.items():
        if name in NOT_CONTENT or not applies_to(field, unit_kind):
            continue
        kind = kind_of(field)
        if kind in ("text", "longtext"):
            filled[name] = _marker(slug, unit_key, name)
        elif kind == "rows":
            row_fields = row_model(field).model_fields
            rows = [dict(r) for r in data.get(name) or []]
            for index, row in enumerate(rows):
                for key, sub in row_fields.items():
                    if kind_of(sub) in ("text", "longtext"):
                        row[key] = _marker(slug, unit_key, f"{name}{index}.{key}")
            filled[name] = rows
        elif kind == "goals":
            filled[name] = {
                key: {**value, "motivation": _marker(slug, unit_key, f"mål {key}")}
                for key, value in (data.get(name) or {}).items()
            }
    return filled


def _with_controls(slug: str, unit_key: str, data: dict[str, Any], controls: list[str]) -> None:
    if slug == "arsredovisning" and controls:
        data["controls"] = {
            key: {
                "outcome": _marker(slug, unit_key, f"kontroll {key} utfall"),
                "measure": _marker(slug, unit_key, f"kontroll {key} åtgärd"),
            }
            for key in controls
        }


@pytest.fixture(scope="module")
def year_answered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The year run with the filled-in answers; returns the database file."""
    folder = tmp_path_factory.mktemp("svar")
    from arshjul.models.db import get_engine, upgrade

    engine = get_engine(f"sqlite:///{folder / 'arshjul.db'}")
    upgrade(engine)
    with Session(engine) as session:
        municipality = apply_config(session, load_config()).municipality
        for kind in ("risker", "kontroller"):
            import_file(
                session,
                municipality=municipality,
                kind=kind,
                path=get_kind(kind).template,
                as_of=at(dt.date(2027, 1, 4)),
                actor="test",
            )
        session.commit()
    controls = {"bun": ["bun-k1"], "sn": ["sn-k1"]}
    original = secretaries.answer

    def answer(unit_key: str, unit_kind: str, slug: str, **kw: Any) -> dict[str, Any]:
        data = _fill(slug, unit_key, unit_kind, original(unit_key, unit_kind, slug, **kw))
        _with_controls(slug, unit_key, data, controls.get(unit_key, []))
        return data

    mp = pytest.MonkeyPatch()
    mp.setattr(secretaries, "answer", answer)
    try:
        with settings_in(folder):  # its own documents: another worker's year writes the same names
            Year(engine, 2027, folder, lambda _: None, through_prefect=False).run()
    finally:
        mp.undo()
    engine.dispose()
    return folder / "arshjul.db"


def _texts(path: str) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _markers(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("Svar ") else []
    if isinstance(value, dict):
        return [m for v in value.values() for m in _markers(v)]
    if isinstance(value, list):
        return [m for v in value for m in _markers(v)]
    return []


def test_every_answer_is_in_its_document(year_answered: Path) -> None:
    from arshjul.models.db import get_engine

    engine = get_engine(f"sqlite:///{year_answered}")
    with Session(engine) as session:
        documents: dict[tuple[str, str], str] = {}
        for doc, stage in session.exec(
            select(GeneratedDocument, StageInstance)
            .join(StageInstance, StageInstance.id == GeneratedDocument.stage_instance_id)
            .order_by(GeneratedDocument.version)
        ):
            documents[(stage.slug, stage.instance_key)] = doc.path
        answers = session.exec(
            select(Submission, StageInstance, OrgUnit)
            .join(SubmissionRequest, SubmissionRequest.id == Submission.request_id)
            .join(StageInstance, StageInstance.id == SubmissionRequest.stage_instance_id)
            .join(OrgUnit, OrgUnit.id == SubmissionRequest.unit_id)
            .where(Submission.is_current == True)  # noqa: E712
        ).all()
    texts: dict[tuple[str, str], str] = {}
    lost: list[str] = []
    checked = 0
    for submission, stage, unit in answers:
        slug = DOCUMENT_OF.get(stage.slug, stage.slug)
        key = (slug, stage.instance_key if slug == stage.slug else "")
        assert key in documents, f"{stage.slug} har inget dokument"
        if key not in texts:
            texts[key] = _texts(documents[key])
        for marker in _markers(submission.data):
            checked += 1
            if marker not in texts[key]:
                lost.append(f"{stage.slug} / {unit.name}: ”{marker}”")
    assert checked > 200, checked
    assert not lost, "\n".join(lost)

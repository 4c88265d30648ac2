"""Rendering a mail template into its subject, plain text and HTML.

Each template name ``T`` has three files in ``arshjul/templates/mail``:
``T.subject.j2``, ``T.txt.j2`` and ``T.html.j2``. Only the HTML is
autoescaped: the subject and the plain text keep what a user typed intact
(``<script>`` in a unit's name is just text there, and a header cannot carry
markup anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from arshjul.formats import format_date, format_datetime, format_tkr
from arshjul.timezone import STOCKHOLM

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "mail"

TEMPLATES = (
    "request",
    "reminder",
    "receipt",
    "escalation",
    "deviation_escalation",
    "action_plan_request",
    "notification",
    "new_link",
)


@dataclass(frozen=True)
class RenderedMail:
    """A rendered message: what the outbox stores."""

    subject: str
    text: str
    html: str


def _in_stockholm(value: dt.datetime) -> dt.datetime:
    # A naive moment is a bug upstream (the models refuse them too): fail loudly.
    if value.tzinfo is None:
        raise ValueError(f"naiv tidpunkt {value!r}: ange tidszon")
    return value.astimezone(STOCKHOLM)


def datum(value: dt.date | dt.datetime) -> str:
    """``7 maj 2027``; a moment is first moved to Swedish time."""
    if isinstance(value, dt.datetime):
        value = _in_stockholm(value).date()
    return format_date(value)


def datumtid(value: dt.datetime) -> str:
    """``7 maj 2027 kl. 16.00`` in Europe/Stockholm."""
    return format_datetime(_in_stockholm(value))


def tkr(value: int | float) -> str:
    """Whole kronor shown as ``1 234,5 tkr``."""
    return format_tkr(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment for mail: strict, HTML-only autoescape, Swedish filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,  # a key the caller forgot is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package; no stat per render
    )
    env.filters.update(datum=datum, datumtid=datumtid, tkr=tkr)
    return env


def render(template: str, context: dict[str, Any]) -> RenderedMail:
    """Render ``template`` (a name in :data:`TEMPLATES`) with ``context``."""
    if template not in TEMPLATES:
        raise ValueError(f"okänd e-postmall {template!r}; finns: {', '.join(TEMPLATES)}")
    env = environment()
    raw_subject = env.get_template(f"{template}.subject.j2").render(context)
    # One line: a header cannot hold a line break, and template whitespace is noise.
    subject = " ".join(raw_subject.split())
    text = env.get_template(f"{template}.txt.j2").render(context)
    html = env.get_template(f"{template}.html.j2").render({**context, "subject": subject})
    return RenderedMail(subject=subject, text=_tidy_text(text), html=html)


def _tidy_text(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and (not tidy or not tidy[-1]):
            continue
        tidy.append(line)
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy) + "\n"

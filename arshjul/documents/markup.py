"""The prose templates: Jinja2 rendering with Swedish filters, and the tiny markup they use.

Markup, line by line after rendering:

* a blank line ends a paragraph; the lines of one paragraph are joined by spaces;
* ``# ``, ``## ``, ``### `` start a heading of level 1, 2, 3 (one line);
* ``- `` starts a bullet; an indented line continues the bullet above it;
* ``**bold**`` inside a paragraph or bullet;
* a leading backslash keeps a line literal (``\\# 1`` is the text ``# 1``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from arshjul.errors import ArshjulError
from arshjul.formats import (
    format_date,
    format_date_long,
    format_mnkr,
    format_number,
    format_percent,
    format_tkr,
)

_HEADING = re.compile(r"^(#{1,3}) +(.*\S)\s*$")
_BULLET = re.compile(r"^- +(.*)$")
_UNDEFINED = re.compile(r"'([^']+)' is undefined")


@dataclass(frozen=True)
class Block:
    """One rendered unit: a heading, a paragraph or a bullet list."""

    kind: Literal["heading", "paragraph", "bullets"]
    text: str = ""
    level: int = 0
    items: tuple[str, ...] = ()


def make_environment(*dirs: Path) -> SandboxedEnvironment:
    """A sandboxed environment over the given folders (first match wins) with the filters."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader([str(d) for d in dirs]),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        tkr=format_tkr,
        mnkr=format_mnkr,
        datum=format_date,
        datum_lang=format_date_long,
        procent=format_percent,
        tal=format_number,
    )
    return env


def render(env: SandboxedEnvironment, name: str, context: dict[str, object]) -> str:
    """Render one template; a missing file or a mistake in it is a Swedish error."""
    try:
        return env.get_template(name).render(**context)
    except TemplateNotFound as exc:
        raise ArshjulError(f"Textmallen {name} finns inte") from exc
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or _template_line(exc, name)
        where = f" (rad {line})" if line else ""
        message = str(exc)
        if undefined := _UNDEFINED.fullmatch(message):
            message = f"variabeln ”{undefined.group(1)}” finns inte"
        raise ArshjulError(f"Fel i textmallen {name}{where}: {message}") from exc


def _template_line(exc: BaseException, name: str) -> int | None:
    """The template line a runtime error happened on (Jinja rewrites the traceback to it)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.replace("\\", "/").endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def parse(text: str) -> list[Block]:
    """Split rendered text into headings, paragraphs and bullet lists."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("bullets", items=tuple(items)))
            items.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("\\"):
            if items and raw[:1].isspace():
                items[-1] += " " + line[1:]
            else:
                if items:
                    flush()
                paragraph.append(line[1:])
            continue
        if heading := _HEADING.match(line):
            flush()
            blocks.append(Block("heading", heading.group(2), level=len(heading.group(1))))
        elif bullet := _BULLET.match(line):
            if paragraph:
                flush()
            items.append(bullet.group(1).strip())
        elif items and raw[:1].isspace():
            items[-1] += " " + line
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return blocks


def inline_runs(text: str) -> Iterator[tuple[str, bool]]:
    """``(text, bold)`` pieces of a line with ``**bold**``; an unmatched ``**`` stays literal."""
    parts = text.split("**")
    if len(parts) % 2 == 0:
        parts = [*parts[:-2], parts[-2] + "**" + parts[-1]]
    for index, part in enumerate(parts):
        if part:
            yield part, index % 2 == 1

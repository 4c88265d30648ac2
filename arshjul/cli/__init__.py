"""The ``arshjul`` command line.

Heavy imports (the database, Prefect, python-docx) happen inside the commands
that need them, so that ``arshjul --help`` and ``arshjul calendar`` start fast.
Every :class:`~arshjul.errors.ArshjulError` is caught here and shown as its
Swedish message with a non-zero exit code.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any

import typer

from arshjul.cli.common import app
from arshjul.errors import ArshjulError

# Each module registers its commands on the app; this order is the help text's.
for _module in ("setup", "server", "stages", "data", "follow", "service", "keys"):
    importlib.import_module(f"arshjul.cli.{_module}")

__all__ = ["app", "main"]

# The commands that make personal links (opening requests, sending mail with
# them, action plans asked for by a follow-up's document) or check them (the
# portal). They start only with the key the links were made with: a lost key
# file must stop them, not be quietly replaced (tokens.ensure_link_key).
# `decide` writes the plan and notices without links; `demo` runs on a
# database and key of its own in its folder.
LINK_COMMANDS = frozenset({"run", "watch", "document", "portal", "serve"})


def _after_key_check(callback: Callable[..., Any]) -> Callable[..., Any]:
    # After Typer has parsed the arguments, so `--help` and a mistyped option
    # answer as before; functools.wraps keeps the signature Typer reads.
    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        from arshjul.cli.keys import require_link_key

        require_link_key()
        return callback(*args, **kwargs)

    return checked


for _info in app.registered_commands:
    if _info.name in LINK_COMMANDS and _info.callback is not None:
        _info.callback = _after_key_check(_info.callback)


def main() -> None:
    """Entry point of the console script: Swedish message and exit code for user errors."""
    try:
        app()
    except ArshjulError as error:
        typer.echo(f"Fel: {error}", err=True)
        sys.exit(error.exit_code)

"""The ``arshjul`` command line.

Heavy imports (the database, Prefect, python-docx) happen inside the commands
that need them, so that ``arshjul --help`` and ``arshjul calendar`` start fast.
Every :class:`~arshjul.errors.ArshjulError` is caught here and shown as its
Swedish message with a non-zero exit code.
"""

from __future__ import annotations

import importlib
import sys

import typer

from arshjul.cli.common import app
from arshjul.errors import ArshjulError

# Each module registers its commands on the app; this order is the help text's.
for _module in ("setup", "stages", "data", "follow", "service"):
    importlib.import_module(f"arshjul.cli.{_module}")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the console script: Swedish message and exit code for user errors."""
    try:
        app()
    except ArshjulError as error:
        typer.echo(f"Fel: {error}", err=True)
        sys.exit(error.exit_code)

"""How `arshjul run` and `arshjul watch` end: a flow run in this process, its exit code, and
what the terminal shows of it.

The terminal gets a short Swedish summary; Prefect's own lines stay in the run's log
(the UI, ``prefect flow-run logs``) unless ``--verbose``. An expected error
(:class:`~arshjul.errors.ArshjulError`: a missing import, a municipality that does not
exist) is one ``Fel: …`` line and its details, no traceback; anything else is a fault
of the program: its traceback and a Swedish line saying so and where the run's log is.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from uuid import UUID

import typer

from arshjul.errors import ArshjulError

# The exit codes of `arshjul run` and `arshjul watch` (README.md, "Kommandon").
EXIT_DONE = 0
EXIT_FAULT = 1  # a fault of the program: the traceback shows where
EXIT_INPUT = ArshjulError.exit_code  # 2: what the user gave (or usage) is wrong
EXIT_NOT_FOUND = 3  # something named does not exist (errors.NotFoundError)
EXIT_MAIL_FAILED = 4  # a mail server refused a message for good
EXIT_NOT_DUE = 5  # the stage opens later: nothing to do yet

VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        help="Visa Prefects logg i terminalen och, vid fel, hela spårningen (traceback).",
    ),
]


class FlowFault(Exception):
    """A flow run that failed for another reason than an ArshjulError (its cause)."""

    def __init__(self, flow_run_id: UUID | None) -> None:
        super().__init__(str(flow_run_id))
        self.flow_run_id = flow_run_id


def run_flow(flow: Callable[..., Any], **parameters: Any) -> Any:
    """Run a flow here and return its result; raise its ArshjulError, or FlowFault.

    ``return_state=True``: Prefect hands back the final state instead of raising, and
    the state of a run that failed keeps the exception it failed with.
    """
    state = flow(**parameters, return_state=True)
    try:
        return state.result()
    except ArshjulError:
        raise
    except Exception as exc:
        raise FlowFault(state.state_details.flow_run_id) from exc


@contextmanager
def reported(verbose: bool) -> Iterator[None]:
    """A command's errors as the terminal shows them, and its exit code (see the module)."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise  # Click's own ends (an Exit is a RuntimeError)
    except ArshjulError as error:
        if verbose:
            traceback.print_exception(error, file=sys.stderr)
        typer.echo(f"Fel: {error}", err=True)
        raise typer.Exit(error.exit_code) from None
    except FlowFault as fault:
        cause = fault.__cause__ or fault
        traceback.print_exception(cause, file=sys.stderr)
        typer.echo(f"Programfel i Årshjul, inte i det du angav: {_where(fault)}", err=True)
        raise typer.Exit(EXIT_FAULT) from None
    except Exception as exc:
        traceback.print_exception(exc, file=sys.stderr)
        typer.echo(
            "Programfel i Årshjul, inte i det du angav: spårningen ovan visar var.", err=True
        )
        raise typer.Exit(EXIT_FAULT) from None


def _where(fault: FlowFault) -> str:
    """Where the run's log is: the Prefect UI's page for it, or the command that prints it."""
    if fault.flow_run_id is None:
        return "spårningen ovan visar var."
    from prefect.utilities.urls import url_for

    command = f"prefect flow-run logs {fault.flow_run_id}"
    page = url_for("flow-run", obj_id=fault.flow_run_id)
    return (
        f"körningens logg finns i {page} och visas med {command}."
        if page
        else (f"körningens logg visas med {command}.")
    )

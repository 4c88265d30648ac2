"""What every flow shares: its parameters, described in Swedish for the Prefect UI, and
how an expected error ends its run."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar, cast

from pydantic import Field

from arshjul.errors import ArshjulError

P = ParamSpec("P")
R = TypeVar("R")

Year = Annotated[
    int | None, Field(description="Årshjulets år (planeringen gäller året efter); standard: i år.")
]
AsOf = Annotated[
    dt.datetime | dt.date | None,
    Field(description="Kör som om det vore detta ögonblick; standard: nu (Europe/Stockholm)."),
]
MunicipalityCode = Annotated[
    str | None, Field(description="Kommunkod, t.ex. 1984; standard: alla kommuner i databasen.")
]

# Set on a flow body wrapped by :func:`fails_in_swedish` (a test checks every flow has it).
FAILS_IN_SWEDISH = "arshjul_fails_in_swedish"


def fails_in_swedish(body: Callable[P, R]) -> Callable[P, R]:
    """An :class:`ArshjulError` ends the flow's run as Failed, its Swedish message the state's.

    Put it under ``@flow(...)``. In a flow run, the error (a missing import, a
    municipality that does not exist) is written to the run's log as its Swedish message
    and details, without a traceback, and the run ends in a Failed state whose message is
    that text; the state keeps the error itself, so ``flow(...)`` still raises it and
    ``flow(..., return_state=True)`` gives it back (``state.result()``). Any other
    exception is a fault and stays Prefect's (the traceback in the run's log). Called
    without a run of this flow (``run_directly``, ``flow.fn``), the error is raised as is.
    """

    @functools.wraps(body)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return body(*args, **kwargs)
        except ArshjulError as error:
            from prefect import get_run_logger
            from prefect.context import FlowRunContext
            from prefect.states import Failed

            context = FlowRunContext.get()
            if context is None or context.flow is None or context.flow.fn is not run:
                raise
            get_run_logger().error("%s", error)
            return cast(R, Failed(message=str(error), data=error))

    setattr(run, FAILS_IN_SWEDISH, True)
    return run

"""How a flow run ends on an expected error and on a fault, and what `run` and `watch` print.

An :class:`ArshjulError` fails the run with its Swedish message (and details) as the
state's message and in the run's log; the CLI shows it as one ``Fel: …`` line. Any
other exception is a fault: the traceback and a Swedish line naming the run's log.
"""

from __future__ import annotations

import asyncio

import pytest
import typer
from prefect import flow

from arshjul.cli.outcome import EXIT_FAULT, reported, run_flow
from arshjul.errors import ArshjulError
from arshjul.flows.common import FAILS_IN_SWEDISH, fails_in_swedish
from arshjul.tasks.step import run_directly, step

MESSAGE = "Filen utfall.csv går inte att läsa in."
DETAILS = ["rad 3: kontot 9999 finns inte", "rad 7: beloppet saknas"]
SHOWN = MESSAGE + "\n  – rad 3: kontot 9999 finns inte\n  – rad 7: beloppet saknas"


@step("Läs in", "läs-in-{kind}")
def read_file(kind: str) -> int:
    if kind == "fel":
        raise ArshjulError(MESSAGE, details=DETAILS)
    if kind == "bugg":
        raise ZeroDivisionError("division by zero")
    return 1


@flow(name="Provkörning med fel")
@fails_in_swedish
def trial(kind: str = "fel") -> int:
    """A flow whose step fails with an expected error (``fel``) or a fault (``bugg``)."""
    return read_file(kind)


def test_every_stage_and_the_watch_fail_in_swedish() -> None:
    from arshjul.calendar.stages import STAGES
    from arshjul.deployments import flow_for

    for slug in [*(s.slug for s in STAGES), "bevakning"]:
        assert getattr(flow_for(slug).fn, FAILS_IN_SWEDISH, False), slug


def test_without_a_run_the_error_is_raised_as_is() -> None:
    with pytest.raises(ArshjulError) as raised:
        run_directly(trial, kind="fel")
    assert raised.value.details == DETAILS


async def _log(flow_run_id: object) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    async with get_client() as client:
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
        )
    return [log.message for log in logs]


@pytest.mark.slow
def test_an_expected_error_fails_the_run_with_its_swedish_message(prefect_harness: None) -> None:
    import time

    state = trial(kind="fel", return_state=True)
    assert state.is_failed()
    assert state.message == SHOWN
    with pytest.raises(ArshjulError) as raised:
        state.result()
    assert raised.value.details == DETAILS  # the error itself, for the CLI's exit code
    with pytest.raises(ArshjulError):
        trial(kind="fel")  # a caller without return_state gets it raised, as before

    deadline = time.monotonic() + 20
    while SHOWN not in (lines := asyncio.run(_log(state.state_details.flow_run_id))):
        assert time.monotonic() < deadline, lines
        time.sleep(0.5)


@pytest.mark.slow
def test_the_terminal_shows_one_line_for_an_error_and_the_log_for_a_fault(
    prefect_harness: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as ended, reported(verbose=False):
        run_flow(trial, kind="fel")
    assert ended.value.exit_code == 2
    assert capsys.readouterr().err == f"Fel: {SHOWN}\n"

    with pytest.raises(typer.Exit) as ended, reported(verbose=True):
        run_flow(trial, kind="fel")
    err = capsys.readouterr().err
    assert ended.value.exit_code == 2
    assert err.startswith("Traceback") and err.endswith(f"Fel: {SHOWN}\n")

    with pytest.raises(typer.Exit) as ended, reported(verbose=False):
        run_flow(trial, kind="bugg")
    err = capsys.readouterr().err
    assert ended.value.exit_code == EXIT_FAULT
    assert "Traceback" in err and "ZeroDivisionError: division by zero" in err
    last = err.splitlines()[-1]
    assert last.startswith("Programfel i Årshjul, inte i det du angav: körningens logg finns i ")
    assert "/runs/flow-run/" in last and "prefect flow-run logs " in last

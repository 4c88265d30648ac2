"""What `arshjul run` and `arshjul watch` leave on the terminal, and their exit codes.

The real command line in a subprocess, as a controller runs it, against this test
worker's temporary Prefect server (``PREFECT_API_URL``), so that the runs can be
read back through Prefect's API: an expected error fails the run with its Swedish
message, and the terminal shows that message alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_cli import run

pytestmark = pytest.mark.slow

MISSING_FRAMES = "Det finns inga ramar för 2027 att utgå från"
# A line of Prefect's console handler: "20:04:40.653 | INFO    | Flow run 'x' - …".
PREFECT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} \| [A-Z]+ +\|", re.MULTILINE)
ENGLISH = ("Traceback", "Flow run", "Task run", "Finished in state", "prefect", "Prefect")

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder after `arshjul init` (Arboga): its database and link key, copied by each test."""
    folder = tmp_path_factory.mktemp("init")
    done = run("init", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def folder(initialised: Path, tmp_path: Path) -> Path:
    for path in initialised.iterdir():
        if path.is_file():
            shutil.copy2(path, tmp_path / path.name)
    return tmp_path


@pytest.fixture
def cli(prefect_harness: None, folder: Path) -> Cli:
    """`arshjul ARGS` in the folder, on this worker's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = {
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        # Links in the requests' e-mail, whatever the settings' default.
        "ARSHJUL_PORTAL_URL": "http://127.0.0.1:8000",
    }

    def arshjul(*args: str) -> subprocess.CompletedProcess[str]:
        return run(*args, cwd=folder, env=env)

    return arshjul


def quiet(done: subprocess.CompletedProcess[str]) -> None:
    """No traceback and no line of Prefect's on either stream."""
    both = done.stdout + done.stderr
    assert not PREFECT_LINE.search(both), both
    assert not [word for word in ENGLISH if word in both], both


async def _latest_run(name: str) -> tuple[Any, list[str]]:
    """The newest flow run of this name, and its log lines."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterName,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        (flow_run,) = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id]))
        )
    return flow_run, [log.message for log in logs]


def latest_run(name: str, expected_line: str) -> tuple[Any, list[str]]:
    """The run and its log, once the line is in it (logs reach the server in batches)."""
    deadline = time.monotonic() + 20
    while True:
        flow_run, lines = asyncio.run(_latest_run(name))
        if any(expected_line in line for line in lines) or time.monotonic() > deadline:
            return flow_run, lines
        time.sleep(0.5)


def test_a_missing_import_is_one_swedish_line_and_fails_the_run_with_it(cli: Cli) -> None:
    done = cli("run", "ramar", "--year", "2027", "--as-of", "2027-01-15")
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()  # this error has no details
    assert line.startswith(f"Fel: {MISSING_FRAMES}") and "arshjul import ramar" in line
    quiet(done)

    # In Prefect: the run failed, with the Swedish message as its state and in its log.
    message = line.removeprefix("Fel: ")
    # The run is named with its simulated date.
    flow_run, lines = latest_run("ramar-2027 per 2027-01-15", message)
    assert flow_run.state.is_failed()
    assert flow_run.state.message == message
    assert message in lines
    # Prefect's INFO lines stay in the run's log, off the terminal.
    assert any("Beginning flow run" in line for line in lines)

    # --verbose: Prefect's lines and the traceback as well, the same message last.
    loud = cli("run", "ramar", "--year", "2027", "--as-of", "2027-01-15", "--verbose")
    assert loud.returncode == 2
    assert "Traceback" in loud.stderr and "ArshjulError" in loud.stderr
    assert PREFECT_LINE.search(loud.stderr)
    assert loud.stderr.splitlines()[-1] == line


def test_a_municipality_that_does_not_exist_is_told_in_swedish(cli: Cli) -> None:
    done = cli("run", "tertial", "--year", "2027", "--as-of", "2027-04-13", "--kommun", "9999")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr == "Fel: Kommunen med kod 9999 finns inte i databasen: kör arshjul init.\n"
    quiet(done)


def test_a_stage_before_its_opening_day_says_when_it_opens(cli: Cli) -> None:
    from arshjul.formats import format_date

    calendar = json.loads(cli("calendar", "2027", "--json").stdout)
    opens = next(s["opens"] for s in calendar["stages"] if s["slug"] == "tertial")
    shown = format_date(dt.date.fromisoformat(opens))  # 13 april 2027
    done = cli("run", "tertial", "--year", "2027", "--as-of", "2027-01-15")
    assert done.returncode == 5, done.stdout + done.stderr
    assert done.stdout == (
        f"Tertialuppföljning (t.o.m. april) 2027 (1984): öppnar {shown}; "
        "inget att göra den 15 januari 2027.\n"
    )
    assert done.stderr == ""
    quiet(done)


def test_a_successful_run_and_watch_show_only_their_summary(cli: Cli) -> None:
    done = cli("run", "tertial", "--year", "2027", "--as-of", "2027-04-13")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Tertialuppföljning (t.o.m. april) 2027 (1984): öppet")
    assert done.stderr == ""
    quiet(done)
    flow_run, lines = latest_run("tertial-2027 per 2027-04-13", "Finished in state")
    assert flow_run.state.is_completed()
    assert any("Begäran om underlag till" in line for line in lines)  # INFO, in the UI

    watched = cli("watch", "--as-of", "2027-04-29")
    assert watched.returncode == 0, watched.stdout + watched.stderr
    assert watched.stdout.startswith("Bevakning 2027-04-29: 10 påminnelser")
    assert watched.stderr == ""
    quiet(watched)

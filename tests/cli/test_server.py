"""`arshjul server start|status|stop`: one local Prefect server that later commands find.

The real command line in subprocesses, as the README's set-up runs it, with a
``PREFECT_HOME`` and a free port of the test's own, so that nothing clashes with a
developer's server or the other test worker. The server's database is a copy of
this worker's migrated harness database: a fresh one would migrate for 20–25 s
(PREFECT.md) before the server answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from test_cli import ARSHJUL

pytestmark = pytest.mark.slow

AS_OF = "2027-04-14"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def prefect_home(prefect_harness: None, tmp_path: Path) -> Path:
    """A PREFECT_HOME whose database is already migrated (a copy of the harness's)."""
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    home = tmp_path / "prefect-home"
    home.mkdir()
    url = PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
    url = url.get_secret_value() if hasattr(url, "get_secret_value") else str(url)
    # sqlite's backup, not a file copy: the harness's server is writing to it right now.
    with sqlite3.connect(url.split(":///", 1)[1]) as source:
        target = sqlite3.connect(home / "prefect.db")
        source.backup(target)
        target.close()
    return home


async def _flow_runs(api_url: str) -> dict[Any, Any]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        async with get_client() as client:
            runs = await client.read_flow_runs(limit=200)
            flows = {f.id: f.name for f in await client.read_flows(limit=200)}
    return {r.id: (r, flows.get(r.flow_id)) for r in runs}


def test_start_status_a_run_on_it_and_stop(prefect_home: Path, tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    work = tmp_path / "kommun"
    work.mkdir()
    # Only this test's Prefect: no server or profile of the developer's or the harness's,
    # and the embedded defaults of Årshjul (a database and e-mail in the folder).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ARSHJUL_"))}
    env["PREFECT_HOME"] = str(prefect_home)

    def arshjul(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ARSHJUL), *args], cwd=work, env=env, capture_output=True, text=True, timeout=120
        )

    assert arshjul("init").returncode == 0

    status = arshjul("server", "status")
    assert status.returncode == 3 and "Ingen Prefect-server kör" in status.stdout

    try:
        started = arshjul("server", "start", "--port", str(port))
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"Webbgränssnittet: {url}" in started.stdout
        assert f"export PREFECT_API_URL={url}/api" in started.stdout
        # The UI in a browser asks the server where its API is: on this port, not 4200.
        with urllib.request.urlopen(f"{url}/ui-settings", timeout=10) as answer:
            assert json.load(answer)["api_url"] == f"{url}/api"

        again = arshjul("server", "start", "--port", str(port))
        assert again.returncode == 0 and "kör redan" in again.stdout

        status = arshjul("server", "status")
        assert status.returncode == 0 and f"Prefect-servern kör: {url}" in status.stdout

        # The warm process (arshjul/launcher.py) has imported Prefect and the flows once.
        warm = prefect_home / "arshjul-warm.sock"
        deadline = time.monotonic() + 120
        while not warm.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert warm.exists(), (prefect_home / "arshjul-warm.log").read_text()

        before = asyncio.run(_flow_runs(f"{url}/api"))
        watched = arshjul("watch", "--as-of", AS_OF)
        assert watched.returncode == 0, watched.stdout + watched.stderr
        assert f"Bevakning {AS_OF}" in watched.stdout
        assert "tillfällig" not in watched.stderr  # it found the server, started none

        after = asyncio.run(_flow_runs(f"{url}/api"))
        new = [after[i] for i in after.keys() - before.keys()]
        assert len(new) == 1, new
        (flow_run, flow_name) = new[0]
        assert flow_name == "Bevakning" and flow_run.state_name == "Completed"
        assert str(flow_run.parameters["as_of"]).startswith(AS_OF)
        # It ran in a child of the warm process, on this command's folder and output.
        assert (
            f"arshjul watch --as-of {AS_OF} i {work}"
            in (prefect_home / "arshjul-warm.log").read_text()
        )
        refused = arshjul("run", "nix", "--year", "2027")
        assert refused.returncode == 3 and "inget skede som heter ”nix”" in refused.stderr
    finally:
        stopped = arshjul("server", "stop")
        pid_file = prefect_home / "server.pid"
        if pid_file.exists():  # a failed stop must not leave the server running
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert stopped.returncode == 0 and "stoppad" in stopped.stdout, stopped.stderr
    assert not (prefect_home / "arshjul-server.json").exists()
    status = arshjul("server", "status")
    assert status.returncode == 3
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the port is free again
    # The warm process ends with its server; a command then runs in its own process.
    deadline = time.monotonic() + 30
    while warm.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not warm.exists()

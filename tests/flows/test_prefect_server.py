"""The deployments of prefect.yaml on a real Prefect server, run by a real worker.

What production does, end to end: ``prefect server start``, a process work
pool, ``prefect --no-prompt deploy --all`` from the repository root, ``prefect
worker start``; then the tertial deployment is triggered through the API and
the test checks what came of it: the requests in the database, the e-mails as
``.eml`` files and the request table as an artifact on the server. Then the
controller runs a second stage and the watch from the command line against the
same server, and the manager's view is checked: "Årshjulet 2027" read through
Prefect's API against the database, and a document link from it opened on the
portal, refused without the staff password and served with it.

Costs here (PREFECT.md): a fresh PREFECT_HOME migrates before /api/health
answers (8–25 s), the deploy of all 17 deployments about 9 s, the run itself
about 8 s (worker poll, subprocess start, flow). Independent steps overlap.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# The scripts of the interpreter running the tests (.venv/bin in CI and here).
BIN = Path(sys.executable).parent
TERTIAL = "Tertialuppföljning (t.o.m. april)/tertial"
AS_OF = "2027-04-13T07:00:00+02:00"
TABLE_KEY = "tertial-2027-1984-begaranden"
OVERVIEW_KEY = "arshjulet-2027-1984"
ATTENTION_KEY = "behover-atgard-1984"
STAFF_PASSWORD = "personalens lösenord"


def _script(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name} saknas)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (twice: a worker may sit out the first), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGTERM, 3), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


class Stack:
    """The server and the worker with their environment, logs and processes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.db_path = root / "arshjul.db"
        self.mail_dir = root / "e-post"
        self.output_dir = root / "utdata"
        self.portal_port = _free_port()
        self.portal_url = f"http://127.0.0.1:{self.portal_port}"
        (root / "prefect-home").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "ARSHJUL_"))}
        env.update(
            PREFECT_HOME=str(root / "prefect-home"),
            PREFECT_API_URL=self.api_url,
            DO_NOT_TRACK="1",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            # The schedule is checked on the deployment; no runs need to be scheduled.
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
            PREFECT_WORKER_QUERY_SECONDS="1",
            # Absolute: the deployment's pull step runs the flow in the repository root.
            ARSHJUL_DATABASE_URL=f"sqlite:///{self.db_path}",
            ARSHJUL_MAIL_DIR=str(self.mail_dir),
            ARSHJUL_OUTPUT_DIR=str(self.output_dir),
            # The artifacts' document links begin here; the portal below serves them.
            ARSHJUL_PORTAL_URL=self.portal_url,
            ARSHJUL_STAFF_PASSWORD=STAFF_PASSWORD,
        )
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            args, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def wait_healthy(self, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert server.poll() is None, f"servern avslutades:\n{self.logs()}"
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        pytest.fail(f"/api/health svarade inte inom {timeout:.0f} s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}.log ---\n{_tail(self.root / f'{name}.log')}"
            for name in ("server", "worker", "portal")
        )

    def stop(self) -> None:
        for process in reversed(self.processes):  # the worker first, then the server
            _stop(process)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(tmp_path)
    try:
        yield stack
    finally:
        stack.stop()


async def _trigger_and_wait(api_url: str, timeout: float = 120) -> tuple[object, list[str]]:
    """Run the tertial deployment; return the finished flow run and its task-run names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        async with get_client() as client:
            deployment = await client.read_deployment_by_name(TERTIAL)
            run = await client.create_flow_run_from_deployment(
                deployment.id, parameters={"year": 2027, "as_of": AS_OF}
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                run = await client.read_flow_run(run.id)
                if run.state is not None and run.state.is_final():
                    break
                await asyncio.sleep(0.25)
            tasks = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
            )
    return run, sorted(t.name for t in tasks)


async def _latest(api_url: str, key: str) -> str:
    """The newest version of a markdown artifact on the server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        async with get_client() as client:
            found = await client.read_latest_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
            )
    assert found, f"ingen artefakt {key}"
    return str(found[0].data)


def _table_rows(markdown: str) -> dict[str, dict[str, str]]:
    """A markdown table's rows by their first cell, each as column → cell."""
    lines = [line for line in markdown.splitlines() if line.startswith("| ")]  # the table only
    header = [cell.strip() for cell in lines[0].strip("|").split(" | ")]
    return {
        cells[0]: dict(zip(header, cells, strict=True))
        for line in lines[1:]
        if (cells := [cell.strip() for cell in line.strip("|").split(" | ")])
    }


def _scalar(db_path: Path, sql: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


async def _read_back(api_url: str) -> tuple[object, object]:
    """The request table artifact and the watch's deployment, as the server has them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        async with get_client() as client:
            artifacts = await client.read_latest_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[TABLE_KEY]))
            )
            watch = await client.read_deployment_by_name("Bevakning/bevakning")
    return (artifacts[0] if artifacts else None), watch


def _requests_in_database(db_path: Path) -> list[str]:
    """The units asked for tertial 2027, straight from the tables."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT org_unit.name FROM submission_request"
                    " JOIN stage_instance"
                    " ON stage_instance.id = submission_request.stage_instance_id"
                    " JOIN cycle ON cycle.id = stage_instance.cycle_id"
                    " JOIN org_unit ON org_unit.id = submission_request.unit_id"
                    " WHERE stage_instance.slug = 'tertial' AND cycle.year = 2027"
                )
            ).all()
    finally:
        engine.dispose()
    return sorted(r[0] for r in rows)


def test_tertial_deployment_runs_on_a_worker(stack: Stack) -> None:
    started = time.monotonic()
    server = stack.start(
        "server",
        _script("prefect"),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(stack.port),
    )
    # While the server migrates its fresh database: ours, and Arboga's configuration.
    stack.run(_script("arshjul"), "init")
    stack.wait_healthy(server)
    healthy = time.monotonic()

    stack.run(_script("prefect"), "work-pool", "create", "arshjul", "--type", "process")
    pooled = time.monotonic()
    worker = stack.start("worker", _script("prefect"), "worker", "start", "--pool", "arshjul")
    # Meanwhile this process imports Prefect's client (about 2 s) for the trigger.
    importing = threading.Thread(
        target=importlib.import_module, args=("prefect.client.orchestration",)
    )
    importing.start()
    deployed = stack.run(_script("prefect"), "--no-prompt", "deploy", "--all", timeout=180)
    importing.join()
    assert "Deploying tertial" in deployed, deployed
    assert worker.poll() is None, stack.logs()
    ready = time.monotonic()

    run, task_names = asyncio.run(_trigger_and_wait(stack.api_url))
    finished = time.monotonic()
    assert run.state is not None and run.state.is_completed(), (
        f"{run.name}: {run.state}\n{stack.logs()}"
    )
    assert run.name == "tertial-2027 per 2027-04-13"
    assert "begäran-Socialnämnden" in task_names, task_names

    # The database: one request per committee and company.
    units = _requests_in_database(stack.db_path)
    assert len(units) == 10, units
    assert "Socialnämnden" in units

    # The e-mails, delivered as .eml files in the absolute ARSHJUL_MAIL_DIR.
    mail = sorted(stack.mail_dir.glob("*.eml"))
    assert len(mail) == 10, [p.name for p in mail]
    assert all("Tertialuppföljning" in p.name for p in mail)

    # The artifact through the server's API, and the watch's deployment.
    table, watch = asyncio.run(_read_back(stack.api_url))
    assert table is not None, f"ingen artefakt {TABLE_KEY}"
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert sorted(r["Enhet"] for r in rows) == units
    assert {r["Status"] for r in rows} == {"väntar"}, rows

    assert len(watch.schedules) == 1
    schedule = watch.schedules[0]
    assert schedule.active
    assert schedule.schedule.cron == "0 7 * * 1-5"
    assert schedule.schedule.timezone == "Europe/Stockholm"
    # concurrency_limit: 1 in prefect.yaml becomes the deployment's global concurrency limit.
    assert watch.global_concurrency_limit is not None
    assert watch.global_concurrency_limit.limit == 1

    # The controller's second stage and the watch, from the command line, on the same server.
    arshjul = _script("arshjul")
    stack.run(
        arshjul, "import", "ramar", "arshjul/templates/import/ramar.csv", "--as-of", "2027-01-08"
    )
    stack.run(arshjul, "run", "ramar", "--year", "2027", "--as-of", "2027-01-08")
    stack.run(arshjul, "watch", "--as-of", "2027-04-14")
    manager = time.monotonic()
    overview = asyncio.run(_latest(stack.api_url, OVERVIEW_KEY))
    attention = asyncio.run(_latest(stack.api_url, ATTENTION_KEY))
    assert overview.startswith("# Årshjulet 2027 – Arboga kommun"), overview[:200]
    rows = _table_rows(overview)
    tertial = rows["Tertialuppföljning (t.o.m. april)"]
    asked = _scalar(
        stack.db_path,
        "SELECT count(*) FROM submission_request JOIN stage_instance"
        " ON stage_instance.id = submission_request.stage_instance_id"
        " WHERE stage_instance.slug = 'tertial' AND submission_request.state = 'open'",
    )
    assert tertial["Svar"] == f"0 av {asked}" and tertial["Öppna"] == str(asked)
    assert tertial["Läge"] == "öppet, väntar på underlag"
    frames = rows["Preliminära ramar och anvisningar"]
    assert frames["Läge"] == "sammanställt", frames
    documents = _scalar(stack.db_path, "SELECT count(*) FROM generated_document")
    assert overview.count(f"]({stack.portal_url}/personal/dokument/") == documents >= 1
    assert rows["Delårsrapport (t.o.m. augusti)"]["Läge"] == "planerat"
    # What the frames lacked (the other January imports) is on the manager's list.
    assert attention.startswith("# Behöver åtgärd – Arboga kommun")
    assert "uppgift saknas" in attention

    # The document link, opened as the manager's browser would: refused, then with the password.
    listed = overview.split("- Preliminära ramar och anvisningar: [", 1)[1]
    link = listed.split("](", 1)[1].split(")", 1)[0]
    portal = stack.start("portal", arshjul, "portal", "--port", str(stack.portal_port))
    _wait_for(f"{stack.portal_url}/halsa", portal, stack)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(link, timeout=10)
    assert refused.value.code == 401
    credentials = base64.b64encode(f"personal:{STAFF_PASSWORD}".encode()).decode()
    request = urllib.request.Request(link, headers={"Authorization": f"Basic {credentials}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        content = answer.read()
    import docx

    title = docx.Document(io.BytesIO(content)).core_properties.title
    assert "Preliminära ramar" in title, title
    # LibreOffice (installed by .ci/run) wrote the PDF for publication beside it.
    pdf = urllib.request.Request(f"{link}/pdf", headers=request.headers)
    with urllib.request.urlopen(pdf, timeout=10) as answer:
        assert answer.read(5) == b"%PDF-"

    print(
        f"\nserver klar {healthy - started:.1f} s, work pool {pooled - healthy:.1f} s, "
        f"deploy och worker {ready - pooled:.1f} s, körningen {finished - ready:.1f} s, "
        f"ramar och bevakning {manager - finished:.1f} s, "
        f"totalt {time.monotonic() - started:.1f} s"
    )


def _wait_for(
    url: str, process: subprocess.Popen[bytes], stack: Stack, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, stack.logs()
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} svarade inte:\n{stack.logs()}")

"""The key behind the personal links, the files that hold live links, and a dead database.

What a controller notices: a lost or replaced key stops every command that makes
or checks links with a Swedish explanation (never a new key made behind their
back), ``arshjul nyckel ny`` sends the committees working links again, the
database, key and mail are readable by their owner only, and a database that
cannot be reached is one Swedish line. The commands run as subprocesses on the
files a user would have.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from arshjul import links as link_tokens
from arshjul.lifecycle import tokens
from arshjul.timezone import STOCKHOLM

ARSHJUL = Path(sys.executable).with_name("arshjul")
OPENED = dt.datetime(2027, 4, 13, 7, 0, tzinfo=STOCKHOLM)
AS_OF = "2027-04-20"
LINK = re.compile(r"/begaran/(\d+)/([A-Za-z0-9_-]{43})")


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``arshjul ARGS`` as a user runs it, with this test's ARSHJUL_* settings."""
    environment = {**os.environ, **(env or {})}

    def with_umask() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [str(ARSHJUL), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=with_umask,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def key_file(tmp_path: Path) -> Path:
    return tmp_path / ".arshjul-nyckel"


def send_requests() -> dict[int, str]:
    """Open the tertial's requests and deliver them: what the committees hold, by request."""
    from arshjul.lifecycle.cycle import ensure_stage_instance
    from arshjul.lifecycle.requests import open_requests
    from arshjul.mail.sender import deliver_queued
    from arshjul.models import Municipality
    from arshjul.models.db import default_engine
    from arshjul.settings import get_settings

    settings = get_settings()
    engine = default_engine()
    key = tokens.ensure_link_key(engine, settings).key
    with Session(engine) as session:
        municipality = session.exec(select(Municipality)).one()
        stage = ensure_stage_instance(session, municipality=municipality, year=2027, slug="tertial")
        report = open_requests(
            session, municipality=municipality, stage=stage, as_of=OPENED, link_key=key
        )
        session.commit()
        links = {r.id: link_tokens.derive_token(key, r.id, r.token_salt) for r in report.created}
    deliver_queued(engine, settings=settings, as_of=OPENED)
    engine.dispose()
    return links  # type: ignore[return-value]


def mail_links(folder: Path, subject_start: str) -> dict[int, str]:
    """The links in the .eml files whose subject starts so, by request."""
    found: dict[int, str] = {}
    for path in sorted(folder.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if not str(message["Subject"]).startswith(subject_start):
            continue
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for request_id, token in LINK.findall(text):
            found[int(request_id)] = token
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def portal(tmp_path: Path) -> Iterator[str]:
    """``arshjul portal`` on a free port; its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(ARSHJUL), "portal", "--port", str(port)],
        cwd=tmp_path,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"portalen startade inte: {process.stderr.read()}")  # type: ignore[union-attr]
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_init_records_the_key_and_the_files_are_private_whatever_the_umask(
    tmp_path: Path,
) -> None:
    done = cli("init", cwd=tmp_path, umask=0)
    assert done.returncode == 0, done.stderr
    key = key_file(tmp_path).read_bytes().strip()
    print_ = tokens.fingerprint(key)
    assert (
        f"Nyckeln till de personliga länkarna är skapad: {key_file(tmp_path)} "
        f"(fingeravtryck {print_[:12]}); säkerhetskopiera den" in done.stdout
    )
    database = tmp_path / "arshjul.db"
    assert mode(key_file(tmp_path)) == 0o600 and mode(database) == 0o600
    # The database names the key by its fingerprint and never holds the key.
    from arshjul.models import LinkKey
    from arshjul.models.db import default_engine

    with Session(default_engine()) as session:
        assert [k.fingerprint for k in session.exec(select(LinkKey))] == [print_]
    assert key not in database.read_bytes()
    again = cli("init", cwd=tmp_path)
    assert again.returncode == 0 and "Nyckeln" not in again.stdout  # recorded once

    old = os.umask(0)  # the mail folder and its files too, under the loosest umask
    try:
        links = send_requests()
    finally:
        os.umask(old)
    mail = tmp_path / "e-post"
    files = list(mail.glob("*.eml"))
    assert len(files) == len(links) == 10
    assert mode(mail) == 0o700 and {mode(f) for f in files} == {0o600}


def test_a_lost_key_is_not_replaced_and_a_new_key_sends_working_links(tmp_path: Path) -> None:
    assert cli("init", cwd=tmp_path).returncode == 0
    old_links = send_requests()
    assert mail_links(tmp_path / "e-post", "Begäran om underlag") == old_links
    key_file(tmp_path).unlink()

    for command in (["watch", "--as-of", AS_OF], ["portal", "--port", str(free_port())]):
        refused = cli(*command, cwd=tmp_path)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stderr.startswith(
            f"Fel: Nyckeln till de personliga länkarna saknas: {key_file(tmp_path)} finns inte"
        )
        assert "Lägg tillbaka nyckelfilen från en säkerhetskopia" in refused.stderr
        assert "”arshjul nyckel ny”" in refused.stderr and "Traceback" not in refused.stderr
        assert not key_file(tmp_path).exists()  # no new key behind the controller's back

    issued = cli("nyckel", "ny", "--as-of", AS_OF, cwd=tmp_path, umask=0)
    assert issued.returncode == 0, issued.stderr
    key = key_file(tmp_path).read_bytes().strip()
    assert mode(key_file(tmp_path)) == 0o600
    assert issued.stdout.splitlines() == [
        f"Ny nyckel utfärdad i {key_file(tmp_path)} (fingeravtryck "
        f"{tokens.fingerprint(key)[:12]}); säkerhetskopiera den: utan den slutar länkarna "
        "i e-posten att fungera.",
        "Länkarna som har skickats tidigare fungerar inte längre.",
        "Nya länkar till 10 öppna begäranden: 10 skickade.",
    ]
    new_links = mail_links(tmp_path / "e-post", "Ny länk:")
    assert new_links.keys() == old_links.keys()
    assert all(new_links[r] != old_links[r] for r in old_links)

    # The portal starts again; the new links open the form, the old ones no longer do.
    with portal(tmp_path) as base, httpx.Client(timeout=30) as client:
        for rid in list(old_links)[:3]:
            assert client.get(f"{base}/begaran/{rid}/{new_links[rid]}").status_code == 200
            assert client.get(f"{base}/begaran/{rid}/{old_links[rid]}").status_code == 403


def test_a_different_key_file_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    assert cli("init", cwd=tmp_path).returncode == 0
    recorded = tokens.fingerprint(key_file(tmp_path).read_bytes().strip())
    key_file(tmp_path).write_bytes(b"en-annan-nyckel-" + b"x" * 48)
    refused = cli("document", "tertial", "--year", "2027", "--as-of", AS_OF, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        f"Fel: Nyckeln i {key_file(tmp_path)} är inte den som de personliga länkarna gjordes med."
    )
    assert f"fingeravtrycket {recorded[:12]}" in refused.stderr
    assert "en-annan-nyckel" not in refused.stderr
    assert key_file(tmp_path).read_bytes().startswith(b"en-annan-nyckel-")


def test_a_database_from_before_fingerprints_is_checked_against_the_links_sent(
    tmp_path: Path,
) -> None:
    from arshjul.models import LinkKey
    from arshjul.models.db import default_engine

    assert cli("init", cwd=tmp_path).returncode == 0
    send_requests()
    key = key_file(tmp_path).read_bytes()
    engine = default_engine()
    with Session(engine) as session:  # as an installation upgraded to migration 0005 has it
        for row in session.exec(select(LinkKey)):
            session.delete(row)
        session.commit()

    key_file(tmp_path).unlink()
    lost = cli("portal", "--port", str(free_port()), cwd=tmp_path)
    assert lost.returncode == 2 and "saknas" in lost.stderr
    assert "Databasen har länkar som redan har skickats" in lost.stderr
    assert not key_file(tmp_path).exists()

    key_file(tmp_path).write_bytes(b"y" * 64)
    wrong = cli("portal", "--port", str(free_port()), cwd=tmp_path)
    assert wrong.returncode == 2 and "är inte den som de personliga länkarna" in wrong.stderr

    key_file(tmp_path).write_bytes(key)  # the backup put back: the links' own key
    with portal(tmp_path):
        pass
    with Session(engine) as session:
        recorded = [k.fingerprint for k in session.exec(select(LinkKey))]
    assert recorded == [tokens.fingerprint(key.strip())]


@pytest.mark.postgres
def test_the_secret_key_variable_is_checked_the_same_way(postgres_url: str, tmp_path: Path) -> None:
    from arshjul.models import OutboxMessage
    from arshjul.models.db import get_engine

    first, second = "p" * 40, "nyckel-nummer-två-" + "q" * 30
    done = cli("init", cwd=tmp_path, env={"ARSHJUL_SECRET_KEY": first})
    assert done.returncode == 0, done.stderr
    shown = tokens.fingerprint(first.encode())[:12]
    assert (
        f"Nyckeln till de personliga länkarna är registrerad: ARSHJUL_SECRET_KEY "
        f"(fingeravtryck {shown})." in done.stdout
    )
    send_requests()

    refused = cli("watch", "--as-of", AS_OF, cwd=tmp_path, env={"ARSHJUL_SECRET_KEY": second})
    assert refused.returncode == 2
    assert refused.stderr.startswith(
        "Fel: Nyckeln i ARSHJUL_SECRET_KEY är inte den som de personliga länkarna gjordes med."
    )
    assert "Sätt tillbaka det tidigare värdet i ARSHJUL_SECRET_KEY" in refused.stderr
    assert first not in refused.stderr and second not in refused.stderr

    env = {"ARSHJUL_SECRET_KEY": second}
    issued = cli("nyckel", "ny", "--as-of", AS_OF, cwd=tmp_path, env=env)
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.splitlines()[-1] == "Nya länkar till 10 öppna begäranden: 10 skickade."
    again = cli("nyckel", "ny", "--as-of", AS_OF, cwd=tmp_path, env=env)
    assert again.returncode == 0
    assert "är redan den registrerade" in again.stdout
    assert again.stdout.splitlines()[-1] == "Inga länkar behövde skickas om."
    with Session(get_engine(postgres_url)) as session:
        resent = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "new_link"))
        assert len(resent.all()) == 10  # one per request and key, however often it is run
    assert len(mail_links(tmp_path / "e-post", "Ny länk:")) == 10
    back = cli(
        "portal", "--port", str(free_port()), cwd=tmp_path, env={"ARSHJUL_SECRET_KEY": first}
    )
    assert back.returncode == 2 and "ARSHJUL_SECRET_KEY" in back.stderr


@pytest.mark.parametrize("command", [["init"], ["status"], ["watch", "--as-of", AS_OF]])
def test_an_unreachable_database_is_one_swedish_line(command: list[str], tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    secret = {"ARSHJUL_SECRET_KEY": "s" * 40}
    for url, where in (
        (f"postgresql://arshjul:hemligt-lösen@127.0.0.1:{closed}/arshjul", f"127.0.0.1:{closed}"),
        ("postgresql://arshjul:hemligt-lösen@db.invalid/arshjul", "db.invalid:5432"),
    ):
        done = cli(*command, cwd=tmp_path, env={"ARSHJUL_DATABASE_URL": url, **secret})
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith(f"Fel: Kunde inte ansluta till databasen arshjul på {where}: ")
        assert "ARSHJUL_DATABASE_URL" in lines[0]
        assert "hemligt" not in done.stderr + done.stdout


def test_an_sqlite_file_that_cannot_be_opened_is_one_swedish_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'finns-inte' / 'arshjul.db'}"
    done = cli("status", cwd=tmp_path, env={"ARSHJUL_DATABASE_URL": url})
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"Fel: SQLite-databasen {tmp_path / 'finns-inte' / 'arshjul.db'} kunde inte öppnas: "
        "mappen finns inte, eller får inte skrivas i."
    )


@pytest.mark.slow
def test_a_successful_watch_ends_without_tracebacks(tmp_path: Path) -> None:
    assert cli("init", cwd=tmp_path).returncode == 0
    done = cli("watch", "--as-of", "2027-03-02", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Bevakning 2027-03-02: 0 påminnelser")
    assert done.stderr == ""  # Prefect's lines stay in the run's log, off the terminal
    # With --verbose they are shown: the temporary server did stop, quietly.
    loud = cli("watch", "--as-of", "2027-03-02", "--verbose", cwd=tmp_path)
    assert loud.returncode == 0, loud.stderr
    assert "Traceback" not in loud.stderr and "CancelledError" not in loud.stderr
    assert "Stopping temporary server" in loud.stderr

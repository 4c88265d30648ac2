"""What the controller sees of refused and delayed mail from `arshjul run`, `watch` and `status`.

The commands run in this process (typer's CliRunner) against the session's
temporary Prefect server, delivering to a real SMTP server on loopback that
refuses one secretary with 550 and is then stopped for an outage.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from test_flow_bevakning import _artifact
from test_mail import parse
from test_mail_smtp import Server
from typer.testing import CliRunner

BUN = "bun.sekreterare@arboga.example"
REFUSAL = "Mottagaren avvisades: 550 5.1.1 Mottagaren finns inte här"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """The SMTP server the settings point at; it refuses BUN's secretary."""
    smtp = Server()
    smtp.handler.refuse = {BUN}
    smtp.start()
    monkeypatch.setenv("ARSHJUL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ARSHJUL_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("ARSHJUL_SMTP_TIMEOUT_SECONDS", "5")
    from arshjul.settings import get_settings

    get_settings.cache_clear()
    yield smtp
    smtp.stop()
    get_settings.cache_clear()


def arshjul(*args: str) -> tuple[int, str, str]:
    """Run a command as `arshjul ARGS`: its exit code, standard output and standard error."""
    from arshjul.cli import app

    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def notices(server: Server) -> list[str]:
    """The plain text of every notice to the controllers that arrived."""
    found = [parse(r.data) for r in server.handler.received]
    return [
        m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for m in found
        if str(m["Subject"]).startswith("E-post kom inte fram")
    ]


def latest(key: str) -> str:
    """The newest version of an artifact: markdown as text, a table as JSON text."""
    artifact = asyncio.run(_artifact(key))
    assert artifact is not None, key
    data = artifact.data  # type: ignore[attr-defined]
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)


def table(key: str) -> list[dict[str, object]]:
    return json.loads(latest(key))  # type: ignore[no-any-return]


@pytest.mark.slow
def test_refused_and_delayed_mail_is_seen_by_the_controller(
    prefect_harness: None, arboga: object, server: Server
) -> None:
    code, out, err = arshjul("run", "tertial", "--year", "2027", "--as-of", "2027-04-13")
    print(out, err, sep="\n")
    assert code == 4
    assert "E-post misslyckades: 1 e-brev kom inte fram" in err
    assert (
        "  – Barn- och utbildningsnämnden, Tertialuppföljning (t.o.m. april) 2027: begäran om "
        f"underlag till Nämndsekreterare BUN (exempel) <{BUN}> – {REFUSAL}"
    ) in err
    assert (
        "Controllern har fått ett e-brev om det som inte kom fram "
        "(controller@arboga.example, bun.controller@arboga.example)."
    ) in out
    [notice] = notices(server)
    assert f"<{BUN}> – {REFUSAL}" in notice

    code, out, _ = arshjul("status", "--as-of", "2027-04-13")
    assert code == 0
    [bun, note] = [line for line in out.splitlines() if "Barn- och utbildningsnämnden" in line]
    assert "e-post misslyckades" in bun
    assert note == (
        "E-post misslyckades till Barn- och utbildningsnämnden (Tertialuppföljning (t.o.m. april) "
        f"2027): {REFUSAL} <{BUN}>"
    )
    _, out, _ = arshjul("status", "--as-of", "2027-04-13", "--json")
    shown = {r["unit"]: r for r in json.loads(out)}
    assert shown["Barn- och utbildningsnämnden"]["state_sv"] == "e-post misslyckades"
    assert shown["Barn- och utbildningsnämnden"]["mail_error"].startswith(REFUSAL)
    assert shown["Socialnämnden"]["state_sv"] == "väntar"

    rows = {r["Enhet"]: r["Status"] for r in table("tertial-2027-1984-begaranden")}
    assert rows["Barn- och utbildningsnämnden"] == "e-post misslyckades"
    assert rows["Socialnämnden"] == "väntar"
    mail = latest("tertial-2027-1984-e-post")
    assert "**E-post misslyckades: 1**" in mail
    assert f"- Barn- och utbildningsnämnden: {REFUSAL}" in mail

    # Run again: nothing new is refused, so no second notice and a clean exit.
    code, _, err = arshjul("run", "tertial", "--year", "2027", "--as-of", "2027-04-13")
    assert code == 0 and "E-post misslyckades" not in err
    assert len(notices(server)) == 1

    # An outage on the day of the first reminders: queued, counted, nothing failed.
    server.stop()
    code, out, err = arshjul("watch", "--as-of", "2027-04-29")
    print(out, err, sep="\n")
    assert code == 0 and "E-post misslyckades" not in err
    assert "10 påminnelser" in out and "10 väntar" in out
    waits = "10 e-brev väntar i utkorgen; nästa försök vid bevakningen 30 april 2027 kl. 07.00"
    assert f"E-post väntar: {waits} (Kunde inte ansluta till e-postservern 127.0.0.1:" in out
    watched = {r["Enhet"]: r["Status"] for r in table("oppna-begaranden-1984")}
    assert watched["Barn- och utbildningsnämnden"] == "e-post misslyckades"
    overview = latest("e-post-1984")
    assert f"**{waits}" in overview
    assert "Barn- och utbildningsnämnden, Tertialuppföljning (t.o.m. april) 2027" in overview

    # Back up, the address corrected: the reminders arrive, BUN has its link at last.
    server.handler.refuse = set()
    server.start()
    code, out, _ = arshjul("watch", "--as-of", "2027-04-30")
    assert code == 0 and "10 e-brev skickade" in out and "E-post väntar" not in out
    _, out, _ = arshjul("status", "--as-of", "2027-04-30", "--json")
    assert {r["state_sv"] for r in json.loads(out)} == {"väntar"}
    assert "Inga e-brev väntar i utkorgen." in latest("e-post-1984")
    assert len(notices(server)) == 1

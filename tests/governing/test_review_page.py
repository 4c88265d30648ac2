"""A governing document's owner answers its review on the web page the e-mail links to
(#18, item 5): a real uvicorn on loopback, the link read out of the delivered .eml file,
a wrong answer refused in Swedish with nothing stored, a tampered link refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from test_portal_limits import KEY, serving

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.lifecycle.watch import run_watch
from arshjul.mail.sender import deliver_queued
from arshjul.models import DocumentReview, GoverningDocument
from arshjul.settings import Settings
from arshjul.timezone import STOCKHOLM

ASKED = dt.datetime(2026, 12, 1, 7, 0, tzinfo=STOCKHOLM)
ANSWERED = dt.datetime(2027, 1, 20, 10, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def asked(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """Arboga asking owners (the shipped file does not), the programme's review asked."""
    path = tmp_path / "arboga.toml"
    shipped = shipped_config_path().read_text(encoding="utf-8")
    path.write_text(shipped.replace("ask_owners = false", "ask_owners = true"), encoding="utf-8")
    with Session(engine) as session:
        municipality = apply_config(session, load_config(path)).municipality
        assert run_watch(session, municipality=municipality, as_of=ASKED).review_requests == 1
        session.commit()
    yield engine


def _link_in_mail(engine: Engine, tmp_path: Path, base: str) -> str:
    settings = Settings(
        secret_key=KEY,  # type: ignore[arg-type]
        mail_dir=tmp_path / "e-post",  # type: ignore[arg-type]
        portal_url=base,  # type: ignore[arg-type]
    )
    delivered = deliver_queued(engine, settings=settings, as_of=ASKED)
    [path] = [p for p in delivered.written_files if "Översyn" in p.name]
    mail = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "@@" not in text and "@@" not in html  # no placeholder left
    [link] = re.findall(rf"{re.escape(base)}/oversyn/\d+/[\w-]+", text)
    assert f'href="{link}"' in html and "Lämna beskedet" in html
    return link


def test_the_owner_answers_on_the_linked_page_and_the_register_moves(
    asked: Engine, tmp_path: Path
) -> None:
    with serving(asked, lambda: ANSWERED) as served:
        link = _link_in_mail(asked, tmp_path, served.base)
        page = httpx.get(link)
        assert page.status_code == 200
        assert "Översyn: Politiskt program" in page.text
        assert "KF § 14, 23 februari 2023" in page.text and "23 februari 2027" in page.text
        assert 'value="revise"' in page.text and "Ska revideras" in page.text

        # To be revised, but no date, and no name: the form again, nothing stored.
        refused = httpx.post(link, data={"besked": "revise", "revideras_senast": "", "namn": ""})
        assert refused.status_code == 422
        assert "Beskedet sparades inte: 2 fel att rätta" in refused.text
        assert "Ange när det reviderade dokumentet ska vara klart." in refused.text
        assert "Skriv ditt namn" in refused.text
        with Session(asked) as session:
            assert session.exec(select(DocumentReview)).one().outcome is None

        answered = httpx.post(
            link,
            data={
                "besked": "revise",
                "revideras_senast": "2027-04-30",
                "kommentar": "Revideras med den nya mandatperiodens mål.",
                "namn": "Karin Sekreterare",
            },
            follow_redirects=True,
        )
        assert answered.status_code == 200  # followed the 303 back to the page
        assert "Beskedet är lämnat: ska revideras, klart senast 30 april 2027" in answered.text
        assert "Karin Sekreterare" in answered.text

        again = httpx.post(link, data={"besked": "repeal", "namn": "Någon annan"})
        assert again.status_code == 409 and "ska revideras" in again.text

        # A tampered token, another review's number, rubbish: the same refusal.
        for bad in (link[:-2] + "xx", re.sub(r"/oversyn/\d+/", "/oversyn/999/", link)):
            answer = httpx.get(bad)
            assert answer.status_code == 403 and "Länken gäller inte" in answer.text

    with Session(asked) as session:
        review = session.exec(select(DocumentReview)).one()
        assert (review.outcome, review.revise_by) == ("revise", dt.date(2027, 4, 30))
        assert review.comment == "Revideras med den nya mandatperiodens mål."
        assert review.answered_by.startswith("Karin Sekreterare (webbsidan")
        document = session.get(GoverningDocument, review.document_id)
        assert document is not None and document.title == "Politiskt program"

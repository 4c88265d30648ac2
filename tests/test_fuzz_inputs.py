"""Generated input against every door a figure comes in by: the stage forms (the portal
and ``submit``), the imports and the configuration.

The properties (issue #15): an input is either stored exactly as written or refused with
a Swedish message; never an unexpected exception (a 500 on the page, a traceback on the
command line); a refused input changes nothing in the database. About 1 400 inputs a run.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from arshjul.config.apply import apply_config
from arshjul.config.loader import load_config, shipped_config_path
from arshjul.errors import ArshjulError, ConfigError
from arshjul.formats import format_number
from arshjul.forms import FORMS, validate_form
from arshjul.forms.fields import kind_of
from arshjul.forms.present import collect, fields_for
from arshjul.imports import import_file
from arshjul.models import (
    AuditEntry,
    BudgetFrame,
    FinancialFigure,
    Municipality,
    PlanningFigure,
)
from arshjul.swedish_numbers import PLAUSIBLE_MAX_TKR, NumberError, parse_number

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AS_OF = dt.datetime(2027, 6, 15, 9, 0, tzinfo=STOCKHOLM)
SHIPPED = shipped_config_path().read_text(encoding="utf-8")

# Text the way people and programs produce it: digits with Swedish and foreign
# separators, signs, exponents, units, letters, control characters and nothing at all.
_PIECES = st.sampled_from(
    ["0", "1", "5", "9", "12", "412", "500", " ", "\u00a0", "\u202f", ",", ".", "-", "\u2212",
     "\u2013", "+", "e", "E", "_", "%", "tkr", "kr", "inf", "nan", "x", "\u00e5", "\t", "\n",
     "\u0000", "<b>", "'", '"', "1e308", "9" * 20]
)  # fmt: skip
_WRITTEN = st.decimals(
    min_value=-(2 * 10**7), max_value=2 * 10**7, places=1, allow_nan=False, allow_infinity=False
).map(lambda d: format_number(d, 1))  # what a Swede types: "−1 234 567,5"
NUMBERISH = st.one_of(_WRITTEN, st.lists(_PIECES, max_size=8).map("".join), st.text(max_size=20))


def _swedish(message: str) -> bool:
    """A refusal a user can read: not empty, no Python exception text."""
    return bool(message.strip()) and "Traceback" not in message and "Error(" not in message


# --------------------------------------------------------------------------- forms
def _posted(form: type, draw: st.DrawFn) -> dict[str, str]:
    posted: dict[str, str] = {"submitted_by": "Anna Andersson"}
    for name, field in fields_for(form, "committee"):
        kind = kind_of(field)
        if kind == "file":
            continue
        if kind == "rows":
            continue  # rows have their own test below through the same parser
        posted[name] = draw(NUMBERISH if kind == "tkr" else st.text(max_size=60))
    return posted


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), slug=st.sampled_from(sorted(FORMS)))
def test_a_form_stores_what_was_written_or_says_why_not(data: st.DataObject, slug: str) -> None:
    form = FORMS[slug]
    posted = _posted(form, data.draw)
    context: dict[str, Any] = {"unit_kind": "committee"}
    model, errors = validate_form(form, collect(form, posted, context), context)
    if model is None:
        event("vägrat")
        assert errors and all(_swedish(m) for m in errors.values()), errors
        return
    event("lagrat")
    stored = model.stage_data()
    for name, field in fields_for(form, "committee"):
        if kind_of(field) == "tkr" and posted.get(name, "").strip():
            # Stored exactly as written: the kronor of the tkr the user typed.
            written = parse_number(posted[name], suffixes=("tkr",))
            assert stored[name] == int((written * 1000).to_integral_value()), (name, posted[name])


# --------------------------------------------------------------------------- imports
TABLES = (BudgetFrame, FinancialFigure, PlanningFigure, AuditEntry)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite database with Arboga's configuration, shared by the generated imports."""
    from arshjul.models.db import get_engine, upgrade

    folder = tmp_path_factory.mktemp("fuzz")
    engine = get_engine(f"sqlite:///{folder / 'fuzz.db'}")
    upgrade(engine)
    with Session(engine) as session:
        apply_config(session, load_config())
        session.commit()
    yield engine
    engine.dispose()


def _counts(session: Session) -> dict[str, int]:
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in TABLES}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    amount=NUMBERISH,
    month=st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), NUMBERISH),
    unit=st.sampled_from(["bun", "sn", "BUN", "Socialnämnden", "xyz", ""]),
)
def test_an_import_stores_what_was_written_or_changes_nothing(
    loaded: Engine, amount: str, month: str, unit: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "utfall.csv"
        cells = [unit, "2027", month, amount]
        if any(";" in c or "\n" in c or "\r" in c or '"' in c for c in cells):
            return  # the CSV's own syntax, not a figure
        path.write_text("enhet;år;månad;belopp_tkr\n" + ";".join(cells) + "\n", encoding="utf-8")
        with Session(loaded) as session:
            municipality = session.exec(select(Municipality)).one()
            before = _counts(session)
            try:
                import_file(
                    session,
                    municipality=municipality,
                    kind="utfall",
                    path=path,
                    as_of=AS_OF,
                    actor="fuzz",
                )
            except ArshjulError as refused:
                event("vägrat")
                session.rollback()
                assert _swedish(str(refused)) and "utfall.csv" in str(refused)
                about_amount = [m for m in refused.details if "kolumn belopp_tkr" in m]
                plain = " ".join(amount.split())
                if about_amount and plain == amount and 0 < len(amount) <= 20:
                    # The value is shown as written, not mangled by the message's formatting.
                    assert f"”{amount}”" in about_amount[0] or "värde saknas" in about_amount[0]
                assert _counts(session) == before
                return
            stored = session.exec(
                select(FinancialFigure.amount_kr)
                # The newest row: the month as the import read it ("1.0" from a sheet is 1).
                .where(FinancialFigure.year == 2027)
                .order_by(FinancialFigure.id.desc())  # type: ignore[union-attr]
            ).first()
            session.rollback()  # keep the shared database as it was
        event("lagrat")
        written = parse_number(amount, suffixes=("tkr",))
        assert stored == int((written * 1000).to_integral_value())


# --------------------------------------------------------------------------- configuration
@settings(max_examples=300, deadline=None)
@given(value=NUMBERISH, anchor=st.sampled_from([
    "amount_tkr = 1000", "share_percent = 0.5", "ks = 55", "term_target = 80",
    "reminder_working_days = [5, 1]", "material_percent = 10",
]))  # fmt: skip
def test_a_configuration_is_valid_or_refused_with_its_field(value: str, anchor: str) -> None:
    """Any value written into a number of the TOML: loaded, or one Swedish ConfigError."""
    if anchor not in SHIPPED:
        pytest.skip(f"{anchor!r} is no longer in the shipped file")  # pragma: no cover
    key = anchor.split(" = ")[0]
    text = SHIPPED.replace(anchor, f"{key} = {value}", 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "kommun.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_config(path)
            event("inläst")
        except ConfigError as refused:
            event("vägrat")
            assert _swedish(str(refused)) and str(path) in str(refused)


def test_the_number_parser_never_raises_anything_but_its_own_error() -> None:
    """A smoke check of the strategies above: they do reach both outcomes."""
    outcomes = set()
    for text in ("1 234,5", "412.500", "1e3", "", "tolv", "\u22125"):
        try:
            parse_number(text)
            outcomes.add("ok")
        except NumberError:
            outcomes.add("refused")
    assert outcomes == {"ok", "refused"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(amount=_WRITTEN, month=st.integers(1, 5))
def test_a_plausible_amount_written_the_swedish_way_is_never_refused(
    loaded: Engine, amount: str, month: int
) -> None:
    written = parse_number(amount)
    if abs(written) > PLAUSIBLE_MAX_TKR:
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "utfall.csv"
        path.write_text(f"enhet;år;månad;belopp_tkr\nbun;2027;{month};{amount}\n", encoding="utf-8")
        with Session(loaded) as session:
            municipality = session.exec(select(Municipality)).one()
            import_file(
                session, municipality=municipality, kind="utfall", path=path, as_of=AS_OF, actor="f"
            )
            stored = session.exec(
                select(FinancialFigure.amount_kr).where(
                    FinancialFigure.year == 2027, FinancialFigure.month == month
                )
            ).first()
            session.rollback()
    assert stored == int((written * 1000).to_integral_value())

"""The import kinds, declared: their columns, and how a checked row becomes a database row.

Each kind is data: a list of :class:`~arshjul.imports.columns.Column`, the table
it writes, the fields that identify a row (its unique key) and the fields it
sets, plus a small function from a checked row to those fields. Reading,
checking, duplicate detection and upserting are shared (``apply.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import object_session
from sqlmodel import SQLModel, select

from arshjul.config.schema import InternalControlConfig
from arshjul.config.stored import municipality_config
from arshjul.formats import format_date
from arshjul.imports.columns import CellContext, Column, ColumnType, fold
from arshjul.models import (
    BudgetFrame,
    Control,
    FigureKind,
    FinancialFigure,
    FrameKind,
    FrameStatus,
    Municipality,
    OrgUnit,
    PlanningFigure,
    Risk,
)
from arshjul.timezone import STOCKHOLM

if TYPE_CHECKING:
    from arshjul.config.schema import InternalControlConfig

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "import"

Row = dict[str, Any]
Check = Callable[[Row, CellContext], list[tuple[str, str]]]


@dataclass(frozen=True)
class ImportKind:
    """One kind of import file and where its rows go.

    ``key`` names the model fields that identify a row within the municipality
    (the table's unique key); ``values`` the fields an import sets and compares.
    ``replace_scope``: a re-imported scope (e.g. a unit's month of actuals) is
    replaced whole, rows missing from the file are removed, and the old values
    are kept in an audit entry.
    """

    slug: str
    title: str
    columns: tuple[Column, ...]
    model: type[SQLModel]
    key: tuple[str, ...]
    values: tuple[str, ...]
    record: Callable[[Row], dict[str, Any]]
    year_field: str = "year"
    fixed: Mapping[str, Any] = field(default_factory=dict)
    check: Check | None = None
    replace_scope: tuple[str, ...] = ()
    locked: Callable[[Any], str | None] | None = None

    @property
    def template(self) -> Path:
        """The example CSV a controller can start from."""
        return TEMPLATES / f"{self.slug}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# --------------------------------------------------------------------------- columns
def _unit(name: str = "enhet") -> Column:
    return Column(name, ColumnType.UNIT, "unit", aliases=("nämnd", "enhetsnyckel"))


def _year(name: str = "år", *aliases: str, ahead: int = 10) -> Column:
    return Column(name, ColumnType.YEAR, "year", aliases=aliases, years_ahead=ahead)


_KEY = Column("nyckel", ColumnType.TEXT, "key", aliases=("id",), max_length=40)
_MONTH = Column("månad", ColumnType.MONTH, "month", aliases=("mån", "månadsnummer"))
_TKR = Column("belopp_tkr", ColumnType.TKR, "amount_kr", aliases=("belopp_i_tkr", "tkr"))

_FRAME_KIND = {
    "drift": FrameKind.OPERATIONS,
    "driftram": FrameKind.OPERATIONS,
    "investering": FrameKind.INVESTMENT,
    "investeringar": FrameKind.INVESTMENT,
    "investeringsram": FrameKind.INVESTMENT,
}
_FRAME_STATUS = {
    "föregående": FrameStatus.PREVIOUS,
    "preliminär": FrameStatus.PRELIMINARY,
    "förslag": FrameStatus.PROPOSED,
    "ks": FrameStatus.EXECUTIVE_BOARD,
    "kf": FrameStatus.COUNCIL,
    "föregående år": FrameStatus.PREVIOUS,
    "kommunstyrelsen": FrameStatus.EXECUTIVE_BOARD,
    "kommunfullmäktige": FrameStatus.COUNCIL,
}
_INDEX = {
    "pris": "price",
    "lön": "wage",
    "pkv": "pkv",
    "prisindex": "price",
    "löneindex": "wage",
    "löner": "wage",
}


def _age_group(text: str) -> str:
    """``0-5``, ``0 – 5``, ``95+``, ``90-w`` → ``0-5`` or ``95+``."""
    span = re.fullmatch(r"(\d{1,3})\s*[-–—]\s*(\d{1,3})", text)
    if span:
        low, high = int(span[1]), int(span[2])
        if low > high:
            raise ValueError(f"”{text}”: åldersgruppen börjar efter att den slutar")
        return f"{low}-{high}"
    open_ended = re.fullmatch(r"(\d{1,3})\s*(\+|[-–—]\s*[wW]?|och äldre)", text)
    if open_ended:
        return f"{int(open_ended[1])}+"
    if re.fullmatch(r"\d{1,3}", text):
        return str(int(text))
    raise ValueError(f"”{text}” är ingen åldersgrupp; skriv t.ex. 0-5, 6-15 eller 80+")


def _measure(text: str) -> str:
    """A goal's measure as a stable key: ``Skatteintäkter tkr`` → ``skatteintakter_tkr``."""
    key = fold(text)
    if not key:
        raise ValueError(f"”{text}” är inget mått; skriv t.ex. resultat_andel_skatter")
    return key


def _iso_date(text: str) -> str:
    """A date written ÅÅÅÅ-MM-DD, kept as that text (the record makes it a date)."""
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"”{text}” är inget datum; skriv det som ÅÅÅÅ-MM-DD, t.ex. 2027-10-31")
    return day.isoformat()


# --------------------------------------------------------------------------- checks
def _month_start(year: int, month: int) -> dt.datetime:
    return dt.datetime(year, month, 1, tzinfo=STOCKHOLM)


def _next_month_start(year: int, month: int) -> dt.datetime:
    return _month_start(year + month // 12, month % 12 + 1)


def _month_has_ended(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """Actuals only for a month that is over (Europe/Stockholm)."""
    if ctx.as_of < _next_month_start(row["year"], row["month"]):
        on = format_date(ctx.as_of.astimezone(STOCKHOLM).date())
        return [("månad", f"månaden {row['year']}-{row['month']:02d} är inte slut den {on}")]
    return []


def _month_has_begun(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """A forecast is made in a month that has begun."""
    if ctx.as_of < _month_start(row["year"], row["month"]):
        on = format_date(ctx.as_of.astimezone(STOCKHOLM).date())
        return [("månad", f"månaden {row['year']}-{row['month']:02d} har inte börjat den {on}")]
    return []


def _area_matches_kind(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """An area only and always for investments; an operating frame is a net cost (> 0)."""
    problems = []
    if row["kind"] == FrameKind.OPERATIONS and row["area"]:
        problems.append(
            ("område", f"”{row['area']}”: område anges bara för investeringar, inte drift")
        )
    if row["kind"] == FrameKind.INVESTMENT and not row["area"]:
        problems.append(
            ("område", "värde saknas: en investeringsram gäller ett område eller projekt")
        )
    if row["kind"] == FrameKind.OPERATIONS and row["amount_kr"] < 0:
        problems.append(
            ("belopp_tkr", "en driftram är nämndens nettokostnad och kan inte vara negativ")
        )
    return problems


def _internal_control_config(unit: OrgUnit) -> InternalControlConfig:
    """The unit's municipality's scale and categories for internal control."""

    session = object_session(unit)
    municipality = session.get(Municipality, unit.municipality_id) if session else None
    if municipality is None:  # pragma: no cover - an imported unit is always in a session
        return InternalControlConfig()
    return municipality_config(municipality).internal_control


def _risk_on_scale(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """Probability and consequence on the configured scale, a configured category.

    The category is kept as the configuration spells it (``it`` → ``IT``).
    """
    config = _internal_control_config(row["unit"])
    problems: list[tuple[str, str]] = []
    for column, name in (("sannolikhet", "probability"), ("konsekvens", "consequence")):
        if row[name] > config.scale:
            problems.append(
                (
                    column,
                    f"{row[name]} ligger utanför skalan 1–{config.scale} "
                    "(kommunens skala för intern kontroll)",
                )
            )
    category = {fold(c): c for c in config.categories}.get(fold(row["category"]))
    if category is None:
        problems.append(
            (
                "kategori",
                f"”{row['category']}” är ingen kategori för intern kontroll; "
                f"välj en av: {', '.join(config.categories)}",
            )
        )
    else:
        row["category"] = category
    return problems


def _risk_exists(row: Row, ctx: CellContext) -> list[tuple[str, str]]:
    """A control belongs to a risk of the same unit and year already in the database.

    The risk found is kept in the row (``row["risk"]``) for the record.
    """
    unit: OrgUnit = row["unit"]
    session = object_session(unit)
    risk = None
    if session is not None:
        risk = session.scalars(
            select(Risk).where(
                Risk.unit_id == unit.id, Risk.year == row["year"], Risk.key == row["risk_key"]
            )
        ).first()
    if risk is None:
        return [
            (
                "risk",
                f"”{row['risk_key']}” är ingen risk för {unit.key} {row['year']}; "
                "importera risken först (arshjul import risker)",
            )
        ]
    row["risk"] = risk
    return []


def _decided(frame: BudgetFrame) -> str | None:
    if frame.decision_id is not None:
        return "ramen är beslutad och ändras bara genom ett nytt beslut (arshjul decide)"
    return None


# --------------------------------------------------------------------------- records
def _frame(row: Row) -> dict[str, Any]:
    return {
        "unit_id": row["unit"].id,
        "budget_year": row["year"],
        "kind": str(row["kind"]),
        "area": row["area"],
        "status": str(row["status"]),
        "amount_kr": row["amount_kr"],
    }


def _actual(row: Row) -> dict[str, Any]:
    return {
        "unit_id": row["unit"].id,
        "year": row["year"],
        "month": row["month"],
        "account_group": row["account_group"],
        "project": row["project"],
        "amount_kr": row["amount_kr"],
    }


def _forecast(row: Row) -> dict[str, Any]:
    return _actual({**row, "account_group": "", "project": ""})


def _planning(key: str, sub_key: str = "") -> Callable[[Row], dict[str, Any]]:
    def record(row: Row) -> dict[str, Any]:
        return {
            "year": row["year"],
            "key": row[key].key if isinstance(row[key], OrgUnit) else row[key],
            "sub_key": row[sub_key] if sub_key else "",
            "value": float(row["value"]),
        }

    return record


def _financial_goal(row: Row) -> dict[str, Any]:
    """A measure in tkr is kept in whole kronor, under a key ending in ``_kr``."""
    record = _planning("measure")(row)
    if record["key"].endswith("_tkr"):
        kronor = (row["value"] * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        record["key"] = record["key"].removesuffix("_tkr") + "_kr"
        record["value"] = float(kronor)
    return record


def _risk(row: Row) -> dict[str, Any]:
    return {
        "unit_id": row["unit"].id,
        "year": row["year"],
        "key": row["key"],
        "description": row["description"],
        "category": row["category"],
        "probability": row["probability"],
        "consequence": row["consequence"],
    }


def _control(row: Row) -> dict[str, Any]:
    return {
        "risk_id": row["risk"].id,
        "key": row["key"],
        "method": row["method"],
        "frequency": row["frequency"],
        "owner": row["owner"],
        "report_on": dt.date.fromisoformat(row["report_on"]),
    }


# --------------------------------------------------------------------------- the kinds
_PLANNING_KEY = ("year", "kind", "key", "sub_key")
_FIGURE_KEY = ("unit_id", "year", "month", "kind", "account_group", "project")

FIGURE_KINDS: dict[str, ImportKind] = {
    kind.slug: kind
    for kind in (
        ImportKind(
            slug="ramar",
            title="Ramar",
            columns=(
                _unit(),
                _year("budgetår", "år"),
                Column("typ", ColumnType.CHOICE, "kind", aliases=("ramtyp",), choices=_FRAME_KIND),
                Column(
                    "område",
                    ColumnType.TEXT,
                    "area",
                    required=False,
                    aliases=("projekt", "investeringsområde"),
                ),
                _TKR,
                Column(
                    "status",
                    ColumnType.CHOICE,
                    "status",
                    aliases=("ramstatus",),
                    choices=_FRAME_STATUS,
                ),
            ),
            model=BudgetFrame,
            key=("unit_id", "budget_year", "kind", "area", "status"),
            values=("amount_kr",),
            record=_frame,
            year_field="budget_year",
            check=_area_matches_kind,
            locked=_decided,
        ),
        ImportKind(
            slug="utfall",
            title="Utfall",
            columns=(
                _unit(),
                _year("år", "räkenskapsår"),
                _MONTH,
                Column(
                    "kontogrupp", ColumnType.TEXT, "account_group", required=False, max_length=60
                ),
                Column("projekt", ColumnType.TEXT, "project", required=False),
                _TKR,
            ),
            model=FinancialFigure,
            key=_FIGURE_KEY,
            values=("amount_kr",),
            record=_actual,
            fixed={"kind": FigureKind.ACTUAL.value},
            check=_month_has_ended,
            replace_scope=("unit_id", "year", "month"),
        ),
        ImportKind(
            slug="prognos",
            title="Prognoser",
            columns=(_unit(), _year("år"), _MONTH, _TKR),
            model=FinancialFigure,
            key=_FIGURE_KEY,
            values=("amount_kr",),
            record=_forecast,
            fixed={"kind": FigureKind.FORECAST.value},
            check=_month_has_begun,
        ),
        ImportKind(
            slug="befolkning",
            title="Befolkningsprognos",
            columns=(
                _year("år", ahead=30),
                Column(
                    "åldersgrupp",
                    ColumnType.TEXT,
                    "age_group",
                    aliases=("ålder", "åldersklass"),
                    max_length=20,
                    clean=_age_group,
                ),
                Column("antal", ColumnType.DECIMAL, "value", aliases=("invånare",), minimum=0),
            ),
            model=PlanningFigure,
            key=_PLANNING_KEY,
            values=("value",),
            record=_planning("age_group"),
            fixed={"kind": "population"},
        ),
        ImportKind(
            slug="volymer",
            title="Volymer",
            columns=(
                _year("år", ahead=20),
                _unit(),
                Column("verksamhet", ColumnType.TEXT, "service", max_length=120),
                Column("volym", ColumnType.DECIMAL, "value", aliases=("antal",), minimum=0),
            ),
            model=PlanningFigure,
            key=_PLANNING_KEY,
            values=("value",),
            record=_planning("unit", "service"),
            fixed={"kind": "volume"},
        ),
        ImportKind(
            slug="index",
            title="Pris- och löneindex",
            columns=(
                _year("år"),
                Column("slag", ColumnType.CHOICE, "index", aliases=("index",), choices=_INDEX),
                Column("procent", ColumnType.DECIMAL, "value", aliases=("förändring_procent",)),
            ),
            model=PlanningFigure,
            key=_PLANNING_KEY,
            values=("value",),
            record=_planning("index"),
            fixed={"kind": "index"},
        ),
        ImportKind(
            slug="finansiella-mal",
            title="Finansiella mål",
            columns=(
                _year("år"),
                Column(
                    "mått",
                    ColumnType.TEXT,
                    "measure",
                    aliases=("nyckeltal",),
                    max_length=120,
                    clean=_measure,
                ),
                Column("värde", ColumnType.DECIMAL, "value", aliases=("målvärde",)),
            ),
            model=PlanningFigure,
            key=_PLANNING_KEY,
            values=("value",),
            record=_financial_goal,
            fixed={"kind": "financial_goal"},
        ),
        ImportKind(
            slug="risker",
            title="Risker (intern kontroll)",
            columns=(
                _unit(),
                _year("år"),
                _KEY,
                Column(
                    "beskrivning",
                    ColumnType.TEXT,
                    "description",
                    aliases=("risk",),
                    max_length=1000,
                ),
                Column("kategori", ColumnType.TEXT, "category", max_length=40),
                Column("sannolikhet", ColumnType.INT, "probability", minimum=1),
                Column("konsekvens", ColumnType.INT, "consequence", minimum=1),
            ),
            model=Risk,
            key=("unit_id", "year", "key"),
            values=("description", "category", "probability", "consequence"),
            record=_risk,
            check=_risk_on_scale,
        ),
        ImportKind(
            slug="kontroller",
            title="Kontroller (internkontrollplan)",
            columns=(
                _unit(),
                _year("år"),
                Column("risk", ColumnType.TEXT, "risk_key", aliases=("risknyckel",), max_length=40),
                _KEY,
                Column("metod", ColumnType.TEXT, "method", aliases=("kontroll",), max_length=1000),
                Column("frekvens", ColumnType.TEXT, "frequency", max_length=200),
                Column("ansvarig", ColumnType.TEXT, "owner", max_length=200),
                Column(
                    "rapportdatum",
                    ColumnType.TEXT,
                    "report_on",
                    aliases=("rapporteras",),
                    max_length=10,
                    clean=_iso_date,
                ),
            ),
            model=Control,
            key=("risk_id", "key"),
            values=("method", "frequency", "owner", "report_on"),
            record=_control,
            # Control has no year of its own: the rows compared are those of the file's risks.
            year_field="risk_id",
            check=_risk_exists,
        ),
    )
}

"""The central office's part of the simulated year: the year's files and the bodies' decisions.

The controllers import what a real year brings (the planning inputs and last
year's books in January, SKR's tax forecast in April, each month's actuals and
trial balance, the companies' books at the interim and the year's end) through
the same imports a controller uses, and register the decisions of the budget
day, the executive board and the council on their meeting days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from arshjul.config.stored import municipality_config
from arshjul.demo import books, figures
from arshjul.demo.clock import at
from arshjul.imports import import_file, import_trial_balance
from arshjul.kolada.files import import_kolada_file
from arshjul.models import Municipality, OrgUnit
from arshjul.models.db import session_scope
from arshjul.settings import get_settings
from arshjul.stages.decide import decide
from arshjul.stages.deviations import operating_frame

ACTOR = "controller (demo)"
#: Kolada's values for the demo, in Kolada's shape; made up, and marked so in the file.
KOLADA_SAMPLE = Path(__file__).parents[1] / "templates" / "import" / "kolada" / "exempel.json"


class Office:
    """The controller team of one municipality in one simulated year."""

    def __init__(self, engine: Engine, municipality: Municipality, year: int, folder: Path):
        self.engine = engine
        self.municipality = municipality
        self.year = year
        self.folder = folder / "indata"  # the files the office imports are written here
        self.books = books.DemoBooks.build(year)

    def _import(self, kind: str, path: Path, day: dt.date, entity: str | None = None) -> None:
        """One file through the same import a controller uses (a trial balance by entity)."""

        with Session(self.engine) as session:
            if entity is not None:
                import_trial_balance(
                    session,
                    municipality=self.municipality,
                    config=municipality_config(self.municipality),
                    path=path,
                    as_of=at(day),
                    actor=ACTOR,
                    entity=entity,
                )
            else:
                import_file(
                    session,
                    municipality=self.municipality,
                    kind=kind,
                    path=path,
                    as_of=at(day),
                    actor=ACTOR,
                )
            session.commit()

    def import_planning_inputs(self) -> None:
        """January: the planning inputs, last year's books and the year's budget."""
        folder, year = self.folder, self.year
        day = dt.date(year, 1, 4)
        for kind, path in figures.planning_files(folder, year):
            self._import(kind, path, day)
        last = [(year - 1, m) for m in range(13)]
        for entity in self.books.entities():
            name = f"saldobalans-{entity or 'kommunen'}-{year - 1}.csv"
            self._import(
                "saldobalans", self.books.trial_balance(folder, entity, last, name), day, entity
            )
        header = ["enhet", "år", "månad", "projekt", "belopp_tkr"]
        rows = [r for m in range(1, 13) for r in books.actuals_rows(self.books, year - 1, m)]
        self._import(
            "utfall", books.write_rows(folder / f"utfall-{year - 1}.csv", header, rows), day
        )
        for kind, name, columns, rows in (
            (
                "koncerninternt",
                f"koncerninternt-{year - 1}.csv",
                ["år", "från", "till", "slag", "belopp_tkr"],
                books.group_rows(year - 1, 12),
            ),
            (
                "resultatbudget",
                f"resultatbudget-{year}.csv",
                ["år", "post", "belopp_tkr"],
                books.result_budget_rows(year),
            ),
            (
                "nyckeltal",
                f"nyckeltal-{year}.csv",
                ["år", "nyckeltal", "värde"],
                books.key_figure_rows(year, closing=False),
            ),
            (
                "sjukfranvaro",
                f"sjukfranvaro-{year - 1}.csv",
                ["år", "grupp", "procent"],
                books.sick_leave_rows(year - 1),
            ),
        ):
            self._import(kind, books.write_rows(folder / name, columns, rows), day)

    def import_kolada_sample(self, day: dt.date) -> None:
        """The comparison figures, as a controller on a closed network imports Kolada's."""
        with session_scope(self.engine) as session:
            import_kolada_file(
                session,
                municipality=self.municipality,
                path=KOLADA_SAMPLE,
                as_of=at(day),
                actor=ACTOR,
            )

    def import_tax_forecast(self, day: dt.date) -> None:
        """SKR's April forecast of the tax base, made on 24 April."""
        path = figures.tax_forecast_file(self.folder, self.year, (4, 24))
        self._import("skatteprognos", path, day)

    def import_actuals(self, day: dt.date, month: int) -> None:
        """A month is closed: the committees' actuals and the trial balance; the companies'
        books and the group's transactions at the interim and the year's end."""
        folder, year = self.folder, self.year
        header = ["enhet", "år", "månad", "projekt", "belopp_tkr"]
        path = books.write_rows(
            folder / f"utfall-{year}-{month:02d}.csv",
            header,
            books.actuals_rows(self.books, year, month),
        )
        self._import("utfall", path, day)
        entities = list(self.books.entities()) if month in (8, 12) else [""]
        for entity in entities:
            name = f"saldobalans-{entity or 'kommunen'}-{year}-{month:02d}.csv"
            path = self.books.trial_balance(folder, entity, [(year, month)], name)
            self._import("saldobalans", path, day, entity)
        if month in (8, 12):
            path = books.write_rows(
                folder / f"koncerninternt-{year}-{month:02d}.csv",
                ["år", "från", "till", "slag", "belopp_tkr"],
                books.group_rows(year, month),
            )
            self._import("koncerninternt", path, day)
        if month == 8:
            path = books.write_rows(
                folder / f"resultatprognos-{year}-08.csv",
                ["år", "månad", "post", "belopp_tkr"],
                books.result_forecast_rows(year, month),
            )
            self._import("resultatprognos", path, day)
            path = books.write_rows(
                folder / f"balanskravsjusteringar-{year}-08.csv",
                ["år", "nyckeltal", "värde"],
                books.balance_adjustment_rows(year),
            )
            self._import("nyckeltal", path, day)
        if month == 12:
            for kind, name, columns, rows in (
                (
                    "nyckeltal",
                    f"nyckeltal-{year}-bokslut.csv",
                    ["år", "nyckeltal", "värde"],
                    books.key_figure_rows(year, closing=True),
                ),
                (
                    "sjukfranvaro",
                    f"sjukfranvaro-{year}.csv",
                    ["år", "grupp", "procent"],
                    books.sick_leave_rows(year),
                ),
            ):
                self._import(kind, books.write_rows(folder / name, columns, rows), day)

    def decide(self, slug: str, day: dt.date) -> None:
        """The body decides on its meeting day; the budget preparation adds 2 000 tkr."""

        with session_scope(self.engine) as session:
            changes = {}
            if slug == "budgetdag":
                bun = session.exec(select(OrgUnit).where(OrgUnit.key == "bun")).one()
                frame = operating_frame(session, unit_id=bun.id, budget_year=self.year + 1)  # type: ignore[arg-type]
                changes = {"bun": (frame or 0) + 2_000_000}
            decide(
                session,
                municipality=self.municipality,
                year=self.year,
                slug=slug,
                decided_on=day,
                paragraph={"budgetdag": "§ 12", "ks-beslut": "§ 87", "kf-beslut": "§ 64"}[slug],
                summary=f"Strategisk och ekonomisk plan {self.year + 1}–{self.year + 3}",
                actor=ACTOR,
                settings=get_settings(),
                as_of=at(day, 9),
                frame_changes=changes,
                tax_rate=Decimal("22.41") if slug in ("ks-beslut", "kf-beslut") else None,
            )

"""The resource allocation model (resursfördelningsmodellen): plain functions, no database.

``allocate`` turns last year's operating frame per committee into a preliminary frame
for the budget year, one named line per reason: demography, volume, price and wage,
decisions. Amounts are whole kronor; rates are shares (``Decimal("0.025")`` is 2,5 %).
Each line is computed exactly (fractions) and rounded once, half away from zero, so
the lines add up to the change to the krona. Lines that come to 0 kr are left out.

``room_for_investment`` turns the financial goal into the budgeted result, the room
for the committees' frames and, when asked, the room for self-financed investments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

from arshjul.documents.ramar_data import (
    ChangeKind,
    CommitteeFrame,
    FinancialStartingPoints,
    FrameChange,
)
from arshjul.errors import ArshjulError
from arshjul.formats import MINUS, format_number, format_percent, format_tkr

Number = int | Decimal


@dataclass(frozen=True)
class CommitteeBase:
    """A committee's operating frame this year and the share of its costs that is wages."""

    name: str
    previous_frame: int
    wage_share: Decimal = Decimal(0)


@dataclass(frozen=True)
class PopulationGroup:
    """The population forecast for one age group: this year and the budget year."""

    age_group: str
    current: int
    budget: int


@dataclass(frozen=True)
class DemographyDriver:
    """An age group that drives a committee's service: cost per inhabitant, or the
    service's share of this year's frame (divided by this year's population)."""

    age_group: str
    committee: str
    service: str
    cost_per_inhabitant: int | None = None
    frame_share: int | None = None


@dataclass(frozen=True)
class ServiceVolume:
    """A service's volume this year and in the budget year, with its cost per unit
    (given, or this year's frame share for the service divided by this year's volume)."""

    committee: str
    service: str
    # Imported volumes are stored as floats (PlanningFigure.value); read exactly via str.
    current: Number | float
    budget: Number | float
    unit: str = "volymenheter"
    cost_per_unit: int | None = None
    frame_share: int | None = None


@dataclass(frozen=True)
class FrameDecision:
    """A political decision that changes one committee's frame by ``amount`` kronor."""

    reason: str
    committee: str
    amount: int


@dataclass(frozen=True)
class AllocationInputs:
    """Everything the model needs for one budget year."""

    budget_year: int
    committees: tuple[CommitteeBase, ...]
    population: tuple[PopulationGroup, ...] = ()
    demography: tuple[DemographyDriver, ...] = ()
    volumes: tuple[ServiceVolume, ...] = ()
    price_increase: Decimal = Decimal(0)
    wage_increase: Decimal = Decimal(0)
    decisions: tuple[FrameDecision, ...] = ()


@dataclass(frozen=True)
class CommitteeAllocation:
    """The model's result for one committee: every change as a named line."""

    name: str
    previous_frame: int
    changes: tuple[FrameChange, ...]
    price_wage_base: int  # this year's frame plus the demography and volume lines

    @property
    def change(self) -> int:
        """The sum of the lines."""
        return sum(c.amount for c in self.changes)

    @property
    def preliminary_frame(self) -> int:
        """This year's frame plus the lines."""
        return self.previous_frame + self.change

    def total(self, kind: ChangeKind) -> int:
        """The sum of the lines of one kind."""
        return sum(c.amount for c in self.changes if c.kind == kind)

    def as_frame(self, investment_frame: int = 0) -> CommitteeFrame:
        """The ``CommitteeFrame`` the ramar document shows."""
        return CommitteeFrame(
            self.name, self.previous_frame, self.changes, self.preliminary_frame, investment_frame
        )


def round_kronor(value: Fraction) -> int:
    """Round to whole kronor, half away from zero."""
    rounded = math.floor(abs(value) + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def _frac(value: Number | float) -> Fraction:
    """Exact, also for a Decimal share or a float typed by someone."""
    return Fraction(Decimal(str(value)))


def _signed(value: Fraction) -> str:
    text = format_number(Decimal(value.numerator) / value.denominator, int(value.denominator > 1))
    return text if text.startswith(MINUS) else "+" + text


def _validate(inputs: AllocationInputs) -> list[str]:
    names = [c.name for c in inputs.committees]
    problems = [
        f"nämnden ”{n}” finns flera gånger" for n in sorted(set(names)) if names.count(n) > 1
    ]
    for label, rate in (
        ("prisökningen", inputs.price_increase),
        ("löneökningen", inputs.wage_increase),
    ):
        if not -1 < _frac(rate) < 1:
            problems.append(f"{label} {rate} ska anges som andel, till exempel 0.025 för 2,5 %")
    for c in inputs.committees:
        if not 0 <= _frac(c.wage_share) <= 1:
            problems.append(f"{c.name}: lönedelen {c.wage_share} ska vara en andel mellan 0 och 1")
    named: tuple[DemographyDriver | ServiceVolume | FrameDecision, ...] = (
        *inputs.demography,
        *inputs.volumes,
        *inputs.decisions,
    )
    unknown = {d.committee for d in named}
    problems += [f"nämnden ”{n}” finns inte bland ramarna" for n in sorted(unknown - set(names))]
    groups = {p.age_group for p in inputs.population}
    problems += [
        f"{d.service}: åldersgruppen ”{d.age_group}” saknas i befolkningsprognosen"
        for d in inputs.demography
        if d.age_group not in groups
    ]
    driven: tuple[DemographyDriver | ServiceVolume, ...] = (*inputs.demography, *inputs.volumes)
    services = [(d.committee, d.service) for d in driven]
    problems += [
        f"{c}, {s}: räknas flera gånger (i demografin och volymerna?)"
        for c, s in sorted(set(services))
        if services.count((c, s)) > 1
    ]
    return problems


def _driven(inputs: AllocationInputs, problems: list[str]) -> list[tuple[str, FrameChange]]:
    """The demography and volume lines: (budget − current) × cost per unit, rounded once."""
    population = {p.age_group: p for p in inputs.population}
    drivers = []
    for d in inputs.demography:
        g, unit = population[d.age_group], f"invånare {d.age_group}"
        volume = ServiceVolume(d.committee, d.service, g.current, g.budget, unit)
        volume = replace(volume, cost_per_unit=d.cost_per_inhabitant, frame_share=d.frame_share)
        drivers.append((ChangeKind.DEMOGRAPHY, volume))
    drivers += [(ChangeKind.VOLUME, v) for v in inputs.volumes]
    lines = []
    for kind, v in drivers:
        given, share = v.cost_per_unit, v.frame_share
        if given is not None and share is None:
            cost = Fraction(given)
        elif given is None and share is not None:
            if _frac(v.current) == 0:
                problems.append(
                    f"{v.service}: kostnad per enhet går inte att räkna ut ur volymen 0"
                )
                continue
            cost = Fraction(share) / _frac(v.current)
        else:
            problems.append(f"{v.service}: ange antingen kostnad per enhet eller andel av ramen")
            continue
        delta = _frac(v.budget) - _frac(v.current)
        reason = f"{v.service}: {_signed(delta)} {v.unit} à {format_number(round_kronor(cost))} kr"
        lines.append((v.committee, FrameChange(reason, round_kronor(cost * delta), kind)))
    return lines


def _price_wage(inputs: AllocationInputs, c: CommitteeBase, base: int) -> list[FrameChange]:
    """Wages: base × wage share × wage increase; prices: base × the rest × price increase."""
    share, base_text = _frac(c.wage_share), format_tkr(base)
    rest = 1 - Decimal(str(c.wage_share))
    lines = [
        FrameChange(
            f"Löneuppräkning {format_percent(inputs.wage_increase)} på lönekostnaderna "
            f"({format_percent(c.wage_share, 0)} av {base_text})",
            round_kronor(base * share * _frac(inputs.wage_increase)),
            ChangeKind.PRICE_WAGE,
        ),
        FrameChange(
            f"Prisuppräkning {format_percent(inputs.price_increase)} på övriga kostnader "
            f"({format_percent(rest, 0)} av {base_text})",
            round_kronor(base * (1 - share) * _frac(inputs.price_increase)),
            ChangeKind.PRICE_WAGE,
        ),
    ]
    return [line for line in lines if line.amount]


def allocate(inputs: AllocationInputs) -> list[CommitteeAllocation]:
    """Each committee's preliminary frame: this year's frame plus demography, volume,
    price and wage (on the frame plus the demography and volume lines) and decisions.

    Raises :class:`ArshjulError` naming every inconsistency in the inputs."""
    problems = _validate(inputs)
    driven = _driven(inputs, problems) if not problems else []
    if problems:
        raise ArshjulError(
            f"Resursfördelningsmodellen för {inputs.budget_year} går inte att räkna:",
            details=problems,
        )
    result = []
    for c in inputs.committees:
        own = [line for name, line in driven if name == c.name and line.amount]
        base = c.previous_frame + sum(line.amount for line in own)
        decided = [
            FrameChange(d.reason, d.amount, ChangeKind.DECISION)
            for d in inputs.decisions
            if d.committee == c.name and d.amount
        ]
        changes = (*own, *_price_wage(inputs, c, base), *decided)
        result.append(CommitteeAllocation(c.name, c.previous_frame, changes, base))
    return result


@dataclass(frozen=True)
class FinancialRoom:
    """The financial goal turned into kronor, each step a line a reader can follow."""

    tax_revenue: int
    state_grants: int
    result_share: Decimal
    budgeted_result: int
    net_financial_costs: int  # financial costs minus financial income (a net cost is positive)
    room_for_frames: int
    depreciation: int = 0
    self_financing_share: Decimal | None = None
    investment_room: int | None = None

    @property
    def taxes_and_grants(self) -> int:
        """Tax revenue plus general state grants and equalisation."""
        return self.tax_revenue + self.state_grants

    def lines(self) -> list[tuple[str, int]]:
        """``(label, kronor)`` from the revenue to the room, in reading order."""
        rows = [
            ("Skatteintäkter", self.tax_revenue),
            ("Generella statsbidrag och utjämning", self.state_grants),
            ("Summa skatteintäkter och generella statsbidrag", self.taxes_and_grants),
            (
                f"Avgår: resultatmål {format_percent(self.result_share)} av skatteintäkter "
                "och generella statsbidrag",
                -self.budgeted_result,
            ),
            ("Avgår: finansnetto (nettokostnad)", -self.net_financial_costs),
            ("Utrymme för nämndernas driftramar", self.room_for_frames),
        ]
        if self.investment_room is not None:
            share = format_percent(self.self_financing_share or 1, 0)
            rows += [
                ("Budgeterat resultat", self.budgeted_result),
                ("Avskrivningar", self.depreciation),
                (
                    f"Utrymme för investeringar vid självfinansieringsgrad {share}",
                    self.investment_room,
                ),
            ]
        return rows

    def starting_points(self, tax_rate: Decimal) -> FinancialStartingPoints:
        """The ramar document's key figures, with the room as the total frame."""
        return FinancialStartingPoints(
            tax_rate, self.tax_revenue, self.state_grants, self.result_share, self.room_for_frames
        )


def room_for_investment(
    tax_revenue: int,
    state_grants: int,
    result_share: Decimal,
    net_financial_costs: int = 0,
    *,
    depreciation: int = 0,
    self_financing_share: Decimal | None = None,
) -> FinancialRoom:
    """Budgeted result = (taxes and grants) × result share (rounded as the ramar document
    rounds it); room for frames = taxes and grants − result − net financial costs; with a
    self-financing goal, room for investments = (result + depreciation) / that share."""
    total = tax_revenue + state_grants
    result = round(Decimal(total) * Decimal(str(result_share)))
    investment_room = None
    if self_financing_share is not None:
        if Decimal(str(self_financing_share)) <= 0:
            raise ArshjulError("Självfinansieringsgraden ska vara större än 0")
        ratio = Fraction(Decimal(str(self_financing_share)))
        investment_room = round_kronor((result + depreciation) / ratio)
    return FinancialRoom(
        tax_revenue,
        state_grants,
        Decimal(str(result_share)),
        result,
        net_financial_costs,
        total - result - net_financial_costs,
        depreciation,
        self_financing_share,
        investment_room,
    )

"""The term of office (mandatperiod) a year belongs to, and whether its goals are configured.

A term is the four calendar years after an ordinary election: the council elected in
September 2026 takes office on 15 October 2026 (KL 5 kap. 9 §) and its goals and plans
are for 2027–2030. Terms are computed from the election years; a municipality's
configuration names the terms it has goals for. A year that falls in no configured term is
never given another term's goals in silence: the caller warns and the documents say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from arshjul.calendar.stages import is_election_year

TERM_YEARS = 4


@dataclass(frozen=True, order=True)
class TermYears:
    """A term's first and last calendar year."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.start <= year <= self.end


def term_of(year: int) -> TermYears:
    """The term a calendar year belongs to: 2027 → 2027–2030, 2026 → 2023–2026."""
    election = year - 1
    while not is_election_year(election):
        election -= 1
    return TermYears(election + 1, election + TERM_YEARS)


def configured_term(year: int, configured: Iterable[TermYears]) -> TermYears | None:
    """The configured term that holds a year, or None when no configured term does."""
    return next((t for t in sorted(configured) if year in t), None)


def uncovered_years(years: Iterable[int], configured: Iterable[TermYears]) -> list[int]:
    """The years that fall in no configured term (each a warning, never a fallback)."""
    terms = list(configured)
    return [y for y in years if configured_term(y, terms) is None]


def plan_years(cycle_year: int) -> tuple[int, int, int]:
    """The Strategic and financial plan's years for a cycle: the budget year and two more."""
    return (cycle_year + 1, cycle_year + 2, cycle_year + 3)


def term_warning(cycle_year: int, configured: Iterable[TermYears]) -> str | None:
    """A Swedish warning when a plan year of the cycle lies outside every configured term."""
    terms = list(configured)
    missing = uncovered_years(plan_years(cycle_year), terms)
    if not missing:
        return None
    needed = sorted({term_of(y) for y in missing})
    known = ", ".join(str(t) for t in sorted(terms)) or "inga"
    return (
        f"Varning: {plan_years_phrase(missing)} ligger utanför de mandatperioder "
        f"som konfigurationen har mål för ({known}); lägg till målen för "
        f"{', '.join(f'mandatperioden {t}' for t in needed)} i kommunens TOML-fil."
    )


def plan_years_phrase(years: Sequence[int]) -> str:
    """ "planåret 2031" or "planåren 2031, 2032", as Swedish counts them."""
    listed = ", ".join(map(str, years))
    return f"planåret {listed}" if len(years) == 1 else f"planåren {listed}"


class _HasYears(Protocol):
    """A term as the configuration or the database holds it."""

    @property
    def start_year(self) -> int: ...

    @property
    def end_year(self) -> int: ...


_T = TypeVar("_T", bound=_HasYears)


def years_of(term: _HasYears | TermYears) -> TermYears:
    """A configured or stored term's years."""
    if isinstance(term, TermYears):
        return term
    return TermYears(term.start_year, term.end_year)


def term_holding(year: int, terms: Iterable[_T]) -> _T | None:
    """The term (a configuration's or a database row) that holds a year, or None.

    Never an earlier or a later term: a year outside every term has no goals.
    """
    rows = list(terms)
    found = configured_term(year, [years_of(t) for t in rows])
    return next((t for t in rows if years_of(t) == found), None)


def start_problem(start_year: int) -> str | None:
    """Why a term cannot start this year, in Swedish; None when one does.

    A term starts the year after an ordinary election (valåren 2022, 2026, 2030 …); an
    extra election does not start a new term (its council sits out the old one).
    """
    computed = term_of(start_year)
    if computed.start == start_year:
        return None
    return (
        f"ingen mandatperiod börjar {start_year}: en mandatperiod börjar året efter ett "
        f"ordinarie val (valår {computed.start - 1}, {computed.start + TERM_YEARS - 1} …); "
        f"{start_year} hör till mandatperioden {computed}"
    )


def length_problem(start_year: int, end_year: int) -> str | None:
    """Why a term is not four years long, in Swedish; None when it is."""
    if end_year == start_year + TERM_YEARS - 1:
        return None
    return (
        f"en mandatperiod är fyra år: {start_year}–{start_year + TERM_YEARS - 1}, "
        f"inte {start_year}–{end_year}"
    )


def term_problem(start_year: int, end_year: int) -> str | None:
    """Why configured years are no term of office, in Swedish; None when they are one."""
    problems = [p for p in (start_problem(start_year), length_problem(start_year, end_year)) if p]
    return "; ".join(problems) or None


def overlaps(terms: Iterable[_HasYears | TermYears]) -> list[tuple[int, int]]:
    """Pairs of positions (earlier, later in the list) whose terms share a year."""
    spans = [years_of(t) for t in terms]
    return [
        (i, j)
        for j, later in enumerate(spans)
        for i, earlier in enumerate(spans[:j])
        if earlier.start <= later.end and later.start <= earlier.end
    ]

"""Terms of office: computed from the election years; a year outside every configured
term gets a warning, never another term's goals."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from arshjul.governance.terms import (
    TermYears,
    configured_term,
    length_problem,
    overlaps,
    plan_years,
    start_problem,
    term_holding,
    term_of,
    term_problem,
    term_warning,
    uncovered_years,
    years_of,
)

T2023 = TermYears(2023, 2026)
T2027 = TermYears(2027, 2030)


@dataclass(frozen=True)
class Row:
    """A term as the database or the configuration holds it."""

    start_year: int
    end_year: int
    name: str = ""


@pytest.mark.parametrize(
    ("year", "term"),
    [
        (2022, TermYears(2019, 2022)),
        (2023, T2023),
        (2026, T2023),
        (2027, T2027),
        (2030, T2027),
        (2031, TermYears(2031, 2034)),
    ],
)
def test_a_year_belongs_to_the_term_after_the_election_before_it(
    year: int, term: TermYears
) -> None:
    assert term_of(year) == term
    assert str(term_of(year)) == f"{term.start}–{term.end}"
    assert year in term_of(year) and year + 4 not in term_of(year)


def test_the_configured_term_holds_the_year_or_there_is_none() -> None:
    assert configured_term(2026, [T2027, T2023]) == T2023
    assert configured_term(2027, [T2023]) is None  # never the earlier term
    assert configured_term(2022, [T2023]) is None  # nor the later one
    assert uncovered_years([2026, 2027, 2028], [T2023]) == [2027, 2028]
    assert plan_years(2026) == (2027, 2028, 2029)


def test_term_holding_gives_back_the_row_that_holds_the_year() -> None:
    rows = [Row(2027, 2030, "ny"), Row(2023, 2026, "gammal")]
    assert term_holding(2026, rows) == rows[1]
    assert term_holding(2030, rows) == rows[0]
    assert term_holding(2031, rows) is None
    assert term_holding(2027, []) is None
    assert years_of(rows[0]) == T2027


def test_warnings_name_the_plan_years_and_the_missing_term() -> None:
    assert term_warning(2026, [T2023, T2027]) is None
    assert term_warning(2027, [T2023, T2027]) is None
    only_old = term_warning(2026, [T2023])
    assert only_old is not None
    assert "planåren 2027, 2028, 2029" in only_old
    assert "(2023–2026)" in only_old and "mandatperioden 2027–2030" in only_old
    late = term_warning(2034, [T2023, T2027])
    assert late is not None and "mandatperioden 2035–2038" in late
    nothing = term_warning(2028, [])
    assert nothing is not None and "(inga)" in nothing
    assert "2027–2030" in nothing and "2031–2034" in nothing


def test_a_configured_term_must_be_the_computed_one() -> None:
    assert term_problem(2027, 2030) is None and term_problem(2023, 2026) is None
    assert start_problem(2027) is None
    wrong_start = start_problem(2025)
    assert wrong_start is not None
    assert "ingen mandatperiod börjar 2025" in wrong_start
    assert "mandatperioden 2023–2026" in wrong_start
    assert length_problem(2027, 2030) is None
    assert length_problem(2027, 2029) == "en mandatperiod är fyra år: 2027–2030, inte 2027–2029"
    both = term_problem(2026, 2028)
    assert both is not None and "2023–2026" in both and "fyra år" in both


def test_overlapping_terms_are_found_by_their_places() -> None:
    assert overlaps([T2023, T2027]) == []
    assert overlaps([Row(2023, 2026), Row(2027, 2030), Row(2026, 2029)]) == [(0, 2), (1, 2)]
    assert overlaps([T2027, T2027]) == [(0, 1)]

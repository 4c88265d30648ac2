"""The balance requirement (balanskravet): the adjustments, their signs, and the deficit
to restore over the three years the law gives (KL 11 kap. 12 §). No database."""

from __future__ import annotations

import pytest

from arshjul.accounts.balance_requirement import (
    RESTORE_WITHIN_YEARS,
    BalanceRequirement,
    StatementLine,
    deficit_before,
    restored,
)
from arshjul.formats import format_tkr

M = 1_000_000


def amounts(lines: tuple[StatementLine, ...]) -> dict[str, int | None]:
    return {line.label: line.amount_kr for line in lines}


def test_the_adjustments_and_their_signs() -> None:
    requirement = BalanceRequirement(
        result_kr=10 * M,
        realisation_gains_kr=2 * M,  # deducted
        realisation_losses_excepted_kr=1 * M,  # added back
        unrealised_securities_kr=500_000,  # an unrealised gain: deducted
        to_reserve_kr=3 * M,
        from_reserve_kr=1 * M,
    )
    assert requirement.adjusted_result_kr == 10 * M - 2 * M + 1 * M - 500_000
    assert requirement.balance_result_kr == requirement.adjusted_result_kr - 3 * M + 1 * M
    assert requirement.balance_result_kr == 6_500_000
    assert not requirement.negative
    assert requirement.problems() == []
    assert amounts(requirement.lines()) == {
        "Årets resultat": 10 * M,
        "Samtliga realisationsvinster": -2 * M,
        "Realisationsförluster enligt undantagsmöjlighet": 1 * M,
        "Orealiserade vinster och förluster i värdepapper": -500_000,
        "Årets resultat efter balanskravsjusteringar": 8_500_000,
        "Medel till resultatutjämningsreserv": -3 * M,
        "Medel från resultatutjämningsreserv": 1 * M,
        "Årets balanskravsresultat": 6_500_000,
    }


def test_an_unrealised_loss_is_added_back() -> None:
    requirement = BalanceRequirement(result_kr=-1 * M, unrealised_securities_kr=-1_500_000)
    assert requirement.adjusted_result_kr == 500_000
    assert amounts(requirement.lines())["Orealiserade vinster och förluster i värdepapper"] == (
        1_500_000
    )
    assert not requirement.negative


@pytest.mark.parametrize(
    "requirement",
    [
        BalanceRequirement(10 * M, 2 * M, 1 * M, 500_000, 3 * M, 1 * M),
        BalanceRequirement(-4 * M, 0, 0, -700_000, 0, 2 * M),
        BalanceRequirement(123_456, 7, 11, 13, 17, 19),
    ],
)
def test_each_sum_line_is_the_sum_of_the_lines_above_it(requirement: BalanceRequirement) -> None:
    lines = requirement.lines()
    running = 0
    for line in lines:
        assert line.amount_kr is not None
        if line.is_sum:
            assert line.amount_kr == running, line.label
        else:
            running += line.amount_kr
    assert lines[-1] == StatementLine(
        "Årets balanskravsresultat", requirement.balance_result_kr, True
    )
    assert [line.is_sum for line in lines].count(True) == 2


def test_a_negative_result_must_be_restored() -> None:
    requirement = BalanceRequirement(result_kr=-3 * M, from_reserve_kr=1 * M, deficit_before_kr=0)
    assert requirement.balance_result_kr == -2 * M
    assert requirement.negative
    assert requirement.deficit_after_kr == 2 * M
    assert amounts(requirement.restoration_lines()) == {
        "Underskott att återställa från tidigare år": 0,
        "Årets balanskravsresultat": -2 * M,
        "Underskott att återställa efter årets resultat": -2 * M,
    }


def test_a_negative_result_adds_to_an_earlier_deficit() -> None:
    requirement = BalanceRequirement(result_kr=-1 * M, deficit_before_kr=4 * M)
    assert requirement.deficit_after_kr == 5 * M
    assert requirement.restoration_lines()[-1] == StatementLine(
        "Underskott att återställa efter årets resultat", -5 * M, True
    )


def test_a_surplus_restores_an_earlier_deficit_and_no_more() -> None:
    partly = BalanceRequirement(result_kr=1 * M, deficit_before_kr=3 * M)
    assert partly.deficit_after_kr == 2 * M
    wholly = BalanceRequirement(result_kr=5 * M, deficit_before_kr=3 * M)
    assert wholly.deficit_after_kr == 0  # a surplus is not saved up for later deficits
    assert amounts(wholly.restoration_lines()) == {
        "Underskott att återställa från tidigare år": -3 * M,
        "Årets balanskravsresultat": 5 * M,
        "Underskott att återställa efter årets resultat": 0,
    }


def test_a_zero_result_is_not_negative() -> None:
    assert not BalanceRequirement(result_kr=0).negative
    assert BalanceRequirement(result_kr=0, to_reserve_kr=1).negative


def test_unknown_earlier_years_leave_the_deficit_unknown() -> None:
    requirement = BalanceRequirement(result_kr=-1 * M)
    assert requirement.deficit_before_kr is None
    assert requirement.deficit_after_kr is None
    assert requirement.restoration_lines() == ()


def test_negative_adjustments_are_problems_in_swedish() -> None:
    requirement = BalanceRequirement(
        result_kr=1 * M,
        realisation_gains_kr=-200_000,
        realisation_losses_excepted_kr=5,
        to_reserve_kr=-1 * M,
        from_reserve_kr=-3_000,
        unrealised_securities_kr=-400_000,  # a loss: negative is right
    )
    assert requirement.problems() == [
        "balanskravsutredningen: realisationsvinsterna anges som ett positivt belopp, inte "
        f"{format_tkr(-200_000)}",
        "balanskravsutredningen: medel till resultatutjämningsreserven anges som ett positivt "
        f"belopp, inte {format_tkr(-1 * M)}",
        "balanskravsutredningen: medel från resultatutjämningsreserven anges som ett positivt "
        f"belopp, inte {format_tkr(-3_000)}",
    ]
    assert "\u2212200,0\u00a0tkr" in requirement.problems()[0]


# ----------------------------------------------------------------------------- earlier years
def test_restored() -> None:
    assert restored(0, 5 * M) == 0
    assert restored(0, -5 * M) == 5 * M
    assert restored(3 * M, 1 * M) == 2 * M
    assert restored(3 * M, 4 * M) == 0
    assert restored(3 * M, -1 * M) == 4 * M


def test_the_deficit_of_the_last_three_years() -> None:
    assert RESTORE_WITHIN_YEARS == 3
    history = [(2024, -3 * M), (2025, 1 * M), (2026, 1 * M)]
    assert deficit_before(history, 2027) == 1 * M  # 3 − 1 − 1 left for 2027 to restore


def test_a_deficit_restored_within_the_years() -> None:
    history = [(2024, -3 * M), (2025, 5 * M), (2026, -1 * M)]
    # 2025 restored 2024's deficit whole; its surplus is not carried to 2026's deficit.
    assert deficit_before(history, 2027) == 1 * M
    assert deficit_before([(2024, -3 * M), (2025, 2 * M), (2026, 1 * M)], 2027) == 0


def test_deficits_add_up_in_order() -> None:
    history = [(2024, 2 * M), (2025, -1 * M), (2026, -2 * M)]
    assert deficit_before(history, 2027) == 3 * M
    # Order matters: a surplus before a deficit restores nothing.
    assert deficit_before([(2024, -2 * M), (2025, -1 * M), (2026, 2 * M)], 2027) == 1 * M


def test_only_the_last_three_years_count() -> None:
    history = [(2022, -50 * M), (2023, -10 * M), (2024, 0), (2025, 0), (2026, 0)]
    assert deficit_before(history, 2027) == 0
    assert deficit_before(history, 2026) == 10 * M  # 2023 is inside 2026's window


@pytest.mark.parametrize(
    "history",
    [
        [(2024, -3 * M), (2025, None), (2026, 1 * M)],  # a year without a known result
        [(2024, -3 * M), (2026, 1 * M)],  # a year missing altogether
        [(2025, 1 * M), (2026, 1 * M)],
        [],
    ],
)
def test_an_unknown_year_in_the_window_makes_the_deficit_unknown(
    history: list[tuple[int, int | None]],
) -> None:
    assert deficit_before(history, 2027) is None


def test_an_unknown_year_outside_the_window_does_not_matter() -> None:
    history = [(2023, None), (2024, 0), (2025, -1 * M), (2026, 0), (2027, None)]
    assert deficit_before(history, 2027) == 1 * M

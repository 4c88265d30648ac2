"""The resource allocation model, checked against figures computed by hand."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from arshjul.allocation import (
    AllocationInputs,
    CommitteeBase,
    DemographyDriver,
    FrameDecision,
    PopulationGroup,
    ServiceVolume,
    allocate,
    room_for_investment,
    round_kronor,
)
from arshjul.documents.ramar_data import ChangeKind, RamarDocumentData
from arshjul.documents.sample import sample_ramar_data
from arshjul.errors import ArshjulError

BUN, SN, KS = "Barn- och utbildningsnämnden", "Socialnämnden", "Kommunstyrelsen"
D, V, P, B = ChangeKind.DEMOGRAPHY, ChangeKind.VOLUME, ChangeKind.PRICE_WAGE, ChangeKind.DECISION


def inputs() -> AllocationInputs:
    """Three committees; every figure below is worked out in the comments of the tests."""
    return AllocationInputs(
        budget_year=2028,
        committees=(
            CommitteeBase(BUN, 400_000_000, Decimal("0.6")),
            CommitteeBase(SN, 280_000_000, Decimal("0.7")),
            CommitteeBase(KS, 200_000_000, Decimal("0.5")),
        ),
        population=(
            PopulationGroup("1–5 år", 700, 680),
            PopulationGroup("6–15 år", 1500, 1540),
            PopulationGroup("80 år och äldre", 900, 950),
        ),
        demography=(
            DemographyDriver("1–5 år", BUN, "Förskola", frame_share=105_000_000),
            DemographyDriver("6–15 år", BUN, "Grundskola", cost_per_inhabitant=110_000),
            DemographyDriver("80 år och äldre", SN, "Äldreomsorg", frame_share=200_000_000),
        ),
        volumes=(
            ServiceVolume(SN, "LSS-boende", 30, 32, "platser", frame_share=30_000_000),
            ServiceVolume(
                KS, "Färdtjänst", Decimal("12000"), Decimal("12500.5"), "resor", cost_per_unit=250
            ),
        ),
        price_increase=Decimal("0.02"),
        wage_increase=Decimal("0.03"),
        decisions=(
            FrameDecision("Politiskt beslut: utökad hemtjänst", SN, 2_000_000),
            FrameDecision("Effektivisering av administrationen", KS, -1_000_000),
        ),
    )


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    return {a.name: a for a in allocate(inputs())}


def amounts(allocation: object) -> list[tuple[ChangeKind, int]]:
    return [(c.kind, c.amount) for c in allocation.changes]


def test_barn_och_utbildning_by_hand(result: dict) -> None:
    # Förskola: 105 000 000 / 700 = 150 000 kr per child, −20 children → −3 000 000
    # Grundskola: 110 000 kr × +40 → +4 400 000
    # base for prices and wages: 400 000 000 − 3 000 000 + 4 400 000 = 401 400 000
    # wages: 401 400 000 × 0,6 × 3 % = 7 225 200; prices: × 0,4 × 2 % = 3 211 200
    bun = result[BUN]
    assert amounts(bun) == [(D, -3_000_000), (D, 4_400_000), (P, 7_225_200), (P, 3_211_200)]
    assert bun.price_wage_base == 401_400_000
    assert bun.preliminary_frame == 411_836_400
    assert bun.changes[0].reason == "Förskola: \u221220 invånare 1–5 år à 150\u00a0000 kr"
    assert bun.changes[1].reason == "Grundskola: +40 invånare 6–15 år à 110\u00a0000 kr"
    assert bun.changes[2].reason.startswith(
        "Löneuppräkning 3,0\u00a0% på lönekostnaderna (60\u00a0%"
    )


def test_social_by_hand_with_one_rounding_per_line(result: dict) -> None:
    # Äldreomsorg: 200 000 000 / 900 × 50 = 11 111 111,1… → 11 111 111
    # LSS: 30 000 000 / 30 = 1 000 000 per place × 2 → 2 000 000
    # base 293 111 111; wages × 0,7 × 3 % = 6 155 333,331 → 6 155 333
    # prices × 0,3 × 2 % = 1 758 666,666 → 1 758 667; decision +2 000 000
    sn = result[SN]
    assert amounts(sn) == [
        (D, 11_111_111),
        (V, 2_000_000),
        (P, 6_155_333),
        (P, 1_758_667),
        (B, 2_000_000),
    ]
    assert sn.preliminary_frame == 303_025_111
    assert sn.changes[0].reason.endswith("à 222\u00a0222 kr")
    assert sn.changes[-1].reason == "Politiskt beslut: utökad hemtjänst"
    assert sn.total(P) == 7_914_000


def test_kommunstyrelsen_fractional_volume(result: dict) -> None:
    # Färdtjänst: +500,5 trips × 250 = 125 125; base 200 125 125
    # wages × 0,5 × 3 % = 3 001 876,875 → 3 001 877; prices × 0,5 × 2 % = 2 001 251,25 → 2 001 251
    ks = result[KS]
    assert amounts(ks) == [(V, 125_125), (P, 3_001_877), (P, 2_001_251), (B, -1_000_000)]
    assert ks.changes[0].reason == "Färdtjänst: +500,5 resor à 250 kr"
    assert ks.preliminary_frame == 204_128_253


def test_lines_sum_to_the_change_exactly(result: dict) -> None:
    for allocation in result.values():
        assert sum(c.amount for c in allocation.changes) == allocation.change
        assert allocation.previous_frame + allocation.change == allocation.preliminary_frame


def test_lines_sum_exactly_for_awkward_figures() -> None:
    rng = random.Random(1984)
    for _ in range(50):
        committees = tuple(
            CommitteeBase(f"Nämnd {i}", rng.randint(1, 10**9), Decimal(rng.randint(0, 100)) / 100)
            for i in range(4)
        )
        volumes = tuple(
            ServiceVolume(
                f"Nämnd {i}",
                f"Tjänst {i}",
                Decimal(rng.randint(1, 9999)) / 7,
                Decimal(rng.randint(1, 9999)) / 3,
                frame_share=rng.randint(1, 10**8),
            )
            for i in range(4)
        )
        data = AllocationInputs(
            2028,
            committees,
            volumes=volumes,
            price_increase=Decimal(rng.randint(-50, 80)) / 1000,
            wage_increase=Decimal(rng.randint(0, 80)) / 1000,
        )
        for allocation in allocate(data):
            frame = allocation.as_frame()  # CommitteeFrame checks the sum itself
            assert frame.preliminary_frame - frame.previous_frame == sum(
                c.amount for c in frame.changes
            )


def test_zero_input_year_leaves_frames_unchanged() -> None:
    data = dataclasses.replace(
        inputs(),
        population=tuple(
            PopulationGroup(p.age_group, p.current, p.current) for p in inputs().population
        ),
        volumes=tuple(dataclasses.replace(v, budget=v.current) for v in inputs().volumes),
        price_increase=Decimal(0),
        wage_increase=Decimal(0),
        decisions=(),
    )
    for allocation in allocate(data):
        assert allocation.changes == ()
        assert allocation.preliminary_frame == allocation.previous_frame


def test_frames_feed_the_ramar_document() -> None:
    frames = tuple(a.as_frame(investment_frame=1_000_000) for a in allocate(inputs()))
    base = sample_ramar_data(2027)
    financial = dataclasses.replace(
        base.financial, total_frame=sum(f.preliminary_frame for f in frames)
    )
    data = dataclasses.replace(base, committees=frames, financial=financial)
    assert isinstance(data, RamarDocumentData)
    assert data.committee_total == 411_836_400 + 303_025_111 + 204_128_253


def test_round_kronor_half_away_from_zero() -> None:
    assert round_kronor(Fraction(5, 2)) == 3
    assert round_kronor(Fraction(-5, 2)) == -3
    assert round_kronor(Fraction(49, 100)) == 0
    assert round_kronor(Fraction(-151, 100)) == -2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"price_increase": Decimal("2.5")}, "ska anges som andel"),
        (
            {"decisions": (FrameDecision("Nytt", "Tekniska nämnden", 1),)},
            "”Tekniska nämnden” finns inte",
        ),
        (
            {"demography": (DemographyDriver("19–64 år", KS, "Vuxna", cost_per_inhabitant=1),)},
            "”19–64 år” saknas",
        ),
        (
            {"volumes": (ServiceVolume(BUN, "Grundskola", 1, 2, cost_per_unit=5),)},
            "Grundskola: räknas flera gånger",
        ),
        (
            {"volumes": (ServiceVolume(KS, "Bad", 1, 2, cost_per_unit=5, frame_share=5),)},
            "ange antingen",
        ),
        ({"volumes": (ServiceVolume(KS, "Bad", 0, 2, frame_share=5),)}, "volymen 0"),
    ],
)
def test_inconsistent_inputs_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ArshjulError, match=message):
        allocate(dataclasses.replace(inputs(), **change))


def test_room_for_frames_by_hand() -> None:
    # 742 300 000 + 281 900 000 = 1 024 200 000; 2 % → 20 484 000;
    # room = 1 024 200 000 − 20 484 000 − 3 000 000 = 1 000 716 000
    room = room_for_investment(742_300_000, 281_900_000, Decimal("0.02"), 3_000_000)
    assert room.budgeted_result == 20_484_000
    assert room.room_for_frames == 1_000_716_000
    assert room.investment_room is None
    lines = room.lines()
    assert lines[2] == ("Summa skatteintäkter och generella statsbidrag", 1_024_200_000)
    assert lines[0][1] + lines[1][1] == lines[2][1]
    assert lines[2][1] + lines[3][1] + lines[4][1] == lines[5][1] == room.room_for_frames
    assert "2,0\u00a0%" in lines[3][0]
    points = room.starting_points(Decimal("22.41"))
    assert points.result_goal == room.budgeted_result
    assert points.total_frame == room.room_for_frames


def test_room_for_investment_with_self_financing() -> None:
    # (20 484 000 + 35 000 000) / 0,8 = 69 355 000
    room = room_for_investment(
        742_300_000,
        281_900_000,
        Decimal("0.02"),
        depreciation=35_000_000,
        self_financing_share=Decimal("0.8"),
    )
    assert room.room_for_frames == 1_003_716_000
    assert room.investment_room == 69_355_000
    assert room.lines()[-1] == (
        "Utrymme för investeringar vid självfinansieringsgrad 80\u00a0%",
        69_355_000,
    )
    with pytest.raises(ArshjulError):
        room_for_investment(1, 1, Decimal("0.02"), self_financing_share=Decimal(0))

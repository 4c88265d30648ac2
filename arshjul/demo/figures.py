"""Arboga's demo figures as the CSV files a controller would import.

All amounts are invented (the configuration says so, and the documents carry
a demo label); the frames' total follows the public 1 001 005 tkr.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

# This year's operating frames (tkr): together 1 001 005, the public total.
FRAMES_TKR = {"ks": 180_000, "bun": 432_000, "fkn": 62_000, "sn": 326_005, "vn": 1_000}
INVESTMENTS_TKR = {
    ("ks", "Gator och vägar"): 18_000,
    ("bun", "Förskolelokaler"): 24_000,
    ("fkn", "Idrottsanläggningar"): 6_500,
    ("sn", "Inventarier äldreboende"): 2_500,
}
# The investment frames the council decided for this year and last (tkr): Förskolelokaler
# and Gator och vägar run over several years (their next year is in INVESTMENTS_TKR).
DECIDED_INVESTMENTS_TKR = {
    -1: {("ks", "Gator och vägar"): 14_000, ("bun", "Förskolelokaler"): 12_000},
    0: {
        ("ks", "Gator och vägar"): 16_000,
        ("ks", "Gatubelysning"): 3_000,
        ("bun", "Förskolelokaler"): 20_000,
        ("sn", "Inventarier äldreboende"): 2_000,
    },
}
# Socialnämnden runs hot until the summer and recovers most of it in the autumn; Barn- och
# utbildningsnämnden spends a little less than its frame (tkr a month).
OVERSPEND_TKR = {
    "sn": {m: (650 if m <= 8 else -1_150) for m in range(1, 13)},
    "bun": dict.fromkeys(range(1, 13), -60),
}


def _tkr(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


# The plan years' investment frames as the committees' analyses put them (tkr), by year
# after the budget year: Förskolelokaler and Gator och vägar go on; a new sports hall.
PLAN_INVESTMENTS_TKR = {
    1: {("bun", "Förskolelokaler"): 26_000, ("ks", "Gator och vägar"): 12_000},
    2: {("fkn", "Ny sporthall"): 35_000, ("ks", "Gator och vägar"): 12_000},
}
POPULATION = {  # 1–5, 6–15, 80+ years by year after the cycle year
    0: (560, 1_420, 820),
    1: (548, 1_446, 861),
    2: (541, 1_452, 893),
    3: (536, 1_455, 931),
}
VOLUMES = {0: (182_000, 96_000), 1: (189_500, 97_500), 2: (196_000, 98_000), 3: (203_500, 98_500)}
INDEX = {1: ("2,0", "3,1"), 2: ("2,1", "3,0"), 3: ("1,9", "2,9")}  # price, wage (per cent)
# The plan's assumptions by year after the cycle year (tkr): depreciation, financial items,
# operating income and the net costs outside the committees' frames (pensions and more).
PLAN_ASSUMPTIONS_TKR = {
    1: {
        "avskrivningar": 32_400,
        "finansiella_intakter": 8_000,
        "finansiella_kostnader": 13_800,
        "verksamhetens_intakter": 154_000,
        "ovriga_nettokostnader": 6_200,
    },
    2: {
        "avskrivningar": 34_100,
        "finansiella_intakter": 8_000,
        "finansiella_kostnader": 15_200,
        "verksamhetens_intakter": 157_500,
        "ovriga_nettokostnader": 6_400,
    },
    3: {
        "avskrivningar": 36_000,
        "finansiella_intakter": 8_000,
        "finansiella_kostnader": 16_900,
        "verksamhetens_intakter": 161_000,
        "ovriga_nettokostnader": 6_600,
    },
}
# SKR's tax-base forecasts (tkr): December the year before and April of the cycle year.
TAX_FORECASTS_TKR = {
    (12, 15): {1: (812_000, 298_000), 2: (836_000, 304_000), 3: (861_000, 311_000)},
    (4, 24): {1: (815_400, 299_100), 2: (838_200, 305_600), 3: (862_500, 312_400)},
}


def tax_forecast_file(folder: Path, year: int, made: tuple[int, int]) -> Path:
    """SKR's forecast made on a day (in December: the year before the cycle year)."""
    made_on = dt.date(year - (made[0] == 12), *made)
    rows = [
        [year + offset, post, _tkr(v), made_on.isoformat()]
        for offset, (tax, grants) in TAX_FORECASTS_TKR[made].items()
        for post, v in (("Skatteintäkter", tax), ("Generella statsbidrag och utjämning", grants))
    ]
    return _write(
        folder / f"skatteprognos-{made_on.isoformat()}.csv",
        ["år", "post", "belopp_tkr", "prognosdatum"],
        rows,
    )


def planning_files(folder: Path, year: int) -> list[tuple[str, Path]]:
    """The inputs the controllers import in January: last year's plan, the frames, population,
    volumes, indices and the plan's assumptions for the three years, SKR's forecast."""
    budget_year = year + 1
    frames = [[k, year, "drift", "", _tkr(v), "kf"] for k, v in FRAMES_TKR.items()]
    frames += [
        [k, year + offset, "investering", area, _tkr(v), "kf"]
        for offset, decided in DECIDED_INVESTMENTS_TKR.items()
        for (k, area), v in decided.items()
    ]
    frames += [[k, budget_year, "drift", "", _tkr(v), "föregående"] for k, v in FRAMES_TKR.items()]
    frames += [
        [k, budget_year, "investering", area, _tkr(v), "preliminär"]
        for (k, area), v in INVESTMENTS_TKR.items()
    ]
    frames += [
        [k, budget_year + offset, "investering", area, _tkr(v), "preliminär"]
        for offset, planned in PLAN_INVESTMENTS_TKR.items()
        for (k, area), v in planned.items()
    ]
    population = [
        [year + offset, group, n]
        for offset, counts in POPULATION.items()
        for group, n in zip(("1-5", "6-15", "80+"), counts, strict=True)
    ]
    volumes = [
        [year + offset, unit, service, v]
        for offset, counts in VOLUMES.items()
        for (unit, service), v in zip(
            (("sn", "Hemtjänst"), ("fkn", "Bibliotek")), counts, strict=True
        )
    ]
    index = [
        [year + offset, kind, value]
        for offset, values in INDEX.items()
        for kind, value in zip(("pris", "lön"), values, strict=True)
    ]
    goals = [
        [y, measure, value]
        for y in range(year, year + 4)
        for measure, value in (
            ("resultat_andel_skatter", "2,0"),
            ("soliditet", "40,0"),
            ("sjalvfinansieringsgrad", "100"),
        )
    ]
    goals += [[y, "skattesats", "22,41"] for y in (year, budget_year)]
    goals += [
        [year + offset, f"{key}_tkr", v]
        for offset, assumptions in PLAN_ASSUMPTIONS_TKR.items()
        for key, v in assumptions.items()
    ]
    return [
        (
            "ramar",
            _write(
                folder / f"ramar-{year}.csv",
                ["enhet", "budgetår", "typ", "område", "belopp_tkr", "status"],
                frames,
            ),
        ),
        (
            "befolkning",
            _write(folder / f"befolkning-{year}.csv", ["år", "åldersgrupp", "antal"], population),
        ),
        (
            "volymer",
            _write(folder / f"volymer-{year}.csv", ["år", "enhet", "verksamhet", "volym"], volumes),
        ),
        ("index", _write(folder / f"index-{year}.csv", ["år", "slag", "procent"], index)),
        (
            "finansiella-mal",
            _write(folder / f"finansiella-mal-{year}.csv", ["år", "mått", "värde"], goals),
        ),
        ("skatteprognos", tax_forecast_file(folder, year, (12, 15))),
    ]

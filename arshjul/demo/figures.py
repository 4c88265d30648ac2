"""Arboga's demo figures as the CSV files a controller would import.

All amounts are invented (the configuration says so, and the documents carry
a demo label); the frames' total follows the public 1 001 005 tkr.
"""

from __future__ import annotations

import csv
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


def planning_files(folder: Path, year: int) -> list[tuple[str, Path]]:
    """The inputs the controllers import in January: frames, population, volumes, indices."""
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
    population = [
        [y, group, n]
        for y, counts in ((year, (560, 1_420, 820)), (budget_year, (548, 1_446, 861)))
        for group, n in zip(("1-5", "6-15", "80+"), counts, strict=True)
    ]
    volumes = [[y, "sn", "Hemtjänst", v] for y, v in ((year, 182_000), (budget_year, 189_500))] + [
        [y, "fkn", "Bibliotek", v] for y, v in ((year, 96_000), (budget_year, 97_500))
    ]
    index = [[budget_year, "pris", "2,0"], [budget_year, "lön", "3,1"]]
    goals = [
        [y, measure, value]
        for y in (year, budget_year)
        for measure, value in (
            ("skattesats", "22,41"),
            ("skatteintakter_tkr", 790_000 if y == year else 812_000),
            ("statsbidrag_tkr", 290_000 if y == year else 298_000),
            ("resultat_andel_skatter", "2,0"),
            ("soliditet", "40,0"),
            ("sjalvfinansieringsgrad", "100"),
            ("finansnetto_tkr", -5_400),
            ("avskrivningar_tkr", 31_200),
        )
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
    ]

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
# Socialnämnden runs hot until the summer and recovers in the autumn (tkr a month).
OVERSPEND_TKR = {"sn": {m: (650 if m <= 8 else -1_300) for m in range(1, 13)}}
TAXES_TKR, GRANTS_TKR = 790_000, 290_000
STATEMENT_MONTHLY_TKR = {
    "Verksamhetens intäkter": 21_000,
    "Avskrivningar": 2_600,
    "Skatteintäkter": TAXES_TKR / 12,
    "Generella statsbidrag och utjämning": GRANTS_TKR / 12,
    "Finansiella intäkter": 250,
    "Finansiella kostnader": 700,
}
BALANCE_TKR = {
    "Anläggningstillgångar": 1_800_000,
    "Omsättningstillgångar": 300_000,
    "Eget kapital": 900_000,
    "Avsättningar": 250_000,
    "Skulder": 950_000,
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
            ("skatteintakter_tkr", TAXES_TKR if y == year else 812_000),
            ("statsbidrag_tkr", GRANTS_TKR if y == year else 298_000),
            ("resultat_andel_skatter", "2,0"),
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


def actuals_file(folder: Path, year: int, month: int) -> Path:
    """One month's actuals from the finance system: each unit, and the statement totals."""
    rows: list[list[object]] = []
    for key, frame in FRAMES_TKR.items():
        extra = OVERSPEND_TKR.get(key, {}).get(month, 0)
        rows.append([key, year, month, "", _tkr(frame / 12 + extra)])
    for group, amount in STATEMENT_MONTHLY_TKR.items():
        rows.append(["ks", year, month, group, _tkr(amount)])
    for group, amount in BALANCE_TKR.items():
        rows.append(["ks", year, month, group, _tkr(amount)])
    return _write(
        folder / f"utfall-{year}-{month:02d}.csv",
        ["enhet", "år", "månad", "kontogrupp", "belopp_tkr"],
        rows,
    )

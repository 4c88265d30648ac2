"""A chart of accounts as the statements read it: which line each account belongs to.

The shipped charts are data (``charts/kommunbas.toml`` for the municipality and federations,
``charts/bas.toml`` for companies); a municipality overrides any prefix in its TOML file.
An account is matched by the longest prefix the chart names, so ``"221"`` (pensions) wins
over ``"22"`` (other provisions) for account 2214.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from arshjul.accounts.layout import BALANCE_POSTS, INCOME_POSTS, LINE_LABELS
from arshjul.errors import ConfigError

CHARTS = Path(__file__).resolve().parent / "charts"
SHIPPED = ("kommunbas", "bas")

# A company's posts that only the group's consolidation knows what to do with.
UNTAXED_RESERVES = "obeskattade_reserver"
APPROPRIATIONS = "bokslutsdispositioner"
COMPANY_BALANCE_POSTS = frozenset({UNTAXED_RESERVES})
COMPANY_INCOME_POSTS = frozenset({APPROPRIATIONS})


def is_balance_account(account: str) -> bool:
    """Classes 1 and 2: assets, equity, provisions and liabilities."""
    return account[:1] in ("1", "2")


def _expand(key: str) -> list[str]:
    """``"24-29"`` → 24, 25, …, 29; ``"221"`` → 221."""
    low, dash, high = key.partition("-")
    low, high = low.strip(), (high.strip() if dash else low.strip())
    if not (low.isdigit() and high.isdigit() and len(low) == len(high) and low <= high):
        raise ValueError(
            f"”{key}” är inget kontoprefix: skriv siffror (t.ex. 19) eller ett intervall "
            "av lika långa prefix (t.ex. 24-29)"
        )
    return [str(n).zfill(len(low)) for n in range(int(low), int(high) + 1)]


def _by_prefix(table: Mapping[str, str], where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in table.items():
        try:
            prefixes = _expand(str(key))
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        for prefix in prefixes:
            found[prefix] = value
    return found


def _longest(table: Mapping[str, str], account: str) -> str | None:
    for length in range(len(account), 0, -1):
        hit = table.get(account[:length])
        if hit is not None:
            return hit
    return None


@dataclass(frozen=True)
class Chart:
    """Prefix → statement line, prefix → refusal reason, prefix → note group label."""

    name: str
    lines: Mapping[str, str]
    refused: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)
    company: bool = False

    def __post_init__(self) -> None:
        problems = []
        for prefix, key in self.lines.items():
            balance = BALANCE_POSTS | (COMPANY_BALANCE_POSTS if self.company else frozenset())
            income = INCOME_POSTS | (COMPANY_INCOME_POSTS if self.company else frozenset())
            if key not in balance | income:
                problems.append(
                    f"”{prefix}” = ”{key}”: ingen rad i resultat- eller balansräkningen"
                )
            elif is_balance_account(prefix) != (key in balance):
                side = "balansräkningen" if is_balance_account(prefix) else "resultaträkningen"
                problems.append(
                    f"”{prefix}” = ”{key}”: konton som börjar på {prefix[0]} hör till {side}"
                )
        if problems:
            raise ConfigError(f"Kontoplanen {self.name} går inte ihop:", details=problems)

    def line_of(self, account: str) -> str | None:
        """The statement line of an account, or None when the chart does not know it."""
        if self.refusal(account) is not None:
            return None
        return _longest(self.lines, account)

    def refusal(self, account: str) -> str | None:
        """Why an account is refused, when the chart says (more precisely than any line)."""
        if self._match_length(self.refused, account) > self._match_length(self.lines, account):
            return _longest(self.refused, account)
        return None

    def group_of(self, account: str) -> str:
        """The label a note's specification shows the account under."""
        return _longest(self.groups, account) or f"Konto {account}"

    @staticmethod
    def _match_length(table: Mapping[str, str], account: str) -> int:
        for length in range(len(account), 0, -1):
            if account[:length] in table:
                return length
        return 0

    def with_overrides(self, lines: Mapping[str, str], groups: Mapping[str, str]) -> Chart:
        """The chart with a municipality's own prefixes over the shipped ones."""
        if not lines and not groups:
            return self
        return Chart(
            name=f"{self.name} med kommunens ändringar",
            lines={**self.lines, **_by_prefix(lines, "accounts.lines")},
            refused=self.refused,  # a longer override prefix wins over a refusal
            groups={**self.groups, **_by_prefix(groups, "accounts.groups")},
            company=self.company,
        )


@cache
def shipped_chart(name: str) -> Chart:
    """A chart shipped with the package (``kommunbas`` or ``bas``)."""
    if name not in SHIPPED:
        raise ConfigError(f"”{name}” är ingen kontoplan; välj {' eller '.join(SHIPPED)}")
    path = CHARTS / f"{name}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    where = path.name
    return Chart(
        name=str(data.get("name", name)),
        lines=_by_prefix(data.get("lines", {}), f"{where} [lines]"),
        refused=_by_prefix(data.get("refused", {}), f"{where} [refused]"),
        groups=_by_prefix(data.get("groups", {}), f"{where} [groups]"),
        company=name == "bas",
    )


def line_label(key: str) -> str:
    """A line's Swedish label (a company's own posts included)."""
    return {
        UNTAXED_RESERVES: "Obeskattade reserver",
        APPROPRIATIONS: "Bokslutsdispositioner",
        **LINE_LABELS,
    }[key]

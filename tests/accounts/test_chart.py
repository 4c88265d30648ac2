"""The charts of accounts: which statement line an account lands on, and which it may not.

Pure unit tests on the shipped charts (Kommun-Bas for the municipality, BAS for the
companies) and a municipality's overrides; no database.
"""

from __future__ import annotations

import pytest

from arshjul.accounts.chart import (
    APPROPRIATIONS,
    UNTAXED_RESERVES,
    Chart,
    is_balance_account,
    line_label,
    shipped_chart,
)
from arshjul.accounts.layout import BALANCE_POSTS, INCOME_POSTS
from arshjul.accounts.statements import unknown_accounts
from arshjul.errors import ConfigError


@pytest.fixture
def kommunbas() -> Chart:
    return shipped_chart("kommunbas")


@pytest.fixture
def bas() -> Chart:
    return shipped_chart("bas")


# ----------------------------------------------------------------------------- prefixes
@pytest.mark.parametrize(
    ("account", "line"),
    [
        # 221 (pensions) is longer than 22 (other provisions) and wins.
        ("2214", "avsattning_pensioner"),
        ("2210", "avsattning_pensioner"),
        ("221", "avsattning_pensioner"),
        ("2290", "andra_avsattningar"),
        ("2200", "andra_avsattningar"),
        ("2311", "langfristiga_skulder"),
        ("1930", "kassa_bank"),
        ("1119", "mark_byggnader"),  # accumulated depreciation stays on its asset's line
        ("7810", "avskrivningar"),  # 78 beats the 40-77 range … and 79 is costs again
        ("7910", "verksamhetens_kostnader"),
        ("8011", "skatteintakter"),
        ("8541", "finansiella_kostnader"),
        ("84411", "finansiella_intakter"),  # a longer account than the chart's prefixes
    ],
)
def test_the_longest_prefix_wins(kommunbas: Chart, account: str, line: str) -> None:
    assert kommunbas.line_of(account) == line
    assert kommunbas.refusal(account) is None


@pytest.mark.parametrize(
    ("account", "line"),
    [
        # "24-29": every two-digit prefix from 24 through 29, and nothing beside them.
        ("2400", "kortfristiga_skulder"),
        ("2440", "kortfristiga_skulder"),
        ("2510", "kortfristiga_skulder"),
        ("2710", "kortfristiga_skulder"),
        ("2999", "kortfristiga_skulder"),
        ("2399", "langfristiga_skulder"),
        # "15-17"
        ("1510", "fordringar"),
        ("1610", "fordringar"),
        ("1790", "fordringar"),
        ("1810", "kortfristiga_placeringar"),
        # "40-77" is 38 prefixes, the ends included
        ("4010", "verksamhetens_kostnader"),
        ("5511", "verksamhetens_kostnader"),
        ("7799", "verksamhetens_kostnader"),
        # "82-83"
        ("8211", "generella_statsbidrag"),
        ("8391", "generella_statsbidrag"),
    ],
)
def test_ranges_cover_every_prefix_between_their_ends(
    kommunbas: Chart, account: str, line: str
) -> None:
    assert kommunbas.line_of(account) == line


def test_a_prefix_the_chart_does_not_name_has_no_line_and_no_refusal(kommunbas: Chart) -> None:
    for account in ("0123", "8110", "8611"):
        assert kommunbas.line_of(account) is None
        assert kommunbas.refusal(account) is None


def test_every_balance_account_lands_on_the_balance_sheet_and_the_rest_on_the_income_statement(
    kommunbas: Chart, bas: Chart
) -> None:
    company_balance = BALANCE_POSTS | {UNTAXED_RESERVES}
    company_income = INCOME_POSTS | {APPROPRIATIONS}
    for chart, balance, income in (
        (kommunbas, BALANCE_POSTS, INCOME_POSTS),
        (bas, company_balance, company_income),
    ):
        for number in range(1000, 10000):
            account = str(number)
            line = chart.line_of(account)
            if line is None:
                continue
            expected = balance if is_balance_account(account) else income
            assert line in expected, (chart.name, account, line)


# ----------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("account", ["8910", "8911", "8999", "89"])
def test_kommunbas_refuses_the_years_result_group_89(kommunbas: Chart, account: str) -> None:
    reason = kommunbas.refusal(account)
    assert reason is not None
    assert "kontogrupp 89" in reason and "årets resultat" in reason
    assert "före resultatdispositionen" in reason
    assert kommunbas.line_of(account) is None


@pytest.mark.parametrize("account", ["9000", "9110", "9999", "91234"])
def test_kommunbas_refuses_class_9(kommunbas: Chart, account: str) -> None:
    reason = kommunbas.refusal(account)
    assert reason is not None and reason.startswith("kontoklass 9")
    assert "externa redovisningen" in reason and "[accounts] lines" in reason
    assert kommunbas.line_of(account) is None


def test_bas_refuses_only_the_result_accounts_and_class_9(bas: Chart) -> None:
    # 89 is the company's tax, 8999 and 2099 the year's result booked at the closing.
    assert bas.line_of("8910") == "skatt"
    assert bas.refusal("8910") is None
    for account in ("8999", "2099"):
        reason = bas.refusal(account)
        assert reason is not None and f"konto {account} (årets resultat)" in reason
        assert bas.line_of(account) is None
    assert bas.line_of("2091") == "ovrigt_eget_kapital"
    assert bas.refusal("9110") is not None and "kontoklass 9" in bas.refusal("9110")  # type: ignore[operator]


def test_bas_has_the_companies_own_posts(bas: Chart, kommunbas: Chart) -> None:
    assert bas.company and not kommunbas.company
    assert bas.line_of("2125") == UNTAXED_RESERVES  # periodiseringsfond
    assert bas.line_of("8811") == APPROPRIATIONS
    assert bas.line_of("7830") == "avskrivningar"  # 77-78 in BAS
    assert bas.line_of("8410") == "finansiella_kostnader"  # 84 is a cost in BAS …
    assert kommunbas.line_of("8410") == "finansiella_intakter"  # … and income in Kommun-Bas
    assert kommunbas.line_of("2125") is None  # no untaxed reserves in Kommun-Bas


# ----------------------------------------------------------------------------- overrides
def test_an_override_moves_an_account_to_another_line(kommunbas: Chart) -> None:
    chart = kommunbas.with_overrides({"205": "resultatutjamningsreserv"}, {})
    assert chart.line_of("2050") == "resultatutjamningsreserv"
    assert chart.line_of("2010") == "ovrigt_eget_kapital"  # the rest of 20 stays
    assert chart.name == "Kommun-Bas med kommunens ändringar"
    assert kommunbas.line_of("2050") == "ovrigt_eget_kapital"  # the shipped chart unchanged


def test_no_overrides_give_the_shipped_chart_itself(kommunbas: Chart) -> None:
    assert kommunbas.with_overrides({}, {}) is kommunbas


def test_a_longer_override_beats_a_refusal(kommunbas: Chart) -> None:
    chart = kommunbas.with_overrides(
        {"9110": "verksamhetens_kostnader", "891": "finansiella_kostnader"}, {}
    )
    assert chart.refusal("9110") is None
    assert chart.line_of("9110") == "verksamhetens_kostnader"
    assert chart.line_of("8911") == "finansiella_kostnader"
    # Only the overridden prefix: the rest of class 9 and of group 89 is still refused.
    assert chart.line_of("9210") is None and chart.refusal("9210") is not None
    assert chart.line_of("8920") is None and "kontogrupp 89" in (chart.refusal("8920") or "")
    assert unknown_accounts(chart, ["9110", "8911"]) == []


def test_a_range_override(kommunbas: Chart) -> None:
    chart = kommunbas.with_overrides({"91-92": "verksamhetens_intakter"}, {})
    assert chart.line_of("9110") == "verksamhetens_intakter"
    assert chart.line_of("9299") == "verksamhetens_intakter"
    assert chart.line_of("9310") is None


def test_an_override_putting_a_class_1_account_on_an_income_line_is_refused(
    kommunbas: Chart,
) -> None:
    with pytest.raises(ConfigError) as caught:
        kommunbas.with_overrides({"1930": "verksamhetens_intakter"}, {})
    message = str(caught.value)
    assert "Kontoplanen Kommun-Bas med kommunens ändringar går inte ihop" in message
    assert "”1930” = ”verksamhetens_intakter”" in message
    assert "konton som börjar på 1 hör till balansräkningen" in message


def test_an_override_putting_an_income_account_on_the_balance_sheet_is_refused(
    kommunbas: Chart,
) -> None:
    with pytest.raises(ConfigError) as caught:
        kommunbas.with_overrides({"3011": "kassa_bank"}, {})
    assert "”3011” = ”kassa_bank”: konton som börjar på 3 hör till resultaträkningen" in str(
        caught.value
    )


def test_an_override_to_a_line_that_does_not_exist_is_refused(kommunbas: Chart) -> None:
    with pytest.raises(ConfigError) as caught:
        kommunbas.with_overrides({"2050": "resultatutjämningsreserv"}, {})  # the label, not key
    assert "”2050” = ”resultatutjämningsreserv”: ingen rad i resultat- eller balansräkningen" in (
        str(caught.value)
    )


def test_untaxed_reserves_are_a_company_post_only(kommunbas: Chart, bas: Chart) -> None:
    with pytest.raises(ConfigError) as caught:
        kommunbas.with_overrides({"21": UNTAXED_RESERVES}, {})
    assert "”21” = ”obeskattade_reserver”: ingen rad" in str(caught.value)
    assert bas.with_overrides({"219": UNTAXED_RESERVES}, {}).line_of("2190") == UNTAXED_RESERVES


@pytest.mark.parametrize("prefix", ["24-2", "29-24", "2a", "", "19-"])
def test_a_prefix_that_is_no_prefix_is_refused_naming_it(kommunbas: Chart, prefix: str) -> None:
    with pytest.raises(ConfigError) as caught:
        kommunbas.with_overrides({prefix: "kortfristiga_skulder"}, {})
    message = str(caught.value)
    assert message.startswith("accounts.lines: ")
    assert f"”{prefix}” är inget kontoprefix" in message


def test_a_bad_group_prefix_is_refused_naming_the_table(kommunbas: Chart) -> None:
    with pytest.raises(ConfigError, match=r"^accounts\.groups: ”x9” är inget kontoprefix"):
        kommunbas.with_overrides({}, {"x9": "Något"})


def test_an_unknown_shipped_chart() -> None:
    with pytest.raises(ConfigError, match="”k-bas” är ingen kontoplan; välj kommunbas eller bas"):
        shipped_chart("k-bas")


# ----------------------------------------------------------------------------- groups
@pytest.mark.parametrize(
    ("account", "group"),
    [
        ("2214", "Avsättningar för pensioner"),
        ("2290", "Andra avsättningar"),
        ("8011", "Allmän kommunalskatt"),
        ("8051", "Slutavräkning"),
        ("8091", "Övriga skatteintäkter"),
        ("8211", "Inkomstutjämningsbidrag"),
        ("8291", "Generella bidrag från staten"),
        ("8311", "Inkomstutjämningsavgift"),
        ("8391", "Övriga bidrag och avgifter i utjämningssystemen"),
        ("8441", "Ränteintäkter"),
        ("8411", "Utdelning på aktier och andelar"),
        ("3311", "Övriga verksamhetsintäkter"),
        ("3511", "Bidrag"),
        ("4611", "Material, varor och köpta tjänster"),
        ("5011", "Kostnader för arbetskraft"),
        ("7910", "Övriga verksamhetskostnader"),
        ("7810", "Avskrivningar"),
    ],
)
def test_note_groups_by_the_longest_prefix(kommunbas: Chart, account: str, group: str) -> None:
    assert kommunbas.group_of(account) == group


def test_every_account_with_a_line_has_a_group_of_its_own(kommunbas: Chart, bas: Chart) -> None:
    """A note shows labels, not "Konto 1234", for every account the shipped charts place."""
    for chart in (kommunbas, bas):
        for number in range(1000, 10000):
            account = str(number)
            if chart.line_of(account) is not None:
                assert not chart.group_of(account).startswith("Konto "), (chart.name, account)


def test_an_account_without_a_group_is_shown_by_its_number(kommunbas: Chart) -> None:
    chart = kommunbas.with_overrides({"9110": "verksamhetens_kostnader"}, {})
    assert chart.group_of("9110") == "Konto 9110"
    grouped = kommunbas.with_overrides(
        {"9110": "verksamhetens_kostnader"}, {"911": "Interna tjänster", "205": "RUR"}
    )
    assert grouped.group_of("9110") == "Interna tjänster"
    assert grouped.group_of("2050") == "RUR"
    assert grouped.group_of("2010") == "Eget kapital"


def test_line_labels() -> None:
    assert line_label(UNTAXED_RESERVES) == "Obeskattade reserver"
    assert line_label(APPROPRIATIONS) == "Bokslutsdispositioner"
    assert line_label("avsattning_pensioner") == (
        "Avsättningar för pensioner och liknande förpliktelser"
    )
    with pytest.raises(KeyError):
        line_label("pensioner")


# ----------------------------------------------------------------------------- unknown accounts
def test_unknown_accounts_name_each_account_once_with_its_reason(kommunbas: Chart) -> None:
    problems = unknown_accounts(kommunbas, ["9110", "1930", "8911", "0123", "9110", "3011"])
    assert problems == [
        "konto 0123 finns inte i kontoplanen Kommun-Bas; koppla det till en rad under "
        "[accounts] lines i kommunens TOML-fil",
        "konto 8911: " + (kommunbas.refusal("8911") or ""),
        "konto 9110: " + (kommunbas.refusal("9110") or ""),
    ]


def test_unknown_accounts_of_a_chart_with_overrides_name_that_chart(kommunbas: Chart) -> None:
    chart = kommunbas.with_overrides({"9110": "verksamhetens_kostnader"}, {})
    assert unknown_accounts(chart, ["9110", "8110"]) == [
        "konto 8110 finns inte i kontoplanen Kommun-Bas med kommunens ändringar; koppla det "
        "till en rad under [accounts] lines i kommunens TOML-fil"
    ]


def test_no_unknown_accounts(kommunbas: Chart, bas: Chart) -> None:
    assert unknown_accounts(kommunbas, []) == []
    assert unknown_accounts(kommunbas, ["1930", "2214", "8011"]) == []
    assert unknown_accounts(bas, ["8910", "2125", "8811"]) == []
    assert unknown_accounts(kommunbas, ["8910"]) != []  # the same tax account, refused

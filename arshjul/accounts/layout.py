"""The lines of the financial statements, in LKBR's order: one definition for every document.

The income statement (resultaträkning) and the balance sheet (balansräkning) follow the
layouts of the Swedish act on municipal accounting (lag (2018:597) om kommunal bokföring och
redovisning, the appendices on uppställningsform); the cash-flow statement follows the
sections of RKR's recommendation on it (löpande verksamhet, investerings- och
finansieringsverksamhet). The annual and interim reports, the municipal group and the
budgeted statements of the Strategic and financial plan all use these lines, so a line has
one label and one place in every document.

A *post* (``kind="post"``) takes its amount from accounts (or from a budget); a *sum*
adds other lines. Signs are as the statements show them: income and assets positive, costs
negative; equity, provisions and liabilities positive.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict, Unpack

LineKind = Literal["post", "sum", "heading"]


@dataclass(frozen=True)
class LineDef:
    """One line of a statement.

    ``parts``: the lines a sum adds. ``always``: shown even when zero in every column (the
    sums and the posts the law names); other posts are left out when they are zero.
    ``note``: the post gets a note specifying it by the chart's account groups when its
    accounts fall in two groups or more; ``note_always``: the note is written in any case
    (the pensions and the tax revenues, which the law and RKR ask to be explained).
    """

    key: str
    label: str
    kind: LineKind = "post"
    parts: tuple[str, ...] = ()
    always: bool = False
    note: bool = True
    note_always: bool = False


class _PostOptions(TypedDict, total=False):
    always: bool
    note: bool
    note_always: bool


def _post(key: str, label: str, **kw: Unpack[_PostOptions]) -> LineDef:
    return LineDef(key, label, "post", **kw)


def _sum(key: str, label: str, *parts: str) -> LineDef:
    return LineDef(key, label, "sum", parts, always=True, note=False)


def _heading(key: str, label: str) -> LineDef:
    return LineDef(key, label, "heading", always=True, note=False)


INCOME_STATEMENT: tuple[LineDef, ...] = (
    _post("verksamhetens_intakter", "Verksamhetens intäkter", always=True),
    _post("verksamhetens_kostnader", "Verksamhetens kostnader", always=True),
    _post("avskrivningar", "Avskrivningar", always=True),
    _sum(
        "verksamhetens_nettokostnader",
        "Verksamhetens nettokostnader",
        "verksamhetens_intakter",
        "verksamhetens_kostnader",
        "avskrivningar",
    ),
    _post("skatteintakter", "Skatteintäkter", always=True, note_always=True),
    _post(
        "generella_statsbidrag",
        "Generella statsbidrag och utjämning",
        always=True,
        note_always=True,
    ),
    _sum(
        "verksamhetens_resultat",
        "Verksamhetens resultat",
        "verksamhetens_nettokostnader",
        "skatteintakter",
        "generella_statsbidrag",
    ),
    _post("finansiella_intakter", "Finansiella intäkter", always=True),
    _post("finansiella_kostnader", "Finansiella kostnader", always=True),
    _sum(
        "resultat_efter_finansiella_poster",
        "Resultat efter finansiella poster",
        "verksamhetens_resultat",
        "finansiella_intakter",
        "finansiella_kostnader",
    ),
    # The group's companies: their tax, and their appropriations before they are split.
    _post("skatt", "Skatt", note=False),
    _post("extraordinara_poster", "Extraordinära poster"),
    _sum(
        "arets_resultat",
        "Årets resultat",
        "resultat_efter_finansiella_poster",
        "skatt",
        "extraordinara_poster",
    ),
)

# The balance sheet's posts on the assets side; the rest are equity, provisions, liabilities.
ASSET_POSTS = (
    "immateriella",
    "mark_byggnader",
    "maskiner_inventarier",
    "ovriga_materiella",
    "finansiella_anlaggningstillgangar",
    "statlig_infrastruktur",
    "forrad",
    "fordringar",
    "kortfristiga_placeringar",
    "kassa_bank",
)

BALANCE_SHEET: tuple[LineDef, ...] = (
    _heading("tillgangar", "Tillgångar"),
    _post("immateriella", "Immateriella anläggningstillgångar"),
    _post("mark_byggnader", "Mark, byggnader och tekniska anläggningar", always=True),
    _post("maskiner_inventarier", "Maskiner och inventarier", always=True),
    _post("ovriga_materiella", "Övriga materiella anläggningstillgångar"),
    _post("finansiella_anlaggningstillgangar", "Finansiella anläggningstillgångar", always=True),
    _sum(
        "summa_anlaggningstillgangar",
        "Summa anläggningstillgångar",
        "immateriella",
        "mark_byggnader",
        "maskiner_inventarier",
        "ovriga_materiella",
        "finansiella_anlaggningstillgangar",
    ),
    _post("statlig_infrastruktur", "Bidrag till statlig infrastruktur"),
    _post("forrad", "Förråd m.m."),
    _post("fordringar", "Fordringar", always=True),
    _post("kortfristiga_placeringar", "Kortfristiga placeringar"),
    _post("kassa_bank", "Kassa och bank", always=True),
    _sum(
        "summa_omsattningstillgangar",
        "Summa omsättningstillgångar",
        "forrad",
        "fordringar",
        "kortfristiga_placeringar",
        "kassa_bank",
    ),
    _sum(
        "summa_tillgangar",
        "Summa tillgångar",
        "summa_anlaggningstillgangar",
        "statlig_infrastruktur",
        "summa_omsattningstillgangar",
    ),
    _heading("eget_kapital_avsattningar_skulder", "Eget kapital, avsättningar och skulder"),
    # The year's result is the income statement's, not an account's (see statements.py).
    _post("arets_resultat_ek", "Årets resultat", always=True, note=False),
    _post("resultatutjamningsreserv", "Resultatutjämningsreserv"),
    _post("ovrigt_eget_kapital", "Övrigt eget kapital", always=True),
    _sum(
        "summa_eget_kapital",
        "Summa eget kapital",
        "arets_resultat_ek",
        "resultatutjamningsreserv",
        "ovrigt_eget_kapital",
    ),
    _post(
        "avsattning_pensioner",
        "Avsättningar för pensioner och liknande förpliktelser",
        always=True,
        note_always=True,
    ),
    _post("andra_avsattningar", "Andra avsättningar"),
    _sum("summa_avsattningar", "Summa avsättningar", "avsattning_pensioner", "andra_avsattningar"),
    _post("langfristiga_skulder", "Långfristiga skulder", always=True),
    _post("kortfristiga_skulder", "Kortfristiga skulder", always=True),
    _sum("summa_skulder", "Summa skulder", "langfristiga_skulder", "kortfristiga_skulder"),
    _sum(
        "summa_eget_kapital_avsattningar_skulder",
        "Summa eget kapital, avsättningar och skulder",
        "summa_eget_kapital",
        "summa_avsattningar",
        "summa_skulder",
    ),
)

CASH_FLOW: tuple[LineDef, ...] = (
    _heading("lopande", "Den löpande verksamheten"),
    _post("cf_arets_resultat", "Årets resultat", always=True, note=False),
    _post("cf_avskrivningar", "Justering för av- och nedskrivningar", always=True, note=False),
    _post("cf_avsattningar", "Justering för gjorda avsättningar", always=True, note=False),
    _sum(
        "cf_fore_rorelsekapital",
        "Medel från verksamheten före förändring av rörelsekapital",
        "cf_arets_resultat",
        "cf_avskrivningar",
        "cf_avsattningar",
    ),
    _post("cf_fordringar", "Ökning (−) / minskning (+) av fordringar", always=True, note=False),
    _post("cf_forrad", "Ökning (−) / minskning (+) av förråd m.m.", note=False),
    _post(
        "cf_kortfristiga_skulder",
        "Ökning (+) / minskning (−) av kortfristiga skulder",
        always=True,
        note=False,
    ),
    _sum(
        "cf_lopande",
        "Kassaflöde från den löpande verksamheten",
        "cf_fore_rorelsekapital",
        "cf_fordringar",
        "cf_forrad",
        "cf_kortfristiga_skulder",
    ),
    _heading("investering", "Investeringsverksamheten"),
    _post(
        "cf_materiella",
        "Investering i immateriella och materiella anläggningstillgångar",
        always=True,
        note=False,
    ),
    _post(
        "cf_finansiella",
        "Investering i (−) / försäljning av (+) finansiella anläggningstillgångar",
        always=True,
        note=False,
    ),
    _post("cf_placeringar", "Förändring av kortfristiga placeringar", note=False),
    _sum(
        "cf_investering",
        "Kassaflöde från investeringsverksamheten",
        "cf_materiella",
        "cf_finansiella",
        "cf_placeringar",
    ),
    _heading("finansiering", "Finansieringsverksamheten"),
    _post(
        "cf_langfristiga_skulder",
        "Nyupptagna lån (+) / amortering av skulder (−)",
        always=True,
        note=False,
    ),
    _post("cf_eget_kapital", "Förändring av eget kapital utöver årets resultat", note=False),
    _sum(
        "cf_finansiering",
        "Kassaflöde från finansieringsverksamheten",
        "cf_langfristiga_skulder",
        "cf_eget_kapital",
    ),
    _sum(
        "cf_arets_kassaflode", "Årets kassaflöde", "cf_lopande", "cf_investering", "cf_finansiering"
    ),
    _post("cf_likvida_borjan", "Likvida medel vid årets början", always=True, note=False),
    _sum(
        "cf_likvida_slut",
        "Likvida medel vid årets slut",
        "cf_likvida_borjan",
        "cf_arets_kassaflode",
    ),
)

LAYOUTS: Mapping[str, tuple[LineDef, ...]] = {
    "income": INCOME_STATEMENT,
    "balance": BALANCE_SHEET,
    "cash_flow": CASH_FLOW,
}
INCOME_POSTS = frozenset(d.key for d in INCOME_STATEMENT if d.kind == "post")
BALANCE_POSTS = frozenset(
    d.key for d in BALANCE_SHEET if d.kind == "post" and d.key != "arets_resultat_ek"
)
LINE_LABELS = {d.key: d.label for layout in LAYOUTS.values() for d in layout}


def line(key: str) -> LineDef:
    """A line's definition by key, in any statement."""
    for layout in LAYOUTS.values():
        for definition in layout:
            if definition.key == key:
                return definition
    raise KeyError(key)


def with_sums(layout: tuple[LineDef, ...], posts: Mapping[str, int]) -> dict[str, int]:
    """Every post's amount (missing ones as 0) and every sum computed from them, in order.

    A sum given in ``posts`` while none of its parts is (a net budget gives the net cost of
    operations, not its income and costs) is kept as given, and its parts are left out.
    """
    values: dict[str, int] = {}
    given: set[str] = set()
    for definition in layout:
        if definition.kind == "post":
            if definition.key in posts or not _covered(layout, definition.key, posts):
                values[definition.key] = int(posts.get(definition.key, 0))
        elif definition.kind == "sum":
            if definition.key in posts and not any(p in posts for p in definition.parts):
                values[definition.key] = int(posts[definition.key])
                given.add(definition.key)
            else:
                values[definition.key] = sum(values.get(p, 0) for p in definition.parts)
    return values


def _covered(layout: tuple[LineDef, ...], key: str, posts: Mapping[str, int]) -> bool:
    """Whether a post is part of a sum that ``posts`` gives directly (a net figure)."""
    return any(
        d.kind == "sum"
        and key in d.parts
        and d.key in posts
        and not any(p in posts for p in d.parts)
        for d in layout
    )

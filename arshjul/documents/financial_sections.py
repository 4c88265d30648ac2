"""The financial parts of the interim and annual reports, laid out: statements with their
note references, the notes, the operating and investment accounts, the municipal group,
the five-year overview, sick leave and the pension obligations.

A figure the data does not have is written "uppgift saknas", never a dash or a zero; what
was missing is listed where the part starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from docx.table import Table

from arshjul.accounts.statements import Note, StatementTable
from arshjul.documents.builder import DocumentBuilder
from arshjul.documents.followup_common import fitted, text_block
from arshjul.documents.followup_statements import (
    GroupAccounts,
    InvestmentRow,
    ManagementReport,
    OperatingAccounts,
)
from arshjul.documents.tables import Cell, format_cell
from arshjul.formats import format_number, format_percent

MISSING_TEXT = "uppgift saknas"
CM_PER_DIGIT = 0.21  # a bold digit at the table style's 10 pt
PAD_CM = 0.5
TEXT_WIDTH_CM = 16.0  # A4 with the template's margins; fitted() scales to the real width


def amount(value: int | None) -> Cell:
    """Kronor (shown in tkr), or "uppgift saknas"."""
    return MISSING_TEXT if value is None else value


def measure(value: int | Decimal | None, unit: str) -> Cell:
    """A key figure in its unit: tkr as kronor, per cent and others as numbers."""
    if value is None:
        return MISSING_TEXT
    if unit == "tkr":
        return int(value)
    if unit == "%":
        return format_percent(Decimal(value) / 100)
    if unit == "st":
        return format_number(Decimal(value), 0)
    return format_number(Decimal(value), 2)


def figure_widths(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, figures: int, notes: bool = False
) -> list[float]:
    """Each figure column as wide as its longest figure, so no figure wraps; a narrow note
    column; the labels (the first column) take the rest (cm, before fitting to the page)."""
    first = len(headers) - figures
    widths = [
        max(len(format_cell(row[i])) for row in [headers, *rows]) * CM_PER_DIGIT + PAD_CM
        for i in range(first, len(headers))
    ]
    note = [1.1] if notes else []
    label = max(TEXT_WIDTH_CM - sum(widths) - sum(note), 4.0)
    return [label, *note, *widths]


def _bold_rows(table: Table, labels: Sequence[str], bold: set[str]) -> None:
    for label, row in zip(labels, table.rows[1:], strict=False):
        if label in bold:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def statement(
    doc: DocumentBuilder, table: StatementTable, *, first_column: str, caption: str
) -> None:
    """A statement's lines with a "Not" column when the lines have notes; sums in bold."""
    with_notes = bool(table.notes)
    rows: list[list[Cell]] = []
    labels: list[str] = []
    bold: set[str] = set()
    shown = table.rows()
    for definition, amounts in shown:
        note: list[Cell] = [str(table.notes.get(definition.key, ""))] if with_notes else []
        rows.append([definition.label, *note, *amounts])
        labels.append(definition.label)
        if definition.kind != "post":
            bold.add(definition.label)
    headers = [first_column, *(["Not"] if with_notes else []), *(c.heading for c in table.columns)]
    numeric = set(range(1, len(headers)))
    widths = figure_widths(headers, rows, figures=len(table.columns), notes=with_notes)
    *body, totals = rows
    added = doc.table(
        headers,
        body,
        totals=totals,
        numeric_columns=numeric,
        caption=caption,
        widths_cm=fitted(doc, widths),
    )
    _bold_rows(added, labels, bold)


def notes(doc: DocumentBuilder, found: Sequence[Note]) -> None:
    """Each note under its own heading: its text, then its table with the line's total."""
    for note in found:
        doc.heading(f"Not {note.number}. {note.title}", 2)
        if note.text:
            doc.paragraph(note.text)
        if not note.rows:
            continue
        rows: list[list[Cell]] = [
            [label, *(amount(a) for a in amounts)] for label, amounts in note.rows
        ]
        totals: list[Cell] | None = None
        if note.total is not None:
            totals = ["Summa", *(amount(t) for t in note.total)]
        doc.table(
            ["tkr", *note.columns],
            rows,
            totals=totals,
            caption=f"Not {note.number}. {note.title}",
        )


def operating_accounts(doc: DocumentBuilder, accounts: OperatingAccounts, year: int) -> None:
    """Budget, actual and deviation per committee and for the rest; the total is the net
    cost of operations in the income statement."""
    rows: list[list[Cell]] = [
        [r.name, amount(r.budget_kr), r.actual_kr, amount(r.deviation_kr)] for r in accounts.rows
    ]
    budget = accounts.budget_kr
    doc.table(
        ["Nämnd", "Budget", "Utfall", "Avvikelse"],
        rows,
        totals=[
            "Verksamhetens nettokostnader",
            amount(budget),
            accounts.actual_kr,
            amount(None if budget is None else budget - accounts.actual_kr),
        ],
        caption=f"Driftredovisning {year}, nettokostnader i tkr",
        widths_cm=fitted(doc, (8.2, 2.6, 2.6, 2.6)),
    )


def investment_accounts(doc: DocumentBuilder, rows: Sequence[InvestmentRow], year: int) -> None:
    """The year's budget, actual and deviation per project; for projects over several years
    also the whole project's budget and its outcome so far."""
    body: list[list[Cell]] = [
        [
            f"{r.name} ({r.unit})",
            r.budget_kr,
            r.actual_kr,
            r.deviation_kr,
            r.project_budget_kr if r.project_budget_kr is not None else "ettårigt",
            r.project_actual_kr if r.project_actual_kr is not None else "",
        ]
        for r in rows
    ]
    doc.table(
        ["Projekt", "Budget", "Utfall", "Avvikelse", "Hela projektet: budget", "Utfall hittills"],
        body,
        totals=[
            "Summa",
            sum(r.budget_kr for r in rows),
            sum(r.actual_kr for r in rows),
            sum(r.deviation_kr for r in rows),
            "",
            "",
        ],
        caption=f"Investeringsredovisning {year}, tkr",
        widths_cm=fitted(doc, (5.2, 2.2, 2.2, 2.2, 2.3, 2.3)),
    )
    several = [r for r in rows if r.years]
    if several:
        doc.bullets(
            [f"{r.name}: pågår {r.years}." for r in several],
        )


def group(doc: DocumentBuilder, accounts: GroupAccounts, year: int, *, annual: bool) -> None:
    """Members, the bridge from the municipality to the group, eliminations, statements."""
    doc.table(
        ["Bolag eller förbund", "Slag", "Ägarandel", "Årets resultat", "Kommunens andel"],
        [
            [
                m.name,
                m.kind,
                f"{format_number(m.percent, 1 if m.percent % 1 else 0)}\u00a0%",
                m.result_kr,
                m.included_result_kr,
            ]
            for m in accounts.members
        ],
        numeric_columns={2, 3, 4},
        caption=f"Kommunkoncernens bolag och förbund {year}, resultat i tkr",
        widths_cm=fitted(doc, (5.2, 3.6, 2.0, 2.6, 2.6)),
    )
    if any(m.included_result_kr != round(m.result_kr * m.percent / 100) for m in accounts.members):
        doc.paragraph(
            "Kommunens andel av ett bolags resultat är räknad efter att bolagets "
            "bokslutsdispositioner har delats på eget kapital och uppskjuten skatt (20,6 %)."
        )
    if accounts.share_text:
        doc.paragraph(accounts.share_text)
    statement(
        doc,
        accounts.bridge_income,
        first_column="Resultaträkning per del, tkr",
        caption=f"Från kommunen till kommunkoncernen: resultaträkning {year}, tkr",
    )
    if accounts.eliminations:
        doc.table(
            ["Transaktion", "Från", "Till", "Belopp", "Eliminerat"],
            [
                [e.kind, e.source, e.target, e.amount_kr, e.eliminated_kr]
                for e in accounts.eliminations
            ],
            numeric_columns={3, 4},
            caption=f"Elimineringar av koncerninterna transaktioner {year}, tkr",
            widths_cm=fitted(doc, (3.0, 4.2, 4.2, 2.3, 2.3)),
        )
    statement(
        doc,
        accounts.income,
        first_column="Koncernens resultaträkning, tkr",
        caption=f"Kommunkoncernens resultaträkning {year}, tkr",
    )
    statement(
        doc,
        accounts.balance,
        first_column="Koncernens balansräkning, tkr",
        caption=f"Kommunkoncernens balansräkning {year}, tkr",
    )
    if annual and accounts.cash_flow is not None:
        statement(
            doc,
            accounts.cash_flow,
            first_column="Koncernens kassaflödesanalys, tkr",
            caption=f"Kommunkoncernens kassaflödesanalys {year}, tkr",
        )


def overview(doc: DocumentBuilder, report: ManagementReport) -> None:
    """The five-year overview of key figures."""
    rows: list[list[Cell]] = [
        [f"{row.label} ({row.unit})", *(measure(v, row.unit) for v in row.values)]
        for row in report.overview
    ]
    doc.table(
        ["Nyckeltal", *(str(y) for y in report.years)],
        rows,
        caption=f"Fem år i sammandrag {report.years[0]}–{report.years[-1]}",
        widths_cm=fitted(
            doc,
            figure_widths(["Nyckeltal", *map(str, report.years)], rows, figures=len(report.years)),
        ),
    )


def sick_leave(doc: DocumentBuilder, report: ManagementReport, year: int) -> None:
    """Sick leave in per cent of the agreed working time, as the law asks it."""
    doc.table(
        ["Sjukfrånvaro, procent av ordinarie arbetstid", str(year), str(year - 1)],
        [
            [r.label, measure(r.this_year, "%"), measure(r.last_year, "%")]
            for r in report.sick_leave
        ],
        caption=f"Sjukfrånvaro {year}",
        widths_cm=fitted(doc, (10.0, 3.0, 3.0)),
    )


def pensions(doc: DocumentBuilder, report: ManagementReport, year: int) -> None:
    """The pension obligations inside and outside the balance sheet."""
    p = report.pensions
    if p is None:
        return
    last_total = (
        None
        if p.contingent_last_kr is None or p.provision_last_kr is None
        else p.provision_last_kr + p.contingent_last_kr
    )
    doc.table(
        ["Pensionsförpliktelser, tkr", str(year), str(year - 1)],
        [
            ["Avsättning i balansräkningen", p.provision_kr, amount(p.provision_last_kr)],
            [
                "Ansvarsförbindelse (intjänat före 1998, inkl. löneskatt)",
                amount(p.contingent_kr),
                amount(p.contingent_last_kr),
            ],
        ],
        totals=["Summa pensionsförpliktelser", amount(p.total_kr), amount(last_total)],
        caption=f"Pensionsförpliktelser {year}",
        widths_cm=fitted(doc, (10.0, 3.0, 3.0)),
    )


def board_text(doc: DocumentBuilder, report: ManagementReport, part: str, what: str) -> None:
    """The executive board's own text for a part, or a sentence that it is missing."""
    text_block(
        doc,
        report.texts.get(part, ""),
        empty=f"Uppgift saknas: kommunstyrelsen har inte lämnat någon text om {what}.",
    )


def missing_list(doc: DocumentBuilder, missing: Sequence[str]) -> None:
    """What the part could not show, named."""
    if missing:
        doc.paragraph("Uppgift saknas för:", italic=True)
        doc.bullets(list(missing))

"""The books: trial balances of the municipality and its companies, and the transactions
between the group's members."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import kronor_field, municipality_fk, timestamp_field

MUNICIPALITY_ENTITY = ""
"""The entity key of the municipality's own books; a company's is its unit key."""


class TrialBalanceLine(SQLModel, table=True):
    """Saldobalans: one account's balance at a month's end, accumulated, debit positive.

    Month 0 is the opening balance. Income and cost accounts hold the year so far,
    balance accounts the balance at the month's end (the opening balance included).
    """

    __tablename__ = "trial_balance_line"
    __table_args__ = (
        UniqueConstraint("municipality_id", "entity", "year", "month", "account", "responsibility"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    entity: str = Field(default=MUNICIPALITY_ENTITY, max_length=40, index=True)
    year: int = Field(index=True)
    month: int = Field(description="0 the opening balance, 1–12 the month's end")
    account: str = Field(max_length=20)
    responsibility: str = Field(default="", max_length=40, description="Ansvar, or ''")
    balance_kr: int = kronor_field()
    source: str = Field(default="", max_length=300)
    recorded_at: dt.datetime = timestamp_field(default_now=True)


class GroupTransaction(SQLModel, table=True):
    """A transaction between two members of the municipal group in a year.

    ``kind`` is a :class:`arshjul.accounts.group.Transaction` value; ``from_entity`` and
    ``to_entity`` are entity keys (``""`` for the municipality). Loans and shareholdings are
    the balance at the year's end, the others the year's amount.
    """

    __tablename__ = "group_transaction"
    __table_args__ = (
        UniqueConstraint("municipality_id", "year", "kind", "from_entity", "to_entity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = municipality_fk()
    year: int = Field(index=True)
    kind: str = Field(max_length=20)
    from_entity: str = Field(max_length=40)
    to_entity: str = Field(max_length=40)
    amount_kr: int = kronor_field()
    recorded_at: dt.datetime = timestamp_field(default_now=True)

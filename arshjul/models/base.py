"""Column types and helpers shared by every table."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sqlalchemy import JSON, BigInteger, DateTime, Table, TypeDecorator, inspect
from sqlmodel import Column, Field, SQLModel


class AwareDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware timestamp on every database.

    PostgreSQL keeps the zone (``timestamptz``); SQLite keeps none, so values are
    stored as UTC and given back aware. A naive value is a bug and is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: every timestamp must carry a time zone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Stored(Protocol):
    """A table row: its primary key is None until the session flushes it."""

    @property
    def id(self) -> int | None: ...


def stored_id(row: Stored) -> int:
    """The primary key of a row that is already in the database.

    SQLModel types every ``id`` as ``int | None`` because a new row has none until it
    is flushed; code that reads rows back or has flushed them asks here instead of
    passing None on to a query or a foreign key.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush the session first")
    return row.id


def core_table(model: type[SQLModel]) -> Table:
    """The Core table a table model is mapped to (SQLModel declares no ``__table__``)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)  # a table=True model maps one plain table
    return table


def utc_now() -> dt.datetime:
    """When a row was written: bookkeeping, never a business decision (those take ``as_of``)."""
    return dt.datetime.now(dt.UTC)


def timestamp_field(*, nullable: bool = False, default_now: bool = False) -> Any:
    """A timezone-aware timestamp column."""
    kwargs: dict[str, Any] = {"sa_column": Column(AwareDateTime(), nullable=nullable)}
    if default_now:
        kwargs["default_factory"] = utc_now
    elif nullable:
        kwargs["default"] = None
    return Field(**kwargs)


def kronor_field(*, nullable: bool = False, default: int | None = 0) -> Any:
    """An amount in whole kronor (shown as tkr); integers keep sums exact to the krona."""
    return Field(default=default, sa_column=Column(BigInteger(), nullable=nullable))


def json_field(*, default_factory: Any = dict) -> Any:
    """A JSON document column (dict or list)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON(), nullable=False))


def municipality_fk() -> Any:
    """Every row belongs to one municipality."""
    return Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")

"""Key figures from Kolada (RKA): one row per key figure, area, year and sex.

Kolada's figures are public facts about every municipality, not the configured
municipality's own data: a row for Köping or for the country ("0000") is the same
whichever municipality in the database asked for it, so the table has no
municipality column and two configured municipalities share what either fetched.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from arshjul.models.base import timestamp_field

#: Kolada's code for the whole country, in the place of a municipality code.
COUNTRY_CODE = "0000"

#: Kolada's sexes: T totalt, K kvinnor, M män.
GENDERS = ("T", "K", "M")


class KoladaValue(SQLModel, table=True):
    """A key figure's value for a municipality (or group, or the country), year and sex.

    The unique key makes a second fetch or import update the row in place. A value
    is never null: Kolada's missing values are not stored, so a fetch that finds a
    figure missing leaves the value stored before untouched.
    """

    __tablename__ = "kolada_value"
    __table_args__ = (UniqueConstraint("kpi", "municipality_code", "year", "gender"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi: str = Field(max_length=20, description="Kolada's id, e.g. N15428")
    municipality_code: str = Field(
        max_length=20, description="Kommunkod, 0000 for the country, or a group id (G…)"
    )
    year: int
    gender: str = Field(max_length=1, description="T, K or M")
    value: float
    kolada_updated: dt.date | None = Field(
        default=None, description="Kolada's own update date, when its answer gives one"
    )
    source: str = Field(max_length=300, description="api, or the imported file's name")
    fetched_at: dt.datetime = timestamp_field(default_now=True)


class KoladaGroupMember(SQLModel, table=True):
    """A municipality in one of Kolada's municipality groups, as Kolada gave it at a fetch.

    A comparison group configured as a Kolada group id (``[kolada] comparison_group``)
    is only a name until Kolada is asked; the documents need its members to compute the
    group's mean and the municipality's rank, also on a later day without the network.
    Each fetch that reads the group replaces its members.
    """

    __tablename__ = "kolada_group_member"
    __table_args__ = (UniqueConstraint("group_id", "municipality_code"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: str = Field(max_length=20, description="Kolada's group id, e.g. G33894")
    municipality_code: str = Field(max_length=20)
    fetched_at: dt.datetime = timestamp_field(default_now=True)

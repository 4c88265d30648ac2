"""The fingerprints of the keys behind the personal links.

The key itself never enters the database (a copy of the database must open no
form); its fingerprint lets the engine tell the key it made the links with from
a lost, replaced or mistyped one before it makes or checks another link.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from arshjul.models.base import timestamp_field


class LinkKey(SQLModel, table=True):
    """One key the links have been made with; the newest row is the key in use."""

    __tablename__ = "link_key"

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(max_length=64, description="HMAC-SHA-256 of a fixed label")
    source: str = Field(max_length=30, description="fil or ARSHJUL_SECRET_KEY")
    recorded_at: dt.datetime = timestamp_field(default_now=True)
    resent: int = Field(default=0, description="Live links sent again when this key was issued")

"""kolada values: key figures fetched from Kolada or imported from its files

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:20:00

A new table, so no batch mode is needed on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import arshjul.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kolada_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gender", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("kolada_updated", sa.Date(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("fetched_at", arshjul.models.base.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kpi", "municipality_code", "year", "gender"),
    )


def downgrade() -> None:
    op.drop_table("kolada_value")

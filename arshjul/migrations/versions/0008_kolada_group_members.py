"""kolada group members: the municipalities of a Kolada group, as a fetch found them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00

A new table, so no batch mode is needed on SQLite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import arshjul.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kolada_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("fetched_at", arshjul.models.base.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "municipality_code"),
    )


def downgrade() -> None:
    op.drop_table("kolada_group_member")

"""key fingerprint: the link key's fingerprint, so a lost or replaced key is noticed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:00:00

A new table, so no batch mode is needed on SQLite. Existing installations get
no row here: the first command that makes or checks links checks the key
against the links already made, and records it (arshjul.lifecycle.tokens).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import arshjul.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("recorded_at", arshjul.models.base.AwareDateTime(timezone=True), nullable=False),
        sa.Column("resent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("link_key")

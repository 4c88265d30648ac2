"""accounts: trial balances and the group's internal transactions

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import arshjul.models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trial_balance_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("responsibility", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("balance_kr", sa.BigInteger(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("recorded_at", arshjul.models.base.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "municipality_id", "entity", "year", "month", "account", "responsibility"
        ),
    )
    with op.batch_alter_table("trial_balance_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trial_balance_line_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trial_balance_line_entity"), ["entity"], unique=False)
        batch_op.create_index(batch_op.f("ix_trial_balance_line_year"), ["year"], unique=False)

    op.create_table(
        "group_transaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("from_entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("to_entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("amount_kr", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", arshjul.models.base.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id", "year", "kind", "from_entity", "to_entity"),
    )
    with op.batch_alter_table("group_transaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_transaction_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_group_transaction_year"), ["year"], unique=False)


    with op.batch_alter_table("generated_document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("missing", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("generated_document", schema=None) as batch_op:
        batch_op.drop_column("missing")
    op.drop_table("group_transaction")
    op.drop_table("trial_balance_line")

"""review links: a review of a governing document is answered through its own link

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:40:00

One column with a default: SQLite adds it without rebuilding the table. Reviews asked
before have no salt and so no link; their owners answer by e-mail as they were told.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "document_review",
        sa.Column(
            "token_salt",
            sqlmodel.sql.sqltypes.AutoString(length=40),
            nullable=False,
            server_default="",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("document_review") as batch:
        batch.drop_column("token_salt")

"""mail token: a random part of every Message-ID, per installation and municipality

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.add_column(
            sa.Column(
                "mail_token",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
    connection = op.get_bind()
    municipality = sa.table("municipality", sa.column("id"), sa.column("mail_token"))
    for (municipality_id,) in connection.execute(sa.select(municipality.c.id)).all():
        connection.execute(
            municipality.update()
            .where(municipality.c.id == municipality_id)
            .values(mail_token=secrets.token_hex(4))
        )


def downgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.drop_column("mail_token")

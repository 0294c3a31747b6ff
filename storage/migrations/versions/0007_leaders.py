"""leaders: a unit row may be a leader (局长, 分管副局长), a person bound to chats who hears escalations

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="unit"))


def downgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("kind")

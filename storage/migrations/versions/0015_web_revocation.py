"""web board: the holders whose links were revoked (`duban web revoke NAME`), and since when

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 14:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webrevocation",
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("revoked_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("holder"),
    )


def downgrade() -> None:
    op.drop_table("webrevocation")

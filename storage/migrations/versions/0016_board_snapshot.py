"""boardsnapshot: each office's web board as last worked out, so the first look of a day reads one row

The office page is a pass over every task of the office's open plans (seconds at 30,000 tasks). The sweep's
tick works it out once a day ahead of the first look, and a board worked out after a change replaces it; the
page reads the row and serves it while a newer one is worked out.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "boardsnapshot",
        sa.Column("office_key", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("built_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("office_key"),
    )


def downgrade() -> None:
    op.drop_table("boardsnapshot")

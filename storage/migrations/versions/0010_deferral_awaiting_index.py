"""deferral: a partial index on the requests still awaiting their date, which every chat event asks about

Each chat event reads, with its binding, whether the person has a 申请延期 waiting for its date. Without an
index that read scanned every deferral ever made; the partial index holds only the few awaiting ones, so the
read costs the same however many the store keeps. SQLite and PostgreSQL both know partial indexes; no table
is rebuilt (the triggers of 0009 stay).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

AWAITING = sa.text("status = 'awaiting_date'")


def upgrade() -> None:
    op.create_index("ix_deferral_awaiting", "deferral", ["requested_by", "created_at"],
                    sqlite_where=AWAITING, postgresql_where=AWAITING)


def downgrade() -> None:
    op.drop_index("ix_deferral_awaiting", table_name="deferral")

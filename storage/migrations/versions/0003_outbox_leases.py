"""outbox leases: who claimed a row until when, whether its request started, parts of it delivered

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("lease_until", storage.types.AwareDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("request_started_at", storage.types.AwareDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
    # A row the previous release left 'sending' may have reached the platform (it recorded no start of
    # its own): count its request as started and its lease as expired, so it becomes "delivery unknown"
    # exactly as before and is never resent blindly.
    op.execute(
        sa.text(
            "UPDATE outbox SET request_started_at = COALESCE(last_attempt_at, created_at), lease_until = NULL "
            "WHERE state = 'sending'"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("parts_sent")
        batch_op.drop_column("request_started_at")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")

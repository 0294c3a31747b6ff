"""closing loop: 签收, 退回, reassignment, 申请办结, 通过 and review 退回 as task events, with the state they leave
kept on the task

The task gains `review_pending` (a 申请办结 awaits review: reminders pause), `signed_at`, `applied_at`,
`closed_at` (销号) and `returns` (reviews that sent it back); `taskevent` records every step with who and when.
Columns are added with ALTER TABLE ADD COLUMN on both SQLite and PostgreSQL, so the task table is not rebuilt and
the triggers of 0009 stay. A task already done in the store written by the previous release was closed by its
lead's word: its `closed_at` and `applied_at` are that last report's time, so the ledger shows when it closed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 13:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TS = storage.types.AwareDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("task", sa.Column("review_pending", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("task", sa.Column("signed_at", TS, nullable=True))
    op.add_column("task", sa.Column("applied_at", TS, nullable=True))
    op.add_column("task", sa.Column("closed_at", TS, nullable=True))
    op.add_column("task", sa.Column("returns", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "taskevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_taskevent_task_at", "taskevent", ["task_id", "at"], unique=False)
    op.get_bind().execute(sa.text("UPDATE task SET closed_at = last_report_at, applied_at = last_report_at "
                                  "WHERE done AND last_report_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_taskevent_task_at", table_name="taskevent")
    op.drop_table("taskevent")
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch rebuild of the task table would fail on the
    # rows that refer to it and drop the triggers of 0009.
    for name in ("returns", "closed_at", "applied_at", "signed_at", "review_pending"):
        op.execute(f"ALTER TABLE task DROP COLUMN {name}")

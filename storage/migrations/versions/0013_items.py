"""items: 督办 items from any source, as tasks of standing plans marked by plan.kind / plan.source

plan gains `kind` ("plan" or "items") and `source`; item_info holds an item's own facts (source, the instruction,
牵头领导, 交办 date, urgency) keyed by its task; iteminstruction logs a leader's 批示 on an item; itemdraft holds an
item read from chat words until its author confirms it. Columns are added, no table is rebuilt (the triggers of
0009 stay); SQLite through batch mode, PostgreSQL as plain ALTERs.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 13:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("kind", _STR(), nullable=False, server_default="plan"))
        batch.add_column(sa.Column("source", _STR(), nullable=False, server_default=""))
    op.create_table(
        "iteminfo",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("source", _STR(), nullable=False),
        sa.Column("instructed_by", _STR(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("leader", _STR(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_by", _STR(), nullable=False),
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_table(
        "iteminstruction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("leader_unit_id", sa.Integer(), nullable=True),
        sa.Column("author", _STR(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("notifies", sa.Boolean(), nullable=False),
        sa.Column("answered_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.ForeignKeyConstraint(["leader_unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_iteminstruction_task_id", "iteminstruction", ["task_id"], unique=False)
    op.create_table(
        "itemdraft",
        sa.Column("key", _STR(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_by", _STR(), nullable=False),
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("state", _STR(), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("itemdraft")
    op.drop_index("ix_iteminstruction_task_id", table_name="iteminstruction")
    op.drop_table("iteminstruction")
    op.drop_table("iteminfo")
    # ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch rebuild of the plan table would fail on the
    # tasks that refer to it.
    for name in ("source", "kind"):
        op.execute(f"ALTER TABLE plan DROP COLUMN {name}")

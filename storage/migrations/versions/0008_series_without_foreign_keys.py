"""reminderseries without foreign keys: the schedule is derived data, rewritten in bulk by every sweep

The schedule is worked out from tasks and units, which are never deleted (a task is `removed`, a plan closed),
and every writer takes its ids from those rows. The two foreign keys checked each inserted row against its task
and unit: on PostgreSQL most of the cost of writing a restart's tens of thousands of series rows. Rows, ids and
indexes are kept as they are, so nothing already swept is worked out or sent again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _table(with_keys: bool) -> sa.Table:
    """reminderseries as 0005 made it, with or without its foreign keys (SQLite rebuilds the table from it)."""
    keys = ([sa.ForeignKeyConstraint(["task_id"], ["task.id"], name="fk_reminderseries_task_id_task"),
             sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name="fk_reminderseries_unit_id_unit")]
            if with_keys else [])
    return sa.Table(
        "reminderseries", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("swept_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_reminderseries_task_id", "task_id"),
        sa.Index("ix_reminderseries_due_unit", "next_due", "unit_id"),
        *keys,
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # unnamed keys: the table is copied into one without them
        with op.batch_alter_table("reminderseries", copy_from=_table(False), recreate="always"):
            pass
        return
    for fk in sa.inspect(bind).get_foreign_keys("reminderseries"):
        op.drop_constraint(fk["name"], "reminderseries", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("reminderseries", copy_from=_table(True), recreate="always"):
            pass
        return
    op.create_foreign_key("fk_reminderseries_task_id_task", "reminderseries", "task", ["task_id"], ["id"])
    op.create_foreign_key("fk_reminderseries_unit_id_unit", "reminderseries", "unit", ["unit_id"], ["id"])

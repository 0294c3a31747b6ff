"""reminder schedule: task state on the task, and one row per reminder series with its next due day

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:00:00

Adds Task.last_report_at / last_status / last_percent / done, backfilled from the report history (the
same rules the engine used on the history), and the reminderseries table. Every live task of an open
plan gets a "stale" series row, so the first sweep after the upgrade works its series out; the outbox is
not touched, so its unique keys keep anything already sent from being sent again.
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("last_report_at", storage.types.AwareDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_status", sa.String(), nullable=True))
        batch.add_column(sa.Column("last_percent", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "reminderseries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("swept_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminderseries_task_id", "reminderseries", ["task_id"])
    op.create_index("ix_reminderseries_due_unit", "reminderseries", ["next_due", "unit_id"])
    _backfill_task_state(op.get_bind())
    op.get_bind().execute(sa.text(
        "INSERT INTO reminderseries (task_id, role, kind, next_due) "
        "SELECT task.id, '', 'stale', :stale FROM task JOIN plan ON plan.id = task.plan_id "
        "WHERE plan.active AND NOT task.removed"), {"stale": STALE_DAY})


STALE_DAY = "1970-01-01"  # bot.reminders.schedule.STALE_DAY


def _backfill_task_state(conn) -> None:
    """Replay each task's reports, oldest first, as bot.services.reports.record_report now does."""
    leads: dict[int, set[int]] = {}
    for task_id, unit_id in conn.execute(sa.text("SELECT task_id, unit_id FROM taskunit WHERE role = 'lead'")):
        leads.setdefault(task_id, set()).add(unit_id)
    state: dict[int, dict] = {}
    sr = sa.table("statusreport", sa.column("id", sa.Integer()), sa.column("task_id", sa.Integer()),
                  sa.column("unit_id", sa.Integer()), sa.column("status", sa.String()),
                  sa.column("percent", sa.Integer()),
                  sa.column("created_at", storage.types.AwareDateTime(timezone=True)))
    reports = conn.execute(sa.select(sr.c.task_id, sr.c.unit_id, sr.c.status, sr.c.percent, sr.c.created_at)
                           .order_by(sr.c.task_id, sr.c.created_at, sr.c.id))
    for task_id, unit_id, status, percent, created_at in reports:
        s = state.setdefault(task_id, {"at": None, "status": None, "percent": None, "done": False})
        s["at"] = created_at
        if percent is not None:
            s["percent"] = percent
        lead = leads.get(task_id, set())
        if status != "note":
            s["status"] = status
            if unit_id is None or unit_id in lead or not lead:
                s["done"] = status == "done"
    if not state:
        return
    task = sa.table("task", sa.column("id", sa.Integer()),
                    sa.column("last_report_at", storage.types.AwareDateTime(timezone=True)),
                    sa.column("last_status", sa.String()), sa.column("last_percent", sa.Integer()),
                    sa.column("done", sa.Boolean()))
    stmt = (task.update().where(task.c.id == sa.bindparam("b_id"))
            .values(last_report_at=sa.bindparam("b_at"), last_status=sa.bindparam("b_status"),
                    last_percent=sa.bindparam("b_percent"), done=sa.bindparam("b_done")))
    rows = [{"b_id": i, "b_at": s["at"], "b_status": s["status"], "b_percent": s["percent"],
             "b_done": s["done"]} for i, s in state.items()]
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i:i + 5000])


def downgrade() -> None:
    op.drop_table("reminderseries")
    with op.batch_alter_table("task") as batch:
        for name in ("done", "last_percent", "last_status", "last_report_at"):
            batch.drop_column(name)

"""storeversion: counters the store's own triggers keep, so a cached chat vocabulary checks one row per question

A chat question used to find out whether its cached vocabulary was stale by aggregating the plans' tasks,
roles, reports and deadlines: one statement, but it read every row (58 ms on SQLite and 113 ms on PostgreSQL
at 100,000 tasks), on every question. Triggers on the tables the vocabulary is built from now count their
changes: "structure" (plans, sections, tasks' wording and place, units, aliases, roles: rebuild), "deadlines"
(refresh the dates) and "reports" (how many were written and the newest id: apply them on top). Every writer
is counted, the CLI in another process and raw SQL included. PostgreSQL counts per statement (reports by the
rows of the statement's transition table); SQLite has only row triggers.

A later migration that rebuilds one of these tables on SQLite (batch_alter_table) drops its triggers with
it and must make them again: tests/test_store_version.py fails when one is missing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TASK_WORDING = "plan_id, section_id, ref, position, title, objective, measures, removed"
# (table, counter, the UPDATE columns that count: None for any)
WATCHED = [
    ("plan", "structure", None),
    ("section", "structure", None),
    ("task", "structure", TASK_WORDING),  # a report's state columns on the task do not count
    ("unit", "structure", None),
    ("unitalias", "structure", None),
    ("taskunit", "structure", None),
    ("deadline", "deadlines", None),
]


def upgrade() -> None:
    op.create_table(
        "storeversion",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("last", sa.BigInteger(), nullable=True),  # reports: the newest id counted
        sa.PrimaryKeyConstraint("name"),
    )
    bind = op.get_bind()
    bind.execute(sa.text("INSERT INTO storeversion (name, n, last) VALUES ('structure', 0, NULL), "
                         "('deadlines', 0, NULL), ('reports', (SELECT count(*) FROM statusreport), "
                         "(SELECT max(id) FROM statusreport))"))
    if bind.dialect.name == "postgresql":
        _postgresql(bind)
    else:
        _sqlite(bind)


def _sqlite(bind) -> None:
    for table, counter, columns in WATCHED:
        bump = f"BEGIN UPDATE storeversion SET n = n + 1 WHERE name = '{counter}'; END"
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        for event, suffix in (("INSERT", "ins"), (update, "upd"), ("DELETE", "del")):
            bind.execute(sa.text(f'CREATE TRIGGER storeversion_{table}_{suffix} AFTER {event} ON "{table}" '
                                 f"FOR EACH ROW {bump}"))
    bind.execute(sa.text("CREATE TRIGGER storeversion_statusreport_ins AFTER INSERT ON statusreport FOR EACH ROW "
                         "BEGIN UPDATE storeversion SET n = n + 1, last = max(coalesce(last, 0), NEW.id) "
                         "WHERE name = 'reports'; END"))
    for event, suffix in (("UPDATE", "upd"), ("DELETE", "del")):
        bind.execute(sa.text(f"CREATE TRIGGER storeversion_statusreport_{suffix} AFTER {event} ON statusreport "
                             "FOR EACH ROW BEGIN UPDATE storeversion SET n = n + 1 WHERE name = 'reports'; END"))


def _postgresql(bind) -> None:
    bind.execute(sa.text(
        "CREATE FUNCTION storeversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE storeversion SET n = n + 1 WHERE name = TG_ARGV[0]; RETURN NULL; END $$"))
    # Reports are counted per row, but per statement from its transition table: a row trigger updating the one
    # counter row once per inserted row is quadratic on PostgreSQL (each update follows the last one's version).
    bind.execute(sa.text(
        "CREATE FUNCTION storeversion_reports_added() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE storeversion SET n = n + (SELECT count(*) FROM added), "
        "last = greatest(coalesce(last, 0), (SELECT max(id) FROM added)) WHERE name = 'reports'; "
        "RETURN NULL; END $$"))
    for table, counter, columns in WATCHED:
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        bind.execute(sa.text(f'CREATE TRIGGER storeversion_{table} AFTER INSERT OR {update} OR DELETE ON "{table}" '
                             f"FOR EACH STATEMENT EXECUTE FUNCTION storeversion_bump('{counter}')"))
    bind.execute(sa.text("CREATE TRIGGER storeversion_statusreport AFTER INSERT ON statusreport "
                         "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
                         "EXECUTE FUNCTION storeversion_reports_added()"))
    bind.execute(sa.text("CREATE TRIGGER storeversion_statusreport_changed AFTER UPDATE OR DELETE ON statusreport "
                         "FOR EACH STATEMENT EXECUTE FUNCTION storeversion_bump('reports')"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in [t for t, _, _ in WATCHED] + ["statusreport"]:
            bind.execute(sa.text(f'DROP TRIGGER IF EXISTS storeversion_{table} ON "{table}"'))
        bind.execute(sa.text("DROP TRIGGER IF EXISTS storeversion_statusreport_changed ON statusreport"))
        bind.execute(sa.text("DROP FUNCTION IF EXISTS storeversion_bump()"))
        bind.execute(sa.text("DROP FUNCTION IF EXISTS storeversion_reports_added()"))
    else:
        for table in [t for t, _, _ in WATCHED] + ["statusreport"]:
            for suffix in ("ins", "upd", "del"):
                bind.execute(sa.text(f"DROP TRIGGER IF EXISTS storeversion_{table}_{suffix}"))
    op.drop_table("storeversion")

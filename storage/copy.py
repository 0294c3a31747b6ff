"""Copy a store's plans, units, tasks and their history into another store (a throwaway one for `simulate`)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

# What a dry run needs; derived rows (series, outbox), chat bindings and logs are left behind on purpose.
TABLES = ("office", "plan", "section", "unit", "unitalias", "task", "taskunit", "deadline", "statusreport",
          "deferral", "snooze", "iteminfo", "iteminstruction")


def copy_store(*, source: Engine, target: Engine, batch: int = 1000) -> dict[str, int]:
    """Copy the TABLES rows of `source` into the empty, migrated `target`; returns rows per table."""
    counts: dict[str, int] = {}
    schema = MetaData()
    schema.reflect(bind=source, only=TABLES)  # as stored: columns the models leave unmapped (plan.kind) come too
    tables = schema.sorted_tables
    with source.connect() as src, target.begin() as dst:
        for table in tables:
            result = src.execute(table.select().order_by(*table.primary_key.columns))
            n = 0
            while rows := result.mappings().fetchmany(batch):
                dst.execute(table.insert(), [dict(r) for r in rows])
                n += len(rows)
            counts[table.name] = n
    return counts

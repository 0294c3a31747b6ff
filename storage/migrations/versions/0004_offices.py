"""offices: plans, units and aliases belong to an office; several plans at once; a chat's current plan

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:00:00

An existing store moves in place into one office (named by `DUBAN_DEFAULT_OFFICE`, else "本单位"):
every plan, unit and alias is kept, a plan retired by the old "later year retires earlier" rule stays
closed, and the outbox is not touched, so nothing already sent is sent again.
"""

import os
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DEFAULT_OFFICE = os.environ.get("DUBAN_DEFAULT_OFFICE", "本单位")


def _drop_unique(table: str, column: str) -> None:
    """Drop the unnamed UNIQUE(column) the first schema made (PostgreSQL names it table_column_key)."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(f"{table}_{column}_key", table, type_="unique")
        return
    # SQLite: a batch copy with a naming convention lets the reflected, unnamed constraint be named and dropped.
    with op.batch_alter_table(table, naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"},
                              recreate="always") as batch:
        batch.drop_constraint(f"uq_{table}_{column}", type_="unique")


def upgrade() -> None:
    # On SQLite, storage.db.migrate runs migrations with foreign keys off (batch mode copies tables).
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["office.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_office_name"),
    )
    conn = op.get_bind()
    has_data = conn.execute(sa.text("SELECT 1 FROM plan UNION SELECT 1 FROM unit LIMIT 1")).first() is not None
    office_id = None
    if has_data:
        office = sa.table("office", sa.column("name", sa.String()),
                          sa.column("created_at", storage.types.AwareDateTime(timezone=True)))
        conn.execute(office.insert().values(name=DEFAULT_OFFICE, created_at=datetime.now(UTC)))
        office_id = conn.execute(sa.text("SELECT id FROM office WHERE name = :n"), {"n": DEFAULT_OFFICE}).scalar()

    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("period_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("period_end", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("short_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("closed_at", storage.types.AwareDateTime(timezone=True), nullable=True))
        batch.create_index("ix_plan_office_id", ["office_id"], unique=False)
        batch.create_foreign_key("fk_plan_office", "office", ["office_id"], ["id"])
    conn.execute(sa.text("UPDATE plan SET office_id = :o, period_start = year, period_end = year"), {"o": office_id})
    conn.execute(sa.text("UPDATE plan SET closed_at = imported_at WHERE NOT active"))

    _drop_unique("unit", "name")
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.create_index("ix_unit_office_id", ["office_id"], unique=False)
        batch.create_foreign_key("fk_unit_office", "office", ["office_id"], ["id"])
        batch.create_unique_constraint("uq_unit_office_name", ["office_id", "name"])
    conn.execute(sa.text("UPDATE unit SET office_id = :o"), {"o": office_id})

    _drop_unique("unitalias", "alias")
    with op.batch_alter_table("unitalias") as batch:
        batch.add_column(sa.Column("office_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_unitalias_office", "office", ["office_id"], ["id"])
        batch.create_unique_constraint("uq_unitalias_office_alias", ["office_id", "alias"])
    conn.execute(sa.text("UPDATE unitalias SET office_id = :o"), {"o": office_id})

    op.create_table(
        "chatplan",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("platform", "address"),
    )


def downgrade() -> None:
    raise NotImplementedError("offices cannot be merged back into one store-wide namespace")

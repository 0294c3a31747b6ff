"""plan drafts: chat uploads awaiting confirmation get their own table

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 11:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_PREFIX = "upload:"


def upgrade() -> None:
    op.create_table(
        "plandraft",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parsed", sa.Text(), nullable=False),
        sa.Column("source_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # Uploads staged by the previous release lived in jobstate as "upload:<key>" → {"parsed", "name", "by"}:
    # move them so a 确认导入 tapped across the upgrade still finds its plan.
    import json

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT name, value, updated_at FROM jobstate WHERE name LIKE 'upload:%'")).all()
    for name, value, updated_at in rows:
        data = json.loads(value or "{}")
        conn.execute(
            sa.text("INSERT INTO plandraft (key, parsed, source_name, created_by, created_at) "
                    "VALUES (:k, :p, :n, :b, :t)"),
            {"k": name[len(_PREFIX):], "p": json.dumps(data.get("parsed") or {}, ensure_ascii=False),
             "n": data.get("name", ""), "b": data.get("by", ""), "t": updated_at},
        )
    conn.execute(sa.text("DELETE FROM jobstate WHERE name LIKE 'upload:%'"))


def downgrade() -> None:
    op.drop_table("plandraft")

"""Statements built once per dialect and variant, and the one-value id lists they bind, on both stores."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import col, select

from storage import repo
from storage.db import session_scope
from storage.models import Office, Unit
from storage.prebuilt import Prebuilt, among, ids_value
from storage.views import core_rows
from tests.helpers import at


def test_a_statement_is_built_once_per_dialect_and_variant(engine):
    calls = []

    def build(dialect, of_kind):
        calls.append((dialect, of_kind))
        stmt = select(Unit.id)
        return stmt.where(Unit.kind == bindparam("kind")) if of_kind else stmt

    units = Prebuilt(build)
    with session_scope(engine) as s:
        first = units(s, True)
        assert units(s, True) is first
        assert units(s, False) is not first
    assert calls == [(engine.dialect.name, True), (engine.dialect.name, False)]


def test_among_binds_any_number_of_ids_as_one_value(engine):
    """Past PostgreSQL's 65,535 bound parameters and SQLite's limit too: the ids travel as one value."""
    with session_scope(engine) as s:
        office = Office(name="甲局", created_at=at(2021, 8, 23))
        s.add(office)
        s.flush()
        made = [Unit(name=f"股室{i}", office_id=office.id, created_at=at(2021, 8, 23)) for i in range(3)]
        s.add_all(made)
        s.flush()
        wanted = [made[0].id, made[2].id]
        stmt = select(Unit.name).where(among(engine.dialect.name, col(Unit.id))).order_by(Unit.id)
        many = [*range(10**6, 10**6 + 70_000), *wanted]
        assert [n for n, in core_rows(s, stmt, {"ids": ids_value(s, many)})] == ["股室0", "股室2"]
        assert core_rows(s, stmt, {"ids": ids_value(s, [])}) == []
        assert repo.unit_names_of(session=s, unit_ids=[made[1].id, made[1].id]) == {made[1].id: "股室1"}

"""Units and their aliases, by name, kind and office."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from storage.models import (
    Plan,
    Task,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
)
from storage.prebuilt import among, ids_value, prebuilt
from storage.views import core_rows


@prebuilt
def _units(_dialect: str, of_office: bool, of_kind: bool):
    stmt = select(Unit)
    if of_office:
        stmt = stmt.where(Unit.office_id == bindparam("office"))
    if of_kind:
        stmt = stmt.where(Unit.kind == bindparam("kind"))
    return stmt.order_by(Unit.id)


def units_by_name(*, session: Session, office_id: int | None = None,
                  kind: str | None = UnitKind.UNIT) -> dict[str, Unit]:
    """Name → unit (of one office, or of every office); responsible units only unless `kind` says (None: all)."""
    stmt = _units(session, office_id is not None, kind is not None)
    return {u.name: u for u in session.exec(stmt, params={"office": office_id, "kind": kind and str(kind)}).all()}


def unit_named(*, session: Session, office_id: int | None, name: str) -> Unit | None:
    """The office's unit or leader of exactly this name."""
    return session.exec(select(Unit).where(Unit.office_id == office_id, Unit.name == name)).first()


def units_of_kind(*, session: Session, office_id: int | None, kind: str) -> list[Unit]:
    stmt = select(Unit).where(Unit.kind == kind)
    if office_id is not None:
        stmt = stmt.where(Unit.office_id == office_id)
    return list(session.exec(stmt.order_by(Unit.id)).all())


@prebuilt
def _alias_map(_dialect: str, of_office: bool):
    stmt = select(UnitAlias.alias, UnitAlias.unit_id)
    return stmt.where(UnitAlias.office_id == bindparam("office")) if of_office else stmt


def alias_map(*, session: Session, office_id: int | None = None) -> dict[str, int]:
    """Alias → unit id, for every stored alias (of one office, or of all)."""
    return dict(core_rows(session, _alias_map(session, office_id is not None), {"office": office_id}))


@prebuilt
def _aliases_of(_dialect: str):
    return select(UnitAlias.alias).where(UnitAlias.unit_id == bindparam("unit")).order_by(UnitAlias.alias)


def aliases_of(*, session: Session, unit_id: int) -> list[str]:
    return [a for a, in core_rows(session, _aliases_of(session), {"unit": unit_id})]


def role_counts(*, session: Session) -> dict[int, dict[str, int]]:
    """Unit id → {"lead": n, "co": m} over active tasks of active plans."""
    stmt = (
        select(TaskUnit.unit_id, TaskUnit.role, func.count())
        .join(Task, col(Task.id) == TaskUnit.task_id)
        .join(Plan, col(Plan.id) == Task.plan_id)
        .where(Plan.active, col(Task.removed).is_(False))
        .group_by(TaskUnit.unit_id, TaskUnit.role)
    )
    out: dict[int, dict[str, int]] = {}
    for unit_id, role, n in session.exec(stmt).all():
        out.setdefault(unit_id, {"lead": 0, "co": 0})[role] = n
    return out


def unit_names(*, session: Session) -> dict[int, str]:
    """Unit id → name, for every unit."""
    return {u.id: u.name for u in session.exec(select(Unit)).all()}


def office_units(*, session: Session, office_id: int | None) -> list[tuple[Unit, list[str]]]:
    """Units (of one office, or of all) with their aliases, by id, in two queries."""
    ustmt, astmt = select(Unit).where(Unit.kind == UnitKind.UNIT).order_by(Unit.id), select(UnitAlias).order_by(UnitAlias.alias)
    if office_id is not None:
        ustmt, astmt = ustmt.where(Unit.office_id == office_id), astmt.where(UnitAlias.office_id == office_id)
    aliases: dict[int, list[str]] = {}
    for a in session.exec(astmt).all():
        aliases.setdefault(a.unit_id, []).append(a.alias)
    return [(u, aliases.get(u.id, [])) for u in session.exec(ustmt).all()]


@prebuilt
def _unit_names_of(dialect: str):
    return select(Unit.id, Unit.name).where(among(dialect, col(Unit.id)))


def unit_names_of(*, session: Session, unit_ids: Sequence[int]) -> dict[int, str]:
    """Unit id → name, for these units only."""
    if not unit_ids:
        return {}
    return dict(core_rows(session, _unit_names_of(session), {"ids": ids_value(session, set(unit_ids))}))


def all_units(*, session: Session) -> list[Unit]:
    """Every unit of every kind and office, by id."""
    return list(session.exec(select(Unit).order_by(Unit.id)).all())

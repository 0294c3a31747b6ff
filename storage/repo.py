"""Keyword-only, session-first queries over the plan store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, bindparam, literal, update
from sqlmodel import Session, col, func, select

from storage.db import conflict_insert
from storage.models import (
    AuthFailure,
    ChatIdentity,
    ChatPlan,
    Deadline,
    Deferral,
    DeferralStatus,
    Evidence,
    Invite,
    JobState,
    Office,
    Outbox,
    Plan,
    ReminderSeries,
    Section,
    StatusReport,
    StoreVersion,
    Task,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitKind,
)
from storage.prebuilt import among, ids_value, prebuilt
from storage.views import core_rows


def current_plan(*, session: Session, office_id: int | None = None) -> Plan | None:
    """The newest open plan (of one office, or of any)."""
    stmt = select(Plan).where(Plan.active)
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    return session.exec(stmt.order_by(col(Plan.imported_at).desc(), col(Plan.id).desc())).first()


@prebuilt
def _active_plans(_dialect: str, of_year: bool, of_office: bool):
    stmt = select(Plan).where(Plan.active)
    if of_year:
        stmt = stmt.where(Plan.year == bindparam("year"))
    if of_office:
        stmt = stmt.where(Plan.office_id == bindparam("office"))
    return stmt.order_by(col(Plan.id).desc())


def active_plans(*, session: Session, year: int | None = None, office_id: int | None = None) -> Sequence[Plan]:
    """Open plans, newest first (of one office, or of any)."""
    stmt = _active_plans(session, year is not None, office_id is not None)
    return session.exec(stmt, params={"year": year, "office": office_id}).all()


@prebuilt
def _plans_and_chat_choice(_dialect: str, of_office: bool):
    chosen = (select(ChatPlan.plan_id)
              .where(ChatPlan.platform == bindparam("platform"), ChatPlan.address == bindparam("address"))
              .scalar_subquery())
    stmt = select(Plan, chosen).where(Plan.active)
    if of_office:
        stmt = stmt.where(Plan.office_id == bindparam("office"))
    return stmt.order_by(col(Plan.id).desc())


def plans_and_chat_choice(*, session: Session, office_id: int | None, platform: str,
                          address: str) -> tuple[list[Plan], int | None]:
    """(the open plans as active_plans, the plan this chat last used if one of them): one statement, as every
    chat event asks both."""
    rows = session.exec(_plans_and_chat_choice(session, office_id is not None),
                        params={"office": office_id, "platform": platform, "address": address}).all()
    return [plan for plan, _ in rows], (rows[0][1] if rows else None)


def plans_of(*, session: Session, office_id: int | None = None) -> list[Plan]:
    """Every plan, open or closed, oldest first."""
    stmt = select(Plan)
    if office_id is not None:
        stmt = stmt.where(Plan.office_id == office_id)
    return list(session.exec(stmt.order_by(Plan.id)).all())


def task_counts(*, session: Session) -> dict[int, int]:
    """Plan id → how many live tasks it has."""
    stmt = select(Task.plan_id, func.count()).where(col(Task.removed).is_(False)).group_by(Task.plan_id)
    return dict(session.exec(stmt).all())


def offices(*, session: Session) -> list[Office]:
    return list(session.exec(select(Office).order_by(Office.id)).all())


def office_by_name(*, session: Session, name: str) -> Office | None:
    return session.exec(select(Office).where(Office.name == name)).first()


def child_offices(*, session: Session, parent_id: int) -> list[Office]:
    return list(session.exec(select(Office).where(Office.parent_id == parent_id).order_by(Office.id)).all())


def chat_plan(*, session: Session, platform: str, address: str) -> ChatPlan | None:
    return session.get(ChatPlan, (platform, address))


def active_tasks(*, session: Session, plan_id: int) -> Sequence[Task]:
    stmt = select(Task).where(Task.plan_id == plan_id, col(Task.removed).is_(False)).order_by(Task.position)
    return session.exec(stmt).all()


@prebuilt
def _task_by_ref(_dialect: str):
    return select(Task).where(Task.plan_id == bindparam("plan"), Task.ref == bindparam("ref"))


def task_by_ref(*, session: Session, plan_id: int, ref: str) -> Task | None:
    return session.exec(_task_by_ref(session), params={"plan": plan_id, "ref": ref}).first()


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


def leader_task_refs(*, session: Session, unit_ids: Sequence[int]) -> dict[int, list[str]]:
    """Leader id → refs of the live tasks (of open plans) they are named on."""
    if not unit_ids:
        return {}
    stmt = (select(TaskUnit.unit_id, Task.ref).join(Task, col(Task.id) == TaskUnit.task_id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(col(TaskUnit.unit_id).in_(list(unit_ids)), TaskUnit.role == "leader", Plan.active,
                   col(Task.removed).is_(False)).order_by(Task.plan_id, Task.position))
    out: dict[int, list[str]] = {}
    for unit_id, ref in session.exec(stmt).all():
        out.setdefault(unit_id, []).append(ref)
    return out


def chats_of_units(*, session: Session, unit_ids: Sequence[int]) -> dict[int, list[str]]:
    """Unit id → its active bound chats as platform:address."""
    if not unit_ids:
        return {}
    stmt = select(ChatIdentity).where(col(ChatIdentity.unit_id).in_(list(unit_ids)), ChatIdentity.active)
    out: dict[int, list[str]] = {}
    for c in session.exec(stmt.order_by(ChatIdentity.id)).all():
        out.setdefault(c.unit_id, []).append(f"{c.platform}:{c.address}")
    return out


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


def roles_for_task(*, session: Session, task_id: int) -> list[tuple[TaskUnit, Unit]]:
    stmt = (
        select(TaskUnit, Unit)
        .join(Unit, col(Unit.id) == TaskUnit.unit_id)
        .where(TaskUnit.task_id == task_id)
        .order_by(TaskUnit.position)
    )
    return list(session.exec(stmt).all())


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


@prebuilt
def _deadlines_for_task(_dialect: str, active_only: bool):
    stmt = select(Deadline).where(Deadline.task_id == bindparam("task"))
    if active_only:
        stmt = stmt.where(Deadline.active)
    return stmt.order_by(col(Deadline.due_date), Deadline.id)


def deadlines_for_task(*, session: Session, task_id: int, active_only: bool = True) -> list[Deadline]:
    return list(session.exec(_deadlines_for_task(session, active_only), params={"task": task_id}).all())


def reports_for_task(*, session: Session, task_id: int) -> list[StatusReport]:
    stmt = select(StatusReport).where(StatusReport.task_id == task_id)
    return list(session.exec(stmt.order_by(col(StatusReport.created_at), StatusReport.id)).all())


@prebuilt
def _newest_reports(_dialect: str, status_only: bool):
    stmt = select(StatusReport).where(StatusReport.task_id == bindparam("task"))
    if status_only:
        stmt = stmt.where(StatusReport.status != "note")
    return (stmt.order_by(col(StatusReport.created_at).desc(), col(StatusReport.id).desc())
            .limit(bindparam("n", type_=Integer)))


def newest_reports(*, session: Session, task_id: int, n: int, status_only: bool = False) -> list[StatusReport]:
    """The task's `n` newest reports (only those that set a status, with `status_only`), oldest first: what a
    chat answer shows, whatever the history's length."""
    found = session.exec(_newest_reports(session, status_only), params={"task": task_id, "n": n}).all()
    return list(reversed(found))


def latest_reports(*, session: Session, task_ids: Sequence[int]) -> dict[int, StatusReport]:
    """Task id → its newest status report (not plain notes)."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport)
        .where(col(StatusReport.task_id).in_(task_ids), StatusReport.status != "note")
        .order_by(col(StatusReport.created_at), StatusReport.id)
    )
    out: dict[int, StatusReport] = {}
    for r in session.exec(stmt).all():
        out[r.task_id] = r
    return out


def rekey_address(*, session: Session, platform: str, old: str, new: str) -> int:
    """Move bindings and unsent outbox rows from one address to another (a group became a supergroup)."""
    idents = session.exec(
        select(ChatIdentity).where(ChatIdentity.platform == platform, ChatIdentity.address == old)
    ).all()
    for ident in idents:
        if identity_at(session=session, platform=platform, address=new) is None:
            ident.address = new
    for row in session.exec(
        select(Outbox).where(Outbox.recipient == f"{platform}:{old}", col(Outbox.state).in_(("pending", "retry")))
    ).all():
        row.recipient = f"{platform}:{new}"
    return len(idents)


# Platforms whose addresses are unique ignoring case: WeCom userids are (WangWu and wangwu are one member).
CASELESS_PLATFORMS = frozenset({"wecom"})


def identity_at(*, session: Session, platform: str, address: str, active_only: bool = False) -> ChatIdentity | None:
    """The binding of one address on one platform, if any."""
    return session.exec(_identity(select(ChatIdentity), platform, address, active_only)).first()


@prebuilt
def _identity_unit_waiting(_dialect: str, caseless: bool):
    waiting = select(Deferral.id).where(*_awaiting(since=True)).exists()
    stmt = select(ChatIdentity, Unit, waiting).join(Unit, col(Unit.id) == ChatIdentity.unit_id, isouter=True)
    return _identity(stmt, bindparam("platform"), bindparam("address"), False, caseless)


def identity_unit_and_waiting(*, session: Session, platform: str, address: str, requester: str,
                              since: datetime) -> tuple[ChatIdentity | None, Unit | None, bool | None]:
    """The binding of one address (as identity_at) with its unit, and whether `requester` has a deferral
    awaiting its date since `since` (None, not known, when the address has no binding): one statement, as
    every chat update asks."""
    caseless = platform in CASELESS_PLATFORMS
    params = {"platform": platform, "address": address.lower() if caseless else address, "by": requester,
              "since": since}
    row = session.exec(_identity_unit_waiting(session, caseless), params=params).first()
    return (row[0], row[1], bool(row[2])) if row is not None else (None, None, None)


def _identity(stmt, platform, address, active_only: bool, caseless: bool | None = None):
    """`stmt` narrowed to the bindings of one address (values, or bound parameters with `caseless` given)."""
    stmt = stmt.where(ChatIdentity.platform == platform)
    if caseless is None:
        caseless = platform in CASELESS_PLATFORMS
        address = address.lower() if caseless else address
    if caseless:
        stmt = stmt.where(func.lower(ChatIdentity.address) == address)
    else:
        stmt = stmt.where(ChatIdentity.address == address)
    if active_only:
        stmt = stmt.where(ChatIdentity.active)
    return stmt.order_by(ChatIdentity.id)


def bound_chats(*, session: Session, unit_id: int) -> list[ChatIdentity]:
    """Every active chat bound to a unit."""
    stmt = select(ChatIdentity).where(ChatIdentity.unit_id == unit_id, ChatIdentity.active).order_by(ChatIdentity.id)
    return list(session.exec(stmt).all())


def outbox_by_message(*, session: Session, message_id: str, recipient: str | None = None,
                      recipient_prefix: str | None = None) -> Outbox | None:
    """The outbox row that became platform message `message_id` (at one recipient, or under a prefix)."""
    stmt = select(Outbox).where(Outbox.message_id == message_id)
    if recipient is not None:
        stmt = stmt.where(Outbox.recipient == recipient)
    if recipient_prefix is not None:
        stmt = stmt.where(col(Outbox.recipient).startswith(recipient_prefix))
    return session.exec(stmt).first()


def _awaiting(*, since: bool) -> list:
    """The terms for the requester bound as `by`'s deferrals still awaiting their date (made after the bound
    `since`, with `since`). The status is written into the SQL, not bound, so either planner can prove the
    partial index's condition (migration 0010) whatever it knows of the values."""
    terms = [Deferral.requested_by == bindparam("by"),
             Deferral.status == literal(DeferralStatus.AWAITING_DATE.value, literal_execute=True)]
    if since:
        terms.append(col(Deferral.created_at) > bindparam("since", type_=Deferral.__table__.c.created_at.type))
    return terms


@prebuilt
def _awaiting_deferrals(_dialect: str, since: bool):
    stmt = select(Deferral).where(*_awaiting(since=since))
    return stmt.order_by(col(Deferral.created_at).desc(), col(Deferral.id).desc())


def awaiting_deferrals(*, session: Session, requested_by: str, since: datetime | None = None) -> list[Deferral]:
    """A requester's deferrals still awaiting their date, newest first (only those made after `since`)."""
    stmt = _awaiting_deferrals(session, since is not None)
    return list(session.exec(stmt, params={"by": requested_by, "since": since}).all())


@prebuilt
def _role_of(_dialect: str):
    return select(TaskUnit.role).where(TaskUnit.task_id == bindparam("task"), TaskUnit.unit_id == bindparam("unit"))


def role_of(*, session: Session, task_id: int, unit_id: int) -> str | None:
    """The unit's role on a task (lead or co), or None."""
    found = core_rows(session, _role_of(session), {"task": task_id, "unit": unit_id})
    return found[0][0] if found else None


def active_deadlines(*, session: Session, task_id: int) -> list[Deadline]:
    """The task's deadlines in force."""
    return list(session.exec(select(Deadline).where(Deadline.task_id == task_id, Deadline.active)).all())


def unit_names(*, session: Session) -> dict[int, str]:
    """Unit id → name, for every unit."""
    return {u.id: u.name for u in session.exec(select(Unit)).all()}


def auth_failures(*, session: Session, platform: str, user_id: str, since: datetime) -> int:
    """How many wrong invite codes this person sent since `since`."""
    stmt = select(func.count()).select_from(AuthFailure).where(
        AuthFailure.platform == platform, AuthFailure.user_id == user_id, col(AuthFailure.at) > since)
    return session.exec(stmt).one()


def invite_by_code(*, session: Session, code: str) -> Invite | None:
    """The invite with this code, used or not."""
    return session.exec(select(Invite).where(Invite.code == code)).first()


def pending_deferrals(*, session: Session) -> list[Deferral]:
    """Deferral requests waiting for an admin, oldest first."""
    stmt = select(Deferral).where(Deferral.status == "pending").order_by(col(Deferral.created_at), Deferral.id)
    return list(session.exec(stmt).all())


def latest_notes(*, session: Session, task_ids: Sequence[int]) -> dict[int, str]:
    """Task id → the newest non-empty report note."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport.task_id, StatusReport.note)
        .where(col(StatusReport.task_id).in_(task_ids), StatusReport.note != "")
        .order_by(col(StatusReport.created_at), StatusReport.id)
    )
    return {task_id: note for task_id, note in session.exec(stmt).all()}


def outbox_rows(*, session: Session, state: str | None = None, limit: int = 50) -> list[Outbox]:
    """Outbox rows, newest first, optionally in one state."""
    stmt = select(Outbox).order_by(col(Outbox.id).desc()).limit(limit)
    if state:
        stmt = stmt.where(Outbox.state == state)
    return list(session.exec(stmt).all())


def any_plan(*, session: Session) -> bool:
    """True once any plan was ever imported."""
    return session.exec(select(Plan.id).limit(1)).first() is not None


def reports_for_tasks(*, session: Session, task_ids: Sequence[int]) -> list[StatusReport]:
    """Every report (notes too) of these tasks, oldest first, in one query."""
    if not task_ids:
        return []
    stmt = (select(StatusReport).where(col(StatusReport.task_id).in_(task_ids))
            .order_by(col(StatusReport.created_at), StatusReport.id))
    return list(session.exec(stmt).all())


def last_report_by_unit(*, session: Session, task_ids: Sequence[int]) -> dict[tuple[int, int], datetime]:
    """(task id, unit id) → when that unit last reported on that task (any kind, notes too), in one query."""
    if not task_ids:
        return {}
    stmt = (
        select(StatusReport.task_id, StatusReport.unit_id, func.max(StatusReport.created_at))
        .where(col(StatusReport.task_id).in_(task_ids), col(StatusReport.unit_id).is_not(None))
        .group_by(StatusReport.task_id, StatusReport.unit_id)
    )
    return {(task_id, unit_id): at for task_id, unit_id, at in session.exec(stmt).all()}


# --- the chat's language layer: one plan's vocabulary in a few queries ---------------------------------------
def plan_task_rows(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[Task, str]]:
    """Live tasks of these plans with their section path ("" when none), by plan then position."""
    from storage.models import Section

    stmt = (select(Task, Section.path).join(Section, col(Section.id) == Task.section_id, isouter=True)
            .where(col(Task.plan_id).in_(list(plan_ids) or [-1]), col(Task.removed).is_(False))
            .order_by(Task.plan_id, Task.position))
    return [(t, path or "") for t, path in session.exec(stmt).all()]


def plan_roles(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """(task id, unit id, role) of these plans' tasks, in listing order."""
    stmt = (select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role).join(Task, col(Task.id) == TaskUnit.task_id)
            .where(col(Task.plan_id).in_(list(plan_ids) or [-1])).order_by(TaskUnit.task_id, TaskUnit.position))
    return list(session.exec(stmt).all())


def plan_due_dates(*, session: Session, plan_ids: Sequence[int]) -> list[tuple[int, object]]:
    """(task id, due date) of the dated deadlines in force of these plans' tasks."""
    stmt = (select(Deadline.task_id, Deadline.due_date).join(Task, col(Task.id) == Deadline.task_id)
            .where(col(Task.plan_id).in_(list(plan_ids) or [-1]), Deadline.active,
                   col(Deadline.due_date).is_not(None)))
    return list(session.exec(stmt).all())


def office_units(*, session: Session, office_id: int | None) -> list[tuple[Unit, list[str]]]:
    """Units (of one office, or of all) with their aliases, by id, in two queries."""
    ustmt, astmt = select(Unit).where(Unit.kind == UnitKind.UNIT).order_by(Unit.id), select(UnitAlias).order_by(UnitAlias.alias)
    if office_id is not None:
        ustmt, astmt = ustmt.where(Unit.office_id == office_id), astmt.where(UnitAlias.office_id == office_id)
    aliases: dict[int, list[str]] = {}
    for a in session.exec(astmt).all():
        aliases.setdefault(a.unit_id, []).append(a.alias)
    return [(u, aliases.get(u.id, [])) for u in session.exec(ustmt).all()]


def plan_of_tasks(*, session: Session, task_ids: Sequence[int]) -> dict[int, int]:
    """Task id → its plan id."""
    if not task_ids:
        return {}
    return dict(session.exec(select(Task.id, Task.plan_id).where(col(Task.id).in_(task_ids))).all())


def last_message_number(*, session: Session, platform: str) -> int:
    """The highest numeric message id sent on a platform (the console numbers its messages)."""
    ids = session.exec(select(Outbox.message_id).where(col(Outbox.recipient).startswith(f"{platform}:"),
                                                       col(Outbox.message_id).is_not(None))).all()
    return max((int(i) for i in ids if str(i).isdigit()), default=0)


def sections_of(*, session: Session, plan_id: int) -> list[Section]:
    return list(session.exec(select(Section).where(Section.plan_id == plan_id)).all())


def all_tasks(*, session: Session, plan_id: int) -> list[Task]:
    """Every task of a plan, removed ones included (a revision may bring one back)."""
    return list(session.exec(select(Task).where(Task.plan_id == plan_id)).all())


def task_units(*, session: Session, task_id: int) -> list[TaskUnit]:
    return list(session.exec(select(TaskUnit).where(TaskUnit.task_id == task_id)).all())


@prebuilt
def _evidence_of(_dialect: str):
    return (select(Evidence).where(Evidence.task_id == bindparam("task"))
            .order_by(col(Evidence.created_at), Evidence.id))


def evidence_of(*, session: Session, task_id: int) -> list[Evidence]:
    """A task's evidence, oldest first."""
    return list(session.exec(_evidence_of(session), params={"task": task_id}).all())


def evidence_counts(*, session: Session, task_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
    """(task id, unit id) → how many pieces of evidence that unit sent for that task."""
    if not task_ids:
        return {}
    stmt = (select(Evidence.task_id, Evidence.unit_id, func.count())
            .where(col(Evidence.task_id).in_(task_ids)).group_by(Evidence.task_id, Evidence.unit_id))
    return {(t, u): n for t, u, n in session.exec(stmt).all()}


def latest_report_of(*, session: Session, task_id: int, unit_id: int | None) -> StatusReport | None:
    """The newest report one unit (or an admin, unit None) made on a task."""
    stmt = select(StatusReport).where(StatusReport.task_id == task_id)
    stmt = stmt.where(StatusReport.unit_id == unit_id) if unit_id is not None else stmt.where(
        col(StatusReport.unit_id).is_(None))
    return session.exec(stmt.order_by(col(StatusReport.created_at).desc(), col(StatusReport.id).desc())).first()


def latest_reminder_to(*, session: Session, recipient: str, since: datetime) -> Outbox | None:
    """The newest task reminder sent to a recipient after `since`."""
    stmt = (select(Outbox).where(Outbox.recipient == recipient, col(Outbox.task_id).is_not(None),
                                 Outbox.state == "sent", col(Outbox.created_at) > since)
            .order_by(col(Outbox.created_at).desc(), col(Outbox.id).desc()))
    return session.exec(stmt).first()


def units_of_tasks(*, session: Session, task_ids: Sequence[int],
                   roles: Sequence[str] = ("lead", "co")) -> dict[int, set[int]]:
    """Task id → the ids of its units in these roles (its owners by default; ("leader",) for its leaders)."""
    if not task_ids:
        return {}
    out: dict[int, set[int]] = {}
    stmt = select(TaskUnit.task_id, TaskUnit.unit_id).where(col(TaskUnit.task_id).in_(list(task_ids)),
                                                            col(TaskUnit.role).in_(list(roles)))
    for task_id, unit_id in session.exec(stmt).all():
        out.setdefault(task_id, set()).add(unit_id)
    return out


def reports_since(*, session: Session, since: datetime) -> list[StatusReport]:
    """Reports filed after `since` (a week's changes), oldest first."""
    stmt = select(StatusReport).where(col(StatusReport.created_at) > since)
    return list(session.exec(stmt.order_by(col(StatusReport.created_at), StatusReport.id)).all())


@prebuilt
def _unit_names_of(dialect: str):
    return select(Unit.id, Unit.name).where(among(dialect, col(Unit.id)))


def unit_names_of(*, session: Session, unit_ids: Sequence[int]) -> dict[int, str]:
    """Unit id → name, for these units only."""
    if not unit_ids:
        return {}
    return dict(core_rows(session, _unit_names_of(session), {"ids": ids_value(session, set(unit_ids))}))


def unsweep_unit(*, session: Session, unit_id: int) -> None:
    """Forget that today's sweeps covered this unit's series: a chat bound mid-day gets what the unit is owed
    today at the next sweep (the outbox key keeps anything already written from going twice)."""
    session.execute(update(ReminderSeries).where(ReminderSeries.unit_id == unit_id).values(swept_on=None))


@prebuilt
def _names_by_role(dialect: str):
    return (select(TaskUnit.task_id, TaskUnit.role, Unit.name).join(Unit, col(Unit.id) == TaskUnit.unit_id)
            .where(among(dialect, col(TaskUnit.task_id))).order_by(TaskUnit.task_id, TaskUnit.position))


def names_by_role(*, session: Session, task_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Task id → role (lead, co, leader) → unit names in listing order, for these tasks, in one query."""
    if not task_ids:
        return {}
    out: dict[int, dict[str, list[str]]] = {}
    for task_id, role, name in core_rows(session, _names_by_role(session), {"ids": ids_value(session, task_ids)}):
        out.setdefault(task_id, {}).setdefault(role, []).append(name)
    return out


# --- the chat's hot path: one statement per check, column rows without the ORM's result layer ----------------
@prebuilt
def _store_version(_dialect: str):
    return select(StoreVersion.name, StoreVersion.n, StoreVersion.last)


def vocab_version(*, session: Session) -> tuple[tuple, tuple, tuple]:
    """(structure, reports, deadlines): the change counters the store's triggers keep (migration 0009), read
    in one statement of three rows whatever the store's size. The structure changes when a cached vocabulary
    must be rebuilt (plans, sections, tasks' wording, units, aliases, roles), the deadlines when its dates
    must be read again, and the reports (newest id, how many written) when new reports can be applied on top."""
    rows = {name: (n, last) for name, n, last in core_rows(session, _store_version(session))}
    structure, deadlines = rows.get("structure", (0, None)), rows.get("deadlines", (0, None))
    n, last = rows.get("reports", (0, None))
    return (structure[0],), (last, n), (deadlines[0],)


def reports_after(*, session: Session, after_id: int) -> list[tuple[int, int, int | None, str, datetime]]:
    """(id, task id, unit id, status, created at) of every report with an id above `after_id`, oldest first."""
    return _report_rows(session, col(StatusReport.id) > after_id)


def plan_reports_with_ids(*, session: Session,
                          plan_ids: Sequence[int]) -> list[tuple[int, int, int | None, str, datetime]]:
    """(id, task id, unit id, status, created at) of every report on these plans' tasks, oldest first."""
    on_plans = col(StatusReport.task_id).in_(select(Task.id).where(col(Task.plan_id).in_(list(plan_ids) or [-1])))
    return _report_rows(session, on_plans)


def _report_rows(session: Session, where) -> list[tuple[int, int, int | None, str, datetime]]:
    stmt = (select(StatusReport.id, StatusReport.task_id, StatusReport.unit_id, StatusReport.status,
                   StatusReport.created_at).where(where).order_by(col(StatusReport.created_at), StatusReport.id))
    return [tuple(r) for r in core_rows(session, stmt)]


@prebuilt
def _plan_board_rows(_dialect: str):
    newest = (select(func.max(Task.last_report_at)).join(Plan, col(Plan.id) == Task.plan_id)
              .where(Plan.active, col(Task.removed).is_(False)).scalar_subquery())
    return (select(Task.id, newest).where(Task.plan_id == bindparam("plan"), col(Task.removed).is_(False))
            .order_by(Task.position))


def plan_board_rows(*, session: Session, plan_id: int) -> tuple[list[int], datetime | None]:
    """(the plan's live task ids by position, the newest last_report_at of any live task of any open plan)."""
    rows = core_rows(session, _plan_board_rows(session), {"plan": plan_id})
    if not rows:
        return [], None
    return [r[0] for r in rows], rows[0][1]


@prebuilt
def _unit_task_rows(_dialect: str, of_role: bool):
    stmt = (select(Task.id, Task.ref, Task.title, Task.plan_id, TaskUnit.role)
            .join(TaskUnit, col(TaskUnit.task_id) == Task.id)
            .join(Plan, col(Plan.id) == Task.plan_id)
            .where(TaskUnit.unit_id == bindparam("unit"), Plan.active, col(Task.removed).is_(False))
            .order_by(Task.plan_id, Task.position))
    return stmt.where(TaskUnit.role == bindparam("role")) if of_role else stmt


def unit_task_rows(*, session: Session, unit_id: int,
                   role: str | None = None) -> list[tuple[int, str, str, int, str]]:
    """(task id, ref, title, plan id, role) of the live tasks of open plans a unit leads or co-owns (one role
    when given), by plan and position: the columns a listing reads, no whole tasks."""
    rows = core_rows(session, _unit_task_rows(session, bool(role)), {"unit": unit_id, "role": role and str(role)})
    return [tuple(r) for r in rows]


def job_state_once(*, session: Session, name: str, value: str, now: datetime) -> JobState:
    """The JobState row `name`, written with `value` unless a concurrent writer got there first (then theirs):
    `INSERT … ON CONFLICT DO NOTHING`, so two processes (or a sweep and a chat on a fresh store) never collide."""
    session.execute(conflict_insert(session, JobState).values(name=name, value=value, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["name"]))
    return session.get(JobState, name, populate_existing=True)

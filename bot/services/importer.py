"""Import a parsed plan into the store in one transaction, keeping the history of unchanged tasks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.plan.model import ParsedPlan
from bot.reminders.schedule import reschedule
from bot.services.offices import DEFAULT_OFFICE, ensure_office, period_of, unique_short_name
from bot.services.plandiff import (
    NeedsConfirmation,
    NeedsMatchAnswers,
    PlanDiff,
    UnitQuestion,
    UnitResolver,
    check_answers,
    content_hash,
    diff_plan,
    refuse_unconfirmed,
    task_owners,
)
from bot.services.receipts import request_receipts
from bot.services.tasksync import OfficeUnits, sync_tasks
from storage.models import AuditLog, Plan, UnitAlias

__all__ = ["ImportResult", "NeedsConfirmation", "NeedsMatchAnswers", "PlanDiff", "UnitQuestion", "apply_plan",
           "content_hash", "diff_plan"]


@dataclass
class ImportResult:
    """What an import did: its plan and diff, the counts, and the warnings and unit merges to report."""

    plan_id: int
    diff: PlanDiff
    tasks: int
    units: int
    lead: int
    co: int
    warnings: list[str]
    merges: list[str]
    retired: list[str] = field(default_factory=list)  # earlier plans this one replaced

    def to_dict(self) -> dict:
        return {
            "plan_id": self.plan_id,
            "tasks": self.tasks,
            "units": self.units,
            "lead_assignments": self.lead,
            "co_assignments": self.co,
            "warnings": self.warnings,
            "merges": self.merges,
            "retired_plans": self.retired,
            "diff": self.diff.to_dict(),
        }


def apply_plan(
    *,
    session: Session,
    parsed: ParsedPlan | dict,
    now: datetime,
    source_name: str = "",
    actor: str = "cli",
    config_aliases: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    confirmed: bool = False,
    office_id: int | None = None,
    revises: str | None = None,
    new: bool = False,
    matches: dict[str, str] | None = None,
    receipts: bool = False,
) -> ImportResult:
    """Write a parsed plan into the store (the caller's transaction); return what it did.

    `parsed` is a ParsedPlan (a dict in the plan-JSON shape is accepted, e.g. a stashed upload).
    Raises UserError, storing nothing, for a file that is not a plan, NeedsConfirmation
    when a revision would remove over a third of the plan's tasks, and NeedsMatchAnswers when a
    revision's tasks match stored ones only uncertainly, unless `confirmed` (the best guess is taken).
    `answers` are aliases a person confirmed for `diff.unit_questions` (new name → unit); `matches` a
    person's answers to `diff.match_questions` (new ref → stored ref, or "" for a new task).
    `receipts`: ask each lead unit of every task this import adds to sign for it (`[supervision] receipt = "all"`).
    """
    parsed = ParsedPlan.coerce(parsed)
    if office_id is None:  # a one-office store: its only office (made on the first import)
        office_id = ensure_office(session=session, name=None, default_name=DEFAULT_OFFICE, now=now).id
    diff = diff_plan(session=session, parsed=parsed, config_aliases=config_aliases, answers=answers,
                     office_id=office_id, revises=revises, new=new, matches=matches)
    if not confirmed:
        refuse_unconfirmed(diff)
    resolve = UnitResolver(session, parsed, config_aliases or {},
                           check_answers(session, parsed, answers or {}, office_id=office_id), office_id=office_id)
    warnings = list(parsed.warnings)
    if diff.empty:
        return _unchanged_result(diff, parsed, resolve, warnings)
    plan = _plan_record(session, diff, parsed, office_id=office_id, source_name=source_name, now=now)
    units = OfficeUnits.load(session, office_id, now)
    merges = _record_merges(session, resolve, units)
    synced = sync_tasks(session=session, plan=plan, parsed=parsed, diff=diff, resolve=resolve, units=units, now=now)
    _log_import(session, plan_id=plan.id, source_name=source_name, diff=diff, actor=actor, now=now)
    reschedule(session=session, plan_id=plan.id, now=now)  # the plan's reminder series are worked out afresh
    if receipts:
        request_receipts(session=session, task_ids=synced.added, now=now, actor=actor)
    return ImportResult(
        plan_id=plan.id,
        diff=diff,
        tasks=len(synced.refs),
        units=len(synced.units),
        lead=synced.lead,
        co=synced.co,
        warnings=warnings,
        merges=merges,
    )


def _plan_record(
    session: Session, diff: PlanDiff, parsed: ParsedPlan, *, office_id: int, source_name: str, now: datetime
) -> Plan:
    """The plan a revision revises, or a new one; either way stamped with this import's title, source and hash."""
    if diff.plan_id is not None:
        plan = session.get(Plan, diff.plan_id)
        assert plan is not None
    else:
        start, end = period_of(diff.title, diff.year)
        plan = Plan(
            office_id=office_id, title=diff.title, year=diff.year, period_start=start, period_end=end,
            source_name=source_name, content_hash="", imported_at=now,
        )
        session.add(plan)
        session.flush()
        # Another plan never ends this office's others, nor another office's: each ends with its period.
    plan.title, plan.source_name, plan.imported_at = diff.title, source_name, now
    plan.short_name = unique_short_name(session=session, office_id=office_id, title=plan.title, year=plan.year,
                                        plan_id=plan.id)
    plan.content_hash = content_hash(parsed)
    return plan


def _record_merges(session: Session, resolve: UnitResolver, units: OfficeUnits) -> list[str]:
    """Store each alias this import resolved to another unit; return them as "alias → unit"."""
    merges: list[str] = []
    for alias, canonical in sorted(resolve.to_canonical.items()):
        target = resolve(canonical)
        if alias == target or alias in units.by_name or alias in units.aliases:
            continue
        unit = units.unit_for(target)
        session.add(UnitAlias(office_id=units.office_id, unit_id=unit.id, alias=alias))
        units.aliases[alias] = unit.id
        merges.append(f"{alias} → {target}")
    return merges


def _log_import(session: Session, *, plan_id: int, source_name: str, diff: PlanDiff, actor: str,
                now: datetime) -> None:
    """Audit the import with its diff (flushed, so the reminder rebuild sees every row)."""
    detail = json.dumps({"plan_id": plan_id, "source": source_name, **diff.to_dict()}, ensure_ascii=False)
    session.add(AuditLog(at=now, actor=actor, action="plan.import", detail=detail))
    session.flush()


def _unchanged_result(
    diff: PlanDiff, parsed: ParsedPlan, resolve: UnitResolver, warnings: list[str]
) -> ImportResult:
    """Same plan again: report what is there, write nothing."""
    owners = [o for t in parsed.tasks for o in task_owners(t, resolve)]
    return ImportResult(
        plan_id=diff.plan_id or 0,
        diff=diff,
        tasks=len(parsed.tasks),
        units=len({name for name, _, _ in owners}),
        lead=sum(role == "lead" for _, role, _ in owners),
        co=sum(role == "co" for _, role, _ in owners),
        warnings=warnings,
        merges=[],
    )

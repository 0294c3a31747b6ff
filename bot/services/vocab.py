"""The language layer's vocabulary for one office's open plans, built from the store and cached (VocabCache).

One vocabulary spans the office's open plans, so topic and unit questions find tasks in any of them; the
chat's current plan comes first and keeps its plain refs ("12"), so "第12项" means a task of that plan.
Tasks of the other plans get refs nobody types ("p3.12") and are named by their plan in answers.

Building costs jieba cutting every task (about a second for 1,000 tasks); a message only pays for one
statement reading three change counters the store's triggers keep (storage StoreVersion, migration 0009), so
a write by any process is seen and the check costs the same at any size. New reports are applied on top of
the cached states; a changed deadline refreshes them without re-indexing; a changed plan, unit, alias or role
rebuilds.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel import Session

from bot.nlu import PlanRecord, Status, TaskRecord, UnitRecord, Vocabulary
from storage import repo
from storage.items import ITEMS
from storage.models import Plan, UnitKind

_GROUP_PREFIXES = ("各", "全县", "全区", "全市", "有关", "相关")
_STATUSES = {s.value for s in Status}


@dataclass
class PlanVocab:
    """A vocabulary and what answers need beside it: each task's real ref and plan."""

    vocab: Vocabulary
    current_plan_id: int | None
    refs: dict[int, str]  # task id → the plan's own ref
    plan_of: dict[int, int]  # task id → plan id
    plan_names: dict[int, str]  # plan id → short name
    plan_titles: dict[int, str]
    item_plans: frozenset[int] = frozenset()  # standing plans of 督办 items: their tasks are written "会议1"

    def ref(self, task_id: int) -> str:
        return self.refs[task_id]

    def item_word(self, task_id: int) -> str:
        """The short name a 督办 item is written with ("会议" of 会议1); "" for a plan document's task."""
        pid = self.plan_of[task_id]
        return self.plan_names.get(pid, "") if pid in self.item_plans else ""

    def plan_word(self, task_id: int, several: bool) -> str:
        """The plan's short name when answers must name it (or the task is not in the current plan)."""
        pid = self.plan_of[task_id]
        return self.plan_names.get(pid, "") if several or pid != self.current_plan_id else ""


@dataclass(frozen=True)
class _Entry:
    structure: tuple
    reports: tuple  # (newest report id, report count) the states were read at
    deadlines: tuple
    newest: datetime | None  # when the newest report applied was made: later ones may be applied on top
    built: PlanVocab


_MAX_ENTRIES = 32


class VocabCache:
    """The vocabularies built so far, by office, current plan, plans, aliases and time zone; owned by the
    composition root (bot/app) and handed to the chat."""

    def __init__(self) -> None:
        self._cache: dict[tuple, _Entry] = {}
        self._lock = threading.Lock()
        self.stats = {"builds": 0, "refreshes": 0, "updates": 0, "hits": 0}

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def plan_vocab(self, *, session: Session, office_id: int | None, current: Plan | None, tz: tzinfo,
                   aliases: dict[str, str] | None = None, plans: Sequence[Plan] | None = None) -> PlanVocab:
        """The vocabulary of the office's open plans (`plans` when the caller has them), `current` first; cached
        until the store changes, which one statement checks on every call (another process may have written)."""
        plans = list(repo.active_plans(session=session, office_id=office_id) if plans is None else plans)
        if current is not None and current.active and all(p.id != current.id for p in plans):
            plans.append(current)
        plans.sort(key=lambda p: (current is None or p.id != current.id, -p.id))
        plan_ids = [p.id for p in plans]
        alias_key = tuple(sorted((aliases or {}).items()))
        cache_key = (office_id, current.id if current else None, tuple(plan_ids), alias_key, str(tz))
        structure, reports, deadlines = repo.vocab_version(session=session)
        with self._lock:
            entry = self._cache.get(cache_key)
        if entry is not None and entry.structure == structure:
            if entry.reports == reports and entry.deadlines == deadlines:
                self.stats["hits"] += 1
                return entry.built
            fresh = _with_new_reports(session, entry, reports, tz) if entry.deadlines == deadlines else None
            if fresh is None:
                self.stats["refreshes"] += 1
                fresh = _with_state(session, entry.built, plan_ids, tz)
            else:
                self.stats["updates"] += 1
            built, newest = fresh
        else:
            self.stats["builds"] += 1
            built, newest = _build(session, plans, office_id, current, tz, aliases or {})
        with self._lock:
            if cache_key not in self._cache and len(self._cache) >= _MAX_ENTRIES:
                self._cache.pop(next(iter(self._cache)))
            self._cache[cache_key] = _Entry(structure, reports, deadlines, newest, built)
        return built

    def warm(self, *, session: Session, aliases: dict[str, str] | None, tz: tzinfo) -> int:
        """Build each office's vocabulary (its main plan first, as a chat with no plan of its own asks) before the
        first question does: jieba's dictionary and the topic index take about a second per thousand tasks.
        Returns how many offices."""
        from bot.services.offices import main_plan

        by_office: dict[int | None, list[Plan]] = defaultdict(list)
        for plan in repo.active_plans(session=session):  # newest first, as each office's list is read
            by_office[plan.office_id].append(plan)
        for office_id, plans in by_office.items():
            self.plan_vocab(session=session, office_id=office_id, tz=tz, aliases=aliases, plans=plans,
                            current=main_plan(session=session, office_id=office_id, plans=plans))
        return len(by_office)


# The cache of a process that builds no root of its own (the test harness, a script): the root passes its own.
SHARED = VocabCache()
stats = SHARED.stats
plan_vocab = SHARED.plan_vocab
warm = SHARED.warm


def clear_cache() -> None:
    SHARED.clear()


def _build(session: Session, plans: list[Plan], office_id: int | None, current: Plan | None, tz: tzinfo,
           config_aliases: dict[str, str]) -> tuple[PlanVocab, datetime | None]:
    plan_ids = [p.id for p in plans]
    rank = {pid: i for i, pid in enumerate(plan_ids)}
    current_id = current.id if current is not None else (plan_ids[0] if plan_ids else None)
    extra: dict[str, list[str]] = defaultdict(list)
    for alias, name in config_aliases.items():
        extra[name].append(alias)
    units = []
    for u, aliases in repo.office_units(session=session, office_id=office_id):
        kind = "group" if u.name.startswith(_GROUP_PREFIXES) else "unit"
        units.append(UnitRecord(u.id, u.name, tuple(dict.fromkeys([*aliases, *extra.get(u.name, [])])), kind))
    units += [UnitRecord(u.id, u.name, (), "leader")
              for u in repo.units_of_kind(session=session, office_id=office_id, kind=UnitKind.LEADER)]
    lead: dict[int, list[int]] = defaultdict(list)
    co: dict[int, list[int]] = defaultdict(list)
    leaders: dict[int, list[int]] = defaultdict(list)  # a leader hears escalations; it owns nothing
    for task_id, unit_id, role in repo.plan_roles(session=session, plan_ids=plan_ids):
        {"lead": lead, "co": co, "leader": leaders}.get(role, co)[task_id].append(unit_id)
    tasks, refs, plan_of = [], {}, {}
    for t, section in repo.plan_task_rows(session=session, plan_ids=plan_ids):
        own = t.plan_id == current_id
        refs[t.id], plan_of[t.id] = t.ref, t.plan_id
        tasks.append(TaskRecord(
            id=t.id, ref=t.ref if own else f"p{t.plan_id}.{t.ref}", title=t.title,
            objective=t.objective or "",
            measures=t.measures or "", section=section, lead_unit_ids=tuple(lead.get(t.id, ())),
            co_unit_ids=tuple(x for x in co.get(t.id, ()) if x not in lead.get(t.id, ())),
            leader_ids=tuple(leaders.get(t.id, ())), plan_id=t.plan_id,
            position=rank[t.plan_id] * 1_000_000 + t.position))
    named = [PlanRecord(p.id, p.title, p.short_name or "", p.active, p.kind == ITEMS) for p in plans]
    named += [PlanRecord(p.id, p.title, p.short_name or "", False, p.kind == ITEMS)  # they answer about themselves
              for p in repo.plans_of(session=session, office_id=office_id) if not p.active]
    built = PlanVocab(Vocabulary.build(units, tasks, plans=named, current_plan=current_id), current_id, refs, plan_of,
                      {p.id: p.short_name or p.title for p in plans}, {p.id: p.title for p in plans},
                      frozenset(p.id for p in plans if p.kind == ITEMS))
    return _with_state(session, built, plan_ids, tz)


def _with_state(session: Session, built: PlanVocab, plan_ids: list[int],
                tz: tzinfo) -> tuple[PlanVocab, datetime | None]:
    """The same vocabulary with each task's latest status, last report date and dated deadlines; and when the
    newest report was made."""
    vocab = built.vocab
    due: dict[int, set] = defaultdict(set)
    for task_id, d in repo.plan_due_dates(session=session, plan_ids=plan_ids):
        due[task_id].add(d)
    rows = repo.plan_reports_with_ids(session=session, plan_ids=plan_ids)
    status, last = _states(vocab, rows, tz)
    tasks = {tid: dataclasses.replace(t, status=status.get(tid), last_report=last.get(tid),
                                      deadlines=tuple(sorted(due.get(tid, ()))))
             for tid, t in vocab.tasks.items()}
    return dataclasses.replace(built, vocab=dataclasses.replace(vocab, tasks=tasks)), _newest(rows)


def _with_new_reports(session: Session, entry: _Entry, reports: tuple,
                      tz: tzinfo) -> tuple[PlanVocab, datetime | None] | None:
    """The entry's vocabulary with the reports made since it was read applied on top, or None when they cannot
    be (one was dated before the newest applied, or one committed late under a lower id: read them all)."""
    (old_max, old_count), (_new_max, new_count) = entry.reports, reports
    if new_count < old_count:
        return None
    rows = repo.reports_after(session=session, after_id=old_max or 0)
    if len(rows) != new_count - old_count:
        return None
    vocab = entry.built.vocab
    rows = [r for r in rows if r[1] in vocab.tasks]
    if entry.newest is not None and any(r[4] < entry.newest for r in rows):
        return None
    if not rows:
        return entry.built, entry.newest
    status, last = _states(vocab, rows, tz)
    tasks = dict(vocab.tasks)
    for tid, day in last.items():
        t = tasks[tid]
        tasks[tid] = dataclasses.replace(t, status=status.get(tid, t.status), last_report=day)
    newest = max(entry.newest, _newest(rows)) if entry.newest is not None else _newest(rows)
    return dataclasses.replace(entry.built, vocab=dataclasses.replace(vocab, tasks=tasks)), newest


def _states(vocab: Vocabulary, rows: list, tz: tzinfo) -> tuple[dict[int, Status], dict[int, date]]:
    """Task id → latest status and last report day, from (id, task id, unit id, status, at) rows, oldest first."""
    status: dict[int, Status] = {}
    last: dict[int, date] = {}
    for _id, task_id, unit_id, st, at in rows:
        t = vocab.tasks.get(task_id)
        if t is None:
            continue
        last[task_id] = at.astimezone(tz).date()
        # Done is the lead's word (or an admin's); a co-unit finishing its part is not, as on the board.
        if st in _STATUSES and (unit_id is None or unit_id in t.lead_unit_ids or not t.lead_unit_ids):
            status[task_id] = Status(st)
    return status, last


def _newest(rows: list) -> datetime | None:
    return max((r[4] for r in rows), default=None)

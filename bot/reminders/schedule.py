"""The persisted schedule: a row per reminder series with the day it next speaks (storage ReminderSeries).

The policy stays the one source of the rules: a series' next day is `policy.next_days`, worked out from
the task's view. Writers that change what a task is owed (a plan import, a report, a deadline change, a
snooze, a plan closed or reopened) call `reschedule`, which only marks the task's series stale: it needs
no settings or calendar. The sweep, which has both, works stale tasks out before it selects what is due.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from datetime import date, datetime, timedelta
from operator import attrgetter

from sqlmodel import Session

from bot.config import Settings
from bot.reminders.calendar_cache import CachedCalendar as CachedCalendar  # re-exported for callers
from bot.reminders.calendar_cache import cached as cached
from bot.reminders.policy import (
    DeadlineView,
    Reminder,
    TaskView,
    candidate_days,
    next_days,
    reminders_for_day,
)
from bot.reminders.views import load_views_of
from bot.workdays import WorkCalendar
from storage import views as store

STALE_DAY = date(1970, 1, 1)  # the next_due of a "stale" row (storage/migrations/versions/0005)
BATCH = 2000  # tasks per sweep batch (one transaction each): fewer, larger commits after downtime


def reschedule(*, session: Session, task_ids: Sequence[int] = (), plan_id: int | None = None,
               now: datetime | None = None) -> None:
    """The series of these tasks (or of every task of `plan_id`) must be worked out again before the next sweep."""
    del now  # the next sweep works them out from its own clock
    store.mark_stale(session=session, stale_day=STALE_DAY, task_ids=list(task_ids), plan_id=plan_id)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Worked(dict):
    """What `work_out` leaves for `series_rows`: per task worked out, (candidates, reminders per day); and
    `shapes`, each task's `_shape` for `units`."""

    def __init__(self, units: Collection[int] | None) -> None:
        super().__init__()
        self.units = units
        self.shapes: dict[int, tuple] = {}


class Shared:
    """What the batches of one sweep (one clock, calendar, settings and supervisors; views that do not change)
    share: each task's shape less its units' part (`bases`), and per shape, the answers `work_out` and
    `series_rows` worked out for its first task (keyed also by their dates and which supervisors the batch
    serves), so a task due to several batches (its leads', its supervisor's) is worked out once."""

    def __init__(self) -> None:
        self.bases: dict[int, tuple] = {}
        self.memo_firsts: dict[tuple, tuple] = {}
        self.row_firsts: dict[tuple, tuple] = {}


def work_out(views: list[TaskView], start: date, through: date, *, calendar: WorkCalendar, settings: Settings,
             supervisors: list[int], units: Collection[int],
             shared: Shared | None = None) -> tuple[dict[date, list[Reminder]], Worked]:
    """`reminders_for_day` for every working day from `start` through `through`, evaluating each task only
    on its candidate days for `units` (a task has no reminder on any other day; other units' reminders do
    not change what these units get): the memo `reminders_on` takes for these units (their reminders
    only), and per task (candidates, reminders per day) for `series_rows` to reuse.

    Tasks of one shape (`_shape`: the same dates, owners' pattern and state) get the same answers but for
    their ids: the policy is worked out for the first of them and the others' reminders are its own with
    the ids swapped (`worked` then holds only the tasks worked out).
    """
    kw = {"calendar": calendar, "policy": settings.reminders, "supervisors": supervisors}
    memo: dict[date, list[Reminder]] = {}
    day = start
    while day <= through:
        if calendar.is_workday(day):
            memo[day] = []
        day += timedelta(days=1)
    worked = Worked(units)
    firsts: dict[tuple, tuple] = shared.memo_firsts if shared is not None else {}
    sups = frozenset(supervisors)
    tag = (start, through, sups.intersection(units))
    bases = shared.bases if shared is not None else None
    for v in views:  # in order, so each day's list is what reminders_for_day(views, day) gives
        shape, ids = worked.shapes[v.id] = _shape(v, sups, units, bases)
        key = (shape, tag)
        first = firsts.get(key) if shape is not None else None
        if first is None:
            cands = candidate_days(v, start, through=through, units=units, **kw)
            known = {d: reminders_for_day([v], d, **kw) for d in sorted(cands[0]) if d in memo}
            worked[v.id] = (cands, known)
            mine = {d: kept for d, said in known.items() if (kept := [r for r in said if r.unit_id in units])}
            if shape is not None:
                firsts[key] = (ids, mine, _template(ids, mine) if _COPY else None)
            for d, said in mine.items():
                memo[d] += said
            continue
        first_ids, mine, tmpl = first
        if tmpl is None:
            swap = _swap(first_ids, ids, v)
            for d, said in mine.items():
                memo[d] += [swap(r) for r in said]
            continue
        # The first task's reminders with this task's ids: its unit and deadline ids by their place in `ids`.
        task_id, ref, (uids, dids) = v.id, v.ref, ids
        for d, said in tmpl:
            got = memo[d]
            for base, upos, dpos in said:
                r = _new(Reminder)
                dct = r.__dict__
                dct.update(base)
                dct["task_id"], dct["ref"] = task_id, ref
                if upos >= 0:
                    dct["unit_id"] = uids[upos]
                if dpos >= 0:
                    dct["deadline_id"] = dids[dpos]
                got.append(r)
    return memo, worked


_new = object.__new__


def _template(ids: tuple, mine: dict[date, list[Reminder]]) -> list[tuple]:
    """A shape's first task's reminders per day as (fields, place of its unit in ids[0] or -1, place of its
    deadline in ids[1] or -1), for `work_out` to copy with another task's ids."""
    upos = {u: i for i, u in enumerate(ids[0])}
    dpos = {d: i for i, d in enumerate(ids[1])}
    return [(d, [(r.__dict__, upos.get(r.unit_id, -1), dpos.get(r.deadline_id, -1)) for r in said])
            for d, said in mine.items()]


def series_rows(views: list[TaskView], after: date, *, calendar: WorkCalendar, settings: Settings,
                supervisors: list[int], units: Collection[int] | None = None,
                swept_on: date | None = None, worked: dict[int, tuple] | None = None,
                shared: Shared | None = None) -> list[dict]:
    """ReminderSeries rows for `views` (only those of `units` when given), next due on or after `after`.

    `next_days` is worked out once per shape (`_shape`); the other tasks of a shape take its answer with
    their own ids."""
    out = []
    policy, grace = settings.reminders, settings.reminders.ended_plan_grace_days
    worked = worked or {}
    shapes = worked.shapes if isinstance(worked, Worked) and worked.units == units else {}
    firsts: dict[tuple, tuple] = shared.row_firsts if shared is not None else {}
    sups = frozenset(supervisors)
    tag = (after, None if units is None else sups.intersection(units))
    bases = shared.bases if shared is not None else None
    for v in views:
        shape, ids = shapes.get(v.id) or _shape(v, sups, units, bases)
        key = (shape, tag)
        first = firsts.get(key) if shape is not None else None
        if first is None:
            cands, known = worked.get(v.id, (None, None))
            days = next_days(v, after, calendar=calendar, policy=policy, supervisors=supervisors, grace_days=grace,
                             cands=cands, known=known, units=units)
            picked = [(k, day) for k, day in days.items() if units is None or k[1] in units]
            if shape is not None:
                upos = {u: i for i, u in enumerate(ids[0])}
                dpos = {d: i for i, d in enumerate(ids[1])}
                firsts[key] = [(dpos.get(k[0], -1), k[0], upos.get(k[1], -1), k[1], k[2], k[3], day)
                               for k, day in picked]
        else:  # the first task's rows with this task's unit and deadline ids (by their place in `ids`)
            uids, dids = ids
            picked = [((dids[dp] if dp >= 0 else d, uids[up] if up >= 0 else u, role, kind), day)
                      for dp, d, up, u, role, kind, day in first]
        task_id = v.id
        for (deadline_id, unit_id, role, kind), day in picked:
            out.append({"task_id": task_id, "deadline_id": deadline_id, "unit_id": unit_id, "role": role,
                        "kind": kind, "next_due": day, "swept_on": swept_on})
    return out


# What the policy reads of a TaskView besides its owners, deadlines and snoozes; `id` and `ref` are only copied
# into its reminders, `title`, `plan_label` and `item_word` never read. A field added later is not here: a task whose value
# of it is set is worked out on its own (see _shape).
_LABELS = frozenset({"id", "ref", "title", "plan_label", "item_word"})
_OWNERS = frozenset({"lead", "co", "deadlines", "snoozed"})
_STATE = tuple(f.name for f in fields(TaskView)
               if f.name in {"year", "done", "review_pending", "last_report", "period_end", "plan_id", "office_id",
                             "starts"})
_OTHER = tuple(f.name for f in fields(TaskView) if f.name not in _LABELS | _OWNERS | set(_STATE))
# A deadline's wording (text, label) is only rendered, never read by the policy: tasks whose deadlines differ in
# wording alone share a shape (tests/test_schedule_shapes.py holds the policy to that).
_DEADLINE = tuple(f.name for f in fields(DeadlineView) if f.name not in {"id", "text", "label"})


_state = attrgetter(*_STATE, *_STATE)  # a tuple even for one name
_deadline = attrgetter(*_DEADLINE, *_DEADLINE)
_other = attrgetter(*_OTHER, *_OTHER) if _OTHER else None
# Reminders are copied field by field where the dataclass allows it (no slots, no __post_init__), else replaced.
_COPY = hasattr(Reminder, "__dict__") and not hasattr(Reminder, "__slots__") and not hasattr(Reminder, "__post_init__")


def _shape(v: TaskView, supervisors: frozenset[int], units: Collection[int] | None,
           bases: dict[int, tuple] | None = None) -> tuple:
    """(shape, ids): two tasks of one shape get the same reminders and series but for the task, unit and
    deadline ids, which `ids` lists in the order the shape numbers them. The shape is None (the task is
    worked out on its own) for a task with a snooze, an owner among the supervisors, deadlines without
    distinct ids, or a value the shape does not know how to compare. `bases` (one sweep's): each task's
    shape less which of its owners are among `units`, worked out once."""
    if bases is None:
        base, ids = _base_shape(v, supervisors)
    else:
        try:
            base, ids = bases[v.id]
        except KeyError:
            base, ids = bases[v.id] = _base_shape(v, supervisors)
    if base is None:
        return None, None
    return (base, None if units is None else tuple(u in units for u in ids[0])), ids


def _base_shape(v: TaskView, supervisors: frozenset[int]) -> tuple:
    if v.snoozed or (_OTHER and any(_other(v))):
        return None, None
    lead, co = v.lead, v.co
    if not co and len(lead) == 1:  # the common case, spelled out
        ids: tuple = (lead[0],)
        if ids[0] in supervisors:
            return None, None
        pattern: tuple = (1, 1)
    else:
        owners = (*lead, *co)
        ids = tuple(dict.fromkeys(owners))
        if not supervisors.isdisjoint(ids):
            return None, None
        if len(ids) == len(owners):
            pattern = (len(lead), len(owners))
        else:  # a unit both leads and co-owns, or is listed twice
            pos = {u: i for i, u in enumerate(ids)}
            pattern = (tuple(pos[u] for u in lead), tuple(pos[u] for u in co))
    dl_ids = tuple(d.id for d in v.deadlines)
    if None in dl_ids or (len(dl_ids) > 1 and len(set(dl_ids)) != len(dl_ids)):
        return None, None
    shape = (pattern, tuple(map(_deadline, v.deadlines)), _state(v))
    try:
        hash(shape)
    except TypeError:
        return None, None
    return shape, (ids, dl_ids)


def _swap(first: tuple, ids: tuple, v: TaskView):
    """A reminder of the shape's first task, as the same reminder of `v`."""
    umap, dmap = dict(zip(first[0], ids[0], strict=True)), dict(zip(first[1], ids[1], strict=True))
    task_id, ref, new = v.id, v.ref, object.__new__

    def swap(r: Reminder) -> Reminder:
        unit, deadline = umap.get(r.unit_id, r.unit_id), dmap.get(r.deadline_id, r.deadline_id)
        if not _COPY:
            return replace(r, task_id=task_id, ref=ref, unit_id=unit, deadline_id=deadline)
        out = new(Reminder)
        out.__dict__.update(r.__dict__, task_id=task_id, ref=ref, unit_id=unit, deadline_id=deadline)
        return out

    return swap


def resolve_stale(*, session: Session, after: date, now: datetime, calendar: WorkCalendar, settings: Settings,
                  supervisors: list[int], batch: int = BATCH, cache: dict | None = None) -> int:
    """Work out the series of every stale task, `batch` tasks at a time; return how many tasks. `cache`: as
    `load_views_of` takes it."""
    done = 0
    while ids := store.stale_task_ids(session=session, stale_day=STALE_DAY, limit=batch):
        views = load_views_of(session=session, task_ids=ids, now=now, tz=settings.app.tz, cache=cache)
        rows = series_rows(views, after, calendar=calendar, settings=settings, supervisors=supervisors)
        store.replace_series(session=session, task_ids=ids, rows=rows)
        done += len(ids)
    return done

"""The reminder policy as a pure function of the plan's state and one working day."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.config import ReminderSettings
from bot.deadlines import Recurrence
from bot.workdays import WorkCalendar

KIND_ORDER = {"escalation": 0, "overdue": 1, "due": 2, "upcoming": 3, "checkin": 4, "digest": 5}


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as the engine sees it; `id` is None for the default policy's year-end date."""

    id: int | None
    date: date | None
    text: str
    source: str
    kind: str = "once"
    recurrence: Recurrence | None = None
    certain: bool = True
    label: str = ""  # what reminders call it where it has a name of its own (the policy reads neither this nor text)


def plan_live(last_year: int, day: date, grace_days: int) -> bool:
    """Whether a plan whose period ends with `last_year` still speaks on `day` (reminders, digests)."""
    return (day - date(last_year, 12, 31)).days <= grace_days


@dataclass
class TaskView:
    """What the policy needs to know about one task."""

    id: int
    ref: str
    title: str
    year: int
    lead: list[int]
    co: list[int]
    deadlines: list[DeadlineView]
    done: bool = False
    review_pending: bool = False  # a 申请办结 awaits review: the unit has answered, so reminders pause
    last_report: date | None = None  # newest report of any kind from an owner
    snoozed: dict[int, datetime] = field(default_factory=dict)  # unit id → snoozed until
    period_end: int | None = None  # the plan period's last year
    plan_id: int | None = None
    plan_label: str = ""  # the plan's short name where its office runs several plans, else ""
    leaders: list[int] = field(default_factory=list)  # 牵头领导 (leader-kind units): hear its escalations
    office_id: int | None = None  # whose supervisors hear its escalations (see Supervisors)

    def live_on(self, day: date, grace_days: int) -> bool:
        """False once the plan's period ended more than `grace_days` ago: an ended plan sends nothing."""
        return plan_live(self.period_end or self.year, day, grace_days)


@dataclass(frozen=True)
class Reminder:
    """One nudge owed to one unit on one working day."""

    task_id: int | None
    ref: str
    unit_id: int
    role: str  # lead | co | supervisor
    kind: str  # upcoming | due | overdue | escalation | checkin | digest
    deadline_id: int | None
    deadline: date | None  # the (working-day adjusted) due date this is about
    occurrence: date  # the day this reminder belongs to
    workdays_left: int = 0  # negative when overdue
    items: tuple[Reminder, ...] = ()  # a digest's contents
    final: bool = False  # the last overdue nudge or escalation of its deadline: the digests carry it on

    @property
    def deadline_key(self) -> str:
        return f"{self.deadline_id or 'default'}@{self.deadline.isoformat() if self.deadline else '-'}"


def effective_deadlines(task: TaskView, policy: ReminderSettings) -> list[DeadlineView]:
    """The dated deadlines that drive reminders; the default policy fills in for a task without one."""
    manual = [d for d in task.deadlines if d.source == "manual" and d.date]
    if manual:  # an admin's date replaces what was read from the document
        return manual
    dated = [d for d in task.deadlines if d.kind == "once" and d.date]
    recurring = [d for d in task.deadlines if d.kind == "recurring" and d.recurrence]
    if dated or recurring:
        return dated + recurring
    if policy.default_deadline == "year_end":
        return [DeadlineView(None, date(task.year, 12, 31), "年底前（默认）", "default", certain=False)]
    return []


def needs_checkins(task: TaskView) -> bool:
    """Ongoing work and tasks without a stated date get a monthly progress check-in."""
    return not any(d.date and d.kind == "once" and d.source != "default" for d in task.deadlines) and not any(
        d.kind == "recurring" for d in task.deadlines
    )


def _occurrences(d: DeadlineView, year: int, day: date) -> list[date]:
    if d.kind == "recurring" and d.recurrence:
        # Each period's date, over the plan year and into the next so year-end ladders reach January.
        return d.recurrence.occurrences(date(year, 1, 1), date(max(year, day.year), 12, 31))
    return [d.date] if d.date else []


def reminders_for_day(
    tasks: list[TaskView],
    day: date,
    *,
    calendar: WorkCalendar,
    policy: ReminderSettings,
    supervisors: list[int],
) -> list[Reminder]:
    """Every reminder owed on `day` (a working day), before digests are formed."""
    if not calendar.is_workday(day):
        return []
    out: list[Reminder] = []
    for task in tasks:
        if task.done or task.review_pending or not (task.lead or task.co):
            continue
        mine: list[Reminder] = []
        for dl in effective_deadlines(task, policy):
            occs = _occurrences(dl, task.year, day)
            for i, raw in enumerate(occs):
                due = calendar.previous_workday(raw)
                # A recurring occurrence is answered by any report since the previous one.
                answered = dl.kind == "recurring" and task.last_report is not None and (
                    task.last_report > (calendar.previous_workday(occs[i - 1]) if i else date(task.year, 1, 1))
                )
                next_due = calendar.previous_workday(occs[i + 1]) if i + 1 < len(occs) else None
                mine += _ladder(task, dl, due, day, calendar, policy, answered)
                if not answered and (next_due is None or day < next_due):
                    mine += _overdue(task, dl, due, day, calendar, policy, supervisors)
        if needs_checkins(task) and task.lead:
            mine += _checkin(task, day, calendar, policy)
        out += [r for r in mine if not _snoozed(task, r, day)]
    return out


def _ladder(task, dl, due, day, calendar, policy, answered) -> list[Reminder]:
    if answered or day > due:
        return []
    out = []
    left = calendar.workdays_between(day, due)
    for role, units in (("lead", task.lead), ("co", task.co)):
        if not units:
            continue
        target = due if role == "lead" else calendar.add_workdays(due, -policy.co_lead_days)
        if day > target:
            continue
        steps_left = calendar.workdays_between(day, target)
        if steps_left in policy.ladder:
            kind = "due" if steps_left == 0 else "upcoming"
            for unit in units:
                out.append(Reminder(task.id, task.ref, unit, role, kind, dl.id, target, day, left if role == "lead" else steps_left))
    return out


def overdue_nudge(late: int, policy: ReminderSettings) -> int:
    """Which overdue nudge falls on the `late`th working day past due (1 = the first), or 0 for none.

    The first comes on the first working day late, the next after each gap of `overdue_backoff` (the last gap
    repeating), and none after the `overdue_max`th.
    """
    if late < 1:
        return 0
    gaps, day, n = policy.overdue_backoff, 1, 1
    for gap in gaps[:-1]:
        if day == late:
            break
        day, n = day + gap, n + 1
        if day > late:
            return 0
    if day != late:
        rest = late - day
        if rest % gaps[-1]:
            return 0
        n += rest // gaps[-1]
    return n if not policy.overdue_max or n <= policy.overdue_max else 0


def escalation_number(late: int, policy: ReminderSettings) -> int:
    """Which escalation falls on the `late`th working day past due (every `escalate_after`), or 0 for none."""
    every = policy.escalate_after
    if late < every or (late - every) % every:
        return 0
    n = (late - every) // every + 1
    return n if not policy.escalate_max or n <= policy.escalate_max else 0


def last_overdue_day(policy: ReminderSettings) -> int | None:
    """The last working day late anything (a nudge or an escalation) is sent on, or None when they never end."""
    if not policy.overdue_max or not policy.escalate_max:
        return None
    gaps = policy.overdue_backoff
    nudge = 1 + sum(gaps[min(i, len(gaps) - 1)] for i in range(policy.overdue_max - 1))
    return max(nudge, policy.escalate_after * policy.escalate_max)


class Supervisors(tuple):
    """The supervisors' and office-wide leaders' unit ids (as a tuple: all of them), knowing each one's office,
    so a task's escalations reach its own office's 督导室 only. A plain list of ids means "every task's"."""

    office_of: dict[int, int | None]

    def __new__(cls, office_of: dict[int, int | None]) -> Supervisors:
        self = super().__new__(cls, office_of)
        self.office_of = dict(office_of)
        return self

    def of(self, office_id: int | None) -> list[int]:
        return [u for u, o in self.office_of.items() if o == office_id or office_id is None or o is None]


def watchers(task: TaskView, supervisors: Sequence[int]) -> list[int]:
    """Who hears a task's escalations: its office's supervisors and leaders, then the task's own leaders."""
    sup = supervisors.of(task.office_id) if isinstance(supervisors, Supervisors) else supervisors
    return list(dict.fromkeys([*sup, *task.leaders]))


def _overdue(task, dl, due, day, calendar, policy, supervisors) -> list[Reminder]:
    if day <= due or not task.lead:
        return []
    late = calendar.workdays_between(due, day)
    out = []
    if n := overdue_nudge(late, policy):
        final = n == policy.overdue_max
        out += [Reminder(task.id, task.ref, u, "lead", "overdue", dl.id, due, day, -late, final=final)
                for u in task.lead]
    if n := escalation_number(late, policy):
        final = n == policy.escalate_max
        out += [Reminder(task.id, task.ref, u, "supervisor", "escalation", dl.id, due, day, -late, final=final)
                for u in watchers(task, supervisors)]
    return out


def _checkin(task, day, calendar, policy) -> list[Reminder]:
    target = calendar.previous_workday(date(day.year, day.month, policy.checkin_day))
    if day != target:
        return []
    if task.last_report and (day - task.last_report).days < policy.report_fresh_days:
        return []
    return [Reminder(task.id, task.ref, u, "lead", "checkin", None, None, day) for u in task.lead]


def _snoozed(task: TaskView, r: Reminder, day: date) -> bool:
    until = task.snoozed.get(r.unit_id)
    return until is not None and until.date() > day


def with_digests(reminders: list[Reminder], *, threshold: int) -> list[Reminder]:
    """Fold a unit's reminders of one day into one digest where there are `threshold` or more."""
    by_unit: dict[tuple[int, date], list[Reminder]] = {}
    for r in reminders:
        by_unit.setdefault((r.unit_id, r.occurrence), []).append(r)
    out: list[Reminder] = []
    for (unit, day), group in by_unit.items():
        if len(group) >= threshold:
            group.sort(key=lambda r: (KIND_ORDER[r.kind], r.deadline or day))
            out.append(Reminder(None, "", unit, group[0].role, "digest", None, None, day, items=tuple(group)))
        else:
            out += group
    return out


def week_workdays(day: date, calendar: WorkCalendar) -> list[date]:
    monday = day.fromordinal(day.toordinal() - day.weekday())
    return [d for d in (monday.fromordinal(monday.toordinal() + i) for i in range(7)) if calendar.is_workday(d)]


def reminders_on(
    tasks: list[TaskView],
    day: date,
    *,
    calendar: WorkCalendar,
    policy: ReminderSettings,
    supervisors: list[int],
    memo: dict[date, list[Reminder]] | None = None,
) -> list[Reminder]:
    """The reminders to send on `day`, with a unit's busy week folded into one Monday digest.

    Each day needs its whole week; callers walking several days pass one `memo` so a day is worked out once.
    """
    if not calendar.is_workday(day):
        return []
    kw = {"calendar": calendar, "policy": policy, "supervisors": supervisors}
    days = week_workdays(day, calendar)
    memo = {} if memo is None else memo
    for d in days:
        if d not in memo:
            memo[d] = reminders_for_day(tasks, d, **kw)
    week = {d: memo[d] for d in days}
    upcoming: dict[int, list[Reminder]] = {}
    for d in days:
        for r in week[d]:
            if r.kind == "upcoming":
                upcoming.setdefault(r.unit_id, []).append(r)
    # A unit with several tasks coming due this week gets one digest on the week's first working day
    # instead of a ping per task per ladder step.
    weekly = {u for u, rs in upcoming.items() if len({r.task_id for r in rs}) >= policy.digest_threshold}
    today = [r for r in week[day] if not (r.kind == "upcoming" and r.unit_id in weekly)]
    out: list[Reminder] = []
    if day == days[0]:
        for unit in sorted(weekly):
            extra = [r for r in today if r.unit_id == unit]
            today = [r for r in today if r.unit_id != unit]
            items = sorted(extra + _latest_per_task(upcoming[unit]), key=lambda r: (KIND_ORDER[r.kind], r.deadline or day))
            out.append(Reminder(None, "", unit, items[0].role, "digest", None, None, day, items=tuple(items)))
    return out + with_digests(today, threshold=policy.digest_threshold)


def _latest_per_task(rs: list[Reminder]) -> list[Reminder]:
    """One line per (task, role) in a weekly digest: the step nearest its date."""
    best: dict[tuple, Reminder] = {}
    for r in rs:
        key = (r.task_id, r.role, r.deadline)
        if key not in best or r.occurrence > best[key].occurrence:
            best[key] = r
    return list(best.values())


# --- the schedule: when each reminder series next speaks ------------------------------------------------

SERIES_KIND = {"upcoming": "ladder", "due": "ladder", "overdue": "overdue", "escalation": "escalation",
               "checkin": "checkin"}
SeriesKey = tuple  # (deadline_id, unit_id, role, series kind)


def series_of(r: Reminder) -> SeriesKey:
    """The series a (non-digest) reminder belongs to: a deadline's ladder, its overdue nudges, its escalations
    to one supervisor, or the monthly check-ins, for one unit."""
    return (r.deadline_id, r.unit_id, r.role, SERIES_KIND[r.kind])


Candidates = tuple  # (day → series keys that may speak on it, series cut short → the day they stop at)


def candidate_days(task: TaskView, after: date, *, calendar: WorkCalendar, policy: ReminderSettings,
                   supervisors: list[int], through: date | None = None,
                   units: Collection[int] | None = None) -> Candidates:
    """Every day on or after `after` a series of `task` may speak: a superset of its reminder days.

    Complete through `through` (and some working days past `after`); a day that is no candidate of a task
    has no reminder of it, so a caller may work the policy out for a task on its candidate days only.
    """
    return _candidates(task, after, calendar, policy, supervisors, through, units)


def next_days(task: TaskView, after: date, *, calendar: WorkCalendar, policy: ReminderSettings,
              supervisors: list[int], grace_days: int, tries: int = 4, cands: Candidates | None = None,
              known: dict[date, list[Reminder]] | None = None,
              units: Collection[int] | None = None) -> dict[SeriesKey, date]:
    """For each reminder series of `task`: its first reminder day on or after `after`, or a day before it.

    Candidate days come from the same rules (ladder steps before each due date, overdue and escalation
    steps after it, check-in days) and each is confirmed by `reminders_for_day` itself, so answered
    occurrences, snoozes and done tasks are the policy's call. A series still unconfirmed after `tries`
    candidates (an overdue run through a long snooze) gets its last candidate: a day never after its next
    reminder, so the sweep looks again then. A series with no reminder left (or none before the plan
    ends, `live_on`) is absent. `cands` and `known` (reminders_for_day of this task on some days) save
    working them out again; `units` keeps only those units' series.
    """
    if cands is None:
        cands = _candidates(task, after, calendar, policy, supervisors, units=units)
    cands, endless = {d: ks for d, ks in cands[0].items() if d >= after}, cands[1]
    if units is not None:  # only these units' series
        cands = {d: mine for d, ks in cands.items() if (mine := {k for k in ks if k[1] in units})}
    known = known or {}
    keys = {k for ks in cands.values() for k in ks}
    found: dict[SeriesKey, date] = {}
    misses: dict[SeriesKey, int] = {}
    last: dict[SeriesKey, date] = {}
    for day in sorted(cands):
        pending = [k for k in cands[day] if k not in found]
        if not pending:
            continue
        if not task.live_on(day, grace_days):
            return found  # the plan has ended by then: nothing later is owed
        said = known.get(day)
        if said is None:
            said = reminders_for_day([task], day, calendar=calendar, policy=policy, supervisors=supervisors)
        for r in said:
            found.setdefault(series_of(r), day)
        for k in pending:
            last[k] = day
            if k not in found:
                misses[k] = misses.get(k, 0) + 1
                if misses[k] >= tries:
                    found[k] = day  # not confirmed: a lower bound, looked at again when it comes
        if len(found) >= len(keys) and keys <= found.keys():
            break
    for k in endless:  # an endless run cut short while unconfirmed: look again at its last day generated
        if k not in found and k in last:
            found[k] = last[k]
    return found


def _candidates(task: TaskView, after: date, calendar: WorkCalendar, policy: ReminderSettings,
                supervisors: list[int], through: date | None = None,
                units: Collection[int] | None = None) -> Candidates:
    """Every day on or after `after` a series of `task` (of `units`, when given) may speak (a superset), and
    the series whose run was cut short (overdue runs, check-ins) with the day it stopped at."""
    out: dict[date, set[SeriesKey]] = {}
    endless: dict[SeriesKey, date] = {}
    if task.done or task.review_pending or not (task.lead or task.co):
        return out, endless

    def mine(us) -> list[int]:
        return [u for u in us if units is None or u in units]

    def add(day: date, keys) -> None:
        if day >= after:
            out.setdefault(day, set()).update(keys)

    lead, co, sup = mine(task.lead), mine(task.co), mine(watchers(task, supervisors)) if task.lead else []
    horizon = date(max(task.year, after.year) + 1, 12, 31)
    span = max(*policy.overdue_backoff, policy.escalate_after) * 3 + 1  # overdue working days generated
    ends = last_overdue_day(policy)  # a run that ends is generated to its end, never cut short
    for dl in effective_deadlines(task, policy):
        occs = _occurrences(dl, task.year, horizon)
        overdue = [(dl.id, u, "lead", "overdue") for u in lead]
        escalation = [(dl.id, u, "supervisor", "escalation") for u in sup]
        for i, raw in enumerate(occs):
            due = calendar.previous_workday(raw)
            nxt = calendar.previous_workday(occs[i + 1]) if i + 1 < len(occs) else None
            if due >= after:
                for role, us in (("lead", lead), ("co", co)):
                    if not us:
                        continue
                    target = due if role == "lead" else calendar.add_workdays(due, -policy.co_lead_days)
                    keys = [(dl.id, u, role, "ladder") for u in us]
                    for step in policy.ladder:
                        add(calendar.add_workdays(target, -step), keys)
            if not (overdue or escalation) or (nxt is not None and nxt <= after):
                continue
            day = calendar.next_workday(max(after, due + timedelta(days=1)))
            late = calendar.workdays_between(due, day)
            for n in itertools.count():
                if nxt is not None and day >= nxt:
                    break
                if ends is not None and late > ends:
                    break
                if ends is None and n >= span and (through is None or day > through):
                    endless.update(dict.fromkeys(overdue + escalation, day))
                    break
                if overdue and overdue_nudge(late, policy):
                    add(day, overdue)
                if escalation and escalation_number(late, policy):
                    add(day, escalation)
                day, late = calendar.next_workday(day, inclusive=False), late + 1
    if needs_checkins(task) and lead:
        keys = [(None, u, "lead", "checkin") for u in lead]
        y, m = after.year, after.month
        for _ in range(13):  # the check-in day may fall back into the month before: a superset either way
            add(calendar.previous_workday(date(y, m, policy.checkin_day)), keys)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        endless.update(dict.fromkeys(keys, date(y, m, 1)))
    return out, endless

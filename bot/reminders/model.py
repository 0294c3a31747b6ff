"""What the reminder policy works on and what it gives: task and deadline views, reminders, who hears escalations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.deadlines import Recurrence

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
    item_word: str = ""  # a 督办 item's plan's short name: the item is written "会议1", not "第1项"
    leaders: list[int] = field(default_factory=list)  # 牵头领导 (leader-kind units): hear its escalations
    office_id: int | None = None  # whose supervisors hear its escalations (see Supervisors)
    # The day the task came into duban (its plan's import, or the revision that added it): a recurring
    # deadline's occurrences before it were never owed here, so none is overdue; the first one after is.
    starts: date | None = None
    # Unit id → the day of that unit's newest report on the task (any member, any chat): see bot.reminders.said.
    said: dict[int, date] = field(default_factory=dict)

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

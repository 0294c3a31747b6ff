"""Plain data in and out of the language layer: store records, slots, the understanding, the selection."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class Kind(enum.StrEnum):
    """What kind of answer a message asks for."""

    HELP = "help"  # how to use the bot
    REPORT = "report"  # a unit reports a task's status: needs the task ref and a status
    NUDGE = "nudge"  # the office chases the units of given tasks, or given units, now (催办)
    DEFER = "defer"  # a unit asks for a later deadline (申请延期): the task ref, and the date when typed
    TASK_DETAIL = "task_detail"  # one or more tasks in full (content, deadlines)
    WHO = "who"  # who leads / supports given tasks (by ref or by topic)
    PROGRESS = "progress"  # the latest status of given tasks
    OWNS = "owns"  # the tasks of one or more units (with roles)
    COUNT = "count"  # how many tasks match the filters
    LIST_FILTERED = "list_filtered"  # tasks matching units + status/time filters
    TOPIC = "topic"  # tasks about a topic
    DUE = "due"  # open tasks with a deadline in a time window
    OVERDUE = "overdue"  # open tasks past a deadline
    UNREPORTED = "unreported"  # open tasks (or their units) with no recent report
    BOARD = "board"  # the red/yellow/green overview
    UNITS = "units"  # the list of units
    AMBIGUOUS = "ambiguous"  # a slot matched several things equally well: see `choices`
    UNKNOWN = "unknown"  # nothing understood: see `suggestions`


class Role(enum.StrEnum):
    """A unit's part in a task, as a constraint."""

    LEAD = "lead"  # 牵头
    CO = "co"  # 配合
    ANY = "any"  # 负责 / 参与 / no role word


class Combine(enum.StrEnum):
    """How several unit constraints combine."""

    ALL = "all"  # every unit takes part (人事股和督导室都参与的)
    ANY = "any"  # at least one of them


class Status(enum.StrEnum):
    """The four report statuses (values as in storage.models.ReportStatus)."""

    DONE = "done"  # 已完成
    IN_PROGRESS = "in_progress"  # 推进中
    BLOCKED = "blocked"  # 有困难
    NOT_STARTED = "not_started"  # 未开始


class Filter(enum.StrEnum):
    """A status-like filter on tasks."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    NOT_STARTED = "not_started"
    OPEN = "open"  # anything but done (未完成)
    OVERDUE = "overdue"  # open and past a deadline
    UNREPORTED = "unreported"  # open and no report for `fresh_days`


class Focus(enum.StrEnum):
    """What part of the tasks the question is about."""

    LEAD = "lead"
    CO = "co"
    OWNERS = "owners"  # lead and co
    CONTENT = "content"
    PROGRESS = "progress"
    DEADLINE = "deadline"
    UNITS = "units"  # the answer is a list of units (哪些单位还没报)


STATUS_LABEL = {Status.DONE: "已完成", Status.IN_PROGRESS: "推进中", Status.BLOCKED: "有困难",
                Status.NOT_STARTED: "未开始"}
FILTER_LABEL = {Filter.DONE: "已完成", Filter.IN_PROGRESS: "推进中", Filter.BLOCKED: "有困难",
                Filter.NOT_STARTED: "未开始", Filter.OPEN: "未完成", Filter.OVERDUE: "逾期",
                Filter.UNREPORTED: "未报进度"}


@dataclass(frozen=True)
class UnitRecord:
    """One unit as the store knows it; kind is "unit", "group" (各乡镇中心校, 各股室) or "leader" (张副局长)."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "unit"


@dataclass(frozen=True)
class TaskRecord:
    """One active task as the store knows it; ref is unique within the plan ("12", "1-2")."""

    id: int
    ref: str
    title: str
    objective: str = ""
    measures: str = ""
    section: str = ""
    lead_unit_ids: tuple[int, ...] = ()
    co_unit_ids: tuple[int, ...] = ()
    leader_ids: tuple[int, ...] = ()  # 牵头领导 (units of kind "leader"): asked about like a unit's tasks
    deadlines: tuple[date, ...] = ()
    status: Status | None = None  # latest reported status; None when never reported
    last_report: date | None = None
    position: int = 0
    overdue: bool | None = None  # red on the board today (None: reckoned from `deadlines`)
    plan_id: int | None = None  # the plan it belongs to (a vocabulary may span an office's open plans)


@dataclass(frozen=True)
class PlanRecord:
    """One plan of the office as the store knows it: what people call it (its title, its short name)."""

    id: int
    title: str
    short_name: str = ""
    open: bool = True  # a closed plan's name is read too: it answers about itself, its tasks are not indexed
    items: bool = False  # a standing plan of 督办 items: its tasks are written by its short name ("批示3", "会议12")


@dataclass(frozen=True)
class UnitMention:
    """A unit found in the message, with its role constraint and how sure the match is (0–100)."""

    unit_id: int
    role: Role = Role.ANY
    text: str = ""
    score: float = 100.0
    own: bool = False  # came from 本单位 / 我们 / my


@dataclass(frozen=True)
class TopicHit:
    """A task that matches the topic words, with its ranking score."""

    task_id: int
    score: float


@dataclass(frozen=True)
class Window:
    """A deadline window, both ends inclusive, with its label (本周, 10天内)."""

    start: date
    end: date
    label: str


@dataclass(frozen=True)
class Report:
    """A status report typed in words: which task, which status, percent and note."""

    ref: str | None
    task_id: int | None
    status: Status | None
    percent: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Choice:
    """One option offered when a slot is ambiguous, or a suggestion when nothing matched."""

    kind: str  # "unit" | "task"
    id: int
    label: str


@dataclass
class Understanding:
    """What a message means: the answer kind and the slots filled from the words."""

    kind: Kind
    text: str  # the normalised text
    today: date
    units: list[UnitMention] = field(default_factory=list)
    combine: Combine = Combine.ANY
    task_ids: list[int] = field(default_factory=list)  # from explicit refs, in the order typed
    refs: list[str] = field(default_factory=list)  # refs as typed, normalised ("12", "1-2")
    missing_refs: list[str] = field(default_factory=list)  # refs that are not in the plan
    topic: list[TopicHit] = field(default_factory=list)  # ranked best first
    topic_text: str = ""
    filters: list[Filter] = field(default_factory=list)
    window: Window | None = None
    count: bool = False
    focus: Focus | None = None
    report: Report | None = None
    defer_text: str = ""  # for DEFER: what follows the request words ("到10月底 设备未到"), the date first if any
    verdict: bool | None = None  # for DEFER: an admin's 批准 (True) or 驳回 (False) of a request, not a request
    wanted: Kind | None = None  # for AMBIGUOUS: the kind it would be once the choice is made
    choices: list[Choice] = field(default_factory=list)
    suggestions: list[Choice] = field(default_factory=list)
    needs_own_unit: bool = False  # asked about 本单位 but the chat is not bound to a unit
    command: str | None = None  # the slash command name, if typed as one
    plan_word: str = ""  # a plan named in the words ("安全生产第2项", "工作要点逾期的"), as written
    plan_id: int | None = None  # that plan, when the vocabulary knows its name (open or closed; else the chat looks)


@dataclass
class Selection:
    """The answer's data: tasks best first, units, the count and a short description of the filter."""

    kind: Kind
    task_ids: list[int] = field(default_factory=list)
    unit_ids: list[int] = field(default_factory=list)
    count: int = 0
    description: str = ""

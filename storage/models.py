"""The plan store's tables.

Kept in one module past the 300-line mark on purpose: it is the schema the migrations are checked against
(storage/migrations/env.py reads SQLModel.metadata from here), the tables refer to each other by name, and each
new table is appended at its end with its own migration, so one file reads as the schema's history.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


class Role(enum.StrEnum):
    """A unit's part in a task."""

    LEAD = "lead"  # 牵头
    CO = "co"  # 配合
    LEADER = "leader"  # 牵头领导 / 分管领导: hears the task's escalations; not an owner


class UnitKind(enum.StrEnum):
    """What a Unit row stands for: a responsible unit, or a leader (a person bound like a unit head)."""

    UNIT = "unit"
    LEADER = "leader"


class ReportStatus(enum.StrEnum):
    """What a status report says; NOTE is a progress note that changes no status."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    NOT_STARTED = "not_started"
    NOTE = "note"


class DeferralStatus(enum.StrEnum):
    """Where a 申请延期 stands."""

    AWAITING_DATE = "awaiting_date"  # the button was tapped; the date is still to come
    PENDING = "pending"  # waiting for an admin
    APPROVED = "approved"
    REJECTED = "rejected"


class TaskEventKind(enum.StrEnum):
    """One step of the closing loop, as TaskEvent records it."""

    SIGN = "sign"  # 签收: the lead unit has seen the item
    DECLINE = "decline"  # 退回 (不属于本单位): the lead unit returns the item to the office
    REASSIGN = "reassign"  # the office gives the item to another lead unit
    ASK_SIGN = "ask_sign"  # 签收 asked of a lead unit (a new item, or an imported task with receipt = "all")
    APPLY = "apply"  # 申请办结: the lead unit's 已完成 under review; the note is the 办结报告
    PASS = "pass"  # 通过: the review closes the item (已销号)
    RETURN = "return"  # 退回 (review): back to 推进中, with the reason


class OutboxState(enum.StrEnum):
    """Where an outbox row stands; the columns stay plain strings, so no migration is needed."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request may have reached the platform: never resent blindly
    INACTIVE = "inactive"


def _ts(nullable: bool = False, index: bool = False):
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable, index=index))


class Office(SQLModel, table=True):
    """An office that supervises plans (县教育局, 县卫健委…); it owns its plans, units and their bindings."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    parent_id: int | None = Field(default=None, foreign_key="office.id")  # a city bureau following its counties
    created_at: datetime = _ts()


class Plan(SQLModel, table=True):
    """One imported plan of one office; several may run at once."""

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    title: str
    year: int  # the year the plan is for (its period's first year)
    period_start: int | None = None  # a span such as 2016–2018; both equal `year` for an annual plan
    period_end: int | None = None
    short_name: str = ""  # the word people call it by ("安全生产"), unique among the office's open plans
    source_name: str = ""
    content_hash: str = Field(index=True)
    active: bool = True  # False once closed (`duban plan close`), never because another plan came
    imported_at: datetime = _ts()
    closed_at: datetime | None = _ts(nullable=True)
    # Migration 0013: "plan", or "items" for a standing plan of 督办 items per office, source and year; `source`
    # is the item source such a plan holds ("" for a plan document).
    kind: str = Field(default="plan", sa_column_kwargs={"server_default": "plan"})
    source: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Section(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    path: str
    position: int = 0


class Unit(SQLModel, table=True):
    """A responsible unit of one office; its name is unique within that office only."""

    __table_args__ = (UniqueConstraint("office_id", "name", name="uq_unit_office_name"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id", index=True)
    name: str
    created_at: datetime = _ts()
    # A leader (migration 0007) is a recipient like a unit, so bindings, the schedule and the outbox serve both;
    # listings, the vocabulary and ownership answers show units only.
    kind: str = Field(default=UnitKind.UNIT, sa_column_kwargs={"server_default": "unit"})


class UnitAlias(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("office_id", "alias", name="uq_unitalias_office_alias"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    alias: str


class Task(SQLModel, table=True):
    # The sweep reads the tasks awaiting review through ix_task_review_pending (migration 0017), which holds only
    # them: a plain index on a flag that is false for nearly every row would lose to a scan in the planner's eyes.
    __table_args__ = (UniqueConstraint("plan_id", "ref"),
                      Index("ix_task_review_pending", "applied_at", sqlite_where=text("review_pending = 1"),
                            postgresql_where=text("review_pending")))

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    section_id: int | None = Field(default=None, foreign_key="section.id")
    ref: str
    position: int = 0
    title: str
    objective: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    measures: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # A task dropped by a revised plan keeps its row and history; it just stops being active.
    removed: bool = Field(default=False, index=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # The task's state as its reports left it (migration 0005), kept up to date by record_report so the
    # sweep and the board never read the whole history: the newest report of any kind, the newest status
    # and percent stated, and done (the lead's word, or an admin's).
    last_report_at: datetime | None = _ts(nullable=True)
    last_status: str | None = None
    last_percent: int | None = None
    done: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The closing loop (migration 0014), kept on the task so the sweep, board and ledger read no event history:
    # a 申请办结 awaiting review (reminders pause), when the lead unit signed, asked to close and was closed
    # (销号), and how many times a review sent it back. The events themselves are TaskEvent rows.
    review_pending: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    signed_at: datetime | None = _ts(nullable=True)
    applied_at: datetime | None = _ts(nullable=True)
    closed_at: datetime | None = _ts(nullable=True)
    returns: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class TaskUnit(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("task_id", "unit_id"), Index("ix_taskunit_unit_role", "unit_id", "role"))

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    role: str  # a Role
    position: int = 0
    written_as: str = ""


class Deadline(SQLModel, table=True):
    __table_args__ = (Index("ix_deadline_active_date", "active", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    due_date: date | None = None
    text: str = ""
    label: str = ""
    source: str = "extracted"  # stated | extracted | default | manual
    kind: str = "once"  # once | recurring | ongoing
    recurrence: str | None = None  # JSON of bot.deadlines.Recurrence
    certain: bool = True
    confirmed: bool = False
    active: bool = True
    created_at: datetime = _ts()


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    is_admin: bool = False
    is_leader: bool = False
    created_at: datetime = _ts()


class ChatIdentity(SQLModel, table=True):
    """A chat address bound to a unit: a person's private chat or a group chat."""

    __table_args__ = (UniqueConstraint("platform", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    address: str  # the chat id / userid pushes go to
    user_id: str = ""  # who bound it (for a group, the member who used the code)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    is_group: bool = False
    active: bool = True
    created_at: datetime = _ts()


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    unit_id: int = Field(foreign_key="unit.id")
    created_by: str = ""
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)
    used_by: str | None = None


class AuthFailure(SQLModel, table=True):
    """A wrong invite code, counted to rate-limit guessing."""

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    user_id: str = Field(index=True)
    at: datetime = _ts()


class StatusReport(SQLModel, table=True):
    """A progress report; history is never overwritten."""

    __table_args__ = (Index("ix_report_task_at", "task_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    status: str  # a ReportStatus
    percent: int | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reporter: str = ""  # platform:user_id or "cli"
    created_at: datetime = _ts()


_AWAITING_ONLY = text(f"status = '{DeferralStatus.AWAITING_DATE}'")  # the rows ix_deferral_awaiting holds


class Deferral(SQLModel, table=True):
    """A request to move a deadline, decided by an admin."""

    # Every chat event asks whether its person has one awaiting its date (migration 0010).
    __table_args__ = (Index("ix_deferral_awaiting", "requested_by", "created_at",
                            sqlite_where=_AWAITING_ONLY, postgresql_where=_AWAITING_ONLY),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    requested_by: str = ""
    requested_date: date | None = None
    reason: str = ""
    status: str = DeferralStatus.AWAITING_DATE  # a DeferralStatus
    decided_by: str | None = None
    created_at: datetime = _ts()
    decided_at: datetime | None = _ts(nullable=True)


class Snooze(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    until: datetime = _ts()
    created_at: datetime = _ts()


class ReminderSeries(SQLModel, table=True):
    """The persisted schedule (migration 0005): one row per reminder series of a task.

    A series is (task, deadline, unit, role, kind) with kind ladder | overdue | escalation | checkin;
    `next_due` is a working day on or before its next reminder (never after), counted from the start of the
    week it was worked out in, so a week's digest sees the whole week. The sweep reads only rows due by the
    end of this week. A row of kind "stale" (no unit) marks a task whose series must be worked out again
    (after an import, a report, a deadline change, a snooze, a plan closed or reopened).
    """

    __table_args__ = (Index("ix_reminderseries_due_unit", "next_due", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # No foreign keys (migration 0008): derived rows, rewritten in bulk, from tasks and units never deleted.
    task_id: int = Field(index=True)
    deadline_id: int | None = None  # the Deadline row; None for the default year-end date and check-ins
    unit_id: int | None = None
    role: str = ""  # lead | co | supervisor
    kind: str  # ladder | overdue | escalation | checkin | stale
    next_due: date | None = None
    swept_on: date | None = None  # the last day a sweep worked this row out


class Outbox(SQLModel, table=True):
    """One reminder to one recipient; `key` makes writing it twice impossible."""

    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    recipient: str  # platform:address
    kind: str  # upcoming | due | overdue | escalation | digest | checkin
    occurrence: str  # the date this occurrence belongs to
    payload: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    state: str = OutboxState.PENDING  # an OutboxState
    attempts: int = 0
    created_at: datetime = _ts()
    next_attempt_at: datetime = _ts()
    last_attempt_at: datetime | None = _ts(nullable=True)
    sent_at: datetime | None = _ts(nullable=True)
    message_id: str | None = None
    error: str = ""
    # Delivery leases (migration 0003): the dispatcher that claimed the row and until when; a live one
    # renews it. `request_started_at` is set just before a request leaves, so only a row whose lease
    # expired after that is "delivery unknown"; a claimed, unstarted row is simply retried.
    claimed_by: str | None = None
    lease_until: datetime | None = _ts(nullable=True)
    request_started_at: datetime | None = _ts(nullable=True)
    parts_sent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # of a split message


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str = ""
    action: str
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class JobState(SQLModel, table=True):
    """Small named values the engine keeps between runs (last sweep day, the callback signing key)."""

    name: str = Field(primary_key=True)
    value: str = ""
    updated_at: datetime = _ts()


class PlanDraft(SQLModel, table=True):
    """A plan file sent in chat, parsed and waiting for an admin's 确认导入."""

    key: str = Field(primary_key=True)  # the parsed plan's short content hash, carried by the buttons
    parsed: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # plan-json
    source_name: str = ""
    created_by: str = ""
    created_at: datetime = _ts()


class ChatPlan(SQLModel, table=True):
    """The plan a chat last asked about: what a bare "第12项" means there."""

    platform: str = Field(primary_key=True)
    address: str = Field(primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    updated_at: datetime = _ts()


class Evidence(SQLModel, table=True):
    """A photo or file a unit sent as 佐证材料 for a task, kept under the data directory by content hash."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="statusreport.id")  # the report it backs
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    sha256: str
    name: str  # as sent
    mime: str = ""
    size: int = 0
    path: str  # relative to the data directory
    reporter: str = ""
    created_at: datetime = _ts()


class StoreVersion(SQLModel, table=True):
    """A change counter the store's triggers keep (migration 0009): "structure", "deadlines", "reports" (with the
    newest report id in `last`). Cached chat vocabularies compare these instead of aggregating the tables."""

    name: str = Field(primary_key=True)
    n: int = 0
    last: int | None = None


class WebRevocation(SQLModel, table=True):
    """Web board links of one holder ("leader:12", "unit:5", "admin") issued before `revoked_at` no longer open."""

    holder: str = Field(primary_key=True)
    revoked_at: datetime = _ts()


class ItemInfo(SQLModel, table=True):
    """What a 督办 item (a task of an items plan, migration 0013) has that a plan task has not."""

    task_id: int = Field(foreign_key="task.id", primary_key=True)
    source: str  # 领导批示 / 会议议定 / 上级交办 / 人大建议 / 政协提案 / 其他
    instructed_by: str = ""  # who gave the instruction (局长, 县委办)
    instruction: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # its words
    leader: str = ""  # 牵头领导 as written
    assigned_on: date | None = None  # 交办日期
    urgent: bool = False
    created_by: str = ""
    created_at: datetime = _ts()


class ItemInstruction(SQLModel, table=True):
    """A bound leader's words on an item (批示), logged; the leader hears the next report filed on it."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    leader_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    author: str = ""  # the leader's name as the store knows it
    words: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    due_date: date | None = None  # a time limit the words set
    notifies: bool = True  # False for a bare acknowledgement (阅, 同意)
    answered_at: datetime | None = _ts(nullable=True)  # when the next report on the item reached the leader
    created_at: datetime = _ts()


class ItemDraft(SQLModel, table=True):
    """An item read from chat words, waiting for its author's 确认; it expires unconfirmed."""

    key: str = Field(primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="office.id")
    payload: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # the draft as JSON
    created_by: str = ""
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    state: str = "open"  # open | created | cancelled


class TaskEvent(SQLModel, table=True):
    """One 签收, 退回, reassignment, 申请办结, 通过 or review 退回 of a task: who, when and why (migration 0014)."""

    __table_args__ = (Index("ix_taskevent_task_at", "task_id", "at"), Index("ix_taskevent_kind", "kind"))

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    kind: str  # a TaskEventKind
    unit_id: int | None = Field(default=None, foreign_key="unit.id")  # the unit it concerns (signer, applicant)
    actor: str = ""  # platform:user_id or "cli"
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # report, reason, new units
    at: datetime = _ts()


class BoardSnapshot(SQLModel, table=True):
    """An office's web board as last worked out (migration 0016): its day, the store version it was read at, and
    the board itself as JSON, so the first look of a day (or after a restart) reads one row, not every task."""

    office_key: int = Field(primary_key=True)  # the office's id, 0 for a store with no office
    day: date
    version: str = ""  # the store's change counters it was read at, as JSON
    data: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    built_at: datetime = _ts()

"""What a chat event asks for, as frozen records: slash commands, plain words and button taps all read into these.

Handlers never re-read text (bot/chat/router.py maps record types to handlers); a plan named in words travels as
`plan`. Button taps are records too, each with its Action and wire format: bot/chat/taps.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.nlu import Understanding


class View(enum.StrEnum):
    """Which answer about one task: all of it, who owns it, its progress, its deadline."""

    FULL = "full"
    WHO = "who"
    PROGRESS = "progress"
    DEADLINE = "deadline"


# --- typed words and slash commands ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """A slash command (or a command named in plain words) with its arguments, for the command table."""

    name: str
    args: tuple[str, ...] = ()
    slash: bool = True


@dataclass(frozen=True)
class ShowTasks:
    """Questions naming tasks by number ("第12项和第25项谁牵头"): each answered in `view`, in the order typed."""

    refs: tuple[str, ...]
    view: View = View.FULL
    plan: int | None = None  # the plan the words named ("安全生产第2项"; None: the chat's)


@dataclass(frozen=True)
class TaskIds:
    """Tasks a question's selection (or an ask-back tap) found, by id: each answered in `view`."""

    task_ids: tuple[int, ...]
    view: View = View.FULL


@dataclass(frozen=True)
class Report:
    """A report in words ("12 推进中 50% 说明"); `ref` or `status` None: asked for."""

    ref: str | None
    status: str | None  # a ReportStatus value
    percent: int | None = None
    note: str = ""
    plan: int | None = None  # the plan the words named ("工作要点第1项已完成"); None: the chat's own


@dataclass(frozen=True)
class Defer:
    """申请延期 in words: the task (None: pick one), the words after the request (a date, a reason)."""

    ref: str | None
    text: str = ""
    reason: str = ""
    report: object = None  # a report typed with the request (a Report, or a Say asking what it lacks), first
    plan: int | None = None  # the plan the words named; None: the chat's


@dataclass(frozen=True)
class Decide:
    """An admin's 批准/驳回 in words, of the request waiting on `ref` (None: the only one waiting)."""

    ref: str | None
    approve: bool
    plan: int | None = None  # the plan the words named; None: the chat's


@dataclass(frozen=True)
class SetDeadline:
    """An admin's new date for a task, in words or by /deadline."""

    ref: str
    when: str
    label: str = ""
    plan: int | None = None  # the plan the words named; None: the chat's


@dataclass(frozen=True)
class Nudge:
    """催办: the tasks named (chasing their lead units or `unit_ids`), or the units named (their open tasks)."""

    task_ids: tuple[int, ...]
    unit_ids: tuple[int, ...]
    missing_refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ask:
    """A plain-words question, answered by the answer for its kind (bot/chat/answers.py)."""

    u: Understanding
    plan: int | None = None  # the plan the words named (open or closed), read once with them


@dataclass(frozen=True)
class AnswerDeferral:
    """Text typed while the sender's 申请延期 waits for its date: a date, 取消, or text to ask about."""

    deferral_id: int
    text: str


@dataclass(frozen=True)
class ReplyNote:
    """A reply to a reminder: its text is the progress note on the reminder's task."""

    task_id: int
    text: str


# --- what the reading decides without a handler of its own ------------------------------------------------------
@dataclass(frozen=True)
class Say:
    """A fixed answer (onboarding, not understood, admins only…); empty text: no answer at all."""

    text: str


@dataclass(frozen=True)
class Forged:
    """Button data that is not ours or was altered: written down, and the sender told."""

    data: str


@dataclass(frozen=True)
class WhileWaiting:
    """A request typed while the sender's 申请延期 waits for its date: answered, then the request recalled."""

    request: object
    deferral_id: int


@dataclass(frozen=True)
class PlanFile:
    """An admin's plan document (the event's file): shown as a diff to confirm."""


@dataclass(frozen=True)
class Evidence:
    """A photo or file for a task (the event's file): kept as 佐证材料."""

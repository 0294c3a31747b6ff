"""What a chat event asks for, as frozen records: slash commands, plain words and button taps all read into these.

Handlers never re-read text (bot/chat/router.py maps record types to handlers); a plan named in words travels as
`plan`. `Tap` records pack into the signed `action:id:arg:sig` of bot/services/buttons.py (old buttons stay valid).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from bot.nlu import Understanding
from bot.services.buttons import Action, sign, verify


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


# --- button taps: each knows its Action, and its id and arg on the wire -------------------------------------------
@dataclass(frozen=True)
class Tap:
    """A button's record; subclasses name their Action and whether only admins may tap it."""

    action: ClassVar[Action]
    admin: ClassVar[bool] = False
    ident: int
    arg: str = ""

    def data(self, key: bytes) -> str:
        """The signed callback data of this record."""
        return sign(key, self.action, self.ident, self.arg)


_TAPS: dict[Action, type[Tap]] = {}


def _tap(action: Action, *, admin: bool = False):
    def register(cls: type[Tap]) -> type[Tap]:
        cls.action, cls.admin = action, admin
        _TAPS[action] = cls
        return dataclass(frozen=True)(cls)
    return register


@_tap(Action.STATUS)
class TapStatus(Tap):
    """已完成 / 推进中 / 有困难 on a reminder: ident the task, arg the status."""


@_tap(Action.SNOOZE)
class TapSnooze(Tap):
    """稍后提醒 on a reminder: ident the task."""


@_tap(Action.DEFER)
class TapDefer(Tap):
    """申请延期 on a reminder (or the pick-a-task list): ident the task."""


@_tap(Action.DEFER_NOTE)
class TapDeferNote(Tap):
    """记为进展说明: ident the open request whose held text becomes a note."""


@_tap(Action.DEFER_CANCEL)
class TapDeferCancel(Tap):
    """取消延期申请: ident the open request."""


@_tap(Action.CHOOSE)
class TapChoose(Tap):
    """One choice of an ask-back: ident the task or unit, arg what to answer (bot/chat/ask.py's codes)."""


@_tap(Action.DEFER_APPROVE, admin=True)
class TapApprove(Tap):
    """批准 on a request: ident the request."""


@_tap(Action.DEFER_REFUSE, admin=True)
class TapRefuse(Tap):
    """驳回 on a request: ident the request."""


@_tap(Action.IMPORT, admin=True)
class TapImport(Tap):
    """确认导入 a staged plan: ident the plan it revises (0: as the diff said), arg the draft's key."""


@_tap(Action.IMPORT_NEW, admin=True)
class TapImportNew(Tap):
    """Import a staged plan as a new plan: arg the draft's key."""


@_tap(Action.IMPORT_CANCEL, admin=True)
class TapImportCancel(Tap):
    """取消 a staged plan: arg the draft's key."""


@_tap(Action.ALIAS, admin=True)
class TapAlias(Tap):
    """A unit question of a staged plan: ident question × 10 + candidate, arg the draft's key."""


@_tap(Action.RESEND, admin=True)
class TapResend(Tap):
    """重发 a "delivery unknown" row: ident the row."""


@_tap(Action.ITEM_OK)
class TapItemOk(Tap):
    """确认 on a drafted 督办 item: arg the draft's key (only its author may tap, checked by the handler)."""


@_tap(Action.ITEM_EDIT)
class TapItemEdit(Tap):
    """修改 on a drafted item: arg the draft's key."""


@_tap(Action.ITEM_CANCEL)
class TapItemCancel(Tap):
    """取消 on a drafted item: arg the draft's key."""


@_tap(Action.REVIEW_PASS)
class TapReviewPass(Tap):
    """通过 on a review card: ident the task, arg the request's stamp (stale: fails); reviewers only (督导室 too)."""


@_tap(Action.REVIEW_RETURN)
class TapReviewReturn(Tap):
    """退回 on a review card: ident the task, arg the request's stamp."""


@_tap(Action.SIGN)
class TapSign(Tap):
    """签收 on a new item's card: ident the task."""


@_tap(Action.DECLINE)
class TapDecline(Tap):
    """不属于本单位 on a 签收 card: ident the task."""


@_tap(Action.REASSIGN)
class TapReassign(Tap):
    """A unit's button on a 退回 notice: ident the task, arg the unit's id (reviewers only, checked by the handler)."""


@_tap(Action.MATCH, admin=True)
class TapMatch(Tap):
    """A task-match question of a staged revision: ident question × 10 + choice (0: a new task), arg the key."""


@_tap(Action.MINUTES, admin=True)
class TapMinutes(Tap):
    """确认 (ident 1) or 取消 (ident 0) on the items read from uploaded minutes: arg the staged upload's key."""


def read_tap(key: bytes, data: str) -> Tap | None:
    """The record a button's signed data carries, or None when forged or of no known action."""
    parsed = verify(key, data)
    return None if parsed is None else _TAPS[parsed[0]](parsed[1], parsed[2])


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

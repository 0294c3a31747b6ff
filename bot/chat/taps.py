"""Button taps as request records: each knows its Action, and its id and arg on the wire.

They pack into the signed `action:id:arg:sig` of bot/services/buttons.py, so buttons already sent still decode.
A new button: an Action in buttons.py, and here a Tap subclass registered with `@_tap(Action.X[, admin=True])`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.services.buttons import Action, sign, verify


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

"""Button payloads that cannot be forged: `action:task:arg:signature`, signed with a stored key."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import Session

from storage import repo
from storage.models import JobState

_KEY_NAME = "callback_secret"


class Action(enum.StrEnum):
    """What a button does; the short values keep Telegram's 64-byte callback_data within bounds."""

    STATUS = "st"  # report a status (arg: the status code)
    SNOOZE = "snooze"  # remind me on the next working day
    DEFER = "defer"  # ask for a later deadline
    DEFER_NOTE = "dfn"  # the text held on an open request is a progress note after all
    DEFER_CANCEL = "dfc"  # drop the open request
    DEFER_APPROVE = "dfa"  # an admin approves a deferral (id: the deferral)
    DEFER_REFUSE = "dfr"
    IMPORT = "imp"  # an admin confirms a staged plan upload (arg: the draft's key)
    IMPORT_CANCEL = "imx"
    IMPORT_NEW = "imn"
    ALIAS = "al"  # answer a unit question of a staged plan (id: question × 10 + candidate, 0 = a new unit)  # import the staged plan as a new plan, though its title is close to another
    CHOOSE = "ch"  # one choice of an ask-back ("你是说…"); id: the task or unit, arg: what to answer
    RESEND = "rs"  # an admin re-queues a "delivery unknown" outbox row (id: the row)
    MATCH = "mt"  # answer a task-match question of a staged revision (id: question × 10 + choice, 0 = a new task)
    ITEM_OK = "ito"  # create a 督办 item drafted from chat words (arg: the draft's key)
    ITEM_EDIT = "ite"  # drop the draft to send it again changed
    ITEM_CANCEL = "itx"
    REVIEW_PASS = "rvp"  # a reviewer passes a 申请办结 (id: the task; arg: the request's time, so a stale card fails)
    REVIEW_RETURN = "rvr"  # a reviewer returns it (asks for the reason)
    SIGN = "sgn"  # a lead unit signs for a new item (签收)
    DECLINE = "dcl"  # a lead unit returns an item as 不属于本单位 (asks for the reason)
    REASSIGN = "rea"  # the office gives a returned item to another lead unit (arg: the unit id)
    MINUTES = "min"  # an admin creates (id 1) or drops (id 0) the items read from uploaded minutes (arg: the key)


def signing_key(*, session: Session, now: datetime) -> bytes:
    """The installation's signing key, made on first use and kept in the store (the first writer's, when a sweep
    and a chat, or two processes, make it at once)."""
    state = session.get(JobState, _KEY_NAME)
    if state is None:
        state = repo.job_state_once(session=session, name=_KEY_NAME, value=secrets.token_hex(32), now=now)
    return bytes.fromhex(state.value)


_keyed: tuple = (None, None, None)  # (key, SHA-256 fed its inner pad, SHA-256 fed its outer pad)


def _pads(key: bytes) -> tuple:
    """HMAC-SHA256's two keyed states (RFC 2104), worked out once per key rather than once per button: the
    sweep signs five buttons per reminder, and copying two hashlib states is half the cost of `hmac`'s copy."""
    block = 64  # SHA-256's block size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in key)), hashlib.sha256(bytes(b ^ 0x5C for b in key))


def _sig(key: bytes, body: str) -> str:
    # 10 hex chars keep Telegram's 64-byte callback_data limit comfortable; guessing one is 1 in 2^40.
    global _keyed
    keyed = _keyed  # one read: a thread swapping the triple in cannot hand this one another key's pads
    if keyed[0] != key:
        keyed = _keyed = (key, *_pads(key))
    inner = keyed[1].copy()  # the same digest as hmac.new(key, body, sha256) (tests/test_buttons.py)
    inner.update(body.encode())
    outer = keyed[2].copy()
    outer.update(inner.digest())
    return outer.hexdigest()[:10]


def sign(key: bytes, action: Action, task_id: int | str, arg: str = "") -> str:
    """The button payload for `action` on `task_id` (or another id the action names)."""
    body = f"{action}:{task_id}:{arg}"
    return f"{body}:{_sig(key, body)}"


def verify(key: bytes, data: str) -> tuple[Action, int, str] | None:
    """(action, task id, arg) when the payload is ours, intact and names a known action, else None."""
    parts = data.split(":")
    if len(parts) != 4:
        return None
    action, task, arg, sig = parts
    if not hmac.compare_digest(_sig(key, f"{action}:{task}:{arg}"), sig) or not task.isdigit():
        return None
    try:
        return Action(action), int(task), arg
    except ValueError:
        return None

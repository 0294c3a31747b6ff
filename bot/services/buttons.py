"""Button payloads that cannot be forged: `action:task:arg:signature`, signed with a stored key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlmodel import Session

from storage.models import JobState

_KEY_NAME = "callback_secret"


def signing_key(*, session: Session, now: datetime) -> bytes:
    """The installation's signing key, made on first use and kept in the store."""
    state = session.get(JobState, _KEY_NAME)
    if state is None:
        state = JobState(name=_KEY_NAME, value=secrets.token_hex(32), updated_at=now)
        session.add(state)
        session.flush()
    return bytes.fromhex(state.value)


def _sig(key: bytes, body: str) -> str:
    # 10 hex chars keep Telegram's 64-byte callback_data limit comfortable; guessing one is 1 in 2^40.
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:10]


def sign(key: bytes, action: str, task_id: int | str, arg: str = "") -> str:
    body = f"{action}:{task_id}:{arg}"
    return f"{body}:{_sig(key, body)}"


def verify(key: bytes, data: str) -> tuple[str, int, str] | None:
    """(action, task id, arg) when the payload is ours and intact, else None."""
    parts = data.split(":")
    if len(parts) != 4:
        return None
    action, task, arg, sig = parts
    if not hmac.compare_digest(_sig(key, f"{action}:{task}:{arg}"), sig) or not task.isdigit():
        return None
    return action, int(task), arg

"""Realistic Telegram update dicts (messages, replies, button taps, documents, photos) for the fake Bot API to serve
(fakes.bot_api) and for tests and benchmarks to feed; apart from the server, which only stores and hands them out."""

from __future__ import annotations

import itertools
import time
from typing import Any

_ids = itertools.count(1000)  # the update, message and callback ids of the updates made here
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "督办", "username": "duban_test_bot"}


def _user(user_id: int, name: str) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "zh-hans"}


def _chat(chat_id: int, user: dict) -> dict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
    return {"id": chat_id, "type": "supergroup", "title": "县政府办公室督办群"}


def message_dict(
    text: str | None,
    *,
    chat_id: int = 111,
    user_id: int = 111,
    name: str = "张三",
    message_id: int | None = None,
    reply_to: dict | None = None,
) -> dict:
    """Return a Message dict; a leading /command gets its bot_command entity."""
    user = _user(user_id, name)
    message: dict[str, Any] = {
        "message_id": message_id or next(_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id, user),
        "from": user,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    if reply_to is not None:
        message["reply_to_message"] = reply_to
    return message


def text_update(text: str, **kwargs: Any) -> dict:
    """Return an update carrying a text message (or a command)."""
    return {"update_id": next(_ids), "message": message_dict(text, **kwargs)}


def reply_update(text: str, replied: dict, **kwargs: Any) -> dict:
    """Return an update whose message replies to `replied` (a message dict, e.g. a bot reminder)."""
    return {"update_id": next(_ids), "message": message_dict(text, reply_to=replied, **kwargs)}


def bot_message_dict(text: str, *, chat_id: int = 111, message_id: int = 77) -> dict:
    """Return a Message dict sent by the bot, e.g. a reminder a user then replies to or taps on."""
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": _chat(chat_id, _user(chat_id, "张三")),
        "from": BOT_USER,
        "text": text,
    }


def callback_update(data: str, *, message: dict, user_id: int = 111, name: str = "张三") -> dict:
    """Return an update for a tap on an inline button of `message`."""
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": _user(user_id, name),
            "chat_instance": "-42",
            "message": message,
            "data": data,
        },
    }


def document_update(
    file_id: str, file_name: str, size: int, *, caption: str | None = None, **kwargs: Any
) -> dict:
    """Return an update carrying an uploaded document."""
    message = message_dict(None, **kwargs)
    message["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u-{file_id}",
        "file_name": file_name,
        "mime_type": "application/octet-stream",
        "file_size": size,
    }
    if caption is not None:
        message["caption"] = caption
    return {"update_id": next(_ids), "message": message}


def photo_update(file_id: str, size: int, *, caption: str | None = None, **kwargs: Any) -> dict:
    """Return an update carrying a photo (Telegram sends several sizes; the last is the largest)."""
    message = message_dict(None, **kwargs)
    message["photo"] = [
        {"file_id": f"{file_id}-small", "file_unique_id": f"us-{file_id}", "width": 90, "height": 90, "file_size": 99},
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960, "file_size": size},
    ]
    if caption is not None:
        message["caption"] = caption
    return {"update_id": next(_ids), "message": message}

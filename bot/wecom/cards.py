"""Build WeCom button_interaction template cards from OutboundMessages."""

from __future__ import annotations

import logging
import re
import uuid

from bot.notify import OutboundMessage
from bot.wecom.limits import (
    CARD_BUTTON_TEXT_MAX_CHARS,
    CARD_MAX_BUTTONS,
    CARD_SUBTITLE_MAX_CHARS,
    CARD_TITLE_MAX_CHARS,
    REPLACE_NAME_MAX_CHARS,
    shorten,
)

log = logging.getLogger(__name__)


def new_task_id() -> str:
    """Return a fresh card task_id (letters, digits, `_-@` only; at most 128 bytes)."""
    return f"duban-{uuid.uuid4().hex}"


def title_and_body(message: OutboundMessage) -> tuple[str, str]:
    """Split a message into a card title (its title, else its first line) and the rest."""
    text = message.text.strip()
    if message.title:
        return message.title.strip(), text
    first, _, rest = text.partition("\n")
    if len(first.strip()) > CARD_TITLE_MAX_CHARS:
        return first.strip(), text  # the title gets cut, so the body repeats it whole
    return first.strip(), rest.strip()


def fits_card(message: OutboundMessage) -> bool:
    """Tell whether the whole message shows on a card without being cut off."""
    title, body = title_and_body(message)
    title_shown = len(title) <= CARD_TITLE_MAX_CHARS or title in body
    return title_shown and len(body) <= CARD_SUBTITLE_MAX_CHARS


def button_card(message: OutboundMessage, task_id: str, *, with_body: bool = True) -> dict:
    """Return the `template_card` object for a message with buttons; each key is Button.data."""
    title, body = title_and_body(message)
    buttons = [button for row in message.buttons for button in row]
    if len(buttons) > CARD_MAX_BUTTONS:
        log.warning("wecom card shows %d of %d buttons", CARD_MAX_BUTTONS, len(buttons))
        buttons = buttons[:CARD_MAX_BUTTONS]
    card: dict = {
        "card_type": "button_interaction",
        "main_title": {"title": shorten(title, CARD_TITLE_MAX_CHARS)},
        "task_id": task_id,
        "button_list": [
            {"text": shorten(b.label, CARD_BUTTON_TEXT_MAX_CHARS), "style": 1, "key": b.data} for b in buttons
        ],
    }
    if with_body and body:
        card["sub_title_text"] = shorten(body, CARD_SUBTITLE_MAX_CHARS)
    return card


def status_line(message: OutboundMessage) -> str:
    """Return what a reply to a tap adds: its last non-empty line (the text above repeats the card)."""
    lines = [line.strip() for line in message.text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def replace_name(message: OutboundMessage) -> str:
    """Return the short label that replaces a tapped card's buttons (the recorded status).

    "✅ 已记录：推进中（安全办 08-11 09:30）" becomes "已记录：推进中": the leading mark goes, and a
    trailing （…） remark goes when the label would not fit otherwise.
    """
    label = _STATUS_MARKS.sub("", status_line(message))
    if len(label) > REPLACE_NAME_MAX_CHARS:
        label = _REMARK.sub("", label) or label
    return shorten(label, REPLACE_NAME_MAX_CHARS)


def label_says_all(message: OutboundMessage) -> bool:
    """Tell whether the button label carries the status line whole (bar its mark and remark)."""
    line = _STATUS_MARKS.sub("", status_line(message))
    return replace_name(message) in (line, _REMARK.sub("", line))


_STATUS_MARKS = re.compile(r"^[^\w（(【]+")  # ✅ ⏰ ⏳ and the spaces after them
_REMARK = re.compile(r"[（(][^（）()]*[）)]$")

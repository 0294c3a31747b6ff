"""Build WeCom button_interaction template cards from OutboundMessages."""

from __future__ import annotations

import logging
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
    return first.strip(), rest.strip()


def fits_card(message: OutboundMessage) -> bool:
    """Tell whether the whole message shows on a card without being cut off."""
    title, body = title_and_body(message)
    return len(title) <= CARD_TITLE_MAX_CHARS and len(body) <= CARD_SUBTITLE_MAX_CHARS


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


def replace_name(message: OutboundMessage) -> str:
    """Return the short label that replaces a tapped card's buttons (the recorded status)."""
    title, _ = title_and_body(message)
    return shorten(title, REPLACE_NAME_MAX_CHARS)

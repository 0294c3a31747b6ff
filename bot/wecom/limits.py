"""WeCom size and rate limits."""

from __future__ import annotations

# An app may send a member at most 30 messages a minute and 1000 an hour; WeCom silently drops
# the excess, so the client waits instead.
MEMBER_RULES: list[tuple[int, float]] = [(30, 60.0), (1000, 3600.0)]

TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 2048

# Template card field sizes (WeCom recommends these; longer values are cut off on screen).
CARD_TITLE_MAX_CHARS = 36
CARD_SUBTITLE_MAX_CHARS = 160
CARD_BUTTON_TEXT_MAX_CHARS = 10
CARD_MAX_BUTTONS = 6
REPLACE_NAME_MAX_CHARS = 16


def shorten(text: str, max_chars: int) -> str:
    """Cut `text` to `max_chars` characters, marking the cut with an ellipsis."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"

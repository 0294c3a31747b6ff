"""WeCom size and rate limits, and splitting text to fit them."""

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


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_utf8(text: str, max_bytes: int) -> list[str]:
    """Split `text` into parts of at most `max_bytes` UTF-8 bytes, on line boundaries where possible.

    Joining the parts with "\\n" gives back `text`, except where a single line was itself too long:
    such a line is cut between characters and its pieces follow each other directly.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must fit any UTF-8 character")
    if utf8_len(text) <= max_bytes:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    current_bytes = 0
    for line in text.split("\n"):
        line_bytes = utf8_len(line)
        # +1 for the newline that joins it to the previous line of the same part.
        needed = line_bytes + (1 if current else 0)
        if current and current_bytes + needed <= max_bytes:
            current.append(line)
            current_bytes += needed
            continue
        if current:
            parts.append("\n".join(current))
            current, current_bytes = [], 0
        if line_bytes <= max_bytes:
            current, current_bytes = [line], line_bytes
        else:
            pieces = _cut_line(line, max_bytes)
            parts.extend(pieces[:-1])
            current, current_bytes = [pieces[-1]], utf8_len(pieces[-1])
    if current:
        parts.append("\n".join(current))
    return parts


def _cut_line(line: str, max_bytes: int) -> list[str]:
    pieces: list[str] = []
    start = 0
    size = 0
    for i, ch in enumerate(line):
        ch_bytes = utf8_len(ch)
        if size + ch_bytes > max_bytes:
            pieces.append(line[start:i])
            start, size = i, 0
        size += ch_bytes
    pieces.append(line[start:])
    return pieces


def shorten(text: str, max_chars: int) -> str:
    """Cut `text` to `max_chars` characters, marking the cut with an ellipsis."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"

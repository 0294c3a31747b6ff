"""Split long text into Telegram-sized parts without losing a character."""

from __future__ import annotations

# Telegram counts message length in UTF-16 code units; 4096 is the documented maximum.
MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def utf16_len(text: str) -> int:
    """Return the length of `text` as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split `text` on line boundaries, hard-splitting over-long lines; "".join(parts) == text."""
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if utf16_len(current) + utf16_len(line) <= limit:
            current += line
            continue
        if current:
            parts.append(current)
            current = ""
        while utf16_len(line) > limit:
            head, line = _hard_cut(line, limit)
            parts.append(head)
        current = line
    if current:
        parts.append(current)
    return parts


def _hard_cut(line: str, limit: int) -> tuple[str, str]:
    """Cut the longest prefix of `line` that fits in `limit`, never inside a code point."""
    units = 0
    for i, ch in enumerate(line):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return line[:i], line[i:]
    return line, ""

"""Split long text into parts a platform accepts, on line boundaries, never inside a character.

One splitter for every channel: each passes its own limit and the way it counts length
(Telegram counts UTF-16 code units, WeCom and the group robots count UTF-8 bytes).
"""

from __future__ import annotations

from collections.abc import Callable

Measure = Callable[[str], int]


def utf16_len(text: str) -> int:
    """The length of `text` as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def utf8_len(text: str) -> int:
    """The length of `text` in UTF-8 bytes, as WeCom and the robots count it."""
    return len(text.encode("utf-8"))


def split(text: str, limit: int, *, measure: Measure = utf16_len) -> list[str]:
    """Parts of at most `limit` each, cut after a newline where possible; "".join(parts) == text."""
    if limit < 4:
        raise ValueError("limit must fit any character")
    if measure(text) <= limit:
        return [text]
    parts: list[str] = []
    current, size = "", 0
    for line in text.splitlines(keepends=True):
        n = measure(line)
        if size + n <= limit:
            current, size = current + line, size + n
            continue
        if current:
            parts.append(current)
        while n > limit:
            head, line = _hard_cut(line, limit, measure)
            parts.append(head)
            n = measure(line)
        current, size = line, n
    if current:
        parts.append(current)
    return parts


def split_lines(text: str, limit: int, *, measure: Measure = utf8_len) -> list[str]:
    """Like `split`, for platforms that trim a message's trailing newline: parts do not end in one.

    Joining the parts with "\\n" gives back `text`, except where a single line was itself too long:
    its pieces follow each other directly.
    """
    parts = split(text, limit, measure=measure)
    return [p[:-1] if p.endswith("\n") and i < len(parts) - 1 else p for i, p in enumerate(parts)]


def _hard_cut(line: str, limit: int, measure: Measure) -> tuple[str, str]:
    """The longest prefix of `line` within `limit`, and the rest."""
    size = 0
    for i, ch in enumerate(line):
        size += measure(ch)
        if size > limit:
            return line[:i], line[i:]
    return line, ""

"""Re-split text that a crawler flattened onto one line, at item numbers and labels."""

from __future__ import annotations

import re

from bot.numerals import cn_int

from .owners import LABEL_INLINE

_CN = "一二三四五六七八九十"
_TOKEN = re.compile(
    rf"(?P<cn>(?<![{_CN}第])[{_CN}]{{1,3}}、)"
    rf"|(?P<pcn>[（(][{_CN}]{{1,3}}[）)])"
    r"|(?P<ar>(?<![\d.．])\d{1,3}[.．、](?![\d%％]))"
    r"|(?P<par>[（(]\d{1,3}[）)])"
    r"|(?P<circ>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
)
_SOFT_BEFORE = ' \t。；;！!？?）)”"】:：'
_LONG = 300


def unflatten(lines: list[str]) -> list[str]:
    """Split over-long lines before item numbers and labels; short lines pass through."""
    out: list[str] = []
    for line in lines:
        out.extend(_split(line) if len(line) > _LONG else [line])
    return out


def _value(style: str, tok: str) -> int:
    digits = re.sub(r"[^\d一二三四五六七八九十①-⑳]", "", tok)
    if style in ("cn", "pcn"):
        return cn_int(digits)
    if style == "circ":
        return ord(digits) - ord("①") + 1
    return int(digits)


def _depth(text: str, pos: int) -> int:
    return sum(1 for c in text[:pos] if c in "（(") - sum(1 for c in text[:pos] if c in "）)")


def _split(line: str) -> list[str]:
    cuts: set[int] = set()
    last: dict[str, int] = {}
    last_heading = -1000
    for m in _TOKEN.finditer(line):
        style = m.lastgroup or ""
        pos = m.start()
        value = _value(style, m.group())
        before = line[pos - 1] if pos else " "
        soft = before in _SOFT_BEFORE
        expected = value == last.get(style, 0) + 1
        restart = value == 1 and (soft or (style == "ar" and pos - last_heading < 80))
        # a number in running text must either follow a sentence end or continue its sequence
        if not (restart or (expected and (soft or style in ("ar", "pcn", "par", "circ")))):
            continue
        if style in ("pcn", "par") and _depth(line, pos) > 0:
            continue
        last[style] = value
        if style in ("cn", "pcn"):
            last_heading = m.end()
        cuts.add(pos)
    for m in LABEL_INLINE.finditer(line):
        if m.start() and _depth(line, m.start()) == 0:
            cuts.add(m.start())
    bounds = sorted(cuts | {0, len(line)})
    return [p for a, b in zip(bounds, bounds[1:], strict=False) if (p := line[a:b].strip())]


def split_labels(lines: list[str]) -> list[str]:
    """Put a label that follows a sentence inside a line (…。责任单位：X) on its own line."""
    out: list[str] = []
    for line in lines:
        cuts = [
            m.start()
            for m in LABEL_INLINE.finditer(line)
            if m.start() and line[m.start() - 1] in "。；; \t" and _depth(line, m.start()) == 0
        ]
        bounds = [0, *cuts, len(line)]
        out.extend(p for a, b in zip(bounds, bounds[1:], strict=False) if (p := line[a:b].strip()))
    return out

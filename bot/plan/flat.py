"""Re-split text that a crawler flattened onto one line, at item numbers and labels."""

from __future__ import annotations

import re

from bot.numerals import cn_int

from .numbering import DATE_AHEAD
from .owners import LABEL_INLINE

_CN = "一二三四五六七八九十"
_TOKEN = re.compile(
    rf"(?P<cn>(?<![{_CN}第])[{_CN}]{{1,3}}、)"
    rf"|(?P<pcn>[（(][{_CN}]{{1,3}}[）)])"
    rf"|(?P<ar>(?<![\d.．第])\d{{1,3}}[.．、](?!{DATE_AHEAD}[\d%％]))"
    r"|(?P<par>[（(]\d{1,3}[）)])"
    r"|(?P<circ>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
)
_SOFT_BEFORE = ' \t。；;！!？?）)”"】:：'
_LONG = 300


def unflatten(lines: list[str]) -> list[str]:
    """Split over-long lines before item numbers and labels; short lines pass through."""
    out: list[str] = []
    # a document of one or two lines is a flattened page whatever its length
    whole_doc = len(lines) <= 2
    for line in lines:
        out.extend(_split(line) if len(line) > _LONG or whole_doc else [line])
    return out


def _value(style: str, tok: str) -> int:
    digits = re.sub(r"[^\d一二三四五六七八九十①-⑳]", "", tok)
    if style in ("cn", "pcn"):
        return cn_int(digits)
    if style == "circ":
        return ord(digits) - ord("①") + 1
    return int(digits)


def _depths(text: str) -> list[int]:
    """Bracket depth before each position, computed once per line (linear, not per token)."""
    out, d = [0] * (len(text) + 1), 0
    for i, c in enumerate(text):
        out[i] = d
        d += 1 if c in "（(" else -1 if c in "）)" else 0
    out[len(text)] = d
    return out


def _split(line: str) -> list[str]:
    """Cut a flattened line before every number that continues the outline.

    A number in running text ("共3、4两期", "（1）…" inside a sentence) is only an item when it
    fits the outline read so far: the next value of a level already open, or 1 of a new, deeper
    level. Levels deeper than the one continued close, so numbering that restarts per section
    (（一）… 1. 2. （二） 1. …) is followed without any per-document rule. A repeated number (a
    second "三、") or a skip is accepted only after a sentence end, or when its own first child
    follows at once ("三、保障措施（一）…"). One pass over the tokens: linear in the line length.
    """
    cuts: set[int] = set()
    depth = _depths(line)
    stack: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for m in _TOKEN.finditer(line):
        style = m.lastgroup or ""
        pos = m.start()
        if style in ("pcn", "par") and depth[pos] > 0:
            continue
        value = _value(style, m.group())
        soft = (line[pos - 1] if pos else " ") in _SOFT_BEFORE
        styles = [st for st, _ in stack]
        if style in styles:
            level = styles.index(style)
            last = stack[level][1]
            ok = value == last + 1 or (
                value in (last, last + 2) and (soft or _FIRST_CHILD.match(line, m.end()) is not None)
            )
        else:
            # a new level starts at 1; a closed one may also run on (（一）–（十六） numbered
            # straight through the 一、 二、 sections)
            level = len(stack)
            ok = value == 1 or value == seen.get(style, -1) + 1
        if not ok:
            continue
        del stack[level:]
        stack.append((style, value))
        seen[style] = value
        cuts.add(pos)
    for m in LABEL_INLINE.finditer(line):
        if m.start() and depth[m.start()] == 0:
            cuts.add(m.start())
    bounds = sorted(cuts | {0, len(line)})
    return [p for a, b in zip(bounds, bounds[1:], strict=False) if (p := line[a:b].strip())]


# the first sub-item right after a short heading: "三、保障措施（一）", "二、主要任务1."
_FIRST_CHILD = re.compile(r"[^。；;]{1,40}?(?:[（(]一[）)]|(?<![\d.．])1[.．、](?![\d%％]))")


def split_labels(lines: list[str]) -> list[str]:
    """Put a label that follows a sentence inside a line (…。责任单位：X) on its own line."""
    out: list[str] = []
    for line in lines:
        depth = _depths(line) if "(" in line or "（" in line else None
        cuts = [
            m.start()
            for m in LABEL_INLINE.finditer(line)
            if m.start() and line[m.start() - 1] in "。；; \t" and (depth is None or depth[m.start()] == 0)
        ]
        bounds = [0, *cuts, len(line)]
        out.extend(p for a, b in zip(bounds, bounds[1:], strict=False) if (p := line[a:b].strip()))
    return out

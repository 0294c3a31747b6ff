"""Cut an item whose sub-items each close with their own owner bracket into one line per sub-item.

"（一）健全责任体系。一是…。（安全稳定股负责）二是…。（人事股负责）": each bracket belongs to the text
since the previous bracket or the item's start, so the line is cut after every bracket that more text
follows, and after the item's heading sentence. One bracket closing the
whole item leaves it whole: the item is then one task, 一是/二是 and all.
"""

from __future__ import annotations

import re

from .labels import LABEL_RE, LABELS, OWNER_ROLES
from .owners import owner_list_end, parse_owner_text

_BRACKET = re.compile(r"[（(]([^（）()]{2,80})[）)]\s*[。；;]?")
_ROLE = re.compile(r"负责|牵头|配合|参与|协助|责任(?:单位|部门|股室|科室|处室)")
# the item's own heading sentence: "1.推进紧密型县域医共体建设。", "（一）健全责任体系。"
_HEADING = re.compile(r"^(?:\s*[（(][^（）()]{1,4}[）)]|\s*[^\s。（(]{1,4}[、.．])?[^。；;（）()]{2,40}?。")


def _owner_brackets(line: str) -> list[re.Match]:
    found = []
    for m in _BRACKET.finditer(line):
        inner = m.group(1)
        if _ROLE.search(inner) and not re.search(r"[。“”《》]", inner) and not parse_owner_text(inner).empty():
            found.append(m)
    return found


def split_sub_items(lines: list[str]) -> list[str]:
    """Return the lines with multi-bracket items cut into their bracketed sub-items."""
    out: list[str] = []
    for line in lines:
        marks = _owner_brackets(line) if line.count("（") + line.count("(") >= 2 else []
        if len(marks) < 2:
            out.append(line)
            continue
        cuts = {m.end() for m in marks if line[m.end():].strip()}
        head = _HEADING.match(line)
        if head and head.end() < marks[0].start():
            cuts.add(head.end())
        bounds = [0, *sorted(cuts), len(line)]
        out.extend(p for a, b in zip(bounds, bounds[1:], strict=False) if (p := line[a:b].strip()))
    return out


def split_owner_tails(lines: list[str]) -> list[str]:
    """Cut each owner-label line after its unit list; what follows becomes a line of its own."""
    out: list[str] = []
    for line in lines:
        m = LABEL_RE.match(line)
        if not m or LABELS[m.group("label")] not in OWNER_ROLES:
            out.append(line)
            continue
        start = m.start("value")
        end = start + owner_list_end(line[start:])
        head, rest = line[:end].rstrip(), line[end:].strip(" 。.，,；;")
        out.append(head)
        if rest:
            out.append(rest)
    return out

"""Never a dead end: when no task with owners is found, offer every item that names a unit.

Each numbered item without sub-items (or table row) whose text names something shaped like a unit is a
candidate: the names are guessed as owners (the first leads), marked for checking with the reason, so
the clerk corrects the review sheet instead of typing the plan from scratch.
"""

from __future__ import annotations

import re

from .confidence import SURE
from .model import ParsedPlan, ParsedTask
from .structure import Node
from .textplan import split_title

GUESSED = "未找到责任单位，按文中提到的单位猜测：{names}"
# a unit by the shape of its name: an area prefix or a group word, then an office ending
_NAME = re.compile(
    r"(?:各|县直|市直|区直)?(?:[\u4e00-\u9fff]{0,3}?(?:县|市|区|镇|乡|街道))?[\u4e00-\u9fff]{1,8}?"
    r"(?:局|办公室|办|委员会|委|中心|股|科|处|政府|部|站|所|院|队)(?![\u4e00-\u9fff]{0,1}[长员])"
)
_START = re.compile(r"(?:县|市|区|各|镇|乡)")


def guessed_units(text: str) -> list[str]:
    """Names in running text that look like units: "会同县财政局…" gives 县财政局."""
    out: list[str] = []
    for m in _START.finditer(text):
        n = _NAME.match(text, m.start())
        if n and len(n.group()) >= 3 and n.group() not in out and not any(n.group() in o for o in out):
            out.append(n.group())
    return out


def needs_review(plan: ParsedPlan) -> bool:
    """No task with owners, or most tasks unsure: the clerk must check the sheet before an import."""
    if not any(t.lead or t.co for t in plan.tasks):
        return True
    unsure = sum(t.confidence < SURE for t in plan.tasks)
    return unsure * 2 > len(plan.tasks)


def candidates(root: Node, table_rows: list[list[list[str]]]) -> list[ParsedTask]:
    """Every leaf item, table row, and sentence outside the numbered items that names a unit, with its guessed
    owners marked for checking."""
    out: list[ParsedTask] = []
    for node in root.descendants():
        if node.children:
            continue
        text = "\n".join([node.text, *node.body])
        out += _candidate(node.ref, " / ".join(_path(node)), text)
    for rows in table_rows:
        for k, row in enumerate(rows[1:], 1):
            out += _candidate(str(k), "表格", " ".join(c for c in row if c))
    n = max((int(t.ref) for t in out if t.ref.isdigit()), default=0)
    for sentence in _sentences(root.body):  # prose outside the numbered items: each sentence, numbered on
        got = _candidate(str(n + 1), "正文", sentence)
        n += len(got)
        out += got
    return out


_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])")


def _sentences(lines: list[str]) -> list[str]:
    """The sentences of lines that stand outside any numbered item, each long enough to say some work."""
    out: list[str] = []
    for line in lines:
        out += [s.strip() for s in _SENTENCE_END.split(line.strip()) if len(s.strip()) >= 8]
    return out


def _path(node: Node) -> list[str]:
    return node.path()


def _candidate(ref: str, section: str, text: str) -> list[ParsedTask]:
    names = guessed_units(text)
    if not names:
        return []
    title, rest = split_title(text.split("\n")[0])
    task = ParsedTask(ref=ref, section=section, title=title, measures=rest, lead=names[:1], co=names[1:])
    task.doubts.append(GUESSED.format(names="、".join(names)))
    task.confidence = 0.3
    task.warnings.append(f"第{ref}项：责任单位为猜测，请在核对表中改正")
    return [task]

"""Build the numbered-item tree of a plan and pick out which items are tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .headings import lead_in, unit_heading
from .numbering import parse_number
from .owners import (
    LABEL_RE,
    LABELS,
    OWNER_ROLES,
    Owners,
    bare_owner_line,
    owner_bracket,
    parse_owner_text,
    running_owners,
)

# a closing note that sets the deadline of the items above it: "以上任务均需于2023年11月底前完成"
_SUMMARY = re.compile(
    r"^(以上|上述|前述)(各项|所有|全部)?(重点)?(任务|工作|事项)[^。]{0,30}?"
    r"(\d{1,2}\s*月|年底|年内|\d{4}\s*年)[^。]{0,12}?(完成|办结|落实)"
)
# the same note before the first item covers the whole plan: "各项任务须于2023年底前完成"
_GLOBAL = re.compile(
    r"^[^。]{0,12}(各项|所有|全部|上述|以下)(重点)?(任务|工作)[^。]{0,20}?"
    r"(\d{1,2}\s*月|年底|年内|\d{4}\s*年)[^。]{0,12}?(完成|办结)"
)

# a numbered part of one item, not an item: "1．行动目标。到2018年…" "2．主要任务鼓励…". Only under an
# open item, only for a level not yet open, and only with text after the word: a bare
# "（三）重点任务" heading with items below it stays a heading.
_PART = re.compile(
    r"^(?:行动目标|工作目标|目标任务|任务目标|预期目标|主要目标|主要任务|重点任务|工作任务|"
    r"工作措施|主要措施|具体措施|工作举措|推进措施|主要内容|具体内容|工作要求)\s*[。：:，,]?\s*(?=\S)"
)

# a section about the plan itself, laid out like an event ("三、组织机构 主办单位：… 承办单位：…"):
# its fields describe the whole campaign, so it is never a task
_PLAN_LEVEL = re.compile(
    r"^(组织机构|组织领导|组织架构|领导小组|工作机构|活动主题|活动时间|活动地点|活动范围|参加人员|参加对象|"
    r"参与对象|工作目标|总体要求|指导思想|基本原则)\s*[：:]?(?:\s|$)"
)

# items written inline in a paragraph (一是…二是…) never open a level of their own
_INLINE_STYLES = ("shi",)


@dataclass
class Node:
    """One numbered item (or the document root) with the lines up to the next item."""

    style: str | None
    ref: str = ""
    value: int = 0
    text: str = ""
    line: str = ""
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    labeled: bool = False  # has 目标任务/工作措施 blocks
    owners: Owners | None = None
    owner_by_label: bool = False
    used: set[int] = field(default_factory=set)  # body lines consumed as owner lines
    line_owners: dict[int, Owners] = field(default_factory=dict)  # body line -> owners it states
    pos: int = 0  # line index in the document
    head: Owners | None = None  # the heading itself names the unit: "（一）县教育局"
    head_rest: str = ""  # the heading's text after that unit ("2.县财政局：统筹…" -> "统筹…")
    line_text: str = ""  # the heading's text as written, before owner brackets are taken out
    notes: list[tuple[int, str]] = field(default_factory=list)  # root only: deadline notes

    def path(self) -> list[str]:
        out, node = [], self.parent
        while node is not None and node.style is not None:
            out.append(node.line)
            node = node.parent
        return out[::-1]

    def descendants(self):
        for c in self.children:
            yield c
            yield from c.descendants()


def build_tree(lines: list[str]) -> Node:
    """Nest numbered lines by style: a style seen before closes back to its level."""
    root = Node(style=None)
    stack = [root]
    for pos, line in enumerate(lines):
        stripped = line.strip()
        note = _SUMMARY.match(stripped) or (len(stack) == 1 and _GLOBAL.match(stripped))
        if note:
            root.notes.append((pos if len(stack) > 1 else -1, note.group(0)))
            continue
        num = parse_number(line)
        cur = stack[-1]
        styles = [n.style for n in stack]
        if num and cur is not root and num.style not in styles and _PART.match(num.rest):
            cur.labeled = True
            cur.body.append(line.strip())
            continue
        if num and num.style not in _INLINE_STYLES and not (cur.labeled and num.style not in styles):
            if num.style in styles:
                del stack[styles.index(num.style) :]
            node = Node(num.style, num.ref, num.value, num.rest, line.strip(), parent=stack[-1], pos=pos)
            node.line_text = num.rest
            stack[-1].children.append(node)
            stack.append(node)
            continue
        m = LABEL_RE.match(line)
        if m and LABELS[m.group("label")] in ("objective", "measures") and cur is not root:
            cur.labeled = True  # a 工作目标： paragraph before the first item does not swallow the items
        cur.body.append(line.strip())
    return root


def read_owners(node: Node, known: frozenset[str] = frozenset()) -> None:
    """Collect the owners an item states in its own line and body (not its children's)."""
    found: Owners | None = None
    node.line_owners = {}
    if _PLAN_LEVEL.match(node.text):
        return
    owners, rest = owner_bracket(node.text, known=known)
    if not owners:
        owners, rest = running_owners(node.text)
    if owners:
        found, node.text = owners, rest
    for i, line in enumerate(node.body):
        m = LABEL_RE.match(line)
        if m and (LABELS[m.group("label")] in OWNER_ROLES or LABELS[m.group("label")] == "leaders"):
            role = LABELS[m.group("label")]
            value = m.group("value")
            nxt = i + 1 < len(node.body) and node.body[i + 1]
            if not value.strip() and nxt and role in OWNER_ROLES and bare_owner_line(nxt):
                value = nxt
                node.used.add(i + 1)
            o = parse_owner_text(value, role)
            node.used.add(i)
            node.line_owners[i] = o
            if role in OWNER_ROLES:
                node.owner_by_label = True
                found = found or Owners()
                found.merge(o)
            else:
                found = found or Owners()
                found.leaders += o.leaders
            continue
        # a body bracket names owners only when it closes the paragraph, not mid-sentence
        owners, rest = owner_bracket(line, tail_only=True, known=known)
        if not owners:
            owners, rest = running_owners(line)
        if owners:
            node.line_owners[i] = owners
            if rest.strip(" 。.；;"):
                node.body[i] = rest
            else:
                node.owner_by_label = True  # a line of its own, like a label line
                node.used.add(i)
            found = found or Owners()
            found.merge(owners)
    node.owners = found


def _has_owner(node: Node) -> bool:
    return bool(node.owner_by_label or (node.owners and not node.owners.empty()))


def _owned_below(node: Node, memo: dict[int, bool] | None = None) -> bool:
    """Tell whether any item below `node` has owners; with `memo`, each node is computed once,
    so a pass over the whole tree stays linear (10 000 items in well under a second)."""
    if memo is None:
        return any(_has_owner(d) for d in node.descendants())
    key = id(node)
    if key not in memo:
        memo[key] = any(_has_owner(c) or _owned_below(c, memo) for c in node.children)
    return memo[key]


def _headed_below(node: Node, memo: dict[int, bool]) -> bool:
    """Tell whether a unit heading stands anywhere below `node` (computed once per node)."""
    key = id(node)
    if key not in memo:
        memo[key] = any(c.head is not None or _headed_below(c, memo) for c in node.children)
    return memo[key]


def lift_trailing_owners(root: Node) -> None:
    """Give a parent the owner line that follows its last sub-item, when only that one has it.

    "1.… （1）… （2）… 责任单位：A" lands the label in （2）'s body by position, but it
    belongs to 1. Styles that carry owners on several items are real task levels: never lifted.
    """
    counts: dict[str, int] = {}
    for n in root.descendants():
        if _has_owner(n):
            counts[n.style] = counts.get(n.style, 0) + 1
    for n in list(root.descendants()):
        kids = n.children
        if len(kids) < 2 or _has_owner(n):
            continue
        last = kids[-1]
        # items ending in "；" are one sentence's parts (1．清理；2．建立。（A负责）), not tasks;
        # flattened text glues that closing bracket onto the last part, so it moves up too
        listed = all(k.line.rstrip().endswith(("；", ";")) for k in kids[:-1])
        inline = listed and not last.owner_by_label and _has_owner(last) and not last.children
        if not (last.owner_by_label or inline) or any(_has_owner(k) or _owned_below(k) for k in kids[:-1]):
            continue
        if inline:
            n.owners, n.owner_by_label, last.owners = last.owners, True, None
            continue
        if counts.get(last.style, 0) > 1 and not n.labeled and not listed:
            continue
        n.owners, n.owner_by_label, last.owners, last.owner_by_label = last.owners, True, None, False
        moved = [ln for i, ln in enumerate(last.body) if i in last.used]
        last.body = [ln for i, ln in enumerate(last.body) if i not in last.used]
        last.used = set()
        n.body.extend(moved)
        read_owners(n)


def known_units(root: Node) -> frozenset[str]:
    """Return every unit named by a label or role word anywhere in the tree."""
    names: set[str] = set()
    for n in [root, *root.descendants()]:
        if n.owners:
            names.update(n.owners.lead + n.owners.co + n.owners.resp)
    return frozenset(names)


def select_tasks(root: Node) -> tuple[list[tuple[Node, Owners | None]], list[str]]:
    """Return (task node, inherited owners) pairs in document order, plus placement warnings."""
    tasks: list[tuple[Node, Owners | None]] = []
    warnings: list[str] = []
    memo: dict[int, bool] = {}
    head_memo: dict[int, bool] = {}
    for n in root.descendants():
        # read once, on the final tree: "（一）县教育局", "2.县财政局：统筹…"
        if not _PLAN_LEVEL.match(n.line_text):
            n.head, n.head_rest = unit_heading(n.line_text)

    def leaf_task(n: Node) -> bool:
        return _has_owner(n) and not _owned_below(n, memo)

    def visit(parent: Node, inherit: Owners | None) -> None:
        # styles of this parent's children that are owned leaf tasks, computed once per parent
        task_styles = {s.style for s in parent.children if leaf_task(s)}
        for c in parent.children:
            if leaf_task(c):
                tasks.append((c, None))
            elif not _has_owner(c) and not _owned_below(c, memo):
                if c.head is None and c.children:
                    c.head = lead_in(c.text) or (lead_in(c.body[0]) if c.body else None)
                if c.head is not None:
                    # a unit heading: its items are its duties, or it is one duty itself
                    if c.children:
                        visit(c, c.head)
                    elif c.head_rest or c.body:
                        c.text = c.head_rest  # the duty, not the unit, is the task's title
                        tasks.append((c, c.head))
                elif inherit is not None or c.labeled or c.style in task_styles:
                    tasks.append((c, inherit))
                elif _headed_below(c, head_memo):
                    visit(c, None)
            else:
                visit(c, c.owners if _has_owner(c) else (c.head or inherit))
        return None

    visit(root, None)
    if _has_owner(root):
        stray = [ln for i, ln in enumerate(root.body) if i in root.used] or root.body[:1]
        warnings.append(f"有一处责任单位不在任何编号事项内，无法归属：{stray[0][:40]}")
    return tasks, warnings

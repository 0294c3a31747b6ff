"""Turn the item tree of a text plan into ParsedTask records."""

from __future__ import annotations

import re

from .model import ParsedTask
from .owners import LABEL_RE, LABELS, Owners
from .structure import Node, build_tree, known_units, lift_trailing_owners, read_owners, select_tasks


def split_title(text: str) -> tuple[str, str]:
    """Split an item line into its short title and the running text after it."""
    text = text.strip()
    m = re.match(r"^(.{2,60}?)[。！]", text)
    if m:
        return m.group(1).strip(), text[m.end() :].strip()
    if len(text) > 60:
        m = re.match(r"^(.{2,40}?)[：:；;]", text)
        if m:
            return m.group(1).strip(), text[m.end() :].strip()
    return text.rstrip("；;。 "), ""


def _node_task(node: Node, inherit: Owners | None) -> tuple[ParsedTask, Owners | None]:
    title, rest = split_title(node.text)
    body = [ln for i, ln in enumerate(node.body) if i not in node.used]
    if not title and body:
        title, more = split_title(body.pop(0))
        rest = more
    parts: dict[str, list[str]] = {"objective": [], "measures": [rest] if rest else []}
    current, stated = "measures", ""
    for line in body:
        m = LABEL_RE.match(line)
        if m:
            role = LABELS[m.group("label")]
            if role in ("objective", "measures"):
                current = role
                if m.group("value").strip():
                    parts[role].append(m.group("value").strip())
                continue
            if role == "deadline":
                stated = m.group("value").strip()
                continue
        parts[current].append(line)
    for d in node.descendants():
        parts[current].append(d.line)
        parts[current].extend(ln for i, ln in enumerate(d.body) if i not in d.used)
    task = ParsedTask(
        ref=node.ref,
        section=" / ".join(node.path()),
        title=title,
        objective="\n".join(parts["objective"]),
        measures="\n".join(parts["measures"]),
        stated_deadline=stated,
    )
    owners = node.owners if node.owners and not node.owners.empty() else inherit
    if node.owners and node.owners.leaders:
        task.leaders = list(node.owners.leaders)
    return task, owners


def _numbering_warnings(pairs: list[tuple[Node, ParsedTask]]) -> None:
    by_parent: dict[int, list[tuple[Node, ParsedTask]]] = {}
    for node, task in pairs:
        by_parent.setdefault(id(node.parent), []).append((node, task))
    for group in by_parent.values():
        seen: set[str] = set()
        prev = None
        for node, task in group:
            if node.value == 1 and prev is not None and prev.value > 1:
                seen = set()  # numbering restarts: a new list, not duplicates
            if node.ref in seen:
                task.warnings.append(f"第{task.ref}项：同一部分内编号 {task.ref} 重复")
            elif prev is not None and prev.style == node.style and node.value not in (prev.value + 1, 1):
                task.warnings.append(f"第{task.ref}项：编号从 {prev.ref} 跳到 {node.ref}")
            seen.add(node.ref)
            prev = node


def _apply_notes(pairs: list[tuple[Node, ParsedTask]], notes: list[tuple[int, str]]) -> None:
    """Give tasks without a stated deadline the one a closing or opening note states.

    "以上任务…" covers the tasks since the previous such note; a note before the first item
    (position -1) covers every task. A task's own 完成时限 always wins.
    """
    done = -1
    for pos, text in sorted(notes):
        for node, task in pairs:
            if (pos < 0 or done < node.pos < pos) and not task.stated_deadline:
                task.stated_deadline = text
        done = max(done, pos)


def _sub_blocks(node: Node) -> list[tuple[list[str], Owners]]:
    """Split an item's body into unnumbered sub-blocks that each end with their own owners.

    "（七）益民服务 …牵头单位：A “互联网+”医疗卫生：…牵头单位：B": text, then an owner line,
    then more text, then another owner line — each stretch is a task of its own. The first
    stretch opens with the item's own heading. Returns [] when there are fewer than two.
    """
    if node.children or len(node.line_owners) < 2:
        return []
    blocks: list[tuple[list[str], Owners]] = []
    # a heading sentence of its own ("推进医共体建设。") names the item, not its first sub-item
    own_heading = node.text.endswith("。") and len(node.text) <= 41 and node.body
    text: list[str] = [node.text] if node.text and not own_heading else []
    owners: Owners | None = None
    for i, line in enumerate(node.body):
        o = node.line_owners.get(i)
        is_text = i not in node.used
        if is_text and owners is not None:  # text after an owner line: the next sub-block
            blocks.append((text, owners))
            text, owners = [], None
        if is_text:
            text.append(line)
        if o is not None:
            if owners is None:
                owners = Owners()
            owners.merge(o)
    if owners is not None:
        blocks.append((text, owners))
    elif blocks and text:
        blocks[-1][0].extend(text)  # trailing text without owners stays with the last block
    if len(blocks) < 2 or any(not t for t, _ in blocks):
        return []
    return blocks


def _sub_tasks(node: Node, blocks: list[tuple[list[str], Owners]]) -> list[tuple[ParsedTask, Owners]]:
    out = []
    section = " / ".join([*node.path(), node.line])
    for k, (text, owners) in enumerate(blocks, 1):
        title, rest = split_title(text[0])
        body = "\n".join([rest, *text[1:]]).strip()
        out.append((ParsedTask(ref=f"{node.ref}-{k}", section=section, title=title, measures=body), owners))
    return out


def text_tasks(lines: list[str], trees: list[Node] | None = None) -> tuple[list[ParsedTask], list[str]]:
    """Parse text lines into tasks with lead/co resolved; return (tasks, plan warnings).

    `trees`, when given, receives the item tree, so a caller looking for candidates reads it once."""
    # two passes: a bare bracket （办公室、人事科） may name units known only from other items
    known: frozenset[str] = frozenset()
    for _ in range(2):
        root = build_tree(lines)
        for node in [root, *root.descendants()]:
            read_owners(node, known)
        known = known_units(root)
    if trees is not None:
        trees.append(root)
    lift_trailing_owners(root)
    chosen, warnings = select_tasks(root)
    rule = "first"  # most plans list the leading unit first; a note may say otherwise
    standing: list[str] = []  # "以下均需X配合，不再列出": co units every later task gets
    pairs = []
    expanded: list[tuple[Node, ParsedTask, Owners | None]] = []
    for node, inherit in chosen:
        blocks = _sub_blocks(node)
        if blocks:
            expanded += [(node, t, o) for t, o in _sub_tasks(node, blocks)]
        else:
            expanded.append((node, *_node_task(node, inherit)))
    for node, task, owners in expanded:
        if owners is not None:
            this_rule = owners.rule or rule
            if owners.rule and owners.sticky:
                rule = owners.rule
            task.lead, task.co = owners.resolve(this_rule)
            if owners.basis:
                task.doubts.append(owners.basis)
            standing += [u for u in owners.standing if u not in standing]
            if owners.deadlines:
                task.stated_deadline = "；".join([*filter(None, [task.stated_deadline]), *owners.deadlines])
        if task.lead or task.co:
            task.co += [u for u in standing if u not in task.lead and u not in task.co]
        pairs.append((node, task))
    _inherit_leaders(pairs)
    _apply_notes(pairs, root.notes)
    _numbering_warnings(pairs)
    return [t for _, t in pairs], warnings


def _inherit_leaders(pairs: list[tuple[Node, ParsedTask]]) -> None:
    """A task without its own 牵头领导 takes the nearest enclosing item's or section's (or the plan's, stated
    before the first item): "一、校园安全（分管领导：张副局长）" covers every task under it."""
    for node, task in pairs:
        if task.leaders:
            continue
        up = node
        while up is not None:
            if up.owners and up.owners.leaders:
                task.leaders = list(dict.fromkeys(up.owners.leaders))
                break
            up = up.parent

"""Run the whole import: blocks -> cleaned lines and tables -> tasks, units, title, year."""

from __future__ import annotations

from .candidates import candidates, needs_review
from .confidence import FLAT_TABLE, assess, doubt
from .dates import attach_deadlines
from .flat import split_labels, unflatten
from .flat_table import flat_tables
from .model import ParsedPlan, ParsedTask
from .noise import clean
from .subitems import split_owner_tails, split_sub_items
from .tables import find_text_tables, parse_table
from .textplan import text_tasks
from .units import build_units
from .year import find_issued, find_title, find_year


def parse_blocks(blocks: list, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Parse reader blocks (text lines and tables) into a ParsedPlan."""
    raw_lines = [b for b in blocks if isinstance(b, str)]
    # a table flattened onto one line of a crawled page is taken out before the line is re-split
    flat = flat_tables(clean(raw_lines))
    lines = split_sub_items(split_owner_tails(split_labels(unflatten([x for x in flat if isinstance(x, str)]))))
    tables = [b for b in blocks if isinstance(b, list)] + [x for x in flat if isinstance(x, list)]
    segments = find_text_tables(lines)
    lines = [s for s in segments if isinstance(s, str)]
    tables += [s for s in segments if isinstance(s, list)]

    table_tasks: list[ParsedTask] = []
    head_lines: list[str] = []
    flat_ids = {id(x) for x in flat if isinstance(x, list)}
    for rows in tables:
        got = parse_table(rows)
        if got:
            for t in got[0] if id(rows) in flat_ids else []:
                doubt(t, FLAT_TABLE)
            table_tasks += got[0]
            head_lines += got[1]
    trees: list = []
    tasks, warnings = text_tasks(lines, trees)
    if not any(t.lead or t.co for t in tasks + table_tasks):
        # never a dead end: offer every item or row that names a unit, guessed and marked for checking
        tasks, table_tasks = candidates(trees[0], tables), []
    if table_tasks:
        # a table plan's paragraphs are preamble; keep text items only when they name owners
        tasks = [t for t in tasks if t.lead or t.co] + table_tasks
    title = find_title(lines + head_lines if lines else head_lines)
    year_warnings: list[str] = []
    year = find_year(title, lines + head_lines, year_warnings)
    warnings += year_warnings
    issued = find_issued(lines + head_lines)

    for t in tasks:
        if not t.lead and not t.co:
            t.warnings.append(f"第{t.ref}项：未列出责任单位")
        elif not t.lead:
            t.warnings.append(f"第{t.ref}项：只列出配合单位，未列出牵头单位")
    warnings += attach_deadlines(tasks, year, issued=issued)
    names = [u for t in tasks for u in t.lead + t.co]
    units, _canon, merges = build_units(names, aliases)
    warnings += merges
    warnings += [w for t in tasks for w in t.warnings]
    warnings += _repeated_refs(tasks)
    if not tasks:
        warnings.append("未找到任务：文中既没有列出责任单位的编号事项，也没有任务表")
    plan = ParsedPlan(title=title, year=year, tasks=tasks, units=units, warnings=warnings)
    assess(plan)
    plan.needs_review = needs_review(plan)
    return plan


def _repeated_refs(tasks: list[ParsedTask]) -> list[str]:
    """Warn once when numbers repeat, e.g. numbering restarts at 1 in each section.

    `ref` stays the number as printed (the contract); the importer keeps repeats apart by
    document order (1, 1-2, 1-3), so the reader is told how they will be stored.
    """
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.ref] = counts.get(t.ref, 0) + 1
    repeated = [r for r, n in counts.items() if n > 1]
    if not repeated:
        return []
    shown = "、".join(repeated[:5]) + ("…" if len(repeated) > 5 else "")
    return [
        f"编号重复（{shown}）：各部分分别从头编号；编号按原文保留，重复的编号按文中顺序存为"
        f" {repeated[0]}-2、{repeated[0]}-3…"
    ]

"""Run the whole import: blocks -> cleaned lines and tables -> tasks, units, title, year."""

from __future__ import annotations

from .dates import attach_deadlines
from .flat import split_labels, unflatten
from .model import ParsedPlan, ParsedTask
from .noise import clean
from .tables import find_text_tables, parse_table
from .textplan import text_tasks
from .units import build_units
from .year import find_title, find_year


def parse_blocks(blocks: list, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Parse reader blocks (text lines and tables) into a ParsedPlan."""
    raw_lines = [b for b in blocks if isinstance(b, str)]
    lines = split_labels(unflatten(clean(raw_lines)))
    tables = [b for b in blocks if isinstance(b, list)]
    segments = find_text_tables(lines)
    lines = [s for s in segments if isinstance(s, str)]
    tables += [s for s in segments if isinstance(s, list)]

    table_tasks: list[ParsedTask] = []
    head_lines: list[str] = []
    for rows in tables:
        got = parse_table(rows)
        if got:
            table_tasks += got[0]
            head_lines += got[1]
    tasks, warnings = text_tasks(lines)
    if table_tasks:
        # a table plan's paragraphs are preamble; keep text items only when they name owners
        tasks = [t for t in tasks if t.lead or t.co] + table_tasks
    title = find_title(lines + head_lines if lines else head_lines)
    year = find_year(title, lines + head_lines)

    for t in tasks:
        if not t.lead and not t.co:
            t.warnings.append(f"task {t.ref}: no responsible unit listed")
        elif not t.lead:
            t.warnings.append(f"task {t.ref}: no lead unit listed (only co-operating units)")
    warnings += attach_deadlines(tasks, year)
    names = [u for t in tasks for u in t.lead + t.co]
    units, _canon, merges = build_units(names, aliases)
    warnings += merges
    warnings += [w for t in tasks for w in t.warnings]
    if not tasks:
        warnings.append("no tasks found: no numbered items with responsible units or task table")
    return ParsedPlan(title=title, year=year, tasks=tasks, units=units, warnings=warnings)

"""Attach deadlines to tasks through bot.deadlines, when that module is available."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.deadlines import extract_deadlines, parse_deadline

from .model import ParsedTask


def _as_dict(d: Any, source: str) -> dict[str, Any]:
    try:
        out = dict(d.to_dict())
    except Exception:  # fall back to the documented attributes
        out = {"date": getattr(d, "date", None), "text": getattr(d, "text", "")}
    date = out.get("date")
    if isinstance(date, dt.date):
        out["date"] = date.isoformat()
    out.setdefault("text", getattr(d, "text", ""))
    out["source"] = source
    return out


def _extract(text: str, year: int | None) -> list[Any]:
    if not text.strip() or year is None:
        return []
    return list(extract_deadlines(text, year=year))


def _stated(text: str, year: int | None) -> list[Any]:
    """A 完成时限 cell or label is a deadline by position: read it whole ("2024年10月", "全年"), then as text."""
    if year is None or not text.strip():
        return []
    whole = parse_deadline(text.strip(), year=year)
    return [whole] if whole is not None else _extract(text, year)


def attach_deadlines(tasks: list[ParsedTask], year: int | None) -> list[str]:
    """Fill each task's deadlines (stated first, then extracted); return plan warnings."""
    warnings: list[str] = []
    for task in tasks:
        found: list[dict[str, Any]] = []
        try:
            if task.stated_deadline:
                stated = [_as_dict(d, "stated") for d in _stated(task.stated_deadline, year)]
                found += stated or [{"date": None, "text": task.stated_deadline, "source": "stated"}]
            body = "\n".join(p for p in (task.objective, task.measures) if p)
            found += [_as_dict(d, "extracted") for d in _extract(body, year)]
        except Exception as exc:  # a deadline bug must not lose the whole plan
            warnings.append(f"task {task.ref}: deadline extraction failed ({type(exc).__name__})")
        task.deadlines = found
    return warnings

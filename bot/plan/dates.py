"""Attach deadlines to tasks through bot.deadlines, when that module is available."""

from __future__ import annotations

import datetime as dt
import re
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


def _extract(text: str, year: int | None, issued: dt.date | None = None) -> list[Any]:
    if not text.strip() or year is None:
        return []
    return list(extract_deadlines(text, year=year, issued=issued))


def _stated(text: str, year: int | None, issued: dt.date | None = None) -> list[Any]:
    """A 完成时限 cell or label is a deadline by position: read it whole ("2024年10月", "全年"), then as text."""
    if year is None or not text.strip():
        return []
    out: list[Any] = []
    for piece in re.split(r"[；;]", text):  # several stated limits: "2017年12月底前完成；2018年6月底前完成"
        if not piece.strip():
            continue
        whole = parse_deadline(piece.strip(), year=year, issued=issued)
        out += [whole] if whole is not None else _extract(piece, year, issued)
    return out


def attach_deadlines(tasks: list[ParsedTask], year: int | None, *, issued: dt.date | None = None) -> list[str]:
    """Fill each task's deadlines (stated first, then extracted); return plan warnings.

    A stated limit that reads as no date is kept with date None and a warning on the task: a
    phrase read as nothing is never silently dropped.
    """
    warnings: list[str] = []
    for task in tasks:
        found: list[dict[str, Any]] = []
        try:
            if task.stated_deadline:
                stated = [_as_dict(d, "stated") for d in _stated(task.stated_deadline, year, issued)]
                found += stated or [{"date": None, "text": task.stated_deadline, "source": "stated"}]
                if not stated or any(d.get("date") is None and d.get("kind") == "once" for d in stated):
                    task.warnings.append(f"第{task.ref}项：完成时限“{task.stated_deadline[:30]}”无法换算成日期，请人工设定")
            # the title is the item's first sentence: "年内辖区内所有村…" carries its date there
            body = "\n".join(p for p in (task.title, task.objective, task.measures) if p)
            extracted = [_as_dict(d, "extracted") for d in _extract(body, year, issued)]
            for d in extracted:
                if d.get("date") is None and d.get("kind") == "once":
                    task.warnings.append(f"第{task.ref}项：期限“{d.get('label') or d['text'][:20]}”无法换算成日期，请人工设定")
            found += extracted
        except Exception as exc:  # a deadline bug must not lose the whole plan
            warnings.append(f"第{task.ref}项：完成时限识别出错（{type(exc).__name__}），请人工核对")
        task.deadlines = found
    return warnings

"""The clerk's review sheet: a parsed plan as an .xlsx to correct in Excel or WPS, and read back exactly.

Sheet 任务 starts with a marker cell, then the plan's title and year, then one row per task.
Sheet 单位 lists canonical units and their aliases; sheet 提示 holds the plan's warnings. The
column 时限明细 carries each task's deadlines as JSON so an unedited sheet round-trips exactly;
when the clerk edits 时限原文/时限日期 the deadlines are rebuilt from those columns.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from typing import Any

from .model import ParsedPlan, ParsedTask, PlanReadError

MARKER = "督办·计划核对表"
TASK_SHEET, UNIT_SHEET, NOTE_SHEET = "任务", "单位", "提示"
TITLE_LABEL, YEAR_LABEL = "计划标题", "计划年份"
HINT = "请直接改正下表（单位之间用“、”分隔，时限每行一条），保存后用 duban plan import 本文件 导入。"
COLUMNS = [  # (header, width)
    ("编号", 8),
    ("所属部分", 24),
    ("任务名称", 36),
    ("牵头单位", 18),
    ("配合单位", 30),
    ("时限原文", 24),
    ("时限日期", 14),
    ("提示", 30),
    ("目标任务", 40),
    ("工作措施", 50),
    ("分管领导", 14),
    ("时限明细（勿改）", 20),
    ("待核（解析把握）", 36),
]
HEADERS = [h for h, _ in COLUMNS]
_SPLIT = re.compile(r"[、，,；;\n]+")


def write_review(plan: ParsedPlan) -> bytes:
    """The review workbook for a parsed plan, as .xlsx bytes."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = TASK_SHEET
    ws.append([MARKER, HINT])
    ws.append([TITLE_LABEL, plan.title])
    ws.append([YEAR_LABEL, plan.year])
    ws.append(HEADERS)
    head_row = ws.max_row
    for t in plan.tasks:
        ws.append(_task_row(t))
    bold = Font(bold=True)
    for cell in (ws.cell(1, 1), ws.cell(2, 1), ws.cell(3, 1)):
        cell.font = bold
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, (_, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(head_row, col)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=head_row + 1):
        for cell in row:
            cell.alignment = wrap
            cell.number_format = "@"  # text: 编号 "3.2" and dates stay as written
    ws.cell(3, 2).number_format = "0"
    ws.freeze_panes = ws.cell(head_row + 1, 2)

    units = wb.create_sheet(UNIT_SHEET)
    units.append(["单位", "别称（用“、”分隔）"])
    for u in plan.units:
        units.append([u["name"], "、".join(u["aliases"])])
    units.column_dimensions["A"].width, units.column_dimensions["B"].width = 24, 40
    units.freeze_panes = "A2"
    notes = wb.create_sheet(NOTE_SHEET)
    notes.append(["解析提示"])
    for w in plan.warnings:
        notes.append([w])
    notes.column_dimensions["A"].width = 100
    for sheet in (units, notes):
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _task_row(t: ParsedTask) -> list[Any]:
    """One task as a row of the 任务 sheet, in COLUMNS order."""
    return [
        t.ref,
        t.section,
        t.title,
        "、".join(t.lead),
        "、".join(t.co),
        "\n".join(d.get("text") or "" for d in t.deadlines),
        "\n".join(d.get("date") or "" for d in t.deadlines),
        "\n".join(t.warnings),
        t.objective,
        t.measures,
        "、".join(t.leaders),
        json.dumps(t.deadlines, ensure_ascii=False) if t.deadlines else "",
        _doubt_cell(t),
    ]


def _doubt_cell(t: ParsedTask) -> str:
    """"待核 60%：责任单位取自小标题…" for a task a clerk should check; the score alone otherwise."""
    if not t.doubts:
        return ""
    mark = "待核" if t.confidence < 0.75 else "把握"
    return f"{mark} {round(t.confidence * 100)}%：" + "；".join(t.doubts)


def is_review(sheets: list[tuple[str, list[list]]]) -> bool:
    """The review layout is told by its marker in the first cell of the first sheet."""
    return bool(sheets and sheets[0][1] and sheets[0][1][0] and _text(sheets[0][1][0][0]) == MARKER)


def read_review(sheets: list[tuple[str, list[list]]]) -> ParsedPlan:
    """Read a review workbook's sheets (raw cell rows, as reader.xlsx_sheets gives) into a ParsedPlan."""
    by_title = {title: rows for title, rows in sheets}
    rows = sheets[0][1]
    title, year, start = "", None, None
    for i, row in enumerate(rows):
        label = _text(row[0]) if row else ""
        if label == TITLE_LABEL:
            title = _text(_cell(row, 1))
        elif label == YEAR_LABEL:
            year = _year(_cell(row, 1))
        elif label == HEADERS[0] and _text(_cell(row, 2)) == HEADERS[2]:
            start = i
            break
    if start is None:
        raise PlanReadError("核对表缺少表头行（编号、所属部分、任务名称…），请勿删除表头")
    header = [_text(c) for c in rows[start]]
    col = {h: header.index(h) for h in HEADERS if h in header}
    tasks = [_task(row, col) for row in rows[start + 1 :] if any(_text(c) for c in row)]
    units = [
        {"name": _text(_cell(r, 0)), "aliases": _names(_cell(r, 1))}
        for r in by_title.get(UNIT_SHEET, [])[1:]
        if _text(_cell(r, 0))
    ]
    warnings = [_text(_cell(r, 0)) for r in by_title.get(NOTE_SHEET, [])[1:] if _text(_cell(r, 0))]
    return ParsedPlan(title=title, year=year, tasks=tasks, units=units, warnings=warnings)


def _task(row: list, col: dict[str, int]) -> ParsedTask:
    def get(h: str) -> str:
        return _text(_cell(row, col[h])) if h in col else ""

    return ParsedTask(
        ref=get("编号"),
        section=get("所属部分"),
        title=get("任务名称"),
        objective=get("目标任务"),
        measures=get("工作措施"),
        lead=_names(get("牵头单位")),
        co=_names(get("配合单位")),
        deadlines=_deadlines(get("时限原文"), _cell(row, col["时限日期"]) if "时限日期" in col else None,
                             get("时限明细（勿改）")),
        warnings=[w for w in get("提示").split("\n") if w],
        leaders=_names(get("分管领导")),
        **_read_doubts(get("待核（解析把握）")),
    )


def _read_doubts(cell: str) -> dict[str, Any]:
    """Read the 待核 cell back; a clerk who clears it confirms the row (confidence 1.0)."""
    m = re.match(r"^(?:待核|把握)\s*(\d{1,3})%：(.*)$", cell.strip(), re.S)
    if not m:
        return {}
    return {"confidence": int(m[1]) / 100, "doubts": [d for d in m[2].split("；") if d]}


def _deadlines(texts: str, dates: Any, detail: str) -> list[dict[str, Any]]:
    """The visible columns win; the JSON detail supplies what they do not show (label, kind…)."""
    try:
        saved = json.loads(detail) if detail else []
        saved = [d for d in saved if isinstance(d, dict)] if isinstance(saved, list) else []
    except ValueError:
        saved = []
    text_lines = texts.split("\n") if texts else []
    date_lines = [_date(dates)] if isinstance(dates, (date, datetime)) else (_text(dates).split("\n") if dates else [])
    n = max(len(text_lines), len(date_lines))
    out = []
    for i in range(n):
        text = text_lines[i].strip() if i < len(text_lines) else ""
        when = _date(date_lines[i]) if i < len(date_lines) else ""
        if not text and not when:
            continue
        if when and not _valid_date(when):
            raise PlanReadError(f"核对表中的时限日期“{when[:20]}”无效，请写成 2021-09-30")
        base = dict(saved[i]) if i < len(saved) else {"source": "stated"}
        if (base.get("text") or "") != text or (base.get("date") or "") != (when or ""):
            # what the clerk writes is what is stored, marked confirmed: a date typed onto an ongoing
            # (常态化) task makes it a dated one, and a corrected estimate is no longer an estimate
            base.update({"text": text, "date": when or None, "certain": True, "confirmed": True})
            if when and (base.get("date") != saved_date(saved, i) or base.get("kind") == "ongoing"):
                base.update({"kind": "once", "recurrence": None})
            if base.get("source") not in ("stated", "extracted", "default"):
                base["source"] = "stated"
        out.append(base)
    return out


def saved_date(saved: list[dict[str, Any]], i: int) -> str | None:
    """The date the sheet was written with in row i of a task's deadlines."""
    return saved[i].get("date") if i < len(saved) else None


def _valid_date(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and date.fromisoformat(text) is not None
    except ValueError:
        return False


def _cell(row: list, i: int) -> Any:
    return row[i] if i < len(row) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _names(value: Any) -> list[str]:
    return [n.strip() for n in _SPLIT.split(_text(value)) if n.strip()]


def _year(value: Any) -> int | None:
    m = re.search(r"\d{1,4}", _text(value))
    return int(m.group()) if m else None


def _date(value: Any) -> str:
    """A date cell or text as ISO YYYY-MM-DD ("2021/9/1", "2021年9月1日" too); "" when empty."""
    if isinstance(value, (date, datetime)):
        return _text(value)
    text = _text(value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?", text)
    if not m:
        return text
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return text

"""督办单 / 催办单 as a .docx in the 公文 layout of the 督办通报 (bot.render.bulletin_docx): a title, a two-column
table of the item's facts and its history, the current state, and the office's name and date."""

from __future__ import annotations

import io
from datetime import tzinfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from bot.render.bulletin_docx import BODY_FONT, HEADING_FONT, TITLE_FONT, TITLE_SIZE, _fonts, _para, _setup
from bot.render.task_text import STATUS_CN, cn_date, local_stamp
from bot.services.sheet import Sheet

WIDTHS = (Mm(30), Mm(126))  # the label column and the text column: the type area's 156 mm
CELL_SIZE = Pt(14)  # 四号: a form's cells are set a size below the 三号 text


def state_line(s: Sheet) -> str:
    """The current state, and for an overdue item how late it is."""
    if s.done:
        return "已办结"
    latest = STATUS_CN.get(s.latest, "") if s.latest else "尚未反馈"
    if s.workdays_late > 0:
        return f"已逾期{s.workdays_late}个工作日（{s.days_late}天），最新进展：{latest}"
    if s.due:
        return f"办理中，距办理时限还有{-s.workdays_late}个工作日，最新进展：{latest}"
    return f"办理中，最新进展：{latest}"


def history_lines(s: Sheet, tz: tzinfo) -> list[str]:
    lines = []
    for e in s.history:
        when = local_stamp(e.at, tz, "%m月%d日")
        if e.what == "instruction":
            lines.append(f"{when} {e.who}批示：{e.words}")
        else:
            pct = f" {e.percent}%" if e.percent is not None else ""
            note = f"，{e.words}" if e.words else ""
            lines.append(f"{when} {e.who}：{STATUS_CN.get(e.what, e.what)}{pct}{note}")
    return lines or ["暂无"]


def _cell(cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    parts = text.split("\n")
    p = cell.paragraphs[0]
    for i, part in enumerate(parts):
        if i:
            p = cell.add_paragraph()
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
        _fonts(p.add_run(part), HEADING_FONT if bold else BODY_FONT, CELL_SIZE, False)


def _rows(s: Sheet, tz: tzinfo) -> list[tuple[str, str]]:
    instruction = "：".join(x for x in (s.instructed_by, s.instruction) if x)
    rows = [("督办事项", s.title), ("来    源", s.source + (f"\n{instruction}" if instruction else "")),
            ("交办日期", cn_date(s.assigned_on) if s.assigned_on else "—"),
            ("办理时限", cn_date(s.due) if s.due else "未定"),
            ("牵头单位", "、".join(s.lead) or "未列"), ("配合单位", "、".join(s.co) or "无")]
    if s.leaders:
        rows.append(("牵头领导", "、".join(s.leaders)))
    rows += [("办理情况", "\n".join(history_lines(s, tz))), ("当前状态", state_line(s))]
    return rows


def sheet_docx(s: Sheet, *, tz: tzinfo) -> bytes:
    """The sheet's bytes."""
    doc = Document()
    _setup(doc)
    _para(doc, f"{s.kind}单", font=TITLE_FONT, size=TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"编号：{s.ref}", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS, strict=True):
        column.width = width  # the grid: LibreOffice and WPS read it, Word the cells'
    for label, value in _rows(s, tz):
        row = table.add_row()
        row.cells[0].width, row.cells[1].width = WIDTHS
        _cell(row.cells[0], label, bold=True)
        _cell(row.cells[1], value)
    ask = ("请于收到本单后3个工作日内书面反馈办理进展及逾期原因，明确完成时限。" if s.kind == "催办" and s.workdays_late > 0
           else "请按时限办理，并通过督办助手及时反馈进展；办结后报送佐证材料。")
    _para(doc, "", indent=False)
    _para(doc, ask)
    _para(doc, "", indent=False)
    _para(doc, s.office, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = Pt(64)
    _para(doc, cn_date(s.issued), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = Pt(32)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

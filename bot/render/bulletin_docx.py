"""督办通报 written as a .docx draft in the usual 公文 layout (GB/T 9704, approximately), ready to edit.

A4 with 37/35/28/26 mm margins; the title in 二号 (22 pt, GB/T 9704's size for 标题) 小标宋, 一级标题
(一、二、三、) in 黑体 三号, 二级标题 (（一）) in 楷体 三号, the text in 仿宋_GB2312 三号 (16 pt) on a fixed
28 pt line with a two-character first-line indent, and "— 1 —" page numbers. East Asian fonts are set
through w:rFonts/@w:eastAsia, which Word uses for Chinese characters (font.name alone sets only Latin).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from bot.render.task_text import cn_date
from bot.services.bulletin import Bulletin

TITLE_FONT = "方正小标宋简体"  # the 公文 title face; Word substitutes a Song face where it is not installed
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
LINE = Pt(28)  # fixed line pitch: about 22 lines to the GB/T 9704 type area
CN_NUM = "一二三四五六七八九十"


def _fonts(run, name: str, size: Pt, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), name)
    r_fonts.set(qn("w:ascii"), name)
    r_fonts.set(qn("w:hAnsi"), name)


def _para(doc, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, indent: bool = True,
          align: WD_ALIGN_PARAGRAPH | None = None, bold: bool = False) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if align is not None:
        p.alignment = align
    if text:
        _fonts(p.add_run(text), font, size, bold)
    return p


def _page_number(section) -> None:
    """"— 1 —" centred in the footer, 宋体 四号, as 公文 page numbers are written."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run("— "), "宋体", Pt(14))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = p.add_run("1")
    _fonts(run, "宋体", Pt(14))
    p._p.remove(run._r)
    field.append(run._r)
    p._p.append(field)
    _fonts(p.add_run(" —"), "宋体", Pt(14))


def _setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number(section)


def _heading(doc, n: int, text: str) -> None:
    _para(doc, f"{CN_NUM[n - 1]}、{text}", font=HEADING_FONT)


def _subheading(doc, n: int, text: str) -> None:
    _para(doc, f"（{CN_NUM[n - 1]}）{text}", font=SUBHEADING_FONT)


def _units(names: list[str]) -> str:
    return "、".join(names) or "未列"


def _units_section(doc, b: Bulletin) -> None:
    """三、各单位情况: units ranked by overdue tasks, by late or missing reports, and by returns or unsigned items."""
    _heading(doc, 3, "各单位情况")
    _subheading(doc, 1, "逾期任务排名")
    if b.by_overdue:
        for i, s in enumerate(b.by_overdue, 1):
            co = f"（另配合逾期任务{s.overdue_co}项）" if s.overdue_co else ""
            _para(doc, f"{i}. {s.unit}：牵头逾期任务{s.overdue}项{co}。")
    else:
        _para(doc, "没有单位牵头的任务逾期。")
    _subheading(doc, 2, "迟报、未报排名")
    if b.by_reports:
        for i, s in enumerate(b.by_reports, 1):
            parts = [f"未报{s.missing}次" if s.missing else "", f"迟报{s.late}次" if s.late else ""]
            _para(doc, f"{i}. {s.unit}：应报{s.owed}次，{'，'.join(p for p in parts if p)}。")
    else:
        _para(doc, f"{b.period.label}各单位均按时反馈进展。")
    if b.by_closure:  # 办结审核 and 签收: only when some unit was sent back or left an item unsigned
        _subheading(doc, 3, "办结退回、未签收排名")
        for i, s in enumerate(b.by_closure, 1):
            parts = [f"办结申请被退回{s.returns}次" if s.returns else "", f"未签收事项{s.unsigned}项" if s.unsigned else ""]
            _para(doc, f"{i}. {s.unit}：{'，'.join(p for p in parts if p)}。")


def bulletin_docx(b: Bulletin) -> bytes:
    """The bulletin's bytes."""
    doc = Document()
    _setup(doc)
    f, as_of = b.figures, cn_date(b.as_of)
    _para(doc, "督办通报", font=TITLE_FONT, size=TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"（{b.period.label}）", font=SUBHEADING_FONT, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "", indent=False)
    _para(doc, f"为推动《{b.plan_title}》各项任务落实，现将{b.period.label}（截至{as_of}）工作推进情况通报如下。")

    _heading(doc, 1, "总体情况")
    unowned = f"，未明确责任单位{f.unowned}项" if f.unowned else ""
    _para(doc, f"《{b.plan_title}》共列任务{f.tasks}项。截至{as_of}，已完成{f.done}项，正常推进{f.green}项，"
               f"临近时限未反馈{f.yellow}项，逾期{f.red}项{unowned}。{b.period.label}，"
               f"{f.reporting_units}个单位共反馈进展{f.reports}条。")

    _heading(doc, 2, "逾期任务")
    if b.overdue:
        _para(doc, f"截至{as_of}，以下{len(b.overdue)}项任务已超过时限仍未完成：")
        for i, o in enumerate(b.overdue, 1):
            co = f"；配合单位：{_units(o.co)}" if o.co else ""
            _para(doc, f"{i}. 第{o.ref}项“{o.title}”。牵头单位：{_units(o.lead)}{co}。时限{cn_date(o.due)}，"
                       f"已逾期{o.workdays_late}个工作日（{o.days_late}天）。")
    else:
        _para(doc, f"截至{as_of}，没有逾期任务。")

    _units_section(doc, b)

    _heading(doc, 4, "通报表扬")
    if b.commended:
        _para(doc, f"以下单位所承担任务均按时推进，{b.period.label}按时反馈进展，予以通报表扬："
                   f"{'、'.join(b.commended)}。")
    else:
        _para(doc, f"{b.period.label}暂无符合通报表扬条件的单位。")

    _heading(doc, 5, "下步要求")
    _para(doc, "请逾期任务的牵头单位于收到本通报后3个工作日内说明原因、明确完成时限，并通过督办助手反馈进展；"
               "迟报、未报的单位要明确专人负责，按时报送。配合单位要主动向牵头单位报送配合情况，形成工作合力。")

    _para(doc, "", indent=False)
    _para(doc, b.office, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = Pt(64)
    _para(doc, cn_date(b.issued), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = Pt(32)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

"""Word plans: automatic list numbering rebuilt into the text; task tables with two header rows."""

import docx
import openpyxl
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from bot.plan import parse_file
from bot.plan.docx_numbering import format_number

LEVELS = [
    # (numFmt, lvlText) for levels 0, 1, 2: 一、 （一） 1.
    ("chineseCounting", "%1、"),
    ("chineseCounting", "（%2）"),
    ("decimal", "%3."),
]


def add_list(document, abstract_id, num_id, levels, *, pstyle=None, overrides=None):
    """Add a real abstractNum and num to the document's numbering part; return num_id."""
    root = document.part.numbering_part.element
    lvls = ""
    for i, (fmt, text) in enumerate(levels):
        link = f'<w:pStyle w:val="{pstyle}"/>' if pstyle and i == 0 else ""
        lvls += (
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{link}'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{lvls}</w:abstractNum>'
    )
    # schema order: every abstractNum comes before the first num
    first_num = root.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        root.append(abstract)
    over = "".join(
        f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        for lvl, start in (overrides or {}).items()
    )
    root.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{over}</w:num>'
        )
    )
    return num_id


def numbered(document, text, num_id=None, ilvl=None, style=None):
    """Add a paragraph numbered by Word, with no number in its text."""
    p = document.add_paragraph(text, style=style)
    if num_id is not None:
        num_pr = parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
        p._p.get_or_add_pPr().append(num_pr)
    return p


def test_word_list_numbering_is_printed_back_into_the_text(tmp_path):
    d = docx.Document()
    # level 0 comes through a paragraph style that carries numPr, as Word's heading lists do
    style = d.styles.add_style("要点一级", WD_STYLE_TYPE.PARAGRAPH)
    num = add_list(d, 90, 90, LEVELS, pstyle=style.style_id)
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num}"/></w:numPr>')
    )
    d.add_paragraph("XX县司法局2024年工作要点")
    numbered(d, "加强法治政府建设", style="要点一级")
    numbered(d, "推进严格规范公正文明执法", num, 1)
    numbered(d, "开展执法案卷评查。全年评查案卷100卷。（法制股牵头，各执法单位配合）", num, 2)
    numbered(d, "推行行政执法三项制度。责任单位：法制股、办公室。完成时限：2024年6月底前", num, 2)
    numbered(d, "深化普法宣传", num, 1)
    numbered(d, "开展民法典宣传月活动。（普法股牵头，各司法所配合）2024年5月底前完成。", num, 2)
    numbered(d, "提升公共法律服务水平", style="要点一级")
    numbered(d, "完善公共法律服务体系", num, 1)
    numbered(d, "建设县公共法律服务中心。（公共法律服务股牵头）", num, 2)
    numbered(d, "推进村居法律顾问全覆盖。（公共法律服务股牵头，各司法所配合）", num, 2)
    path = tmp_path / "numbered.docx"
    d.save(path)

    plan = parse_file(path)
    assert (plan.title, plan.year) == ("XX县司法局2024年工作要点", 2024)
    got = [(t.ref, t.section, t.title, t.lead, t.co) for t in plan.tasks]
    assert got == [
        (
            "1",
            "一、加强法治政府建设 / （一）推进严格规范公正文明执法",
            "开展执法案卷评查",
            ["法制股"],
            ["各执法单位"],
        ),
        (
            "2",
            "一、加强法治政府建设 / （一）推进严格规范公正文明执法",
            "推行行政执法三项制度",
            ["法制股"],
            ["办公室"],
        ),
        # level 2 restarts at 1 under the new level-1 heading
        ("1", "一、加强法治政府建设 / （二）深化普法宣传", "开展民法典宣传月活动", ["普法股"], ["各司法所"]),
        # level 1 restarts under the new level-0 heading
        (
            "1",
            "二、提升公共法律服务水平 / （一）完善公共法律服务体系",
            "建设县公共法律服务中心",
            ["公共法律服务股"],
            [],
        ),
        (
            "2",
            "二、提升公共法律服务水平 / （一）完善公共法律服务体系",
            "推进村居法律顾问全覆盖",
            ["公共法律服务股"],
            ["各司法所"],
        ),
    ]
    deadlines = [[(x["date"], x["source"]) for x in t.deadlines] for t in plan.tasks]
    assert deadlines[1] == [("2024-06-30", "stated")]
    assert deadlines[2] == [("2024-05-31", "extracted")]


def test_start_override_full_width_stop_and_circled_numbers(tmp_path):
    d = docx.Document()
    heads = add_list(d, 91, 91, [("chineseCountingThousand", "%1、"), ("decimal", "%2．")])
    # a second list on the same definition that starts its top level at 三
    later = add_list(d, 92, 92, [("chineseCountingThousand", "%1、"), ("decimal", "%2．")], overrides={0: 3})
    items = add_list(d, 93, 93, [("decimalEnclosedCircle", "%1")])
    d.add_paragraph("XX市统计局2025年工作要点")
    numbered(d, "夯实统计基础", heads, 0)
    numbered(d, "开展经济普查。（普查中心牵头，各业务科配合）", heads, 1)
    numbered(d, "推进统计执法", later, 0)
    numbered(d, "开展统计督察。（执法科牵头）", later, 1)
    numbered(d, "查处统计造假。（执法科牵头，法规科配合）", later, 1)
    numbered(d, "12345热线统计诉求办理。（办公室牵头）", later, 1)
    numbered(d, "统计造假案件公开曝光", items, 0)
    path = tmp_path / "override.docx"
    d.save(path)

    from bot.plan.reader import read_path

    lines = [b for b in read_path(path) if isinstance(b, str)]
    assert lines[1:] == [
        "一、夯实统计基础",
        "1．开展经济普查。（普查中心牵头，各业务科配合）",
        "三、推进统计执法",
        "1．开展统计督察。（执法科牵头）",
        "2．查处统计造假。（执法科牵头，法规科配合）",
        "3． 12345热线统计诉求办理。（办公室牵头）",  # kept apart so 3 is not read as 312345
        "① 统计造假案件公开曝光",  # Word puts a tab after a bare number
    ]
    plan = parse_file(path)
    assert [(t.ref, t.section.split(" / ")[0], t.lead, t.co) for t in plan.tasks] == [
        ("1", "一、夯实统计基础", ["普查中心"], ["各业务科"]),
        ("1", "三、推进统计执法", ["执法科"], []),
        ("2", "三、推进统计执法", ["执法科"], ["法规科"]),
        ("3", "三、推进统计执法", ["办公室"], []),
    ]


@pytest.mark.parametrize(
    ("n", "fmt", "printed"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (12, "chineseCountingThousand", "十二"),
        (20, "chineseCountingThousand", "二十"),
        (105, "chineseCountingThousand", "一百零五"),
        (3, "ideographTraditional", "丙"),
        (11, "ideographTraditional", "甲"),
        (7, "decimalEnclosedCircle", "⑦"),
        (21, "decimalEnclosedCircle", "21"),
        (4, "decimal", "4"),
        (4, "lowerRoman", "iv"),
        (2, "bullet", ""),
    ],
)
def test_format_number(n, fmt, printed):
    assert format_number(n, fmt) == printed


TWO_ROW_HEADER = [
    ["序号", "重点任务", "责任单位", "", "完成时限"],
    ["", "", "牵头单位", "配合单位", ""],
]
TWO_ROW_DATA = [
    ["1", "推进工程建设项目审批制度改革", "市住建局", "市自然资源局、市发改委", "2024年6月底前"],
    ["2", "深化“一件事一次办”改革", "市政务服务中心", "市数据局", "2024年9月30日"],
    ["3", "开展涉企收费专项治理", "市市场监管局", "", "2024年11月底前"],
]
EXPECTED = [
    ("1", "推进工程建设项目审批制度改革", ["市住建局"], ["市自然资源局", "市发改委"], "2024-06-30"),
    ("2", "深化“一件事一次办”改革", ["市政务服务中心"], ["市数据局"], "2024-09-30"),
    ("3", "开展涉企收费专项治理", ["市市场监管局"], [], "2024-11-30"),
]


def table_tasks(plan):
    return [(t.ref, t.title, t.lead, t.co, t.deadlines[0]["date"]) for t in plan.tasks]


@pytest.mark.parametrize("merged", [True, False])
def test_xlsx_header_over_two_rows_below_title_and_blank_row(tmp_path, merged):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["XX市2024年优化营商环境重点任务分解表"])
    ws.merge_cells("A1:E1")
    ws.append([])
    for row in TWO_ROW_HEADER + TWO_ROW_DATA:
        ws.append([c or None for c in row])
    ws.merge_cells("C3:D3")  # 责任单位 over 牵头单位 | 配合单位
    if merged:
        for col in "ABE":
            ws.merge_cells(f"{col}3:{col}4")
    path = tmp_path / "two_rows.xlsx"
    wb.save(path)
    plan = parse_file(path)
    assert (plan.title, plan.year) == ("XX市2024年优化营商环境重点任务分解表", 2024)
    assert table_tasks(plan) == EXPECTED
    assert all(t.deadlines[0]["source"] == "stated" for t in plan.tasks)
    assert not any("no responsible unit" in w for w in plan.warnings)


@pytest.mark.parametrize("merged", [True, False])
def test_docx_header_over_two_rows_below_title_and_blank_row(tmp_path, merged):
    d = docx.Document()
    d.add_paragraph("附件")
    rows = [["XX市2024年优化营商环境重点任务分解表"] * 5, [""] * 5, *TWO_ROW_HEADER, *TWO_ROW_DATA]
    table = d.add_table(rows=len(rows), cols=5)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(0, 0).merge(table.cell(0, 4)).text = rows[0][0]
    table.cell(2, 2).merge(table.cell(2, 3)).text = "责任单位"
    if merged:
        for c in (0, 1, 4):
            top = table.cell(2, c)
            top.merge(table.cell(3, c)).text = TWO_ROW_HEADER[0][c]
    path = tmp_path / "two_rows.docx"
    d.save(path)
    plan = parse_file(path)
    assert (plan.title, plan.year) == ("XX市2024年优化营商环境重点任务分解表", 2024)
    assert table_tasks(plan) == EXPECTED
    assert [t.deadlines[0]["text"] for t in plan.tasks][0] == "2024年6月底前"


def test_one_row_header_is_not_joined_with_the_first_task():
    from bot.plan.tables import parse_table

    rows = [["序号", "重点任务", "牵头单位", "配合单位", "完成时限"], *TWO_ROW_DATA]
    tasks, above = parse_table(rows)
    assert [t.ref for t in tasks] == ["1", "2", "3"] and above == []


def test_task_division_docx_titles_come_from_the_task_column_not_the_target(tmp_path):
    """序号/工作任务/目标任务/工作措施/责任股室: the title is 工作任务's, 目标任务 is the target."""
    d = docx.Document()
    d.add_paragraph("XX县教育局2025年重点工作任务分解表")
    rows = [
        ["序号", "工作任务", "目标任务", "工作措施", "责任股室"],
        ["1", "推进集团化办学", "新组建教育集团3个", "制定集团章程，统一教研", "基础教育股"],
        ["2", "加强教师培训", "培训教师2000人次", "分层分类组织培训", "人事股、教研室"],
    ]
    table = d.add_table(rows=len(rows), cols=5)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    path = tmp_path / "division.docx"
    d.save(path)
    plan = parse_file(path)
    assert [t.title for t in plan.tasks] == ["推进集团化办学", "加强教师培训"]
    assert plan.tasks[1].lead == ["人事股"] and plan.tasks[1].co == ["教研室"]
    assert "新组建教育集团3个" in plan.tasks[0].measures + plan.tasks[0].objective

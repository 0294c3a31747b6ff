"""Realistic plan shapes from other offices: label variants, bare brackets, notes, tables."""

from pathlib import Path

import docx
import openpyxl
import pytest

from bot.plan import parse_file
from bot.plan.owners import owner_bracket, parse_owner_text

FIX = Path(__file__).parent / "fixtures" / "plans"


def rows(plan):
    return [(t.ref, t.lead, t.co) for t in plan.tasks]


def stated(task):
    return [(d["date"], d["text"]) for d in task.deadlines if d["source"] == "stated"]


def test_education_bureau_labels_after_semicolon_and_bare_brackets():
    plan = parse_file(FIX / "edu_bureau.txt")
    assert (plan.title, plan.year) == ("XX市教育局2023年工作要点", 2023)
    assert rows(plan) == [
        ("1", ["组织人事科"], ["机关党委", "各县区教育局"]),  # 配合科室 after "；"
        ("2", ["宣传科"], ["办公室"]),  # 牵头处室 … ，配合处室
        ("3", ["纪检组"], ["各直属学校"]),  # labels separated by a space
        ("4", ["学前教育科"], ["财务科", "计划科"]),
        ("5", ["基础教育科"], ["督导室"]),  # bare bracket: first listed leads
        ("6", [], []),  # （试行） is not an owner
        ("7", ["基础教育科"], ["教研室"]),  # （2021—2025年）（含民办） are not owners
        ("8", ["职成科"], ["各县区教育局"]),
        ("9", ["思政科"], ["共青团"]),
        ("10", ["共青团"], ["思政科"]),  # no suffix, but named by a label earlier
    ]
    assert plan.tasks[5].title == "实施《义务教育课程方案（2022年版）》（试行）"
    assert plan.warnings == ["第6项：未列出责任单位"]


def test_city_division_marker_running_text_leaders_and_closing_note():
    plan = parse_file(FIX / "city_division.txt")
    # the covering notice is unwrapped; its publication date is not the plan year
    assert (plan.title, plan.year) == ("XX市2023年重点工作任务分工方案", 2023)
    assert rows(plan) == [
        ("1", ["市发展改革委"], ["市财政局", "市自然资源局"]),
        ("2", ["市住房城乡建设局"], ["市财政局"]),  # （牵头） after the second name
        ("3", ["市商务局"], ["市财政局", "市市场监管局"]),  # 由X牵头，Y、Z配合
        ("4", ["市商务局"], []),
        ("5", ["市人力资源社会保障局"], []),
        ("6", ["市政府办公室"], []),
    ]
    first = plan.tasks[0]
    assert first.leaders == ["张三"] and "张三" not in [u["name"] for u in plan.units]
    assert "一是强化项目谋划" in first.measures  # 一是… stays inside the measures
    note = ("2023-11-30", "以上任务均需于2023年11月底前完成")
    assert all(stated(t) == [note] for t in plan.tasks)
    assert "以上任务" not in plan.tasks[-1].measures
    extracted = [d["date"] for d in plan.tasks[1].deadlines if d["source"] == "extracted"]
    assert extracted == ["2023-06-30"]
    assert not plan.warnings


def test_numbering_restarts_per_section_keeps_printed_refs_and_warns():
    plan = parse_file(FIX / "restart_numbering.txt")
    # the page header says 2023 (publication); the title says 2024 (the plan year)
    assert (plan.title, plan.year) == ("XX区科学技术局2024年工作要点", 2024)
    assert [(t.ref, t.section) for t in plan.tasks] == [
        ("1", "一、强化创新主体培育"), ("2", "一、强化创新主体培育"),
        ("1", "二、提升创新平台能级"), ("2", "二、提升创新平台能级"),
        ("1", "三、优化创新生态"), ("2", "三、优化创新生态"),
    ]  # fmt: skip
    assert rows(plan)[3] == ("2", ["平台科"], ["财务室"])
    assert rows(plan)[4] == ("1", ["成果科"], ["区财政局"])
    assert plan.tasks[2].deadlines[0]["date"] == "2024-09-30"
    assert len(plan.warnings) == 1 and "各部分分别从头编号" in plan.warnings[0]
    assert "1-2" in plan.warnings[0]  # how the importer will store the repeats


def test_label_variants_inside_and_outside_brackets():
    plan = parse_file(FIX / "label_variants.txt")
    assert rows(plan) == [
        ("1", ["医政股"], ["财务股", "基层股"]),
        ("2", ["医政股"], ["各乡镇卫生院"]),
        ("3", ["疾控股"], ["县疾控中心", "各乡镇卫生院"]),  # bare 牵头：/配合：
        ("4", ["信息中心"], ["财务股"]),
        ("5", ["中医股"], ["县中医院"]),
        ("6", ["人事股"], ["财务股"]),
        ("7", ["办公室"], ["机关党支部"]),
        ("8", ["医政股"], ["纪检组"]),
        ("9", ["爱卫办"], ["各乡镇人民政府", "县直各单位"]),  # empty label, names on next line
        ("10", ["县健康教育所"], ["各医疗机构"]),
        ("11", [], []),  # （2021-2025年）（暂行）
    ]
    assert plan.tasks[5].leaders == ["李四"]


def test_grouped_measures_listed_items_and_note_clause():
    plan = parse_file(FIX / "grouped_measures.txt")
    assert [(t.ref, t.title, t.lead, t.co) for t in plan.tasks] == [
        ("1", "推进政务服务事项全程网办", ["市政务服务局"], []),
        ("2", "推行“免证办”服务", ["市大数据局"], []),
        ("1", "全面实行告知承诺制", ["市市场监管局"], []),
        ("2", "开展涉企经营许可清理", ["市司法局"], []),
        # 1．…；2．…。（A、B负责）: the owner closes item （三）, its parts are measures
        ("3", "加强公平竞争审查", ["市市场监管局"], ["市发展改革委"]),
        ("4", "强化知识产权保护", ["市知识产权局"], []),
    ]
    assert "2．建立举报处理机制" in plan.tasks[4].measures
    # only the clause that states the deadline is kept, not the reporting rule after it
    assert stated(plan.tasks[0]) == [("2023-11-30", "以上任务均需于2023年11月底前完成")]


def test_html_table_with_site_navigation_and_footer():
    plan = parse_file(FIX / "page_table.html")
    assert (plan.title, plan.year) == ("2023年安全生产重点工作任务清单", 2023)
    assert rows(plan) == [
        ("1", ["县应急管理局"], ["县安委会各成员单位"]),
        ("2", ["县公安局"], ["县交通运输局"]),
        ("3", ["县住建局"], []),
        ("4", ["县教育局"], ["各乡镇人民政府"]),
    ]
    assert stated(plan.tasks[0]) == [("2023-06-30", "2023年6月底前")]
    assert not plan.warnings  # "主办单位：…版权所有" in the footer is not an owner line


def test_gbk_csv_with_title_row():
    assert (FIX / "tasks_gbk.csv").read_bytes().decode("gbk")  # the fixture really is GBK
    plan = parse_file(FIX / "tasks_gbk.csv")
    assert (plan.title, plan.year) == ("XX县2023年生态环境保护重点任务", 2023)
    assert rows(plan) == [
        ("1", ["县水利局"], ["各乡镇"]),
        ("2", ["县生态环境分局"], ["县住建局", "县城管局"]),
        ("3", ["县林业局"], []),
    ]
    assert stated(plan.tasks[1]) == [("2023-11-30", "2023年11月底前")]


def test_docx_task_table_with_merged_section_column(tmp_path):
    d = docx.Document()
    d.add_paragraph("XX市教育局")
    d.add_paragraph("2024年教育重点工作任务分解表")
    d.add_paragraph("为推动各项工作落实，现将任务分解如下：")
    header = ["板块", "序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"]
    body = [
        ["立德树人", "1", "深化思政课改革", "开展思政课一体化建设", "思政科", "教研室、各县区教育局", "2024年12月底前"],
        ["", "2", "加强体育美育", "落实每天校内外各1小时体育活动", "体卫艺科", "", "2024年9月底"],
        ["教育公平", "3", "推进义务教育优质均衡", "新建改扩建学校10所", "基础教育科", "发展规划科；财务科", "长期坚持"],
        ["", "4", "保障特殊群体就学", "落实随迁子女入学政策", "基础教育科", "学生资助中心", "2024年8月底"],
        ["", "5", "发展特殊教育", "", "基础教育科（牵头）、财务科", "", "第四季度"],
    ]  # fmt: skip
    table = d.add_table(rows=len(body) + 1, cols=len(header))
    for r, values in enumerate([header, *body]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0)).text = "立德树人"
    table.cell(3, 0).merge(table.cell(5, 0)).text = "教育公平"
    path = tmp_path / "plan.docx"
    d.save(path)
    plan = parse_file(path)
    assert plan.year == 2024 and plan.title.endswith("2024年教育重点工作任务分解表")
    assert [(t.ref, t.section, t.title, t.lead, t.co) for t in plan.tasks] == [
        ("1", "立德树人", "深化思政课改革", ["思政科"], ["教研室", "各县区教育局"]),
        ("2", "立德树人", "加强体育美育", ["体卫艺科"], []),
        ("3", "教育公平", "推进义务教育优质均衡", ["基础教育科"], ["发展规划科", "财务科"]),
        ("4", "教育公平", "保障特殊群体就学", ["基础教育科"], ["学生资助中心"]),
        ("5", "教育公平", "发展特殊教育", ["基础教育科"], ["财务科"]),  # marker beats the column
    ]
    assert plan.tasks[0].measures == "开展思政课一体化建设"
    assert stated(plan.tasks[0]) == [("2024-12-31", "2024年12月底前")]
    assert stated(plan.tasks[4]) == [("2024-12-31", "第四季度")]


def test_xlsx_header_on_third_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["XX县2023年为民办实事项目任务清单"])
    ws.merge_cells("A1:F1")
    ws.append(["填报单位：县政府督查室", None, None, None, "填报日期：2023年3月1日", None])
    ws.append(["序号", "项目名称", "工作内容", "责任单位", "配合单位", "完成时间"])
    ws.append([1, "城区学位扩容", "新增学位2000个", "县教育局", "县住建局、县自然资源局", "2023年9月1日前"])
    ws.append([2, "农村饮水提升", "改造供水管网50公里", "县水利局", "各乡镇人民政府", "2023年10月底"])
    ws.append(["3.", "养老服务提升", "建设社区养老服务站5个", "县民政局", None, "2023年12月31日"])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    plan = parse_file(path)
    assert (plan.title, plan.year) == ("XX县2023年为民办实事项目任务清单", 2023)
    # 项目名称 names the task; 工作内容 is its measures, not a second title column
    assert [(t.ref, t.title, t.measures, t.lead, t.co) for t in plan.tasks] == [
        ("1", "城区学位扩容", "新增学位2000个", ["县教育局"], ["县住建局", "县自然资源局"]),
        ("2", "农村饮水提升", "改造供水管网50公里", ["县水利局"], ["各乡镇人民政府"]),
        ("3", "养老服务提升", "建设社区养老服务站5个", ["县民政局"], []),
    ]
    assert stated(plan.tasks[0]) == [("2023-09-01", "2023年9月1日前")]


@pytest.mark.parametrize(
    ("text", "lead", "co"),
    [
        (
            "牵头科室：组织人事科；配合科室：机关党委、各县区教育局",
            ["组织人事科"],
            ["机关党委", "各县区教育局"],
        ),
        ("牵头单位：A局；配合单位：B局", ["A局"], ["B局"]),
        ("牵头部门:A局,配合部门:B局,C局", ["A局"], ["B局", "C局"]),
        ("牵头处室：A处 协办单位：B处", ["A处"], ["B处"]),
        ("责任科室：A科，参与单位：B科", ["A科"], ["B科"]),
        ("责任处室：A处；配合处室：B处", ["A处"], ["B处"]),
        ("主责单位：A局 配合单位：B局、C局", ["A局"], ["B局", "C局"]),
        ("主办单位：A局；协办单位：B局", ["A局"], ["B局"]),
        ("配合单位：B局；牵头单位：A局", ["A局"], ["B局"]),  # order of labels does not matter
        (
            "责任单位：市发展改革委（牵头）、市财政局、市自然资源局",
            ["市发展改革委"],
            ["市财政局", "市自然资源局"],
        ),
        ("责任单位：市财政局、市住建局（牵头）", ["市住建局"], ["市财政局"]),
        ("由市商务局牵头，市财政局、市市场监管局配合", ["市商务局"], ["市财政局", "市市场监管局"]),
        ("牵头领导：张三；责任单位：市教育局、市财政局", ["市教育局"], ["市财政局"]),
    ],
)
def test_owner_label_variants(text, lead, co):
    owners = parse_owner_text(text)
    assert owners.resolve(owners.rule or "first") == (lead, co)
    assert "张三" not in owners.lead + owners.co + owners.resp


@pytest.mark.parametrize(
    "text",
    [
        "实施课程方案（试行）",
        "落实规划（2021—2025年）",
        "扩大普惠学位（含民办）",
        "开展“双减”工作（以下简称双减）",
        "建设智慧校园（一期）",
        "落实补助政策（中央、省、市）",
        "推进课后服务（每学期一次）",
    ],
)
def test_ordinary_parentheticals_are_not_owners(text):
    assert owner_bracket(text) == (None, text)


def test_bare_bracket_of_units_names_owners():
    owners, rest = owner_bracket("推进县域义务教育优质均衡创建。（基础教育科、督导室）")
    assert rest == "推进县域义务教育优质均衡创建。"
    assert owners.resolve("first") == (["基础教育科"], ["督导室"])
    owners, _ = owner_bracket("开展志愿服务（共青团、思政科）", known=frozenset({"共青团"}))
    assert owners.resolve("first") == (["共青团"], ["思政科"])


@pytest.mark.parametrize(
    "name", ["edu_bureau.txt", "city_division.txt", "label_variants.txt", "grouped_measures.txt"]
)
def test_new_shapes_survive_a_crawler_flattening_them(name):
    from bot.plan import parse_bytes

    text = (FIX / name).read_text(encoding="utf-8")
    assert rows(parse_bytes(text.replace("\n", " ").encode(), name)) == rows(parse_file(FIX / name))


def test_pasted_table_with_one_key_task_per_row_and_bare_dates():
    # "重点工作 | 具体任务": each row has its own 重点工作, so it names the task and 具体任务 is its measures;
    # 完成时限 cells are deadlines by position, read whole ("2024年10月", "全年", "长期坚持").
    plan = parse_file(FIX / "county_task_table.txt")
    assert plan.title == "XX县2024年重点工作任务分解表" and plan.year == 2024
    got = [(t.ref, t.title, t.measures[:11], t.lead, t.co) for t in plan.tasks]
    assert got[0] == ("1", "优化营商环境", '深化"放管服"改革，推', ["县政务服务中心"], ["县发改委", "县司法局"])
    assert got[3] == ("4", "保障改善民生", "新增城镇就业3000人", ["县人社局"], [])
    dates = [[(d["date"], d.get("kind")) for d in t.deadlines] for t in plan.tasks]
    assert dates == [
        [("2024-06-30", "once")],
        [("2024-10-31", "once")],
        [("2024-12-31", "once")],
        [("2024-12-31", "once")],
        [(None, "ongoing")],
    ]
    assert all(d["source"] == "stated" for t in plan.tasks for d in t.deadlines)

"""Plans as HTML, .docx, .xlsx, .csv, pasted tables and GBK text; unreadable files."""

from pathlib import Path

import docx
import openpyxl
import pytest

from bot.plan import PlanReadError, parse_bytes, parse_file

FIX = Path(__file__).parent / "fixtures" / "plans"


def owners(plan):
    return [(t.ref, t.title, t.lead, t.co) for t in plan.tasks]


def test_html_page_strips_scripts_and_navigation():
    plan = parse_file(FIX / "page.html")
    assert (plan.title, plan.year) == ("XX市卫生健康委员会2022年工作要点", 2022)
    assert owners(plan) == [
        ("1", "推进紧密型县域医共体建设", ["体改处"], ["医政医管处", "基层卫生处"]),
        ("2", "深化公立医院综合改革", ["体改处"], []),
        ("3", "加强重点专科建设", ["医政医管处"], ["科教处"]),
        ("4", "提升基层服务能力", ["基层卫生处"], []),
    ]
    assert plan.tasks[2].section == "二、提升医疗服务能力"
    text = " ".join(t.measures for t in plan.tasks)
    assert "统计代码" not in text and "版权所有" not in text


def test_csv_header_below_title_and_blank_section_cells():
    plan = parse_file(FIX / "tasks.csv")
    assert (plan.title, plan.year) == ("XX县2023年民生实事任务分解表", 2023)
    assert [(t.ref, t.section, t.lead, t.co) for t in plan.tasks] == [
        ("1", "教育", ["县教育局"], ["县住建局", "县自然资源局"]),
        ("2", "教育", ["县教育局"], ["各乡镇人民政府"]),
        ("3", "卫生", ["县卫健委"], ["县发改委"]),
        ("4", "卫生", ["县卫健委"], ["县妇联"]),
    ]
    assert plan.tasks[0].deadlines[0]["source"] == "stated"
    assert plan.tasks[0].deadlines[0]["text"] == "2023年8月底"


@pytest.mark.parametrize("name", ["pasted_table.txt", "pipe_table.txt"])
def test_table_pasted_into_text(name):
    plan = parse_file(FIX / name)
    assert len(plan.tasks) == 3
    first = plan.tasks[0]
    if name == "pasted_table.txt":
        assert (plan.title, first.title) == ("XX县2023年政务服务重点任务清单", "推进数字政府建设")
        assert (first.lead, first.co) == (["县数据资源局"], ["县委网信办", "县财政局"])
    else:
        # 责任单位 column: the first listed unit leads
        assert (first.title, first.lead, first.co) == (
            "开展矛盾纠纷大排查",
            ["区委政法委"],
            ["区司法局", "各街道"],
        )
        assert plan.tasks[1].deadlines[0]["text"] == "2022年10月31日前"
        assert plan.year == 2022


def test_docx_paragraphs_and_table_in_body_order(tmp_path):
    d = docx.Document()
    d.add_paragraph("XX县应急管理局2024年工作要点")
    d.add_paragraph("一、强化安全监管")
    d.add_paragraph("1.开展安全生产大检查。全年检查企业300家次。（执法大队牵头，各股室配合）")
    d.add_paragraph("2.推进应急预案修订")
    d.add_paragraph("责任股室：应急股、办公室")
    d.add_paragraph("附表：")
    table = d.add_table(rows=4, cols=4)
    rows = [
        ["序号", "重点任务", "牵头单位", "完成时限"],
        ["二、防灾减灾", "", "", ""],
        ["3", "建设应急物资储备库", "救灾股", "2024年10月底前"],
        ["4", "组织防汛演练", "防汛办", "2024年5月"],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    merged = table.cell(1, 0).merge(table.cell(1, 3))
    merged.text = "二、防灾减灾"
    path = tmp_path / "plan.docx"
    d.save(path)
    plan = parse_file(path)
    assert (plan.title, plan.year) == ("XX县应急管理局2024年工作要点", 2024)
    assert [(t.ref, t.section, t.lead, t.co) for t in plan.tasks] == [
        ("1", "一、强化安全监管", ["执法大队"], ["各股室"]),
        ("2", "一、强化安全监管", ["应急股"], ["办公室"]),
        ("3", "二、防灾减灾", ["救灾股"], []),
        ("4", "二、防灾减灾", ["防汛办"], []),
    ]
    assert plan.tasks[2].deadlines[0]["source"] == "stated"


def test_xlsx_with_title_row_and_merged_section_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["XX市2023年优化营商环境重点任务台账"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "重点领域", "工作任务", "责任单位", "配合单位", "完成时间"])
    ws.append([1, "政务服务", "推进一网通办", "市数据局", "市政务服务中心", "2023年6月底"])
    ws.append([2, None, "压缩企业开办时间", "市市场监管局、市税务局", None, "2023年3月底前"])
    ws.append([3, "要素保障", "降低用电成本", "市发改委", "国网市供电公司", "全年"])
    ws.merge_cells("B3:B4")
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    plan = parse_file(path)
    assert (plan.title, plan.year) == ("XX市2023年优化营商环境重点任务台账", 2023)
    assert [(t.ref, t.section, t.title, t.lead, t.co) for t in plan.tasks] == [
        ("1", "政务服务", "推进一网通办", ["市数据局"], ["市政务服务中心"]),
        ("2", "政务服务", "压缩企业开办时间", ["市市场监管局"], ["市税务局"]),
        ("3", "要素保障", "降低用电成本", ["市发改委"], ["国网市供电公司"]),
    ]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_text(encoding):
    data = (FIX / "labels_lead_co.txt").read_text(encoding="utf-8").encode(encoding)
    plan = parse_bytes(data, "plan.txt")
    assert plan.year == 2023
    assert plan.tasks[0].lead == ["投资股"] and plan.tasks[0].co == ["项目办", "县重点局"]


def test_parse_bytes_matches_parse_file():
    path = FIX / "inline_brackets.txt"
    assert parse_bytes(path.read_bytes(), path.name).to_dict() == parse_file(path).to_dict()


def test_to_dict_contract():
    out = parse_file(FIX / "labels_lead_co.txt").to_dict()
    assert set(out) == {"plan", "tasks", "units", "warnings"}
    # the contract's keys unchanged; issue 25 adds confidence, unsure and needs_review (extra keys only)
    assert {k: out["plan"][k] for k in ("title", "year")} == {"title": "XX县发展和改革委员会2023年重点工作任务", "year": 2023}
    assert set(out["plan"]) == {"title", "year", "confidence", "unsure", "needs_review"}
    assert 0 < out["plan"]["confidence"] <= 1 and out["plan"]["needs_review"] is False
    task = out["tasks"][0]
    for key in ("ref", "section", "title", "objective", "measures", "lead", "co", "deadlines", "warnings",
                "confidence", "doubts"):
        assert key in task
    assert all({"date", "text", "source"} <= d.keys() for t in out["tasks"] for d in t["deadlines"])
    assert all(set(u) == {"name", "aliases"} for u in out["units"])


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("plan.pdf", b"%PDF-1.4 ...", "不支持的格式"),
        ("plan.doc", b"\xd0\xcf\x11\xe0", "不支持的格式"),
        ("empty.txt", b"", "文件为空"),
        ("blank.txt", b"  \n\n ", "文件为空"),
        ("garbage.txt", bytes(range(256)) * 8, "不是文本"),
        ("noise.txt", b"\x81\xfe\x81\xfe\x9f\x80\xff\xfe\xfa" * 50, "无法识别"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "已损坏"),
        ("broken.xlsx", b"hello", "已损坏"),
    ],
)
def test_unreadable_input_raises_one_chinese_line(name, data, why):
    with pytest.raises(PlanReadError) as err:
        parse_bytes(data, name)
    message = str(err.value)
    assert message.startswith(f"无法读取文件 {name}：") and why in message and "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(PlanReadError, match="文件不存在"):
        parse_file(tmp_path / "nope.txt")
    with pytest.raises(PlanReadError, match=r"\.txt \.html \.docx \.xlsx \.csv"):
        parse_file(tmp_path / "x.pdf")


def test_text_without_tasks_is_a_parser_warning_in_chinese():
    """The parser says what it did not find; the importer then refuses such a file (tests/test_intake_*)."""
    plan = parse_bytes("随便写的一段话，没有任何编号。".encode(), "note.txt")
    assert plan.tasks == [] and any("未找到任务" in w for w in plan.warnings)

"""Family tests: small synthetic plans (our own text, written in the genre) for each layout family."""

from __future__ import annotations

from datetime import date

from bot.deadlines import read_deadline_phrase
from bot.plan import parse_bytes


def parse(text: str):
    return parse_bytes(text.encode("utf-8"), "plan.txt")


def by_title(plan):
    return {t.title: t for t in plan.tasks}


def test_flattened_page_with_glued_owner_lists_and_sub_blocks():
    # one line, as a crawler stores it: header noise, headings glued to text, owner lists glued
    # to the next unnumbered sub-block
    text = (
        "当前位置： 首页政务公开 XX区2024年数字政府建设实施方案 微信 微博 一、总体要求坚持统筹推进。"
        "二、重点任务（一）“数字+”政务服务1．行动目标。到2025年，建成一体化平台。2．主要任务“数字+”审批:"
        "推行全程网办。牵头单位：区行政服务中心，配合单位：区司法局、区数据局“数字+”监管:建设监管平台。"
        "牵头单位：区市场监管局（二）“数字+”基层治理推进网格化。牵头单位：区委政法委，配合单位：各街道"
        "三、保障措施（一）强化组织领导建立联席会议制度。牵头单位：区数据局，配合单位：区直各单位 附件下载"
    )
    plan = parse(text)
    assert plan.year == 2024
    refs = [t.ref for t in plan.tasks]
    assert refs == ["1-1", "1-2", "2", "1"], refs
    first, second, third, fourth = plan.tasks
    assert first.lead == ["区行政服务中心"] and first.co == ["区司法局", "区数据局"]
    assert second.lead == ["区市场监管局"] and second.co == []
    assert third.co == ["各街道"]
    assert fourth.lead == ["区数据局"] and fourth.co == ["区直各单位"]
    assert any(d["text"].startswith("到2025年") for d in first.deadlines)


def test_numbering_straight_through_sections_and_repeated_heading():
    text = (
        "XX县2023年粮食工作要点 一、压实责任（一）落实首长责任。责任单位：县粮食局、县财政局。"
        "（二）加强考核。责任单位：县督查室。二、保障供给（三）增加储备。2023年底前完成增储。"
        "责任单位：县粮食局。二、其他（一）做好宣传。责任单位：县委宣传部。"
    )
    plan = parse(text)
    assert [t.ref for t in plan.tasks] == ["1", "2", "3", "1"]
    assert plan.tasks[0].lead == ["县粮食局"] and plan.tasks[0].co == ["县财政局"]
    assert plan.tasks[2].deadlines and plan.tasks[2].deadlines[0]["date"] == "2023-12-31"


def test_parenthetical_roles_and_standing_rule():
    text = "\n".join([
        "XX市2022年水环境治理实施意见",
        "一、强化源头管控",
        "（一）整治入河排污口。全面排查。（责任单位：市生态环境局牵头，市水利局、市住建局参与，"
        "各区政府配合。以下均需各区政府配合，不再列出）",
        "（二）治理黑臭水体。2022年完成主城区治理。（责任单位：市住建局牵头，市城管局参与）",
        "（三）加强监测。（责任单位：市生态环境局）",
    ])
    plan = parse(text)
    t1, t2, t3 = plan.tasks
    assert t1.lead == ["市生态环境局"] and t1.co == ["市水利局", "市住建局", "各区政府"]
    assert t2.lead == ["市住建局"] and t2.co == ["市城管局", "各区政府"]
    assert t3.co == ["各区政府"]
    assert any(d["date"] == "2022-12-31" for d in t2.deadlines)


def test_pilot_batches_with_dates_and_labelled_deadline():
    text = "\n".join([
        "XX区2021年营商环境改革措施",
        "一、推行电子证照",
        "牵头单位：区政务服务局 配合单位：区大数据中心 试点单位：第一批：区公安分局、区税务局，"
        "2021年6月底前完成；第二批：其他区直部门，2021年12月底前完成。",
        "完成时间：2021年12月底前完成",
    ])
    plan = parse(text)
    (task,) = plan.tasks
    assert task.lead == ["区政务服务局"]
    assert task.co == ["区大数据中心", "区公安分局", "区税务局", "其他区直部门"]
    dates = {d["date"] for d in task.deadlines}
    assert {"2021-06-30", "2021-12-31"} <= dates


def test_plan_year_never_from_cited_number_or_target():
    text = "\n".join([
        "XX县农业农村局关于印发工作要点的通知",
        "根据《XX县人民政府关于推进乡村振兴的意见》（X政〔2018〕3号），到2025年基本实现现代化。",
        "XX县农业农村局 2022年3月1日",
        "一、稳定粮食生产（责任股室：种植业股）",
    ])
    plan = parse(text)
    assert plan.year == 2022


def test_out_of_range_title_year_is_refused_with_a_chinese_warning():
    plan = parse("XX局2999年工作要点\n一、加强管理（责任单位：办公室）\nXX局 2023年1月5日")
    assert plan.year == 2023
    assert any("2999" in w and "计划年度" in w for w in plan.warnings)


def test_warnings_are_chinese_and_no_similar_names_merge():
    plan = parse("XX局2023年工作要点\n一、加强管理（责任单位：县教育局）\n二、做好宣传（责任单位：教育局）\n三、其他工作")
    assert plan.tasks[0].lead == ["县教育局"] and plan.tasks[1].lead == ["教育局"]
    assert {u["name"] for u in plan.units} == {"县教育局", "教育局"}
    assert all(not w.isascii() for w in plan.warnings)
    assert any("单位名称相近" in w for w in plan.warnings)


def test_deadline_phrases_typed_by_an_admin():
    assert read_deadline_phrase("9月底", year=2021)[0].date == date(2021, 9, 30)
    assert read_deadline_phrase("9月底前", year=2021)[0].date == date(2021, 9, 30)
    assert read_deadline_phrase("2021-09-30", year=2021)[0].date == date(2021, 9, 30)
    assert read_deadline_phrase("国庆节前", year=2021)[0].date == date(2021, 10, 1)
    assert read_deadline_phrase("元旦前", year=2021)[0].date == date(2022, 1, 1)
    # ten workdays from Friday 2021-09-24, over the National Day week (chinese_calendar)
    got = read_deadline_phrase("10个工作日内", year=2021, issued=date(2021, 9, 24))[0].date
    assert got is not None and got > date(2021, 10, 7)
    assert read_deadline_phrase("10个工作日内", year=2021)[0].date is None  # nothing to count from
    assert read_deadline_phrase("尽快", year=2021) == []


def test_unreadable_stated_deadline_warns():
    plan = parse("XX局2023年工作要点\n一、加强管理\n责任单位：办公室\n完成时限：视情况而定")
    assert any("无法换算成日期" in w for w in plan.warnings)


def test_long_phrase_is_not_a_unit():
    plan = parse("XX局2023年工作要点\n一、加强管理\n责任单位：" + "很" * 45 + "局、办公室")
    assert plan.tasks[0].lead == ["办公室"]


def test_ten_thousand_empty_items_read_as_no_task_and_ask_for_review():
    # 9 999 items + the title: the reader (not ours) refuses more than 10 000 lines. How long this takes is a
    # benchmark's business (bench/parse.py prints it), not a test's: here, what such a file reads as.
    text = "XX局2023年工作要点\n" + "\n".join("一、" for _ in range(9999))
    flat = "XX局2023年工作要点 " + "一、加强工作。" * 10000
    for plan in (parse(text), parse(flat)):
        assert plan.year == 2023 and plan.tasks == []
        assert plan.needs_review and plan.warnings


def test_leaders_per_task_per_section_and_per_plan():
    # 牵头领导 / 分管领导 stated on a task, on a section heading or its first line, or under the title
    text = (
        "某县教育局2026年校园安全专项整治工作方案\n分管领导：王局长\n"
        "一、隐患排查（分管领导：张副局长）\n"
        "1．开展校舍安全排查。6月底前完成。责任股室：安全办、基建股\n"
        "2．开展消防设施检查。7月底前完成。（牵头领导：赵副局长；责任股室：安全办）\n"
        "二、食品安全\n"
        "3．落实食堂管理制度。年底前完成。责任单位：后勤中心、财务股\n"
        "三、宣传教育\n牵头领导：李副局长、钱局长\n"
        "4．开展安全教育月活动。9月底前完成。责任单位：德育股\n"
    )
    tasks = {t.ref: t for t in parse(text).tasks}
    assert {r: t.leaders for r, t in tasks.items()} == {
        "1": ["张副局长"], "2": ["赵副局长"], "3": ["王局长"], "4": ["李副局长", "钱局长"]}
    assert tasks["1"].lead == ["安全办"] and tasks["4"].lead == ["德育股"]  # leaders never become units

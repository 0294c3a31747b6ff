"""Text plans: the seed, the State Council opinion, and the genre's other shapes."""

from pathlib import Path

import pytest

from bot.plan import parse_bytes, parse_file
from tests.conftest import SHARED

FIX = Path(__file__).parent / "fixtures" / "plans"
SEED = SHARED / "seed" / "000_06dbc8e77edbdaad.txt"
BONDED = SHARED / "fixtures" / "08_statecouncil-bonded-zones-2019.txt"
shared = pytest.mark.skipif(not SEED.exists(), reason="shared seed files not mounted")


def by_ref(plan):
    return {t.ref: t for t in plan.tasks}


@shared
def test_seed_tasks_owners_and_noise():
    plan = parse_file(SEED)
    assert (plan.title, plan.year) == ("县委教育工委2021年工作要点", 2021)
    assert [t.ref for t in plan.tasks] == [str(i) for i in range(1, 27)]
    tasks = by_ref(plan)
    assert tasks["1"].lead == ["秘书股"]
    assert tasks["1"].co == [
        "机关党委",
        "人事股",
        "法宣股",
        "督导室",
        "进修学校",
        "各乡镇中心校",
        "县直学校(园)",
    ]
    assert tasks["5"].co[-1] == "关工委办公室"
    assert tasks["12"].section == "三、聚焦问题短板,提高教育服务水平"
    assert tasks["26"].lead == [] and tasks["26"].co == []
    assert "第26项：未列出责任单位" in plan.warnings
    fifteen = tasks["15"]
    assert "十是必须面对" in fifteen.measures and "全县教育系统做表率" in fifteen.measures
    everything = " ".join(t.title + t.objective + t.measures for t in plan.tasks)
    for noise in ("当前隐藏内容免费查看", "推荐访问", "浏览次数", "小编", "猜你喜欢"):
        assert noise not in everything


@shared
def test_seed_units_merge_and_deadline():
    plan = parse_file(SEED)
    units = {u["name"]: u["aliases"] for u in plan.units}
    assert units["教师进修学校"] == [] and units["进修学校"] == []  # never merged by similarity
    # conservative merging: these stay apart
    for name in ("办公室", "关工委办公室", "县直学校", "县直学校(园)", "县直幼儿园"):
        assert units[name] == []
    assert any(w.startswith("单位名称相近") and "“进修学校”与“教师进修学校”" in w for w in plan.warnings)
    dl = by_ref(plan)["12"].deadlines
    assert {"date": "2021-09-01", "source": "extracted"}.items() <= dl[0].items()
    assert "秋季开学" in dl[0]["text"]


@shared
def test_state_council_opinion():
    plan = parse_file(BONDED)
    assert plan.year == 2019
    assert plan.title == "国务院关于促进综合保税区高水平开放高质量发展的若干意见"
    assert [t.ref for t in plan.tasks] == [str(i) for i in range(1, 22)]
    tasks = by_ref(plan)
    assert (tasks["1"].title, tasks["1"].lead, tasks["1"].co) == (
        "拓展两个市场",
        ["税务总局"],
        ["财政部", "海关总署"],
    )
    assert tasks["6"].lead == ["海关总署"] and tasks["6"].co == ["商务部", "有关部门"]
    assert tasks["13"].co == ["文化和旅游部", "文物局"]
    assert tasks["1"].section == "四、主要任务 / （一）统筹两个市场，打造加工制造中心。"
    assert all("基本原则" not in t.section for t in plan.tasks)


def test_lead_and_co_labels_leaders_and_numbering_warnings():
    plan = parse_file(FIX / "labels_lead_co.txt")
    assert (plan.title, plan.year) == ("XX县发展和改革委员会2023年重点工作任务", 2023)
    assert [t.ref for t in plan.tasks] == ["1", "2", "3", "3", "5"]
    first, second, third, fourth, fifth = plan.tasks
    assert first.section == "一、扩大有效投资"
    assert first.lead == ["投资股"] and first.co == ["项目办", "县重点局"]
    assert first.leaders == ["王建国"] and "王建国" not in [u["name"] for u in plan.units]
    assert first.objective.startswith("全年实施") and first.measures.startswith("建立项目调度机制")
    assert second.lead == ["财金股", "规划股"]  # 牵头单位 with two names: both lead
    assert third.co == ["县工信局", "县科技局"]  # "和" between two units splits
    assert any("编号 3 重复" in w for w in fourth.warnings)
    assert any("编号从 3 跳到 5" in w for w in fifth.warnings)
    assert fifth.lead == [] and fifth.co == ["县数据资源局"]
    assert any("未列出牵头单位" in w for w in fifth.warnings)
    stated = [d for d in first.deadlines if d["source"] == "stated"]
    assert stated and stated[0]["text"] == "2023年12月底"


def test_inline_brackets_rules_and_sub_items():
    plan = parse_file(FIX / "inline_brackets.txt")
    assert (plan.title, plan.year) == ("2022年市政府工作报告重点任务分工方案", 2022)
    t = by_ref(plan)
    assert [x.ref for x in plan.tasks] == ["1", "2", "3", "4", "5", "6", "7"]
    assert (t["1"].lead, t["1"].co) == (["市商务局"], ["各县区政府"])
    assert (t["2"].lead, t["2"].co) == (["市工信局", "市发改委"], [])  # "X、Y牵头": both lead
    assert (t["3"].lead, t["3"].co) == (["市财政局"], ["市税务局", "人民银行市中心支行"])
    assert (t["4"].lead, t["4"].co) == (["市农业农村局"], ["市发改委"])
    # the owner line after （1）（2） belongs to item 5; "和" splits two units, "住房和城乡建设局" stays
    assert t["5"].lead == ["市农业农村局"]
    assert t["5"].co == ["市住房和城乡建设局", "市卫健委", "市生态环境局"]
    assert "（2）开展村庄清洁行动" in t["5"].measures
    assert t["6"].co == ["市交通运输局", "有关部门"]
    assert t["7"].co == ["各有关部门"]
    assert not plan.warnings


def test_headings_that_are_units():
    plan = parse_file(FIX / "unit_headings.txt")
    assert plan.year == 2024
    assert [(t.ref, t.lead) for t in plan.tasks] == [
        ("1", ["办公室"]), ("2", ["办公室"]), ("3", ["办公室"]),
        ("1", ["人事股"]), ("2", ["人事股"]), ("1", ["关工委办公室"]),
    ]  # fmt: skip
    assert plan.tasks[3].section == "二、人事股"
    assert not any("同一部分内编号" in w for w in plan.warnings)  # numbering restarts per unit


def test_flattened_crawler_page():
    plan = parse_file(FIX / "flattened.txt")
    assert (plan.title, plan.year) == ("XX镇人民政府2023年工作计划", 2023)
    assert [t.title for t in plan.tasks] == [
        "推进招商引资", "壮大村集体经济", "深化平安建设", "做好安全生产", "巩固脱贫成果", "办好为民实事",
    ]  # fmt: skip
    t = by_ref(plan)
    assert t["2"].co == ["各村(社区)"]
    assert t["3"].section == "二、抓好社会治理"
    assert t["4"].measures == "开展安全隐患大排查大整治行动。"
    assert (t["6"].lead, t["6"].co) == (["城建办"], ["社区服务中心"])


def test_sub_items_in_measures_are_not_tasks(tmp_path):
    text = (
        "XX局2023年工作要点\n一、强化基础\n1.完善制度体系\n工作措施：\n①修订议事规则；\n②建立督办台账。\n"
        "责任单位：办公室、法规科\n2.加强队伍建设\n工作措施：一是开展培训；二是强化考核。\n责任单位：人事科\n"
    )
    path = tmp_path / "circled.txt"
    path.write_text(text, encoding="utf-8")
    plan = parse_file(path)
    assert [(t.ref, t.lead, t.co) for t in plan.tasks] == [
        ("1", ["办公室"], ["法规科"]),
        ("2", ["人事科"], []),
    ]
    assert "②建立督办台账" in plan.tasks[0].measures


def test_owner_outside_any_item_is_a_warning(tmp_path):
    path = tmp_path / "stray.txt"
    path.write_text(
        "XX县2023年工作要点\n责任单位：县政府办\n1.做好督查工作\n（县督查室负责）\n", encoding="utf-8"
    )
    plan = parse_file(path)
    assert [(t.ref, t.lead) for t in plan.tasks] == [("1", ["县督查室"])]
    assert any("无法归属" in w for w in plan.warnings)


@shared
def test_shared_plans_flattened_onto_one_line():
    seed = parse_bytes(SEED.read_text(encoding="utf-8").replace("\n", " ").encode(), "seed.txt")
    assert seed.year == 2021 and len(seed.tasks) == 26
    assert by_ref(seed)["15"].lead == ["办公室"] and by_ref(seed)["26"].lead == []
    bonded = parse_bytes(BONDED.read_text(encoding="utf-8").replace("\n", "").encode(), "b.txt")
    assert bonded.title == "国务院关于促进综合保税区高水平开放高质量发展的若干意见"
    assert [t.ref for t in bonded.tasks] == [str(i) for i in range(1, 22)]
    assert by_ref(bonded)["21"].co == ["商务部", "有关部门"]

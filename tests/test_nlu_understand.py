"""Each kind of question the language layer reads, on a small plan built in the test."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from bot.nlu import (
    Combine,
    Filter,
    Focus,
    Kind,
    Role,
    Status,
    TaskRecord,
    UnitRecord,
    Vocabulary,
    normalise,
    select,
    understand,
)
from bot.nlu.timewords import find_windows

TODAY = date(2024, 5, 15)  # a Wednesday
UNITS = [
    UnitRecord(1, "教研室"), UnitRecord(2, "人事股"), UnitRecord(3, "督导室"), UnitRecord(4, "基教股"),
    UnitRecord(5, "体卫艺股"), UnitRecord(6, "仪器站"), UnitRecord(7, "办公室"), UnitRecord(8, "安全办"),
    UnitRecord(9, "教师进修学校", ("进修学校",)), UnitRecord(10, "各乡镇中心校", kind="group"),
    UnitRecord(11, "区农业农村局"), UnitRecord(12, "区农业农村中心"),
]
TASKS = [
    TaskRecord(1, "1", "强化教研支撑作用", "提升教研能力", "开展集体备课和教学视导", lead_unit_ids=(1,),
               co_unit_ids=(9, 10), deadlines=(date(2024, 5, 17),), status=Status.IN_PROGRESS,
               last_report=date(2024, 5, 10), position=0),
    TaskRecord(2, "2", "建设高素质教师队伍", "师德师风建设", "乡村教师培训", lead_unit_ids=(2,), co_unit_ids=(3, 4),
               deadlines=(date(2024, 5, 1),), status=None, position=1),
    TaskRecord(3, "3", "巩固义务教育均衡发展成果", "消除大班额", "推进营养改善计划", lead_unit_ids=(4,),
               co_unit_ids=(3, 6), deadlines=(date(2024, 6, 20),), status=Status.BLOCKED,
               last_report=date(2024, 5, 14), position=2),
    TaskRecord(4, "4", "守牢教育安全稳定底线", "校园安全", "开展防溺水和消防安全教育，加强网络安全教育",
               lead_unit_ids=(8,), co_unit_ids=(5, 6), deadlines=(date(2024, 7, 10),), status=Status.DONE,
               last_report=date(2024, 5, 1), position=3),
    TaskRecord(5, "5", "完善五育并举工作机制", "学生体质健康", "落实体育美育劳动教育", lead_unit_ids=(4,),
               co_unit_ids=(2, 5, 1), deadlines=(date(2024, 5, 31),), status=Status.NOT_STARTED,
               last_report=date(2024, 3, 1), position=4),
    TaskRecord(6, "6", "深入推进模范机关创建", "建设模范机关", "", lead_unit_ids=(7,), co_unit_ids=(2,),
               position=5),
    TaskRecord(7, "7", "加强农业执法", "", "", lead_unit_ids=(11,), co_unit_ids=(12,), position=6),
]


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.build(UNITS, TASKS)


def ask(vocab, text, own=None):
    u = understand(text, vocab, now=TODAY, own_unit_id=own)
    return u, select(u, vocab)


def test_normalise_traditional_width_spaces():
    assert normalise("牽頭單位") == "牵头单位"
    assert normalise("　第１２項　") == "第12项"
    assert normalise("教 研 室") == "教研室"
    assert normalise("Task  12") == "task 12"


@pytest.mark.parametrize("text", ["义务教育均衡归谁管", "营养改善是哪个股室的", "网络安全教育谁来抓", "大班额谁负责"])
def test_topic_to_owner(vocab, text):
    u, sel = ask(vocab, text)
    assert u.kind is Kind.WHO
    assert sel.task_ids[0] in (3, 4)
    assert set(sel.unit_ids) & {4, 8}


@pytest.mark.parametrize("text", ["教研室", "教研室的", "教研室 工作", "教研室负责什么", "tasks of 教研室"])
def test_unit_alone_or_with_filler(vocab, text):
    u, sel = ask(vocab, text)
    assert u.kind is Kind.OWNS
    assert [m.unit_id for m in u.units] == [1]
    assert set(sel.task_ids) == {1, 5}


@pytest.mark.parametrize("text", ["本单位的任务", "我们的任务", "我的任务", "我们单位负责什么"])
def test_own_unit(vocab, text):
    u, sel = ask(vocab, text, own=2)
    assert u.kind is Kind.OWNS and u.units[0].own
    assert set(sel.task_ids) == {2, 5, 6}
    u2, sel2 = ask(vocab, text, own=None)
    assert u2.needs_own_unit and sel2.task_ids == []


@pytest.mark.parametrize("text,ref", [("第五项", "5"), ("第三条", "3"), ("4号", "4"), ("task 2", "2"), ("#2", "2"),
                                      ("看看第1项", "1"), ("任务6", "6"), ("2", "2")])
def test_task_refs(vocab, text, ref):
    u, sel = ask(vocab, text)
    assert u.kind is Kind.TASK_DETAIL and u.refs == [ref]
    assert sel.task_ids == [int(ref)]


def test_ref_focus(vocab):
    u, sel = ask(vocab, "第3项还有谁参与")
    assert (u.kind, u.focus, sel.unit_ids) == (Kind.WHO, Focus.CO, [3, 6])
    u, sel = ask(vocab, "第3项谁牵头")
    assert (u.kind, u.focus, sel.unit_ids) == (Kind.WHO, Focus.LEAD, [4])
    u, _ = ask(vocab, "第三项讲什么")
    assert (u.kind, u.focus) == (Kind.TASK_DETAIL, Focus.CONTENT)
    u, _ = ask(vocab, "第3项进展如何")
    assert u.kind is Kind.PROGRESS
    u, sel = ask(vocab, "第3到5项")
    assert sel.task_ids == [3, 4, 5]
    u, sel = ask(vocab, "第30项谁牵头")
    assert u.missing_refs == ["30"] and sel.task_ids == []


def test_unit_with_status_filter(vocab):
    u, sel = ask(vocab, "人事股还有哪些没完成")
    assert u.kind is Kind.LIST_FILTERED and u.filters == [Filter.OPEN]
    assert set(sel.task_ids) == {2, 5, 6}
    assert sel.description == "人事股参与、未完成"
    u, sel = ask(vocab, "基教股有困难的")
    assert sel.task_ids == [3]


def test_overdue_and_unreported(vocab):
    u, sel = ask(vocab, "哪些逾期了")
    assert u.kind is Kind.OVERDUE and sel.task_ids == [2]
    u, sel = ask(vocab, "哪些逾期了没报")
    assert u.kind is Kind.LIST_FILTERED and sel.task_ids == [2]
    u, sel = ask(vocab, "哪些单位还没报进度")
    assert u.kind is Kind.UNREPORTED and u.focus is Focus.UNITS
    assert set(sel.unit_ids) == {2, 4, 7, 11}  # leads of 2, 5, 6, 7


def test_counts(vocab):
    u, sel = ask(vocab, "基教股牵头多少项")
    assert (u.kind, sel.count) == (Kind.COUNT, 2)
    u, sel = ask(vocab, "一共多少项任务")
    assert (u.kind, sel.count) == (Kind.COUNT, 7)
    u, sel = ask(vocab, "how many tasks are overdue")
    assert (u.kind, sel.count) == (Kind.COUNT, 1)


@pytest.mark.parametrize("text,start,end", [
    ("本周到期", date(2024, 5, 13), date(2024, 5, 19)),
    ("下周到期的", date(2024, 5, 20), date(2024, 5, 26)),
    ("本月到期", date(2024, 5, 1), date(2024, 5, 31)),
    ("下个月到期的", date(2024, 6, 1), date(2024, 6, 30)),
    ("本季度到期", date(2024, 4, 1), date(2024, 6, 30)),
    ("月底前要完成的", date(2024, 5, 15), date(2024, 5, 31)),
    ("10天内到期", date(2024, 5, 15), date(2024, 5, 25)),
    ("三天内到期", date(2024, 5, 15), date(2024, 5, 18)),
    ("6月20日前", date(2024, 5, 15), date(2024, 6, 20)),
    ("7月前要完成的", date(2024, 5, 15), date(2024, 6, 30)),
    ("due this week", date(2024, 5, 13), date(2024, 5, 19)),
])
def test_time_windows(vocab, text, start, end):
    u, _ = ask(vocab, text)
    assert u.kind is Kind.DUE
    assert (u.window.start, u.window.end) == (start, end)


def test_due_selection_skips_done_and_sorts_by_date(vocab):
    _u, sel = ask(vocab, "本季度到期的")
    assert sel.task_ids == [2, 1, 5, 3]  # open ones by first deadline in the window; 4 is done
    _u, sel = ask(vocab, "下周到期的")
    assert sel.task_ids == []


def test_windows_from_datetime_now(vocab):
    u = understand("本周到期", vocab, now=datetime(2024, 5, 15, 9, 30))
    assert u.window.start == date(2024, 5, 13)
    assert find_windows("没有时间", TODAY) == []


def test_combinations(vocab):
    u, sel = ask(vocab, "人事股和督导室都参与的")
    assert u.combine is Combine.ALL and sel.task_ids == [2]
    u, sel = ask(vocab, "基教股牵头、督导室配合的")
    assert [(m.unit_id, m.role) for m in u.units] == [(4, Role.LEAD), (3, Role.CO)]
    assert sel.task_ids == [3]
    assert sel.description == "基教股牵头、督导室配合"
    u, sel = ask(vocab, "人事股或督导室的任务")
    assert u.combine is Combine.ANY and set(sel.task_ids) == {2, 3, 5, 6}


@pytest.mark.parametrize("text,unit", [("牽頭單位 體衛藝股", 5), ("体卫艺", 5), ("体卫艺的任务", 5), ("教研事牵头什么", 1),
                                       ("仪器战参与哪些", 6), ("进修学校", 9), ("督導室", 3)])
def test_forms_of_unit_names(vocab, text, unit):
    u, _ = ask(vocab, text)
    assert unit in [m.unit_id for m in u.units] or unit in [c.id for c in u.choices]


def test_fuzzy_unit_that_fits_two_is_ambiguous(vocab):
    u, sel = ask(vocab, "区农业农的任务")
    assert u.kind is Kind.AMBIGUOUS and u.wanted is Kind.OWNS
    assert {c.id for c in u.choices} == {11, 12} and set(sel.unit_ids) == {11, 12}


def test_tokenizer_keeps_unit_names_whole(vocab):
    assert vocab.cut("仪器站牵头什么")[0] == "仪器站"
    import jieba

    assert "仪器站" not in jieba.dt.FREQ or jieba.dt.FREQ.get("仪器站", 0) < 200_000


@pytest.mark.parametrize("text,kind,ref", [
    ("who is in charge of task 3", Kind.WHO, "3"), ("show task 5", Kind.TASK_DETAIL, "5"),
    ("progress of task 1", Kind.PROGRESS, "1"), ("who leads task 2", Kind.WHO, "2"),
])
def test_english(vocab, text, kind, ref):
    u, _ = ask(vocab, text)
    assert (u.kind, u.refs) == (kind, [ref])


def test_english_unit(vocab):
    u, sel = ask(vocab, "what does 安全办 own")
    assert u.kind is Kind.OWNS and sel.task_ids == [4]


@pytest.mark.parametrize("text,ref,status,percent,note", [
    ("/report 2 完成了", "2", Status.DONE, None, ""),
    ("2 已办结", "2", Status.DONE, None, ""),
    ("第2项正在推进 50%", "2", Status.IN_PROGRESS, 50, ""),
    ("第3项遇到困难，场地没落实", "3", Status.BLOCKED, None, "场地没落实"),
    ("5 还没开始", "5", Status.NOT_STARTED, None, ""),
    ("第六项搞定", "6", Status.DONE, None, ""),
    ("task 1 done", "1", Status.DONE, None, ""),
    ("第1项 进度80%", "1", Status.IN_PROGRESS, 80, ""),
    ("/report 4 卡住了 等资金", "4", Status.BLOCKED, None, "等资金"),
    ("第2项在办，完成百分之三十", "2", Status.IN_PROGRESS, 30, ""),
])
def test_report_wording(vocab, text, ref, status, percent, note):
    u, sel = ask(vocab, text)
    assert u.kind is Kind.REPORT
    r = u.report
    assert (r.ref, r.status, r.percent) == (ref, status, percent)
    if note:
        assert r.note == note
    assert sel.task_ids == [int(ref)]


def test_question_is_not_a_report(vocab):
    assert ask(vocab, "第2项完成了吗")[0].kind is Kind.PROGRESS
    assert ask(vocab, "第2项完成了没有")[0].kind is Kind.PROGRESS


def test_board_help_units(vocab):
    assert ask(vocab, "看板")[0].kind is Kind.BOARD
    assert ask(vocab, "整体进展怎么样")[0].kind is Kind.BOARD
    assert ask(vocab, "帮助")[0].kind is Kind.HELP
    assert ask(vocab, "/help")[0].kind is Kind.HELP
    u, sel = ask(vocab, "有哪些单位")
    assert u.kind is Kind.UNITS and len(sel.unit_ids) == len(UNITS)


def test_slash_commands(vocab):
    assert ask(vocab, "/who 3")[0].kind is Kind.WHO
    assert ask(vocab, "/task 3")[0].kind is Kind.TASK_DETAIL
    assert ask(vocab, "/owns 安全办")[1].task_ids == [4]
    assert ask(vocab, "/mine", own=1)[1].task_ids == [1, 5]
    assert ask(vocab, "/overdue")[1].task_ids == [2]
    assert ask(vocab, "/due")[0].kind is Kind.DUE
    u, _ = ask(vocab, "/frobnicate")
    assert u.kind is Kind.UNKNOWN and u.command == "frobnicate"


def test_unknown_gets_suggestions(vocab):
    u, sel = ask(vocab, "今天天气真好啊")
    assert u.kind in (Kind.UNKNOWN, Kind.DUE)
    u, _ = ask(vocab, "火星探测")
    assert u.kind is Kind.UNKNOWN


def test_topic_ties_are_ambiguous():
    tasks = [TaskRecord(1, "1", "加强食品安全", lead_unit_ids=(1,)),
             TaskRecord(2, "2", "加强食品安全", lead_unit_ids=(2,))]
    v = Vocabulary.build(UNITS[:2], tasks)
    u = understand("食品安全进展怎么样", v, now=TODAY)
    assert u.kind is Kind.AMBIGUOUS and u.wanted is Kind.PROGRESS and {c.id for c in u.choices} == {1, 2}


def test_never_raises_on_random_unicode(vocab):
    rng = random.Random(20240515)
    pools = [range(0x20, 0x7F), range(0x4E00, 0x9FFF), range(0x3000, 0x303F), range(0xFF00, 0xFFEF),
             range(0x1F300, 0x1F6FF), range(0x0, 0x20), range(0xD7B0, 0xD7FF)]
    words = ["第", "项", "谁", "牵头", "教研室", "%", "/report", "本周", "没报", "和", "都", "12", "十二", "#"]
    for _ in range(600):
        parts = []
        for _ in range(rng.randint(0, 12)):
            if rng.random() < 0.4:
                parts.append(rng.choice(words))
            else:
                pool = rng.choice(pools)
                parts.append("".join(chr(rng.choice(pool)) for _ in range(rng.randint(1, 6))))
        text = "".join(parts)
        u = understand(text, vocab, now=TODAY, own_unit_id=rng.choice([None, 1]))
        sel = select(u, vocab)
        assert isinstance(u.kind, Kind) and isinstance(sel.task_ids, list)
    for odd in ["", " ", "\x00", "第" * 500, "9" * 400 + "项", "第九九九九九九九九九九九九九九项", "百分之九九九九",
                "99月99日前", "/", "/report", "/ ", None, 123]:
        u = understand(odd, vocab, now=TODAY)  # type: ignore[arg-type]
        select(u, vocab)


def test_vocabularies_adding_the_same_words_share_one_tokenizer():
    a, b = Vocabulary.build(UNITS, TASKS), Vocabulary.build(UNITS, TASKS[:1])
    other = Vocabulary.build(UNITS[:2], TASKS)
    assert a.tokenizer is b.tokenizer  # one 15 MB copy of jieba's dictionary, not one per vocabulary
    assert other.tokenizer is not a.tokenizer
    # Each keeps its own words whole and no other's: a shared tokenizer is never changed once made.
    assert a.cut("安全办负责什么")[0] == b.cut("安全办负责什么")[0] == "安全办"
    assert other.cut("安全办负责什么")[:2] == ["安全", "办"]

"""Tests for bot.deadlines: one test per phrase class, the extractor on running text and the seed plan."""

from datetime import date

import pytest

from bot.deadlines import Deadline, Recurrence, extract_deadlines, parse_deadline
from bot.deadlines.festivals import spring_festival
from tests.conftest import SAMPLE, SHARED

SEED = SHARED / "seed" / "000_06dbc8e77edbdaad.txt"
if not SEED.exists():  # the bundled sample is the same document
    SEED = SAMPLE


def parsed(phrase: str, year: int = 2021, **kw) -> tuple:
    d = parse_deadline(phrase, year=year, **kw)
    assert d is not None, phrase
    return d.date, d.certain, d.kind, d.label


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("6月底前", (date(2021, 6, 30), True, "once", "6月底前")),
        ("6月末", (date(2021, 6, 30), True, "once", "6月底前")),
        ("6月份", (date(2021, 6, 30), False, "once", "6月份")),
        ("9月份", (date(2021, 9, 30), False, "once", "9月份")),
        ("2月底前", (date(2021, 2, 28), True, "once", "2月底前")),
    ],
)
def test_month_end(phrase, expected):
    assert parsed(phrase) == expected


def test_year_month_end():
    assert parsed("2021年10月底前") == (date(2021, 10, 31), True, "once", "10月底前")
    assert parsed("2022年3月底前") == (date(2022, 3, 31), True, "once", "2022年3月底前")
    assert parsed("明年6月底前")[0] == date(2022, 6, 30)


def test_month_day():
    assert parsed("10月15日前") == (date(2021, 10, 15), True, "once", "10月15日前")
    assert parsed("2021年10月31日前")[:2] == (date(2021, 10, 31), True)
    assert parsed("１０月１５日以前")[0] == date(2021, 10, 15)  # full-width digits
    assert parsed("10月15日至20日")[0] == date(2021, 10, 20)  # a range is due at its end
    assert parse_deadline("2月30日前", year=2021) is None


@pytest.mark.parametrize("phrase", ["年底前", "年内", "年末", "全年", "今年底", "2021年年底前"])
def test_year_end(phrase):
    assert parsed(phrase)[:3] == (date(2021, 12, 31), True, "once")


def test_half_year():
    assert parsed("上半年") == (date(2021, 6, 30), False, "once", "上半年")
    assert parsed("下半年") == (date(2021, 12, 31), False, "once", "下半年")
    assert parsed("2021年上半年")[0] == date(2021, 6, 30)


def test_quarter():
    assert parsed("第三季度") == (date(2021, 9, 30), False, "once", "第三季度")
    assert parsed("三季度") == (date(2021, 9, 30), False, "once", "第三季度")
    assert parsed("一季度末") == (date(2021, 3, 31), True, "once", "第一季度末")
    assert parsed("第2季度末前")[0] == date(2021, 6, 30)


def test_chinese_numeral_months_and_xun():
    assert parsed("十月底") == (date(2021, 10, 31), True, "once", "10月底前")
    assert parsed("十二月中旬") == (date(2021, 12, 20), True, "once", "12月中旬")
    assert parsed("三月上旬")[0] == date(2021, 3, 10)
    assert parsed("二月下旬")[0] == date(2021, 2, 28)
    assert parsed("十一月二十五日前")[0] == date(2021, 11, 25)


@pytest.mark.parametrize("phrase", ["二0三五年底前", "二〇三五年底前", "2035年底前", "二〇三五年年底前"])
def test_written_years(phrase):
    assert parsed(phrase) == (date(2035, 12, 31), True, "once", "2035年底前")


def test_year_before_is_an_estimate():
    assert parsed("2025年前") == (date(2025, 12, 31), False, "once", "2025年前")


def test_school_terms_and_summer():
    assert parsed("秋季开学") == (date(2021, 9, 1), False, "once", "秋季开学")
    assert parsed("春季开学") == (date(2021, 3, 1), False, "once", "春季开学")
    assert parsed("暑假前") == (date(2021, 7, 1), False, "once", "暑假前")
    assert parsed("暑期") == (date(2021, 8, 31), False, "once", "暑期")
    # An event already past `after` rolls to the next year.
    assert parsed("秋季开学", after=date(2021, 10, 1))[0] == date(2022, 9, 1)


def test_winter_break_is_three_weeks_before_spring_festival():
    assert parsed("寒假前") == (date(2021, 1, 22), False, "once", "寒假前")
    assert parsed("寒假前", after=date(2021, 3, 1))[0] == date(2022, 1, 11)


def test_spring_festival_uses_the_lunar_calendar():
    assert parsed("春节前") == (date(2021, 2, 12), True, "once", "春节前")
    assert parsed("春节前", after=date(2021, 3, 1))[0] == date(2022, 2, 1)
    assert parsed("春节前", year=2027)[0] == date(2027, 2, 6)
    # any year, not a hand-typed table: 2040 and 2060 included
    assert parse_deadline("春节前", year=2040, after=date(2040, 3, 1)).date == date(2041, 2, 1)
    assert spring_festival(2060) == date(2060, 2, 2)
    assert spring_festival(1990) == date(1990, 1, 27)


def test_national_day():
    assert parsed("国庆前") == (date(2021, 10, 1), True, "once", "国庆前")
    assert parsed("国庆节前夕", after=date(2021, 10, 2))[0] == date(2022, 10, 1)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("建党100周年", date(2021, 7, 1)),
        ("建党一百周年", date(2021, 7, 1)),
        ("建党百年前", date(2021, 7, 1)),
        ("新中国成立70周年", date(2019, 10, 1)),
        ("建军100周年前", date(2027, 8, 1)),
        ("改革开放四十周年之际", date(2018, 12, 18)),
    ],
)
def test_anniversaries(phrase, expected):
    assert parsed(phrase)[:3] == (expected, True, "once")


def test_recurring():
    d = parse_deadline("每月25日前报送", year=2021)
    assert d.kind == "recurring" and d.recurrence == Recurrence("monthly", 25)
    assert d.date == date(2021, 1, 25) and d.label == "每月25日前" and d.certain
    assert parse_deadline("每季度末", year=2021).recurrence == Recurrence("quarterly")
    assert parse_deadline("每季度", year=2021).date == date(2021, 3, 31)
    assert parse_deadline("按季度报送", year=2021).recurrence == Recurrence("quarterly")
    assert parse_deadline("每半年", year=2021).recurrence == Recurrence("halfyearly")
    assert parse_deadline("每年", year=2021).date == date(2021, 12, 31)
    assert parse_deadline("每年6月底前", year=2021).recurrence == Recurrence("yearly", None, 6)
    friday = parse_deadline("每周五", year=2021)
    assert friday.recurrence == Recurrence("weekly", 5) and friday.date == date(2021, 1, 1)
    assert parse_deadline("每月25日前", year=2021, after=date(2021, 3, 26)).date == date(2021, 4, 25)


def test_recurrence_occurrences():
    assert Recurrence("monthly", 31).occurrences(date(2021, 1, 1), date(2021, 4, 30)) == [
        date(2021, 1, 31),
        date(2021, 2, 28),
        date(2021, 3, 31),
        date(2021, 4, 30),
    ]
    assert Recurrence("quarterly").occurrences(date(2021, 1, 1), date(2021, 12, 31)) == [
        date(2021, 3, 31),
        date(2021, 6, 30),
        date(2021, 9, 30),
        date(2021, 12, 31),
    ]
    assert Recurrence("halfyearly").occurrences(date(2021, 7, 1), date(2022, 7, 1)) == [
        date(2021, 12, 31),
        date(2022, 6, 30),
    ]
    assert Recurrence("yearly", 15, 3).occurrences(date(2021, 3, 16), date(2023, 3, 15)) == [
        date(2022, 3, 15),
        date(2023, 3, 15),
    ]
    assert Recurrence("weekly", 5).occurrences(date(2021, 9, 27), date(2021, 10, 15)) == [
        date(2021, 10, 1),
        date(2021, 10, 8),
        date(2021, 10, 15),
    ]
    assert Recurrence("weekly").occurrences(date(2021, 9, 27), date(2021, 10, 3)) == [date(2021, 10, 3)]
    assert Recurrence("monthly").occurrences(date(2021, 2, 1), date(2021, 1, 1)) == []
    with pytest.raises(ValueError):
        Recurrence("daily")


@pytest.mark.parametrize("phrase", ["长期坚持", "持续推进", "常态化"])
def test_ongoing(phrase):
    d = parse_deadline(phrase, year=2021)
    assert (d.date, d.kind, d.recurrence) == (None, "ongoing", None)


def test_wrappers_keep_the_phrase_as_written():
    d = parse_deadline("力争6月底以前完成", year=2021)
    assert d.text == "力争6月底以前完成" and d.date == date(2021, 6, 30)
    assert parsed("确保10月15日之前")[0] == date(2021, 10, 15)


@pytest.mark.parametrize(
    "phrase",
    [
        "2035年远景目标",
        "十四五",
        "56人以上",
        "100%",
        "三年内",
        "去年底",
        "6月份起",
        "每年级",
        "逐年提高",
        "学年末",
        "一季",
    ],
)
def test_not_deadlines(phrase):
    assert parse_deadline(phrase, year=2021) is None


def test_to_dict():
    d = parse_deadline("每月25日前报送", year=2021)
    assert d.to_dict() == {
        "date": "2021-01-25",
        "text": "每月25日前报送",
        "certain": True,
        "kind": "recurring",
        "recurrence": {"freq": "monthly", "day": 25, "month": None},
        "label": "每月25日前",
    }
    assert parse_deadline("常态化", year=2021).to_dict()["date"] is None


def test_extract_returns_clauses_in_order_deduplicated():
    text = (
        "各校要在6月底前完成摸底，10月15日前报送材料；每月25日前报送进度。"
        "各校要在6月底前完成摸底。力争在建党100周年前完成展馆建设。二〇二一年十二月中旬组织考核。"
    )
    got = [(d.text, d.date, d.kind) for d in extract_deadlines(text, year=2021)]
    assert got == [
        ("各校要在6月底前完成摸底", date(2021, 6, 30), "once"),
        ("10月15日前报送材料", date(2021, 10, 15), "once"),
        ("每月25日前报送进度", date(2021, 1, 25), "recurring"),
        ("力争在建党100周年前完成展馆建设", date(2021, 7, 1), "once"),
        ("二〇二一年十二月中旬组织考核", date(2021, 12, 20), "once"),
    ]


def test_extract_skips_non_deadlines():
    text = (
        "县委教育工委2021年工作要点。2021年是全面实施“十四五”规划的开局之年，以优异成绩庆祝建党100周年。"
        "制定《颍上县“十四五”教育事业发展规划及2035年远景目标》。到2035年前基本实现教育现代化。"
        "基本消除56人以上大班额，毛入学率达到95%以上。截至2020年底已建成12所，三年内完成改造。"
        "1-6月份累计完成投资3亿元。全年教育工作的总体要求是。6月份起实行新办法。每年级设3个班，逐年提高投入。"
    )
    assert extract_deadlines(text, year=2021) == []


def test_extract_full_year_needs_a_goal_verb():
    got = extract_deadlines("确保完成全年目标任务。全年新增学位3000个。", year=2021)
    assert [d.date for d in got] == [date(2021, 12, 31)] * 2


def test_seed_plan():
    found = extract_deadlines(SEED.read_text(encoding="utf-8"), year=2021)
    dated = [d for d in found if d.date is not None]
    assert dated == [
        Deadline("力争秋季开学投入使用", date(2021, 9, 1), False, "once", None, "秋季开学"),
    ]
    # The rest are the plan's "常态化" measures: ongoing, no date, no reminder spam.
    assert {d.kind for d in found if d.date is None} == {"ongoing"}
    assert all("常态化" in d.text for d in found if d.kind == "ongoing")


def test_bare_month_needs_a_completion_verb_in_running_text():
    from datetime import date as _d

    assert [(x.date, x.certain) for x in extract_deadlines("力争9月完成主体工程", year=2024)] == [
        (_d(2024, 9, 30), False)
    ]
    assert extract_deadlines("计划于9月召开全市大会", year=2024) == []
    assert extract_deadlines("全市1-9月累计完成投资", year=2024) == []
    cell = parse_deadline("2024年9月", year=2024)  # a 完成时限 cell
    assert cell is not None and cell.date == _d(2024, 9, 30)


def test_traditional_festivals_school_start_and_next_month_are_dated():
    from datetime import date as _d

    from bot.deadlines import read_deadline_phrase

    def first(p):
        (d,) = read_deadline_phrase(p, year=2025)
        return d

    assert first("端午节前").date == _d(2025, 5, 31)
    assert first("中秋节前").date == _d(2025, 10, 6)
    assert first("清明节前").date == _d(2025, 4, 4)
    assert first("重阳节前").date == _d(2025, 10, 29)
    assert first("元宵节前").date == _d(2025, 2, 12)
    assert first("除夕前").date == _d(2025, 1, 28)
    start = first("开学前")
    assert start.date == _d(2025, 3, 1) and not start.certain  # an estimate, shown as such
    monthly = first("次月10日前")
    assert monthly.kind == "recurring" and monthly.recurrence.day == 10


def test_a_phrase_that_cannot_be_dated_is_a_warning_not_silence():
    from bot.plan import parse_bytes

    text = "XX县2024年防汛工作要点\n一、清理河道\n（一）汛期前完成河道清障。（责任单位：县水利局）\n"
    plan = parse_bytes(text.encode("utf-8"), "plan.txt")
    (task,) = plan.tasks
    assert any(d["text"].startswith("汛期前") and d["date"] is None for d in task.deadlines)
    assert any("汛期前" in w and "无法换算成日期" in w for w in plan.warnings)

"""Hold the rule table for deadline phrases; extract.py applies it.

Conventions (decided here, relied on by reminders):

- The date is the last day that still meets the phrase: "6月底前" → 06-30, "10月15日前" → 10-15,
  "第三季度" → 09-30. An event phrase gives the event's own date ("国庆前" → 10-01, "春节前" → the
  Spring Festival); the work calendar then counts a holiday back to the previous workday.
- certain=True when the text names an end point: a stated day, a month/quarter/half/year end
  ("底"/"末"), 旬, a fixed holiday, the Spring Festival table, an anniversary. "年内"/"全年" are also
  certain: the year end is the hard outer bound of everything in an annual plan.
  certain=False when it names a window inside the year ("上半年", "第三季度", "6月份") or a school or
  season custom ("秋季开学" 09-01, "春季开学" ~03-01, "暑假前" 07-01, "暑期" 08-31, "寒假前" ~three
  weeks before the Spring Festival), or a reading that differs between offices ("6月前", "2035年前").
- Events without a year ("秋季开学", "春节前", "国庆前") take the first occurrence on or after
  `after`, which defaults to 1 January of the plan year.
- An anniversary is a deadline only next to a deadline word ("建党100周年前", "…之际"): in
  "以优异成绩庆祝建党100周年" it is a slogan, and reminding on 07-01 would be spam. parse_deadline,
  which is handed a phrase already known to be a deadline, accepts it bare.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.numerals import cn_digit, cn_int

from .festivals import FOUNDING_LABEL, anniversary, next_spring_festival
from .model import Recurrence
from .recurrence import first_occurrence, month_end

_NUM = "0-9〇零○一二三四五六七八九十两百"
_NO_NUM_BEFORE = rf"(?<![{_NUM}])"
# A bare "年底"/"年内"/"上半年" after these is a past or relative span ("去年底", "三年内", "学年末").
_NO_YEAR_WORD_BEFORE = rf"(?<![{_NUM}上去前往近每学个多几数半全度整当])"
_YEAR = r"(?P<y>[12一二][0-9〇零○Oo一二三四五六七八九]{3})"
_PFX = rf"(?:{_YEAR}年|(?P<rel>今|明|本)年)?"
_MON = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?P<d>3[01]|[12][0-9]|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_BEFORE = r"(?:前|以前|之前)"
# A start or a span reaching back is not a deadline: "6月份起", "6月底以来", "秋季开学后".
_NOT_START = r"(?!起|开始|以来|至今|后|以后|之后)"
_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}


@dataclass(frozen=True)
class Ctx:
    """Carry what a rule needs besides its match: the plan year and the reference date."""

    year: int
    after: date
    strict: bool  # True when scanning running text, False for a phrase known to be a deadline
    issued: date | None = None  # the plan's issue date: "10个工作日内" counts from it


@dataclass(frozen=True)
class Hit:
    """Hold what a rule found, before the clause text is attached."""

    date: date | None
    certain: bool
    kind: str = "once"
    recurrence: Recurrence | None = None
    label: str = ""


_Build = Callable[[re.Match[str], Ctx], Hit | None]


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    build: _Build


def _year_of(m: re.Match[str], ctx: Ctx) -> int:
    groups = m.groupdict()
    if groups.get("y"):
        return cn_int(groups["y"])
    if groups.get("rel") == "明":
        return ctx.year + 1
    return ctx.year


def _year_label(y: int, ctx: Ctx) -> str:
    return "" if y == ctx.year else f"{y}年"


def _next_on_or_after(month: int, day: int, after: date) -> date:
    d = date(after.year, month, day)
    return d if d >= after else date(after.year + 1, month, day)


def _month_day(m: re.Match[str], ctx: Ctx) -> Hit | None:
    y = _year_of(m, ctx)
    month, day = cn_int(m["m"]), cn_int(m["d"])
    if m["d2"]:  # a range "10月15日至20日" is due at its end
        month, day = cn_int(m["m2"]) if m["m2"] else month, cn_int(m["d2"])
    try:
        d = date(y, month, day)
    except ValueError:
        return None
    return Hit(d, True, label=f"{_year_label(y, ctx)}{month}月{day}日前")


def _month_xun(m: re.Match[str], ctx: Ctx) -> Hit:
    y, month, xun = _year_of(m, ctx), cn_int(m["m"]), m["x"]
    d = {"上": date(y, month, 10), "中": date(y, month, 20)}.get(xun) or month_end(y, month)
    return Hit(d, True, label=f"{_year_label(y, ctx)}{month}月{xun}旬")


def _month_end(m: re.Match[str], ctx: Ctx) -> Hit:
    y, month = _year_of(m, ctx), cn_int(m["m"])
    return Hit(month_end(y, month), True, label=f"{_year_label(y, ctx)}{month}月底前")


def _month_whole(m: re.Match[str], ctx: Ctx) -> Hit:
    y, month = _year_of(m, ctx), cn_int(m["m"])
    return Hit(month_end(y, month), False, label=f"{_year_label(y, ctx)}{month}月份")


def _month_bare(m: re.Match[str], ctx: Ctx) -> Hit | None:
    if ctx.strict and not m["v"]:
        return None
    y, month = _year_of(m, ctx), cn_int(m["m"])
    return Hit(month_end(y, month), False, label=f"{_year_label(y, ctx)}{month}月")


def _month_before(m: re.Match[str], ctx: Ctx) -> Hit:
    y, month = _year_of(m, ctx), cn_int(m["m"])
    return Hit(date(y, month, 1) - timedelta(days=1), False, label=f"{_year_label(y, ctx)}{month}月前")


def _quarter(m: re.Match[str], ctx: Ctx) -> Hit:
    y, q = _year_of(m, ctx), cn_int(m["q"])
    end = bool(m["e"])
    label = f"{_year_label(y, ctx)}第{cn_digit(q)}季度{'末' if end else ''}"
    return Hit(month_end(y, q * 3), end, label=label)


def _half(m: re.Match[str], ctx: Ctx) -> Hit:
    y, first = _year_of(m, ctx), m["h"] == "上"
    end = bool(m["e"])
    label = f"{_year_label(y, ctx)}{m['h']}半年{'末' if end else ''}"
    return Hit(date(y, 6, 30) if first else date(y, 12, 31), end, label=label)


def _year_end(m: re.Match[str], ctx: Ctx) -> Hit:
    y = _year_of(m, ctx)
    prefix = _year_label(y, ctx).removesuffix("年")
    label = f"{prefix}年底前" if m["w"] != "内" else f"{prefix}年内"
    return Hit(date(y, 12, 31), True, label=label)


def _full_year(m: re.Match[str], ctx: Ctx) -> Hit | None:
    # "全年" is mostly a scope ("全年教育工作的总体要求"); in running text it needs a goal verb next to it.
    if ctx.strict and not (m["v1"] or m["v2"]):
        return None
    return Hit(date(ctx.year, 12, 31), True, label="全年")


def _year_before(m: re.Match[str], ctx: Ctx) -> Hit:
    y = _year_of(m, ctx)
    return Hit(date(y, 12, 31), False, label=f"{y}年前")


def _fixed_event(month: int, day: int, label: str, certain: bool) -> _Build:
    def build(m: re.Match[str], ctx: Ctx) -> Hit:
        return Hit(_next_on_or_after(month, day, ctx.after), certain, label=label)

    return build


def _new_year(m: re.Match[str], ctx: Ctx) -> Hit:
    after = ctx.after + timedelta(days=1)  # "元旦前" written on 1 January means the next one
    return Hit(date(after.year + (1 if (after.month, after.day) != (1, 1) else 0), 1, 1), True, label="元旦前")


def _spring_festival(m: re.Match[str], ctx: Ctx) -> Hit | None:
    try:
        return Hit(next_spring_festival(ctx.after), True, label="春节前")
    except ValueError:
        return None


def _winter_break(m: re.Match[str], ctx: Ctx) -> Hit | None:
    # Schools break roughly three weeks before the Spring Festival; provinces differ, hence an estimate.
    try:
        d = next_spring_festival(ctx.after) - timedelta(weeks=3)
        if d < ctx.after:
            d = next_spring_festival(ctx.after + timedelta(weeks=4)) - timedelta(weeks=3)
    except ValueError:
        return None
    return Hit(d, False, label="寒假前")


def _anniversary(m: re.Match[str], ctx: Ctx) -> Hit | None:
    if ctx.strict and not m["b"]:
        return None
    n = cn_int(m["n"]) if m["n"] else 100
    event = m["ev"]
    label = f"{FOUNDING_LABEL.get(event, event)}{n}周年"
    return Hit(anniversary(event, n), True, label=label)


def _recurring(freq: str, prefix: str) -> _Build:
    def build(m: re.Match[str], ctx: Ctx) -> Hit:
        groups = m.groupdict()
        day = month = None
        certain = bool(groups.get("e"))
        label = prefix
        if freq == "weekly" and groups.get("wd"):
            day = _WEEKDAYS.get(groups["wd"]) or int(groups["wd"])
            label, certain = f"每周{groups['wd']}", True
        if certain and freq != "weekly":
            label = f"{prefix}末"
        if groups.get("m"):
            month = cn_int(groups["m"])
            label, certain = f"每年{month}月底前", True
        if groups.get("d"):
            day = cn_int(groups["d"])
            label, certain = f"{prefix if not month else f'每年{month}月'}{day}日前", True
        rec = Recurrence(freq, day, month)
        return Hit(first_occurrence(rec, ctx.after), certain, "recurring", rec, label)

    return build


def _iso_date(m: re.Match[str], ctx: Ctx) -> Hit | None:
    if ctx.strict:
        return None  # in a document "2022-04-17 13:05" is page metadata; typed by an admin it is a date
    try:
        d = date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return Hit(d, True, label=d.isoformat())


def _target_year(m: re.Match[str], ctx: Ctx) -> Hit | None:
    # "到2018年，建成…" / "2016年完成…": a target year is due by that year's end. Not certain: the
    # office may mean any time in that year.
    y = int(re.sub(r"\s", "", m["ty"]))
    return Hit(date(y, 12, 31), False, label=f"{y}年")


def _workdays_within(m: re.Match[str], ctx: Ctx) -> Hit | None:
    """Count N workdays (national holiday calendar) from the plan's issue date."""
    n = cn_int(m["n"])
    unit = m["u"]
    if ctx.issued is None:
        return Hit(None, False, label=m[0])  # read, but nothing to count from: the caller warns
    if unit in ("天", "日", "个自然日", "自然日"):
        return Hit(ctx.issued + timedelta(days=n), True, label=m[0])
    return Hit(_add_workdays(ctx.issued, n), True, label=m[0])


def _add_workdays(start: date, n: int) -> date:
    try:
        import chinese_calendar

        def is_workday(d: date) -> bool:
            return chinese_calendar.is_workday(d)

        is_workday(start)
    except (ImportError, NotImplementedError):  # outside the holiday table: Monday to Friday

        def is_workday(d: date) -> bool:
            return d.weekday() < 5

    d, left = start, n
    while left > 0:
        d += timedelta(days=1)
        try:
            ok = is_workday(d)
        except NotImplementedError:
            ok = d.weekday() < 5
        if ok:
            left -= 1
    return d


def _ongoing(m: re.Match[str], ctx: Ctx) -> Hit:
    return Hit(None, False, "ongoing", label=m[0])


def _rule(name: str, pattern: str, build: _Build) -> _Rule:
    return _Rule(name, re.compile(pattern), build)


_EVERY = r"(?:每个?|按|逐)"

# Order matters only for ties: at one position the longest match wins, then the earlier rule.
RULES: tuple[_Rule, ...] = (
    _rule("monthly_day", rf"{_EVERY}月{_DAY}[日号]{_BEFORE}?", _recurring("monthly", "每月")),
    _rule("monthly", rf"{_EVERY}月(?P<e>底|末)?{_BEFORE}?", _recurring("monthly", "每月")),
    _rule("quarterly", rf"{_EVERY}季度?(?P<e>末|底)?{_BEFORE}?", _recurring("quarterly", "每季度")),
    _rule("halfyearly", rf"每半年度?(?P<e>末|底)?{_BEFORE}?", _recurring("halfyearly", "每半年")),
    _rule(
        "yearly",
        rf"每年度?(?![级龄])(?:{_MON}月(?:底|末|份)?(?:{_DAY}[日号])?)?(?P<e>底|末)?{_BEFORE}?",
        _recurring("yearly", "每年"),
    ),
    _rule(
        "weekly",
        rf"{_EVERY}周(?:(?P<wd>[一二三四五六日天1-7])(?![次个至到—\-]))?",
        _recurring("weekly", "每周"),
    ),
    _rule(
        "month_day",
        rf"{_NO_NUM_BEFORE}{_PFX}{_MON}月{_DAY}[日号]"
        rf"(?:[至到—\-~～](?:(?P<m2>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月)?"
        rf"(?P<d2>3[01]|[12][0-9]|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号])?"
        rf"{_BEFORE}?{_NOT_START}",
        _month_day,
    ),
    _rule("month_xun", rf"{_NO_NUM_BEFORE}{_PFX}{_MON}月(?P<x>上|中|下)旬{_BEFORE}?{_NOT_START}", _month_xun),
    _rule("month_end", rf"{_NO_NUM_BEFORE}{_PFX}{_MON}月(?:底|末){_BEFORE}?{_NOT_START}", _month_end),
    # "1-6月份累计完成" is a running total, not a deadline: no range before "X月份".
    _rule(
        "month_whole",
        rf"(?<![-至到—~～]){_NO_NUM_BEFORE}{_PFX}{_MON}月份{_BEFORE}?{_NOT_START}",
        _month_whole,
    ),
    _rule("month_before", rf"{_NO_NUM_BEFORE}{_PFX}{_MON}月{_BEFORE}{_NOT_START}", _month_before),
    # A bare month: "9月完成", or a 完成时限 cell that says just "2024年9月". In running text it needs
    # a completion verb right after it; "9月召开" or "9月1日" are other rules' business or no deadline.
    _rule(
        "month_bare",
        rf"{_NO_NUM_BEFORE}{_PFX}{_MON}月(?![份底末上中下0-9〇零○一二三四五六七八九十两日号前以之起开])"
        rf"(?P<v>完成|建成|投入使用|投用|竣工|完工|实现|达到|到位)?",
        _month_bare,
    ),
    _rule(
        "quarter",
        rf"{_NO_NUM_BEFORE}{_PFX}(?<![每按个逐])第?(?P<q>[一二三四1-4])季度(?P<e>末|底)?{_BEFORE}?{_NOT_START}",
        _quarter,
    ),
    _rule(
        "half",
        rf"(?:{_YEAR}年|(?P<rel>今|明|本)年|(?<!去年)(?<!上年)(?<!前年)(?<!往年)(?<!每))"
        rf"(?P<h>上|下)半年(?P<e>末|底)?{_BEFORE}?{_NOT_START}",
        _half,
    ),
    _rule(
        "year_end",
        rf"(?:{_NO_NUM_BEFORE}{_YEAR}年?|(?P<rel>今|明|本)|{_NO_YEAR_WORD_BEFORE})年(?P<w>底|末|内){_BEFORE}?{_NOT_START}",
        _year_end,
    ),
    _rule(
        "full_year",
        rf"(?P<v1>完成|实现|确保|力争)?{_NO_YEAR_WORD_BEFORE}全年(?![的龄])(?P<v2>完成|实现|新增|建成|力争|确保)?",
        _full_year,
    ),
    _rule("year_before", rf"{_NO_NUM_BEFORE}{_YEAR}年{_BEFORE}{_NOT_START}", _year_before),
    _rule(
        "autumn_term",
        r"秋季(?:学期)?开学(?:前|以前|之前)?(?!后|以后|之后|初|第)",
        _fixed_event(9, 1, "秋季开学", False),
    ),
    _rule(
        "spring_term",
        r"春季(?:学期)?开学(?:前|以前|之前)?(?!后|以后|之后|初|第)",
        _fixed_event(3, 1, "春季开学", False),
    ),
    _rule("before_summer", r"暑[假期](?:前|以前|之前)", _fixed_event(7, 1, "暑假前", False)),
    _rule("summer", r"暑[假期](?:期间)?(?!前|以前|之前|后|以后|之后)", _fixed_event(8, 31, "暑期", False)),
    _rule("before_winter", r"寒假(?:前|以前|之前)", _winter_break),
    _rule("spring_festival", r"春节(?:前|以前|之前|前夕)", _spring_festival),
    _rule("national_day", r"国庆(?:节)?(?:前|以前|之前|前夕)", _fixed_event(10, 1, "国庆前", True)),
    # 元旦前 is the coming New Year's Day: the end of the plan year, so the event is 1 January next
    _rule("new_year", r"元旦(?:节)?(?:前|以前|之前|前夕)", _new_year),
    _rule("labour_day", r"(?:五一|劳动节)(?:前|以前|之前|前夕)", _fixed_event(5, 1, "五一前", True)),
    _rule(
        "anniversary",
        r"(?P<ev>建党|中国共产党成立|建国|新中国成立|中华人民共和国成立|建军|人民解放军建军|改革开放|香港回归|澳门回归)"
        r"(?:(?P<n>[0-9一二三四五六七八九十百零〇]+)周年|百年)(?:纪念日)?(?P<b>前|以前|之前|前夕|之际)?",
        _anniversary,
    ),
    _rule("ongoing", r"长期坚持|长期推进|持续推进|常态化", _ongoing),
    _rule("iso_date", r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/.](?P<m>1[0-2]|0?[1-9])[-/.](?P<d>3[01]|[12]\d|0?[1-9])(?!\d)", _iso_date),
    # "到2018年" / "到20 18年" (a stray space from the page) — a target year, not a start
    _rule(
        "target_year",
        r"(?:到|至|截至|截止到?)\s*(?P<ty>(?:19|20)\s?\d\s?\d)\s*年(?![底末内前后起初中度第上下\d])",
        _target_year,
    ),
    # a clause that opens with a bare year: "2023年，完成…" "2016年完成…" "2018年全区要完成建设…"
    _rule(
        "lead_year",
        r"^(?:在|于|力争|争取|计划|预计)?(?P<ty>(?:19|20)\d{2})\s*年(?![月底末内前后起初中度第上下以的是\d])"
        r"(?=\s*(?:[，,]|$)|[^，,。；;]{0,4}?(?:完成|建成|实现|开展|建立|推进|启动|评估|配合|针对|陆续|达到|形成|"
        r"出台|制定|印发|落实|组织|争创|创建))",
        _target_year,
    ),
    _rule(
        "workdays",
        rf"(?P<n>[0-9{_NUM[3:]}]+)\s*(?P<u>个工作日|个自然日|工作日|自然日|天|日)(?:内|之内|以内)",
        _workdays_within,
    ),
)

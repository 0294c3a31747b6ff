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

# Ctx, Hit, _Build and _Rule are re-exported: extract.py and seasons.py import them from here.
from .builders import Ctx as Ctx
from .builders import Hit as Hit
from .builders import (
    _anniversary,
    _Build,
    _fixed_event,
    _full_year,
    _half,
    _iso_date,
    _month_bare,
    _month_before,
    _month_day,
    _month_end,
    _month_whole,
    _month_xun,
    _new_year,
    _ongoing,
    _quarter,
    _recurring,
    _Rule,
    _spring_festival,
    _target_year,
    _winter_break,
    _workdays_within,
    _year_before,
    _year_end,
)

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

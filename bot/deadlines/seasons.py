"""Deadline phrases tied to the lunar calendar, the school year and the seasons.

"端午节前", "中秋节前" and the other traditional festivals are dated from the lunar calendar; "清明节前"
from the solar term; a bare "开学前" is the next term start (an estimate); "次月10日前" is a monthly
limit. Seasonal phrases with no fixed date ("汛期前", "秋收前", "秋粮收购结束前") are recognised and
returned undated, so the reader warns instead of passing over them in silence.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from lunardate import LunarDate

from bot.numerals import cn_int

from .model import Recurrence
from .phrases import _BEFORE, _DAY, Ctx, Hit, _Build, _Rule
from .recurrence import first_occurrence

# lunar month and day of each festival; 除夕 is the day before the next 春节
LUNAR = {"元宵": (1, 15), "端午": (5, 5), "七夕": (7, 7), "中秋": (8, 15), "重阳": (9, 9), "腊八": (12, 8)}


def _lunar_on_or_after(month: int, day: int, after: date) -> date | None:
    for year in (after.year - 1, after.year, after.year + 1):
        try:
            d = LunarDate(year, month, day).to_solar_date()
        except (ValueError, IndexError):
            continue
        if d >= after:
            return d
    return None


def _festival(m: re.Match[str], ctx: Ctx) -> Hit | None:
    name = m["fest"]
    if name == "除夕":
        d = _lunar_on_or_after(1, 1, ctx.after + timedelta(days=1))
        d = d - timedelta(days=1) if d else None
    else:
        d = _lunar_on_or_after(*LUNAR[name], ctx.after)
    return Hit(d, True, label=f"{name}前") if d else None


def _qingming(m: re.Match[str], ctx: Ctx) -> Hit:
    # the 清明 solar term falls on 4 or 5 April; the classic formula for 2000–2099
    def day(y: int) -> date:
        yy = y % 100
        return date(y, 4, int(yy * 0.2422 + 4.81) - yy // 4)

    d = day(ctx.after.year)
    return Hit(d if d >= ctx.after else day(ctx.after.year + 1), True, label="清明前")


def _term_start(m: re.Match[str], ctx: Ctx) -> Hit:
    # a term starts about 1 March or 1 September; provinces differ, hence an estimate
    starts = [date(ctx.after.year, 3, 1), date(ctx.after.year, 9, 1), date(ctx.after.year + 1, 3, 1)]
    return Hit(next(d for d in starts if d >= ctx.after), False, label="开学前")


def _next_month_day(m: re.Match[str], ctx: Ctx) -> Hit:
    rec = Recurrence("monthly", cn_int(m["d"]))
    return Hit(first_occurrence(rec, ctx.after), True, "recurring", rec, f"次月{cn_int(m['d'])}日前")


def _undated(m: re.Match[str], ctx: Ctx) -> Hit:
    return Hit(None, False, label=m[0])


def _rule(name: str, pattern: str, build: _Build) -> _Rule:
    return _Rule(name, re.compile(pattern), build)


_SEASON = (
    r"主?汛期|汛|雨季|旱季|台风季|防汛|秋收|夏收|三夏|三秋|春耕|春播|秋种|秋播|农忙|"
    r"(?:秋|夏)?粮收购结束|收购结束|供暖季?|采暖季|冬训|学期结束|期末考试|中考|高考"
)

RULES: tuple[_Rule, ...] = (
    _rule("lunar_festival", rf"(?P<fest>元宵|端午|七夕|中秋|重阳|腊八|除夕)(?:节)?(?:{_BEFORE}|前夕)", _festival),
    _rule("qingming", rf"清明(?:节)?(?:{_BEFORE}|前夕)", _qingming),
    _rule("term_start", rf"(?<![秋春季期])开学(?:{_BEFORE})(?!后)", _term_start),
    _rule("next_month_day", rf"(?:次月|下月|下个月){_DAY}[日号](?:{_BEFORE})?", _next_month_day),
    _rule("season", rf"(?:{_SEASON})(?:{_BEFORE}|到来前|来临前)", _undated),
)

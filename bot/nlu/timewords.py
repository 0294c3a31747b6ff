"""Time words relative to an injected today: 本周, 下个月, 本季度, 月底前, 10天内, 6月15日前."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.nlu.model import Window
from bot.numerals import cn_int

_N = r"(\d{1,3}|[一二两三四五六七八九十]{1,3})"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 6}


def _num(s: str) -> int:
    try:
        return cn_int(s)
    except (KeyError, ValueError):
        return 0


def month_end(d: date) -> date:
    """The last day of d's month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _days(today: date, n: int, label: str) -> Window | None:
    return Window(today, today + timedelta(days=n), label) if 0 < n <= 3660 else None


def _week(today: date, offset: int, label: str) -> Window:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
    return Window(monday, monday + timedelta(days=6), label)


def _month(today: date, offset: int, label: str) -> Window:
    first = _add_months(today.replace(day=1), offset)
    return Window(first, month_end(first), label)


def _quarter(today: date, offset: int, label: str) -> Window:
    first = _add_months(_quarter_start(today), 3 * offset)
    return Window(first, month_end(_add_months(first, 2)), label)


def _named_month(today: date, m: int, end_word: str | None, before: bool) -> Window | None:
    if not 1 <= m <= 12:
        return None
    first = date(today.year, m, 1)
    if end_word in ("底", "末", "下旬"):  # 6月底前, 6月底: by the end of June
        return Window(min(today, first), month_end(first), f"{m}月底前")
    if before:  # 9月前: before September starts
        last = first - timedelta(days=1)
        return Window(min(today, last), last, f"{m}月前")
    return Window(first, month_end(first), f"{m}月")


def _named_day(today: date, m: int, d: int, before: bool) -> Window | None:
    day = _safe_date(today.year, m, d)
    if day is None:
        return None
    return Window(min(today, day), day, f"{m}月{d}日前") if before else Window(day, day, f"{m}月{d}日")


def _weekday(today: date, ch: str, before: bool, weeks: int = 0) -> Window:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    day = monday + timedelta(days=_WEEKDAY[ch])
    label = f"{'下' if weeks else ''}周{ch}"
    return Window(min(today, day), day, label + "前") if before else Window(day, day, label)


_Handler = Callable[[re.Match, date], Window | None]

# One row per way of saying a window; the longest match at the leftmost position wins.
TABLE: list[tuple[str, _Handler]] = [
    (rf"{_N}\s*月\s*{_N}\s*[日号]\s*(前|之前|以前)?",
     lambda m, t: _named_day(t, _num(m[1]), _num(m[2]), bool(m[3]))),
    (rf"{_N}\s*月份?\s*(底|末|中旬|上旬|下旬)?\s*(前|之前|以前)?(?![\d一二三四五六七八九十]*\s*[日号])",
     lambda m, t: _named_month(t, _num(m[1]), m[2], bool(m[3]))),
    (r"(\d{1,2})\s*[日号]\s*(前|之前|以前)", lambda m, t: _named_day(t, t.month, int(m[1]), True)),
    (rf"(?:近|未来|最近|接下来|之后|往后)\s*{_N}\s*(?:天|日)", lambda m, t: _days(t, _num(m[1]), f"{_num(m[1])}天内")),
    (rf"{_N}\s*(?:个)?(?:工作日|天|日)\s*(?:内|之内|以内|里)", lambda m, t: _days(t, _num(m[1]), f"{_num(m[1])}天内")),
    (rf"{_N}\s*(?:个)?(?:周|星期|礼拜)\s*(?:内|之内|以内)", lambda m, t: _days(t, 7 * _num(m[1]), f"{_num(m[1])}周内")),
    (rf"{_N}\s*个(?:多)?月\s*(?:内|之内|以内)", lambda m, t: _days(t, 30 * _num(m[1]), f"{_num(m[1])}个月内")),
    (r"(?:within|in|next)\s+(\d{1,3})\s+days?", lambda m, t: _days(t, int(m[1]), f"{m[1]}天内")),
    (r"今天|今日|today", lambda m, t: Window(t, t, "今天")),
    (r"明天|明日|tomorrow", lambda m, t: Window(t + timedelta(days=1), t + timedelta(days=1), "明天")),
    (r"这两天|近两天|这几天|最近几天|近几天", lambda m, t: Window(t, t + timedelta(days=3), "近几天")),
    (r"(?:本|这个?|这一)(?:周|星期|礼拜)(?:内)?|this\s+week", lambda m, t: _week(t, 0, "本周")),
    (r"下(?:个)?(?:周|星期|礼拜)|next\s+week", lambda m, t: _week(t, 1, "下周")),
    (r"(?:本|这个|当|这)月(?:份)?(?:内)?|this\s+month", lambda m, t: _month(t, 0, "本月")),
    (r"下(?:个)?月(?:份)?|next\s+month", lambda m, t: _month(t, 1, "下个月")),
    (r"(?:本|这个|当|这一)季度?|this\s+quarter", lambda m, t: _quarter(t, 0, "本季度")),
    (r"下(?:个)?季度|next\s+quarter", lambda m, t: _quarter(t, 1, "下季度")),
    (r"(?:本)?月(?:底|末)(?:前|之前|以前)?|end\s+of\s+(?:the\s+)?month",
     lambda m, t: Window(t, month_end(t), "月底前")),
    (r"(?:今年|本年度?)?(?:年底|年末)(?:前|之前|以前)?|年内|end\s+of\s+(?:the\s+)?year",
     lambda m, t: Window(t, date(t.year, 12, 31), "年底前")),
    (r"今年|本年度|this\s+year", lambda m, t: Window(date(t.year, 1, 1), date(t.year, 12, 31), "今年")),
    (r"近期|快要?到期|即将到期|马上到期|快截止|即将截止|soon", lambda m, t: Window(t, t + timedelta(days=14), "近期")),
    (r"(?:本|这)?周([一二三四五六日天末])(?:前|之前|以前)?",
     lambda m, t: _weekday(t, m[1], m[0].endswith("前"))),
    (r"下(?:个)?(?:周|星期|礼拜)([一二三四五六日天末])(?:前|之前|以前)?",
     lambda m, t: _weekday(t, m[1], m[0].endswith("前"), weeks=1)),
]

_COMPILED = [(re.compile(p), h) for p, h in TABLE]


def find_windows(text: str, today: date) -> list[tuple[int, int, Window]]:
    """Every time window in the text as (start, end, window), non-overlapping, leftmost-longest."""
    found: list[tuple[int, int, Window]] = []
    for rx, handler in _COMPILED:
        for m in rx.finditer(text):
            if m.end() == m.start():
                continue
            try:
                w = handler(m, today)
            except (ValueError, OverflowError, KeyError):
                w = None
            if w is not None:
                found.append((m.start(), m.end(), w))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, Window]] = []
    for f in found:
        if not out or f[0] >= out[-1][1]:
            out.append(f)
    return out

"""Date one deadline rule's match: the Ctx and Hit types, and a builder per kind of phrase."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.numerals import cn_digit, cn_int

from .festivals import FOUNDING_LABEL, anniversary, next_spring_festival
from .model import Recurrence
from .recurrence import first_occurrence, month_end

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

"""Decide Chinese working days and office hours, with the State Council's 调休 make-up days.

Per year, the first source that knows wins: a configured override ([calendar.YYYY]), then the
`chinese_calendar` package (1.11.0 covers 2004–2026 and raises NotImplementedError after), then a
Monday–Friday fallback that records a loud warning. Nothing here reads the wall clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from bot.config import ConfigError, Settings

log = logging.getLogger(__name__)

# The rules are dense enough that a workday is never more than a few weeks away; this bounds the loops.
_MAX_SCAN_DAYS = 366


@dataclass(frozen=True)
class YearOverride:
    """Hold one year's official arrangement: days off and weekend make-up workdays (调休)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OfficeHours:
    """Hold the daily window in which reminders may be sent."""

    start: time
    end: time
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(
                f"办公时间设置有误：开始时间 {self.start:%H:%M} 必须早于结束时间 {self.end:%H:%M}"
            )

    @classmethod
    def from_settings(cls, settings: Settings) -> OfficeHours:
        """The `[office_hours]` window in the app's time zone."""
        try:
            return cls(settings.office_hours.start, settings.office_hours.end, settings.app.tz)
        except ValueError as exc:
            raise ConfigError(f"配置 [office_hours] 有误：{exc}") from exc


def _parse_day(raw: object, *, key: str) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"配置 {key} 中的日期 {raw!r} 无效，应写成 YYYY-MM-DD") from None


def overrides_from_config(raw: dict[str, dict]) -> dict[int, YearOverride]:
    """Build year overrides from config such as {"2027": {"holidays": [...], "workdays": [...]}}."""
    out: dict[int, YearOverride] = {}
    for year_key, table in raw.items():
        section = f"[calendar.{year_key}]"
        try:
            year = int(year_key)
        except ValueError:
            raise ValueError(f"配置 {section} 的年份 {year_key!r} 无效，应为四位数字年份") from None
        unknown = set(table) - {"holidays", "workdays"}
        if unknown:
            raise ValueError(
                f"配置 {section} 含未知的键 {', '.join(sorted(unknown))}，只允许 holidays、workdays"
            )
        days = {}
        for kind in ("holidays", "workdays"):
            parsed = frozenset(_parse_day(v, key=f"{section}.{kind}") for v in table.get(kind, []))
            wrong_year = sorted(d for d in parsed if d.year != year)
            if wrong_year:
                raise ValueError(f"配置 {section}.{kind} 中的日期 {wrong_year[0]} 不属于 {year} 年")
            days[kind] = parsed
        both = days["holidays"] & days["workdays"]
        if both:
            raise ValueError(f"配置 {section} 中的日期 {min(both)} 同时出现在 holidays 和 workdays 中")
        out[year] = YearOverride(holidays=days["holidays"], workdays=days["workdays"])
    return out


class WorkCalendar:
    """Answer workday questions for any year, from overrides, the library, or a loud fallback."""

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        """The calendar with the `[calendar.YEAR]` overrides of `settings`."""
        try:
            return cls(overrides_from_config(settings.calendar))
        except ValueError as exc:
            raise ConfigError(f"配置 [calendar] 有误：{exc}") from exc

    def __init__(self, overrides: dict[int, YearOverride] | None = None):
        self._overrides = dict(overrides or {})
        self._sources: dict[int, str] = {}
        self._days: dict[date, bool] = {}
        # Running count of workdays per year up to each day, so workdays_between is two lookups:
        # the engine asks it thousands of times per sweep and per simulated year.
        self._running: dict[int, list[int]] = {}
        self.warnings: list[str] = []

    def source(self, year: int) -> str:
        """Return where `year`'s arrangement comes from: "override", "library" or "fallback"."""
        if year not in self._sources:
            self._sources[year] = self._find_source(year)
        return self._sources[year]

    def _find_source(self, year: int) -> str:
        if year in self._overrides:
            return "override"
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            note = (
                f"{year}年节假日安排未知：按周一至周五计算工作日，请在配置 [calendar.{year}] 中录入国务院通知"
            )
            self.warnings.append(note)
            log.warning(note)
            return "fallback"
        return "library"

    def is_workday(self, d: date) -> bool:
        """Return True when `d` is a working day."""
        known = self._days.get(d)
        if known is None:
            known = self._days[d] = self._lookup(d)
        return known

    def _lookup(self, d: date) -> bool:
        source = self.source(d.year)
        if source == "override":
            o = self._overrides[d.year]
            return d in o.workdays or (d.weekday() < 5 and d not in o.holidays)
        if source == "library":
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def _step(self, d: date, step: int, inclusive: bool) -> date:
        current = d if inclusive else d + timedelta(days=step)
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_workday(current):
                return current
            current += timedelta(days=step)
        raise ValueError(f"{d} 前后一年内没有工作日，请检查节假日配置")

    def next_workday(self, d: date, *, inclusive: bool = True) -> date:
        """Return the first workday on (or, if not inclusive, after) `d`."""
        return self._step(d, 1, inclusive)

    def previous_workday(self, d: date, *, inclusive: bool = True) -> date:
        """Return the last workday on (or before) `d`: where a deadline on a holiday falls due."""
        return self._step(d, -1, inclusive)

    def add_workdays(self, d: date, n: int) -> date:
        """Return the date `n` workdays after `d` (before, if n < 0); n == 0 gives `d` itself."""
        step = 1 if n >= 0 else -1
        current = d
        for _ in range(abs(n)):
            current = self._step(current, step, inclusive=False)
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Count workdays in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        def upto(d: date) -> int:  # workdays from Jan 1 through d
            return self._year_counts(d.year)[d.timetuple().tm_yday - 1]

        if start.year == end.year:
            return upto(end) - upto(start)
        middle = sum(self._year_counts(y)[-1] for y in range(start.year + 1, end.year))
        return self._year_counts(start.year)[-1] - upto(start) + middle + upto(end)

    def _year_counts(self, year: int) -> list[int]:
        counts = self._running.get(year)
        if counts is None:
            counts, n, day = [], 0, date(year, 1, 1)
            while day.year == year:
                n += self.is_workday(day)
                counts.append(n)
                day += timedelta(days=1)
            self._running[year] = counts
        return counts


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("时间必须带时区（tz-aware），例如 datetime(..., tzinfo=ZoneInfo('Asia/Shanghai'))")


def in_office_hours(now: datetime, calendar: WorkCalendar, hours: OfficeHours) -> bool:
    """Return True when `now` is within office hours on a workday, in the office's time zone."""
    _require_aware(now)
    local = now.astimezone(hours.tz)
    return calendar.is_workday(local.date()) and hours.start <= local.time().replace(tzinfo=None) < hours.end


def next_office_slot(now: datetime, calendar: WorkCalendar, hours: OfficeHours) -> datetime:
    """Return `now` (in hours.tz) if inside office hours, else the start of the next workday's hours."""
    _require_aware(now)
    local = now.astimezone(hours.tz)
    if in_office_hours(local, calendar, hours):
        return local
    day = local.date()
    inclusive = calendar.is_workday(day) and local.time().replace(tzinfo=None) < hours.start
    slot_day = calendar.next_workday(day, inclusive=inclusive)
    return datetime.combine(slot_day, hours.start, tzinfo=hours.tz)

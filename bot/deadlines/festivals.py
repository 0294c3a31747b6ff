"""Hold the calendar facts: Spring Festival dates (lunar calendar) and founding days for anniversaries."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from lunardate import LunarDate

# 春节 is lunar new year's day. The date comes from a maintained lunar calendar (lunardate covers
# 1900–2099), not from a hand-typed table that silently runs out.


@lru_cache(maxsize=256)
def spring_festival(year: int) -> date:
    """Return the Spring Festival (正月初一) of the Gregorian `year`; ValueError outside 1900–2099."""
    try:
        return LunarDate(year, 1, 1).to_solar_date()
    except (ValueError, IndexError) as exc:
        raise ValueError(f"无法推算{year}年的春节日期（农历表覆盖1900–2099年）") from exc


# Founding days: "建党100周年" is FOUNDING["建党"] moved to year 1921 + 100.
FOUNDING: dict[str, date] = {
    "建党": date(1921, 7, 1),
    "中国共产党成立": date(1921, 7, 1),
    "建国": date(1949, 10, 1),
    "新中国成立": date(1949, 10, 1),
    "中华人民共和国成立": date(1949, 10, 1),
    "建军": date(1927, 8, 1),
    "人民解放军建军": date(1927, 8, 1),
    "改革开放": date(1978, 12, 18),
    "香港回归": date(1997, 7, 1),
    "澳门回归": date(1999, 12, 20),
}

# Canonical short names for labels.
FOUNDING_LABEL: dict[str, str] = {
    "中国共产党成立": "建党",
    "新中国成立": "建国",
    "中华人民共和国成立": "建国",
    "人民解放军建军": "建军",
}


def next_spring_festival(after: date) -> date:
    """Return the first Spring Festival on or after `after`."""
    sf = spring_festival(after.year)
    return sf if sf >= after else spring_festival(after.year + 1)


def anniversary(event: str, years: int) -> date:
    """Return the date of the `years`-th anniversary of a founding event."""
    founded = FOUNDING[event]
    return founded.replace(year=founded.year + years)

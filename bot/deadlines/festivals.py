"""Hold the fixed tables: Spring Festival dates and founding days for anniversaries."""

from __future__ import annotations

from datetime import date

# 春节 (lunar new year's day), 2015–2040. Beyond the table we refuse rather than guess.
SPRING_FESTIVAL: dict[int, date] = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
    2036: date(2036, 1, 28),
    2037: date(2037, 2, 15),
    2038: date(2038, 2, 4),
    2039: date(2039, 1, 24),
    2040: date(2040, 2, 12),
}

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
    for year in (after.year, after.year + 1):
        sf = SPRING_FESTIVAL.get(year)
        if sf is not None and sf >= after:
            return sf
    raise ValueError(
        f"春节日期表只覆盖{min(SPRING_FESTIVAL)}–{max(SPRING_FESTIVAL)}年，无法推算{after}之后的春节"
    )


def anniversary(event: str, years: int) -> date:
    """Return the date of the `years`-th anniversary of a founding event."""
    founded = FOUNDING[event]
    return founded.replace(year=founded.year + years)

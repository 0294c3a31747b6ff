"""Hold the deadline value types: Recurrence and Deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .recurrence import occurrences as _occurrences

FREQS = ("weekly", "monthly", "quarterly", "halfyearly", "yearly")


@dataclass(frozen=True)
class Recurrence:
    """Describe a repeating due date; day None means the last day of the period.

    For weekly, day is the ISO weekday 1–7 (None = Sunday). For quarterly, half-yearly and yearly, day is
    the day of the period's last month (or of `month` for yearly).
    """

    freq: str
    day: int | None = None
    month: int | None = None  # yearly only: month of the due date ("每年6月底前"); None = December

    def __post_init__(self) -> None:
        if self.freq not in FREQS:
            raise ValueError(f"未知的周期 {self.freq!r}，应为 {', '.join(FREQS)} 之一")

    def occurrences(self, start: date, end: date) -> list[date]:
        """Return every due date in [start, end]."""
        return _occurrences(self, start, end)

    def to_dict(self) -> dict:
        return {"freq": self.freq, "day": self.day, "month": self.month}


@dataclass(frozen=True)
class Deadline:
    """One deadline found in a plan: a date (or None when ongoing) and how sure we are."""

    text: str
    date: date | None
    certain: bool
    kind: str
    recurrence: Recurrence | None = None
    label: str = ""

    def to_dict(self) -> dict:
        return {
            "date": self.date.isoformat() if self.date else None,
            "text": self.text,
            "certain": self.certain,
            "kind": self.kind,
            "recurrence": self.recurrence.to_dict() if self.recurrence else None,
            "label": self.label,
        }

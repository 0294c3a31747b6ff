"""Build the working-day calendar and office hours from settings."""

from __future__ import annotations

from bot.config import Settings
from bot.services.errors import UserError
from bot.workdays import OfficeHours, WorkCalendar, overrides_from_config


def build_calendar(settings: Settings) -> WorkCalendar:
    try:
        return WorkCalendar(overrides_from_config(settings.calendar))
    except ValueError as exc:
        raise UserError(f"配置 [calendar] 有误：{exc}") from exc


def office_hours(settings: Settings) -> OfficeHours:
    return OfficeHours(settings.office_hours.start, settings.office_hours.end, settings.app.tz)

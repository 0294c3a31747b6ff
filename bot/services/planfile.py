"""Read a plan file into a ParsedPlan, turning read failures into user errors."""

from __future__ import annotations

from pathlib import Path

from bot.plan import ParsedPlan, PlanReadError, parse_bytes
from bot.plan.reader import load_path, review_plan
from bot.services.errors import UserError


def parse(path: Path, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Parse a plan file on disk (a clerk's review sheet is read back as it stands)."""
    try:
        data = load_path(path)
    except PlanReadError as exc:
        raise UserError(str(exc)) from exc
    return parse_upload(data, Path(path).name, aliases=aliases)


def parse_upload(data: bytes, filename: str, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    try:
        return review_plan(data, filename) or parse_bytes(data, filename, aliases=aliases or {})
    except PlanReadError as exc:
        raise UserError(str(exc)) from exc

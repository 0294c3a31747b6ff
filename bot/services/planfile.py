"""Read a plan file into the parsed-plan dict, turning read failures into user errors."""

from __future__ import annotations

from pathlib import Path

from bot.plan import PlanReadError, parse_bytes, parse_file
from bot.services.errors import UserError


def parse(path: Path, *, aliases: dict[str, str] | None = None) -> dict:
    try:
        return parse_file(path, aliases=aliases or {}).to_dict()
    except PlanReadError as exc:
        raise UserError(str(exc)) from exc


def parse_upload(data: bytes, filename: str, *, aliases: dict[str, str] | None = None) -> dict:
    try:
        return parse_bytes(data, filename, aliases=aliases or {}).to_dict()
    except PlanReadError as exc:
        raise UserError(str(exc)) from exc

"""Parse a work-plan document (text, HTML, .docx, .xlsx, .csv) into tasks and units."""

from __future__ import annotations

from pathlib import Path

from .model import ParsedPlan, ParsedTask, PlanReadError
from .parser import parse_blocks
from .reader import fail, read_bytes, read_path

__all__ = ["PlanReadError", "ParsedPlan", "ParsedTask", "parse_bytes", "parse_file"]


def parse_file(path: str | Path, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Parse a plan file on disk; raise PlanReadError if it cannot be read at all."""
    return _guarded(lambda: read_path(path), Path(path).name, aliases)


def parse_bytes(data: bytes, filename: str, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Parse an uploaded plan; raise PlanReadError if it cannot be read at all."""
    return _guarded(lambda: read_bytes(data, filename), Path(filename).name, aliases)


def _guarded(read, name: str, aliases: dict[str, str] | None) -> ParsedPlan:
    blocks = read()
    try:
        return parse_blocks(blocks, aliases=aliases)
    except Exception as exc:  # user input must never surface a traceback
        raise fail(name, f"解析出错（{type(exc).__name__}），请检查文件内容") from exc

"""Read a plan file into a ParsedPlan, turning read failures into user errors."""

from __future__ import annotations

from pathlib import Path

from bot.plan import ParsedPlan, PlanReadError, parse_bytes
from bot.plan.exports import own_export
from bot.plan.reader import load_path, review_plan
from bot.services.errors import UserError

OWN_EXPORT = (
    "这是督办导出的{kind}，不是工作计划，未导入任何内容；修订计划请发送计划原文，或 plan parse --xlsx 得到的核对表。"
)


def parse(path: Path, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    """Parse a plan file on disk (a clerk's review sheet is read back as it stands)."""
    try:
        data = load_path(path)
    except PlanReadError as exc:
        raise UserError(str(exc)) from exc
    return parse_upload(data, Path(path).name, aliases=aliases)


def parse_upload(data: bytes, filename: str, *, aliases: dict[str, str] | None = None) -> ParsedPlan:
    kind = own_export(data, filename)
    if kind:  # our own ledger read as a table would look like a revision of the plan, one tap from import
        raise UserError(OWN_EXPORT.format(kind=kind))
    try:
        return review_plan(data, filename) or parse_bytes(data, filename, aliases=aliases or {})
    except PlanReadError as exc:
        raise UserError(str(exc)) from exc


# one line, the same in the CLI and in chat: how to get the review sheet and how to send it back
NEEDS_REVIEW_CLI = (
    "没有找到带责任单位的任务（或大多数任务的责任单位没有把握），未导入任何内容：请运行 duban plan parse {name} "
    "--xlsx 核对表.xlsx 取得核对表，在表中改正牵头、配合单位后用 duban plan import 核对表.xlsx 导入。"
)
NEEDS_REVIEW_CHAT = (
    "没有找到带责任单位的任务（或大多数任务的责任单位没有把握），未导入任何内容：请打开附上的核对表，"
    "改正牵头、配合单位（标“待核”的行是猜测）后，把核对表发回给我即可导入。"
)


def check_reviewed(parsed: ParsedPlan, name: str) -> None:
    """Refuse an import that needs the clerk's check first, saying how to get and return the sheet."""
    if parsed.needs_review:
        raise UserError(NEEDS_REVIEW_CLI.format(name=name))

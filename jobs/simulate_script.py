"""Scripted reports and reviews for `duban simulate --script FILE`: one step per line, applied on its day.

A line is `DATE REF WORDS`: `2021-09-01 25 已完成 隐患整改完毕` (the task's first lead unit reports, through the
same record_report as chat), `2021-09-03 25 退回 证据不足` and `2021-09-06 25 通过` (the office reviews a
申请办结). Blank lines and lines starting with # are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.config import Settings
from bot.services import closure
from bot.services.errors import UserError
from bot.services.reports import parse_report_args, record_report
from storage import repo
from storage.models import ReportStatus, Role, Task


@dataclass(frozen=True)
class Step:
    day: date
    ref: str
    words: list[str]
    line: int


def parse_script(text: str) -> dict[date, list[Step]]:
    """The steps by day; a line that does not read is a UserError naming it."""
    out: dict[date, list[Step]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        parts = raw.split()
        if not parts or parts[0].startswith("#"):
            continue
        try:
            day = date.fromisoformat(parts[0])
        except ValueError as exc:
            raise UserError(f"脚本第{n}行的日期“{parts[0]}”无法识别，应写成 2021-09-01") from exc
        if len(parts) < 3:
            raise UserError(f"脚本第{n}行应写成“日期 编号 状态 [说明]”，如 2021-09-01 25 已完成 整改完毕")
        out.setdefault(day, []).append(Step(day, parts[1].removeprefix("第").removesuffix("项"), parts[2:], n))
    return out


def run_steps(*, session: Session, steps: list[Step], now: datetime, settings: Settings) -> list[dict]:
    """Apply the day's steps as chat and the CLI would; one timeline entry per step, saying what it did."""
    out = []
    tasks = {t.ref: t for p in repo.active_plans(session=session) for t in repo.active_tasks(session=session, plan_id=p.id)}
    for step in steps:
        task = tasks.get(step.ref)
        if task is None:
            raise UserError(f"脚本第{step.line}行：计划中没有第{step.ref}项")
        out.append({"at": now.isoformat(), "task": task.ref, "title": task.title, "kind": "event",
                    "event": _apply(session, task, step, now, settings)})
        session.flush()
    return out


def _apply(session: Session, task: Task, step: Step, now: datetime, settings: Settings) -> str:
    verb, rest = step.words[0], " ".join(step.words[1:])
    try:
        if verb == "通过":
            closure.decide_pass(session=session, task=task, actor="script", now=now)
            return "pass"
        if verb == "退回":
            closure.decide_return(session=session, task=task, actor="script", reason=rest or "（脚本）", now=now)
            return "return"
    except closure.NotPending as exc:
        raise UserError(f"脚本第{step.line}行：第{task.ref}项没有待审核的办结申请") from exc
    data = parse_report_args(step.words)
    lead = next((tu.unit_id for tu in repo.task_units(session=session, task_id=task.id) if tu.role == Role.LEAD), None)
    record_report(session=session, task=task, unit_id=lead, status=data.status, percent=data.percent, note=data.note,
                  reporter="script", now=now, closure=settings.supervision.closure)
    if data.status == ReportStatus.DONE:
        return "apply" if task.review_pending else "done"
    return str(data.status)

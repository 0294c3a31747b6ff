"""Status reports, snoozes and deadline changes: the writes people make from chat or the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlmodel import Session

from bot.deadlines import read_deadline_phrase
from bot.nlu import STATUS_WORDS as NLU_STATUS_WORDS
from bot.nlu import normalise
from bot.nlu.completion import Completion, classify
from bot.reminders.schedule import reschedule
from bot.services.errors import Forbidden, UserError
from bot.services.instructions import answer_report
from bot.services.units import require_unit
from bot.workdays import OfficeHours, WorkCalendar, next_office_slot
from storage import events, repo
from storage import views as store_views
from storage.models import AuditLog, Deadline, ReportStatus, Snooze, StatusReport, Task, TaskEventKind, Unit

STATUS_WORDS = {
    "已完成": ReportStatus.DONE, "完成": ReportStatus.DONE, "done": ReportStatus.DONE,
    "推进中": ReportStatus.IN_PROGRESS, "进行中": ReportStatus.IN_PROGRESS, "in_progress": ReportStatus.IN_PROGRESS,
    "progress": ReportStatus.IN_PROGRESS,
    "有困难": ReportStatus.BLOCKED, "困难": ReportStatus.BLOCKED, "blocked": ReportStatus.BLOCKED,
    "未开始": ReportStatus.NOT_STARTED, "not_started": ReportStatus.NOT_STARTED,
}


@dataclass
class ReportInput:
    """A parsed `/report` body."""

    status: ReportStatus
    percent: int | None
    note: str


def parse_report_args(words: list[str]) -> ReportInput:
    """`状态 [百分比] [说明…]` → ReportInput, or a UserError that says what is expected.

    The status may be any of the language layer's status words ("完成了", "已办结", "正在推进", "in progress",
    traditional characters too); a status word run into the note ("已完成隐患排查") is split off it.
    """
    if not words:
        raise UserError("请写明状态：已完成 / 推进中 / 有困难 / 未开始，例如：/report 12 推进中 60% 主体已完工")
    status, rest = _status_words(words)
    if status is None:
        raise UserError(f"不认识的状态“{words[0]}”。可选：已完成 / 推进中 / 有困难 / 未开始")
    percent = None
    if rest and (m := re.fullmatch(r"(\d{1,3})[%％]", rest[0])):
        percent = int(m.group(1))
        rest = rest[1:]
    if status == ReportStatus.DONE and classify(normalise(" ".join(words))) is not Completion.DONE:
        status, rest = ReportStatus.IN_PROGRESS, words  # "完成了一半", "基本完成": the words are the note
    return report_input(status, percent, " ".join(rest))


def report_input(status: ReportStatus, percent: int | None, note: str) -> ReportInput:
    """A report's parts checked: a percent within 100, and a task done is 100% unless said otherwise."""
    if percent is not None and percent > 100:
        raise UserError("完成百分比不能超过 100%")
    if status == ReportStatus.DONE and percent is None:
        percent = 100
    return ReportInput(status, percent, note.strip())


def _status_words(words: list[str]) -> tuple[ReportStatus | None, list[str]]:
    """The status the first word(s) state and the words after it."""
    exact = STATUS_WORDS.get(words[0].lower())
    if exact is not None:
        return exact, words[1:]
    for n in (3, 2, 1):  # "not yet started", "in progress", "完成了"
        if len(words) >= n:
            found = _SYNONYMS.get(normalise(" ".join(words[:n])))
            if found is not None:
                return found, words[n:]
    head = normalise(words[0])
    for phrase in _BY_LENGTH:  # "已完成隐患排查": the longest status word the first word starts with
        if head.startswith(phrase) and not phrase.isascii():
            tail = words[0][len(phrase):].lstrip("，,、:：;；。 ")
            return _SYNONYMS[phrase], ([tail] if tail else []) + words[1:]
    return None, words


_SYNONYMS: dict[str, ReportStatus] = {w: ReportStatus(s.value)
                                      for s, ws in NLU_STATUS_WORDS.items() for w in ws}
_SYNONYMS.update({w: s for w, s in STATUS_WORDS.items()})
_BY_LENGTH = sorted(_SYNONYMS, key=len, reverse=True)


def role_of(*, session: Session, task_id: int, unit_id: int | None) -> str | None:
    """The unit's role on the task, or None (also for no unit at all)."""
    if unit_id is None:
        return None
    return repo.role_of(session=session, task_id=task_id, unit_id=unit_id)


def may_report(*, session: Session, task: Task, unit_id: int | None, unit_name: str | None, is_admin: bool) -> str | None:
    """The reporter's role on the task; admins may act on any task (a note, a deferral), others only on their
    unit's. A status is stricter: see may_set_status."""
    role = role_of(session=session, task_id=task.id, unit_id=unit_id)
    if role is None and not is_admin:
        raise Forbidden(f"{unit_name or '本聊天'}不是第{task.ref}项的牵头或配合单位，不能反馈该任务。")
    return role


def may_set_status(*, session: Session, task: Task, unit_id: int | None, unit_name: str | None,
                   is_admin: bool) -> str:
    """The reporter's role on the task when stating its status: only its lead and co-units do.

    An admin whose unit (if any) is neither is told how to set a status on a unit's behalf, which names the
    unit and is logged as such, so no status ever stands in the admin's own unit's name by accident.
    """
    role = role_of(session=session, task_id=task.id, unit_id=unit_id)
    if role is None or role not in OWNER_ROLES:
        who = unit_name or "本聊天"
        hint = (f"如需代单位设置状态，请用：/setstatus {task.ref} 单位 已完成 [说明]"
                f"（命令行：duban report {task.ref} --unit 单位 --status 已完成）" if is_admin else "")
        raise Forbidden(f"{who}不是第{task.ref}项的牵头或配合单位，不能反馈该任务。{hint}")
    return role


OWNER_ROLES = ("lead", "co")


def report_on_behalf(*, session: Session, task: Task, unit_name: str, words: list[str], actor: str, now: datetime,
                     aliases: dict[str, str] | None = None, office_id: int | None = None) -> tuple[Unit, StatusReport]:
    """An admin sets a status in a unit's name (the task's lead or co-unit): recorded as that unit's, logged as
    the admin's act on its behalf. `words` are a `/report` body: 状态 [百分比] [说明]."""
    unit = require_unit(session=session, name=unit_name, aliases=aliases, office_id=office_id)
    if role_of(session=session, task_id=task.id, unit_id=unit.id) not in OWNER_ROLES:
        raise UserError(f"{unit.name}不是第{task.ref}项的牵头或配合单位，不能代其设置状态。")
    data = parse_report_args(words)
    report = record_report(session=session, task=task, unit_id=unit.id, status=data.status, percent=data.percent,
                           note=data.note, reporter=actor, now=now)
    session.add(AuditLog(at=now, actor=actor, action="report.on_behalf",
                         detail=f"第{task.ref}项 代{unit.name}设置为 {data.status} {data.note}".strip()))
    return unit, report


def record_report(*, session: Session, task: Task, unit_id: int | None, status: ReportStatus, percent: int | None,
                  note: str, reporter: str, now: datetime, closure: str = "self") -> StatusReport:
    """Append a status report (history is never overwritten) and audit it.

    With `closure` "review", a lead unit's 已完成 does not close the task: it becomes a 申请办结 (the task's
    review_pending), which a reviewer passes or returns (bot.services.closure)."""
    report = StatusReport(task_id=task.id, unit_id=unit_id, status=status, percent=percent, note=note,
                          reporter=reporter, created_at=now)
    session.add(report)
    session.add(AuditLog(at=now, actor=reporter, action=f"report.{status}",
                         detail=f"第{task.ref}项 {percent if percent is not None else ''} {note}".strip()))
    note_task_state(session=session, task=task, report=report, review=closure == "review")
    reschedule(session=session, task_ids=[task.id], now=now)
    answer_report(session=session, task=task, report=report, now=now)  # a leader waiting on the task hears it
    return report


def note_task_state(*, session: Session, task: Task, report: StatusReport, review: bool = False) -> None:
    """Keep the task's state on the task: newest report, status and percent, and done.

    Done is the lead's word (or an admin's, who reports without a unit); a co-unit finishing its part is not.
    Under review a lead unit's done is a 申请办结 instead, and its other words withdraw one.
    """
    if task.last_report_at is None or report.created_at >= task.last_report_at:
        task.last_report_at = report.created_at
    if report.percent is not None:
        task.last_percent = report.percent
    if report.status != ReportStatus.NOTE:
        task.last_status = report.status
        leads = store_views.lead_unit_ids(session=session, task_id=task.id)
        if review and report.unit_id is not None and report.unit_id in leads:
            _lead_under_review(session, task, report)
        elif report.unit_id is None or report.unit_id in leads or not leads:
            task.done = report.status == ReportStatus.DONE
            task.review_pending = False
            task.closed_at = report.created_at if task.done else None
    session.add(task)


def _lead_under_review(session: Session, task: Task, report: StatusReport) -> None:
    """A lead unit's word under review: 已完成 asks to close (unless closed already); another withdraws the ask."""
    if report.status != ReportStatus.DONE:
        task.review_pending = task.done = False
    elif not task.done:  # the note is the 办结报告; bot.services.closure decides the request
        task.review_pending, task.applied_at = True, report.created_at
        events.add_event(session=session, task_id=task.id, kind=TaskEventKind.APPLY, unit_id=report.unit_id,
                         actor=report.reporter, note=report.note, at=report.created_at)


def snooze(*, session: Session, task: Task, unit_id: int | None, now: datetime, calendar: WorkCalendar,
           hours: OfficeHours) -> datetime:
    """Hold the unit's reminders for a task until the next working day's office hours; returns that time."""
    today = now.astimezone(hours.tz).date()
    tomorrow = calendar.next_workday(today, inclusive=False)
    until = next_office_slot(datetime.combine(tomorrow, time(0, 0), hours.tz), calendar, hours)
    if unit_id is not None:
        session.add(Snooze(task_id=task.id, unit_id=unit_id, until=until, created_at=now))
        reschedule(session=session, task_ids=[task.id], now=now)
    return until


def set_deadline(*, session: Session, task: Task, when: date, label: str, now: datetime, actor: str) -> Deadline:
    """An admin's date replaces the document's one-off and ongoing dates; recurring ones stay."""
    for d in repo.active_deadlines(session=session, task_id=task.id):
        if d.kind != "recurring" or d.source == "manual":
            d.active = False
    dl = Deadline(task_id=task.id, due_date=when, text=label or f"{when.isoformat()}前", label=label, source="manual",
                  kind="once", certain=True, confirmed=True, created_at=now)
    session.add(dl)
    session.add(AuditLog(at=now, actor=actor, action="deadline.set", detail=f"第{task.ref}项 → {when.isoformat()} {label}"))
    session.flush()
    reschedule(session=session, task_ids=[task.id], now=now)
    return dl


def confirm_deadlines(*, session: Session, task: Task, now: datetime, actor: str, default_end: date | None) -> list[Deadline]:
    """Mark the task's estimated dates as confirmed; a task with none gets its default date made explicit."""
    rows = [d for d in repo.active_deadlines(session=session, task_id=task.id)
            if d.due_date or d.kind == "recurring"]
    if not rows:
        if default_end is None:
            raise UserError(f"第{task.ref}项没有可确认的时限，请用 duban deadline set {task.ref} 日期 设置。")
        rows = [set_deadline(session=session, task=task, when=default_end, label="年底前", now=now, actor=actor)]
    for d in rows:
        d.confirmed = True
    session.add(AuditLog(at=now, actor=actor, action="deadline.confirm", detail=f"第{task.ref}项"))
    session.flush()
    return rows


def parse_date(text: str, *, today: date, year: int | None = None) -> date:
    """A date typed in chat or on the command line: "2021-09-30", "9月30日", "9.30", or a deadline phrase
    the plan reader knows ("9月底", "国庆节前", "年底前"…), read for `year` (default: today's year).

    Typed dates use the same phrase reader as documents, so what a plan may say an admin may type.
    """
    t = text.strip().replace("／", "/").replace("．", ".")
    m = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t)
         or re.fullmatch(r"()(\d{1,2})[-/.月](\d{1,2})日?", t))
    if m:
        y = int(m.group(1)) if m.group(1) else today.year
        try:
            return date(y, int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise UserError(f"日期“{text}”不存在") from exc
    dated = [d.date for d in read_deadline_phrase(t, year=year or today.year) if d.date is not None]
    if dated:
        return dated[0]
    raise UserError(f"无法识别的日期“{text}”，请写成 2021-09-30、9月30日或“9月底”")

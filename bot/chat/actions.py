"""Chat writes by unit staff: /report, one-tap buttons, replies to reminders, snoozes, evidence files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.chat import requests as rq
from bot.chat import review, taps
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.queries import take_ref
from bot.notify import OutboundMessage, Recipient, from_payload
from bot.render import action_text, notice_text
from bot.services import records
from bot.services.errors import UserError
from bot.services.evidence import attach, caption_report, read_caption
from bot.services.notices import share_report
from bot.services.reports import (
    may_report,
    may_set_status,
    parse_report_args,
    record_report,
    report_input,
    snooze,
)
from bot.services.tasks import looks_like_ref, split_plan_ref
from bot.workdays import OfficeHours
from storage import repo
from storage.models import Outbox, ReportStatus, Task
from storage.outbox import outbox_key


def check(ctx: Ctx, task: Task) -> None:
    """Only the task's own units (and admins) may report on it."""
    unit = ctx.actor.unit
    may_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, unit_name=unit.name if unit else None,
               is_admin=ctx.actor.is_admin)


def _record(ctx: Ctx, task: Task, status: ReportStatus, percent: int | None, note: str) -> str:
    """Record a report and return the line that confirms it."""
    may_set_status(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, is_admin=ctx.actor.is_admin,
                   unit_name=ctx.actor.unit.name if ctx.actor.unit else None)  # only a task's own units state it
    report = record_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, status=status, percent=percent,
                           note=note, reporter=ctx.actor.ref, now=ctx.now, closure=ctx.settings.supervision.closure)
    who = ctx.actor.unit.name if ctx.actor.unit else "管理员"
    # 办结审核: a 申请办结, not a close, is what the unit's 已完成 became
    line = review.after_report(ctx, task, status) or action_text.recorded_line(status, percent, note, who, ctx.now,
                                                                             ctx.settings.app.tz)
    ctx.queued += share_report(session=ctx.session, report=report,
                               said_in=Recipient(ctx.event.platform, ctx.event.chat_id),
                               message=OutboundMessage(text=notice_text.unit_reported(ctx.shown_ref(task), task.title,
                                                                                      line)),
                               now=ctx.now)  # the unit's other chats hear it (issue 26)
    return line


def read_report(args: tuple[str, ...]) -> rq.Report:
    """`/report 编号 状态 [百分比] [说明]` as a report record."""
    ref, rest = take_ref(args)
    data = parse_report_args(list(rest))
    return rq.Report(ref, data.status.value, data.percent, data.note)


def on_report(ctx: Ctx, req: rq.Report):
    """A report, typed as /report or in words: recorded, and the task shown with the line that confirms it."""
    task = ctx.task(req.ref, req.plan)
    check(ctx, task)
    data = report_input(ReportStatus(req.status), req.percent, req.note)
    line = _record(ctx, task, data.status, data.percent, data.note)
    return reply(action_text.plan_head(ctx.plan_label(task)) + action_text.task_head(ctx.shown_ref(task), task.title)
                 + "\n" + line)


def _original(ctx: Ctx) -> Outbox | None:
    """The reminder a button was pressed on or a reply answers, found by its message id."""
    mid = ctx.event.callback_message_id or ctx.event.reply_to_message_id
    if not mid:
        return None
    recipient = Recipient(ctx.event.platform, ctx.event.chat_id).key()
    return repo.outbox_by_message(session=ctx.session, message_id=mid, recipient=recipient)


def task_of_button(ctx: Ctx, task_id: int) -> Task | None:
    return records.live_task(session=ctx.session, task_id=task_id)


def on_status(ctx: Ctx, tap: taps.TapStatus):
    """已完成 / 推进中 / 有困难: record it and show it on the reminder itself."""
    task_id, arg = tap.ident, tap.arg
    task = task_of_button(ctx, task_id)
    if task is None:
        return reply(action_text.TASK_GONE)
    check(ctx, task)
    try:
        status = ReportStatus(arg)
    except ValueError:
        status = None
    if status is None or status == ReportStatus.NOTE:
        return reply(action_text.BAD_BUTTON)
    line = _record(ctx, task, status, 100 if status == ReportStatus.DONE else None, "")
    return [OutboundMessage(text=f"{base_text(ctx, task)}\n\n{line}", edit_message_id=ctx.event.callback_message_id)]


def base_text(ctx: Ctx, task: Task) -> str:
    original = _original(ctx)
    return from_payload(original.payload).text if original else action_text.task_head(ctx.shown_ref(task), task.title)


def on_snooze(ctx: Ctx, tap: taps.TapSnooze):
    """稍后提醒: hold this unit's reminders for the task, and push the reminder again next working day."""
    task_id = tap.ident
    task = task_of_button(ctx, task_id)
    if task is None:
        return reply(action_text.TASK_GONE)
    check(ctx, task)
    original = _original(ctx)
    base = base_text(ctx, task)
    until = snooze(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, now=ctx.now, calendar=ctx.calendar,
                   hours=OfficeHours.from_settings(ctx.settings))
    here = Recipient(ctx.event.platform, ctx.event.chat_id)
    buttons = from_payload(original.payload).buttons if original is not None else []
    ctx.push(here, OutboundMessage(text=action_text.SNOOZE_HEAD + base, buttons=buttons), task_id=task.id,
             kind="snooze", at=until,
             key=outbox_key(task_id=task.id, topic="snooze", recipient=here.key(), kind="snooze",
                            occurrence=until.date().isoformat()))
    text = f"{base}\n\n{action_text.snoozed(until, ctx.settings.app.tz)}"
    return [OutboundMessage(text=text, edit_message_id=ctx.event.callback_message_id)]


def reminder_task(ctx: Ctx) -> int | None:
    """The task of the reminder this message replies to (None: not a reply to a reminder of a task)."""
    original = _original(ctx)
    if original is None or original.task_id is None:
        return None
    return original.task_id if records.task(session=ctx.session, task_id=original.task_id) is not None else None


def on_reply_note(ctx: Ctx, req: rq.ReplyNote):
    """A reply to a reminder: the text becomes the progress note on that task."""
    task = records.task(session=ctx.session, task_id=req.task_id)
    check(ctx, task)
    note = req.text.strip()
    record_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, status=ReportStatus.NOTE, percent=None,
                  note=note, reporter=ctx.actor.ref, now=ctx.now)
    return reply(action_text.note_recorded(ctx.shown_ref(task), note))


def commands() -> list[Command]:
    return [
        Command("report", None, Needs.BOUND, "/report 编号 状态 [百分比] [说明]", "反馈进展",
                menu="反馈进展，如 /report 12 推进中 说明", min_args=1,
                example="/report 25 推进中 60% 已完成隐患排查", read=read_report),
    ]


def routes():
    """Writes by unit staff: reports, notes, evidence, and the one-tap buttons of reminders."""
    return {rq.Report: on_report, rq.ReplyNote: on_reply_note, rq.Evidence: on_evidence,
            taps.TapStatus: on_status, taps.TapSnooze: on_snooze}



PLAN_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".xlsx", ".csv", ".xls", ".doc")
_MB = 1024 * 1024


def _caption_task(ctx: Ctx) -> tuple[Task | None, str]:
    """The task a file's caption names ("第12项 验收照片", "12 照片"), and the rest of the caption."""
    words, _ = read_caption(ctx.event.text or "")  # "/report 25 …", "第12项验收照片" name their task too
    if not words:
        return None, ""
    if looks_like_ref(words[0]) or (len(words) > 1 and looks_like_ref(words[1])) or split_plan_ref(words[0])[0]:
        try:
            task, rest = ctx.take_task(words)
        except UserError:
            return None, " ".join(words)
        return task, " ".join(rest)
    return None, " ".join(words)


def looks_like_plan_file(ctx: Ctx) -> bool:
    """A plan document: a text/Word/Excel/HTML file that names no task and answers no reminder."""
    name = (ctx.event.file_name or "").lower()
    if not name.endswith(PLAN_SUFFIXES) or (ctx.event.file_mime or "").startswith("image/"):
        return False
    original = _original(ctx)
    return (original is None or original.task_id is None) and _caption_task(ctx)[0] is None


def on_evidence(ctx: Ctx, _req: rq.Evidence):
    """A photo or file for a task: kept as 佐证材料 on the unit's latest report for it."""
    original = _original(ctx)
    task = (records.task(session=ctx.session, task_id=original.task_id)
            if original is not None and original.task_id else None)
    caption_task, note = _caption_task(ctx)
    task = task or caption_task
    guessed = False
    if task is None:
        # Channels without captions or replies (WeCom images): the task of the newest reminder this chat
        # got in the last week, said so in the answer.
        recent = repo.latest_reminder_to(session=ctx.session,
                                         recipient=Recipient(ctx.event.platform, ctx.event.chat_id).key(),
                                         since=ctx.now - timedelta(days=7))
        task = records.task(session=ctx.session, task_id=recent.task_id) if recent is not None else None
        guessed = task is not None
    if task is None:
        raise UserError("请注明这是哪项任务的佐证材料：在说明中写上编号（如“第12项 验收照片”），或回复该任务的提醒消息发送。")
    check(ctx, task)
    name = ctx.event.file_name or "file"
    report = caption_report(ctx.event.text or "", note) if caption_task is not None else None
    line = _record(ctx, task, report.status, report.percent, report.note) + "\n" if report else ""
    row = attach(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, reporter=ctx.actor.ref, name=name,
                 data=ctx.event.file_bytes or b"", mime=ctx.event.file_mime, now=ctx.now,
                 data_dir=Path(ctx.settings.app.data_dir), max_bytes=ctx.settings.app.evidence_max_mb * _MB,
                 note="" if report else note)
    text = line + action_text.evidence_kept(ctx.shown_ref(task), row.name, row.size)
    if guessed:
        text += action_text.evidence_guessed(ctx.shown_ref(task))
    return reply(text)

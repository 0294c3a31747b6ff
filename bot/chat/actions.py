"""Chat writes by unit staff: /report, one-tap buttons, replies to reminders, deferrals, snoozes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.intents import Intent
from bot.notify import Button, OutboundMessage, Recipient, from_payload
from bot.render import action_text, notice_text
from bot.services import deferrals
from bot.services.buttons import Action, sign
from bot.services.errors import UserError
from bot.services.evidence import attach, caption_report, read_caption
from bot.services.notices import share_report
from bot.services.reports import may_report, parse_report_args, record_report, snooze
from bot.services.tasks import looks_like_ref, split_plan_ref
from bot.workdays import OfficeHours
from storage import repo
from storage.models import Deferral, Outbox, ReportStatus, Task
from storage.outbox import outbox_key


def _check(ctx: Ctx, task: Task) -> None:
    """Only the task's own units (and admins) may report on it."""
    unit = ctx.actor.unit
    may_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, unit_name=unit.name if unit else None,
               is_admin=ctx.actor.is_admin)


def _record(ctx: Ctx, task: Task, status: ReportStatus, percent: int | None, note: str) -> str:
    """Record a report and return the line that confirms it."""
    report = record_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, status=status, percent=percent,
                           note=note, reporter=ctx.actor.ref, now=ctx.now)
    who = ctx.actor.unit.name if ctx.actor.unit else "管理员"
    line = action_text.recorded_line(status, percent, note, who, ctx.now, ctx.settings.app.tz)
    ctx.queued += share_report(session=ctx.session, report=report, said_in=Recipient(ctx.event.platform, ctx.event.chat_id),
                               message=OutboundMessage(text=notice_text.unit_reported(task.ref, task.title, line)),
                               now=ctx.now)  # the unit's other chats hear it (issue 26)
    return line


def cmd_report(ctx: Ctx, intent: Intent):
    """`/report 编号 状态 [百分比] [说明]`."""
    task, rest = ctx.take_task(intent.args)
    _check(ctx, task)
    data = parse_report_args(rest)
    line = _record(ctx, task, data.status, data.percent, data.note)
    return reply(action_text.task_head(task.ref, task.title) + "\n" + line)


def _original(ctx: Ctx) -> Outbox | None:
    """The reminder a button was pressed on or a reply answers, found by its message id."""
    mid = ctx.event.callback_message_id or ctx.event.reply_to_message_id
    if not mid:
        return None
    recipient = Recipient(ctx.event.platform, ctx.event.chat_id).key()
    return repo.outbox_by_message(session=ctx.session, message_id=mid, recipient=recipient)


def _task_of_button(ctx: Ctx, task_id: int) -> Task | None:
    task = ctx.session.get(Task, task_id)
    return None if task is None or task.removed else task


def on_status(ctx: Ctx, task_id: int, arg: str):
    """已完成 / 推进中 / 有困难: record it and show it on the reminder itself."""
    task = _task_of_button(ctx, task_id)
    if task is None:
        return reply(action_text.TASK_GONE)
    _check(ctx, task)
    try:
        status = ReportStatus(arg)
    except ValueError:
        status = None
    if status is None or status == ReportStatus.NOTE:
        return reply(action_text.BAD_BUTTON)
    line = _record(ctx, task, status, 100 if status == ReportStatus.DONE else None, "")
    return [OutboundMessage(text=f"{_base(ctx, task)}\n\n{line}", edit_message_id=ctx.event.callback_message_id)]


def _base(ctx: Ctx, task: Task) -> str:
    original = _original(ctx)
    return from_payload(original.payload).text if original else action_text.task_head(task.ref, task.title)


def on_snooze(ctx: Ctx, task_id: int, arg: str):
    """稍后提醒: hold this unit's reminders for the task, and push the reminder again next working day."""
    task = _task_of_button(ctx, task_id)
    if task is None:
        return reply(action_text.TASK_GONE)
    _check(ctx, task)
    original = _original(ctx)
    base = _base(ctx, task)
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


def on_defer(ctx: Ctx, task_id: int, arg: str):
    """申请延期: open a request and ask for the date."""
    task = _task_of_button(ctx, task_id)
    if task is None:
        return reply(action_text.TASK_GONE)
    _check(ctx, task)
    base = _base(ctx, task)
    deferrals.request(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, requested_by=ctx.actor.ref,
                      now=ctx.now)
    return [
        OutboundMessage(text=f"{base}\n\n{action_text.DEFER_WAITING}", edit_message_id=ctx.event.callback_message_id),
        OutboundMessage(text=action_text.defer_ask(task.ref)),
    ]


def defer_by_words(ctx: Ctx, ref: str, text: str, *, reason: str = ""):
    """"第12项申请延期到10月底 设备未到货": the request the 申请延期 button opens, its date taken from the words
    when they start with one; otherwise the date is asked for, as after the button. `reason`: one typed
    elsewhere in the message (a report's note), kept when the words after the date give none."""
    task = ctx.task(ref)
    _check(ctx, task)
    deferral = deferrals.request(session=ctx.session, task=task, unit_id=ctx.actor.unit_id,
                                 requested_by=ctx.actor.ref, now=ctx.now)
    if text and deferrals.reads_as_date(text):
        when, given = deferrals.split_date(text)
        text = f"{when} {given or reason}".strip()
        try:
            return answer_deferral(ctx, deferral, text)
        except UserError as exc:  # the request stays open: the date alone can be sent again
            return reply(f"{exc}\n{action_text.defer_ask(task.ref)}")
    return reply(f"{action_text.task_head(task.ref, task.title)}\n{action_text.defer_ask(task.ref)}")


def on_defer_note(ctx: Ctx, deferral_id: int, arg: str):
    """记为进展说明: the text held on an open request becomes a progress note, and the request is dropped."""
    deferral = ctx.session.get(Deferral, deferral_id)
    if deferral is None or deferral.requested_by != ctx.actor.ref or deferral.status != "awaiting_date":
        return reply(action_text.BAD_BUTTON)
    task = ctx.session.get(Task, deferral.task_id)
    note = deferral.reason
    deferrals.cancel(deferral, reason="申请人改为填写进展说明")
    _check(ctx, task)
    record_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, status=ReportStatus.NOTE, percent=None,
                  note=note, reporter=ctx.actor.ref, now=ctx.now)
    return [OutboundMessage(text=action_text.note_recorded(task.ref, note) + "\n" + action_text.DEFER_CANCELLED,
                            edit_message_id=ctx.event.callback_message_id)]


def on_defer_cancel(ctx: Ctx, deferral_id: int, arg: str):
    """取消 on the which-is-it question."""
    deferral = ctx.session.get(Deferral, deferral_id)
    if deferral is None or deferral.requested_by != ctx.actor.ref or deferral.status != "awaiting_date":
        return reply(action_text.BAD_BUTTON)
    deferrals.cancel(deferral)
    return [OutboundMessage(text=action_text.DEFER_CANCELLED, edit_message_id=ctx.event.callback_message_id)]


def answer_deferral(ctx: Ctx, deferral: Deferral, text: str):
    """The text after a 申请延期 tap: a date (and reason) goes to the admins; 取消 drops it.

    Anything else is neither: it is held and the person is asked which it is, so nothing typed is lost.
    """
    if deferrals.is_cancel(text):
        deferrals.cancel(deferral)
        return reply(action_text.DEFER_CANCELLED)
    task = ctx.session.get(Task, deferral.task_id)
    if not deferrals.reads_as_date(text):
        deferrals.hold_text(deferral, text)
        buttons = [[Button("记为进展说明", sign(ctx.key, Action.DEFER_NOTE, deferral.id)),
                    Button("取消延期申请", sign(ctx.key, Action.DEFER_CANCEL, deferral.id))]]
        return [OutboundMessage(text=action_text.defer_which(task.ref, text), buttons=buttons)]
    task = deferrals.answer(session=ctx.session, deferral=deferral, text=text, today=ctx.today)
    who = ctx.actor.unit.name if ctx.actor.unit else ctx.actor.ref
    message = OutboundMessage(
        text=action_text.defer_request(who, task.ref, task.title, deferral.requested_date, deferral.reason),
        buttons=[[Button("批准", sign(ctx.key, Action.DEFER_APPROVE, deferral.id)),
                  Button("驳回", sign(ctx.key, Action.DEFER_REFUSE, deferral.id))]],
    )
    admins = ctx.admin_recipients()
    for r in admins:
        ctx.push(r, message, task_id=task.id, kind="admin",
                 key=outbox_key(task_id=task.id, topic=f"deferral:{deferral.id}", recipient=r.key(), kind="admin",
                                occurrence="request"))
    return reply(action_text.defer_submitted(task.ref, deferral.requested_date, bool(admins)))


def still_waiting(ctx: Ctx, deferral: Deferral) -> list[OutboundMessage]:
    """The line after an answer given while a 申请延期 waits for its date."""
    task = ctx.session.get(Task, deferral.task_id)
    return reply(action_text.defer_still_waiting(task.ref)) if task is not None else []


def reply_note(ctx: Ctx, text: str):
    """A reply to a reminder: the text becomes the progress note on that task (None: not a reminder reply)."""
    original = _original(ctx)
    if original is None or original.task_id is None:
        return None
    task = ctx.session.get(Task, original.task_id)
    if task is None:
        return None
    _check(ctx, task)
    note = text.strip()
    record_report(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, status=ReportStatus.NOTE, percent=None,
                  note=note, reporter=ctx.actor.ref, now=ctx.now)
    return reply(action_text.note_recorded(task.ref, note))


def commands() -> list[Command]:
    return [
        Command("report", cmd_report, Needs.BOUND, "/report 编号 状态 [百分比] [说明]", "反馈进展",
                menu="反馈进展，如 /report 12 推进中 说明", min_args=1,
                example="/report 25 推进中 60% 已完成隐患排查"),
    ]


def buttons():
    """Button actions of unit staff."""
    return {Action.STATUS: on_status, Action.SNOOZE: on_snooze, Action.DEFER: on_defer,
            Action.DEFER_NOTE: on_defer_note, Action.DEFER_CANCEL: on_defer_cancel}



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


def on_evidence(ctx: Ctx):
    """A photo or file for a task: kept as 佐证材料 on the unit's latest report for it."""
    original = _original(ctx)
    task = ctx.session.get(Task, original.task_id) if original is not None and original.task_id else None
    caption_task, note = _caption_task(ctx)
    task = task or caption_task
    guessed = False
    if task is None:
        # Channels without captions or replies (WeCom images): the task of the newest reminder this chat
        # got in the last week, said so in the answer.
        recent = repo.latest_reminder_to(session=ctx.session,
                                         recipient=Recipient(ctx.event.platform, ctx.event.chat_id).key(),
                                         since=ctx.now - timedelta(days=7))
        task = ctx.session.get(Task, recent.task_id) if recent is not None else None
        guessed = task is not None
    if task is None:
        raise UserError("请注明这是哪项任务的佐证材料：在说明中写上编号（如“第12项 验收照片”），或回复该任务的提醒消息发送。")
    _check(ctx, task)
    name = ctx.event.file_name or "file"
    report = caption_report(ctx.event.text or "", note) if caption_task is not None else None
    line = _record(ctx, task, report.status, report.percent, report.note) + "\n" if report else ""
    row = attach(session=ctx.session, task=task, unit_id=ctx.actor.unit_id, reporter=ctx.actor.ref, name=name,
                 data=ctx.event.file_bytes or b"", mime=ctx.event.file_mime, now=ctx.now,
                 data_dir=Path(ctx.settings.app.data_dir), max_bytes=ctx.settings.app.evidence_max_mb * _MB,
                 note="" if report else note)
    text = line + action_text.evidence_kept(task.ref, row.name, row.size)
    if guessed:
        text += f"\n（按最近一次提醒归入第{task.ref}项；如不对，请在说明中写上任务编号重新发送。）"
    return reply(text)

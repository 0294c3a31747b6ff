"""Chat commands for admins: invites, bindings, deadlines, the ledger export, plan uploads, approvals."""

from __future__ import annotations

from bot.chat import minutes, revision, taps
from bot.chat import requests as rq
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.chat.queries import take_ref
from bot.notify import Button, OutboundMessage, Recipient
from bot.plan.review import write_review
from bot.render import action_text, plan_text
from bot.render.bulletin_docx import bulletin_docx
from bot.render.ledger_xlsx import ledger_xlsx
from bot.services import deferrals, notices, planfile, records
from bot.services.binding import bind_directly, create_invite
from bot.services.bulletin import build_bulletin, month_of, parse_period
from bot.services.drafts import answer_draft, drop_draft, peek_draft, stage_draft, take_draft
from bot.services.errors import UserError
from bot.services.importer import apply_plan, diff_plan
from bot.services.ledger import build_ledger, resolve_plan
from bot.services.plandiff import AmbiguousRevision
from bot.services.reports import parse_date, set_deadline


def cmd_invite(ctx: Ctx, cmd: rq.Command):
    """A one-time code (and deep link where the channel has one) that binds a chat to a unit."""
    invite = create_invite(session=ctx.session, unit_name=" ".join(cmd.args), now=ctx.now,
                           created_by=ctx.actor.ref, aliases=ctx.settings.aliases, office_id=ctx.office_id)
    name = records.unit_name(session=ctx.session, unit_id=invite.unit_id)
    return reply(action_text.invite_text(invite.code, name, ctx.invite_link(invite.code)))


def cmd_bind(ctx: Ctx, cmd: rq.Command):
    """Bind this chat, or a named platform:address, to a unit without a code."""
    args = cmd.args
    target = args[1] if len(args) > 1 and ":" in args[1] else None
    recipient = Recipient.parse(target) if target else Recipient(ctx.event.platform, ctx.event.chat_id)
    unit = bind_directly(session=ctx.session, unit_name=args[0], platform=recipient.platform,
                         address=recipient.address, now=ctx.now, actor=ctx.actor.ref,
                         is_group=ctx.event.is_group and target is None, aliases=ctx.settings.aliases,
                         office_id=ctx.office_id)
    return reply(action_text.bound(recipient.key(), unit.name))


def read_deadline(args: tuple[str, ...]) -> rq.SetDeadline:
    """`/deadline 编号 日期 [说明]` as a record."""
    ref, rest = take_ref(args)
    if not rest:
        raise UserError("用法：/deadline 编号 日期 [说明]，如 /deadline 12 2021-09-30 主体完工")
    return rq.SetDeadline(ref, rest[0], " ".join(rest[1:]))


def on_set_deadline(ctx: Ctx, req: rq.SetDeadline):
    """Give a task an explicit date (an admin's /deadline, or a new date in words)."""
    task = ctx.task(req.ref, req.plan)
    when = parse_date(req.when, today=ctx.today, year=records.plan_of(session=ctx.session, task=task).year)
    set_deadline(session=ctx.session, task=task, when=when, label=req.label, now=ctx.now, actor=ctx.actor.ref)
    return reply(action_text.deadline_set(ctx.shown_ref(task), when))


def cmd_export(ctx: Ctx, cmd: rq.Command):
    """The ledger as an .xlsx attachment (of the current plan, or the active plan named after /export)."""
    plan = resolve_plan(session=ctx.session, which=" ".join(cmd.args) or None, office_id=ctx.office_id,
                        default=ctx.plan)
    ledger = build_ledger(session=ctx.session, now=ctx.now, settings=ctx.settings, calendar=ctx.calendar, plan=plan)
    name = f"督办台账_{ctx.today.isoformat()}.xlsx"
    data = ledger_xlsx(ledger, tz=ctx.settings.app.tz)
    return [OutboundMessage(text=f"督办台账（{ctx.today.isoformat()}）", document=(name, data))]


def cmd_bulletin(ctx: Ctx, cmd: rq.Command):
    """督办通报 of a period (this month by default) as a .docx attachment."""
    period = parse_period(cmd.args[0]) if cmd.args else month_of(ctx.today)
    bulletin = build_bulletin(session=ctx.session, period=period, now=ctx.now, settings=ctx.settings,
                              calendar=ctx.calendar, plan=" ".join(cmd.args[1:]) or None,
                              office_id=ctx.office_id, default=ctx.plan)
    name = f"督办通报_{period.code}.docx"
    return [OutboundMessage(text=f"{period.label}督办通报（截至{bulletin.as_of.isoformat()}，草稿，可编辑后印发）",
                            document=(name, bulletin_docx(bulletin)))]


def on_upload(ctx: Ctx, _req: rq.PlanFile):
    """A plan file sent to the bot: show what it would change and ask before applying."""
    name, data = ctx.event.file_name or "plan", ctx.event.file_bytes
    if not data:
        raise UserError("没有收到文件内容（文件过大或下载失败），请重新发送。")
    parsed = planfile.parse_upload(data, name, aliases=ctx.settings.aliases)
    found = minutes.as_minutes(ctx, data, name, parsed)  # a 纪要 title or 议定事项: items, not a plan
    if found is not None:
        return found
    if parsed.needs_review:  # never a dead end: the sheet of candidates, and how to send it back
        return [OutboundMessage(text=planfile.NEEDS_REVIEW_CHAT,
                                document=(f"核对表_{(parsed.title or '计划')[:20]}.xlsx", write_review(parsed)))]
    try:
        diff = diff_plan(session=ctx.session, parsed=parsed, config_aliases=ctx.settings.aliases,
                         office_id=ctx.office_id)
    except AmbiguousRevision as exc:
        # Close to an open plan but not its revision by title: the admin says which, with a tap.
        key = stage_draft(session=ctx.session, parsed=parsed, source_name=name, created_by=ctx.actor.ref,
                          now=ctx.now)
        buttons = [[Button(f"是《{exc.plan_title[:12]}》的修订", taps.TapImport(exc.plan_id, key).data(ctx.key)),
                    Button("是另一份新计划", taps.TapImportNew(0, key).data(ctx.key))],
                   [Button("取消", taps.TapImportCancel(0, key).data(ctx.key))]]
        text = f"《{exc.title}》与已有计划《{exc.plan_title}》很接近，请选择："
        return [OutboundMessage(text=text, buttons=buttons)]
    if diff.empty:
        return reply(plan_text.diff_lines(diff))
    key = stage_draft(session=ctx.session, parsed=parsed, source_name=name, created_by=ctx.actor.ref, now=ctx.now)
    sheet = OutboundMessage(text="解析结果核对表：如有错漏，可在 Excel/WPS 中改正后重新发送。",
                            document=(f"核对表_{(parsed.title or '计划')[:20]}.xlsx", write_review(parsed)))
    return [_draft_message(ctx, parsed, diff, key), sheet]


def _draft_message(ctx: Ctx, parsed, diff, key: str, *, edit: str | None = None) -> OutboundMessage:
    """The diff with 确认导入 / 取消, and a row of buttons per unit question (是别称 / 是新单位)."""
    # The summary's first line, and how sure the reading is, so the admin knows what to check before 确认导入.
    head = [plan_text.parsed_summary(parsed).split("\n")[0], plan_text.confidence_line(parsed)]
    text = "\n".join(line for line in head if line) + "\n" + plan_text.diff_lines(diff)
    rows = []
    for qi, q in enumerate(diff.unit_questions[:MAX_QUESTION_BUTTONS]):
        row = [Button(f"“{q.name[:8]}”是{c[:8]}", taps.TapAlias(qi * 10 + ci + 1, key).data(ctx.key))
               for ci, c in enumerate(q.candidates[:2])]
        rows.append(row + [Button(f"“{q.name[:8]}”是新单位", taps.TapAlias(qi * 10, key).data(ctx.key))])
    rows += revision.match_rows(ctx, diff, key)
    rows.append([Button("确认导入", taps.TapImport(0, key).data(ctx.key)),
                 Button("取消", taps.TapImportCancel(0, key).data(ctx.key))])
    return OutboundMessage(text=text + "\n确认导入吗？", buttons=rows, edit_message_id=edit)


def on_alias(ctx: Ctx, tap: taps.TapAlias):
    """An answer to a unit question: the new name is another name for a unit (or a unit of its own)."""
    code, key = tap.ident, tap.arg
    staged = peek_draft(session=ctx.session, key=key)
    if staged is None:
        return reply("这份文件已经处理过或已过期，请重新发送。")
    parsed, _name, _answers = staged
    # Buttons number the questions as first asked (no answers yet), so earlier answers never shift them.
    asked = diff_plan(session=ctx.session, parsed=parsed, config_aliases=ctx.settings.aliases,
                      office_id=ctx.office_id).unit_questions
    qi, ci = divmod(code, 10)
    if qi >= len(asked):
        return reply(action_text.BAD_BUTTON)
    q = asked[qi]
    unit = q.candidates[ci - 1] if 0 < ci <= len(q.candidates) else None
    answers = answer_draft(session=ctx.session, key=key, alias=q.name, unit=unit) or {}
    diff = diff_plan(session=ctx.session, parsed=parsed, config_aliases=ctx.settings.aliases,
                     office_id=ctx.office_id, answers=answers)
    diff.unit_questions = asked  # keep every row, so an answer can still be changed
    message = _draft_message(ctx, parsed, diff, key, edit=ctx.event.callback_message_id)
    chosen = "、".join(f"{a}={u}" for a, u in answers.items()) or "无（均按新单位处理）"
    message.text = message.text.replace("\n确认导入吗？", f"\n已确认的别称：{chosen}\n确认导入吗？")
    return [message]


MAX_QUESTION_BUTTONS = 3  # more look-alike names than this are answered with --alias on the command line


def on_import(ctx: Ctx, tap: taps.TapImport):
    """确认导入 of a staged plan."""
    return _import(ctx, tap.ident, tap.arg)


def _import(ctx: Ctx, revises: int, key: str, *, new: bool = False):
    """确认导入: apply the staged plan (as a revision of plan `revises` when not 0, or as a new plan).

    The admin saw the diff, and how many tasks a revision removes, before tapping: that tap confirms.
    """
    matches = revision.matches_of(ctx, key)
    draft = take_draft(session=ctx.session, key=key)
    if draft is None:
        return reply("这份文件已经处理过或已过期，请重新发送。")
    parsed, source_name, answers = draft
    result = apply_plan(session=ctx.session, parsed=parsed, now=ctx.now, source_name=source_name,
                        actor=ctx.actor.ref, config_aliases=ctx.settings.aliases, office_id=ctx.office_id,
                        answers=answers, matches=matches,
                        revises=str(revises) if revises else None, new=new, confirmed=True,
                        receipts=ctx.settings.supervision.receipt == "all")
    return [OutboundMessage(text=plan_text.import_summary(result), edit_message_id=ctx.event.callback_message_id)]


def on_import_new(ctx: Ctx, tap: taps.TapImportNew):
    return _import(ctx, 0, tap.arg, new=True)


def on_import_cancel(ctx: Ctx, tap: taps.TapImportCancel):
    if not drop_draft(session=ctx.session, key=tap.arg):
        return reply("这份文件已经处理过或已过期，请重新发送。")
    return [OutboundMessage(text="已取消导入，计划未做修改。", edit_message_id=ctx.event.callback_message_id)]


def _decide(ctx: Ctx, deferral_id: int, approve: bool):
    decision = deferrals.decide(session=ctx.session, deferral_id=deferral_id, approve=approve, actor=ctx.actor.ref,
                                now=ctx.now)
    d, task = decision.deferral, decision.task
    verdict = action_text.defer_verdict(ctx.shown_ref(task), d.requested_date, approve)
    ctx.queued += notices.deferral_decision(session=ctx.session, deferral=d, now=ctx.now, today=ctx.today,
                                            message=OutboundMessage(text=action_text.defer_result(verdict)))
    return [OutboundMessage(text=verdict, edit_message_id=ctx.event.callback_message_id)]


def on_approve(ctx: Ctx, tap: taps.TapApprove):
    return _decide(ctx, tap.ident, True)


def on_refuse(ctx: Ctx, tap: taps.TapRefuse):
    return _decide(ctx, tap.ident, False)


def on_decide(ctx: Ctx, req: rq.Decide):
    return decide_by_words(ctx, req.ref, req.approve, req.plan)


def decide_by_words(ctx: Ctx, ref: str | None, approve: bool, plan: int | None = None):
    """"批准第12项延期", "驳回延期申请": decide the request waiting on that task (or the only one waiting);
    with several and no number, they are listed with their buttons."""
    if not ctx.actor.is_admin:
        return reply(action_text.ADMIN_ONLY_ACTION)
    waiting = deferrals.pending(session=ctx.session)
    if ref is not None:
        task = ctx.task(ref, plan)
        waiting = [d for d in waiting if d.task_id == task.id]
        if not waiting:
            return reply(action_text.no_request_on(ctx.shown_ref(task)))
    if len(waiting) != 1:
        return cmd_deferrals(ctx, rq.Command("deferrals", slash=False))
    return _decide(ctx, waiting[0].id, approve)


def cmd_deferrals(ctx: Ctx, cmd: rq.Command):
    """Pending 延期 requests, each with 批准 / 驳回: how an office with no admin chat (the console) decides."""
    pending = deferrals.pending(session=ctx.session)
    if not pending:
        return reply("目前没有待审批的延期申请。")
    out = []
    for d in pending:
        task = records.task(session=ctx.session, task_id=d.task_id)
        unit = records.unit_name(session=ctx.session, unit_id=d.unit_id) if d.unit_id else d.requested_by
        out.append(OutboundMessage(
            text=action_text.defer_request(unit, task.ref, task.title, d.requested_date, d.reason),
            buttons=[[Button("批准", taps.TapApprove(d.id).data(ctx.key)),
                      Button("驳回", taps.TapRefuse(d.id).data(ctx.key))]]))
    return out


def commands() -> list[Command]:
    a = Needs.ADMIN
    return [
        Command("invite", cmd_invite, a, "/invite 单位", "生成邀请码", min_args=1, example="/invite 安全办"),
        Command("bind", cmd_bind, a, "/bind 单位 [平台:账号]", "直接绑定（不写账号则绑定本聊天）", min_args=1,
                example="/bind 安全办 wecom:zhangsan"),
        Command("deadline", None, a, "/deadline 编号 日期 [说明]", "设置时限", min_args=2,
                example="/deadline 12 2021-09-30 主体完工", read=read_deadline),
        Command("deferrals", cmd_deferrals, a, "/deferrals", "待审批的延期申请（批准或驳回）",
                words=("延期申请", "待审批", "待审批的延期", "待审批的延期申请", "延期审批", "审批延期", "审批延期申请",
                       "有哪些延期申请", "延期申请有哪些", "看看延期申请")),
        Command("export", cmd_export, a, "/export [计划]", "导出台账（Excel）",
                words=("导出台账", "下载台账", "台账导出", "导出excel", "导出表格", "台账", "要台账", "发台账", "发一份台账",
                       "导出进度台账", "导出督办台账", "export", "export ledger")),
        Command("bulletin", cmd_bulletin, a, "/bulletin [时段]", "起草督办通报（Word）", example="/bulletin 2021-06",
                words=("督办通报", "起草通报", "写通报", "生成通报", "出通报", "起草督办通报", "生成督办通报", "通报")),
    ]


def on_resend(ctx: Ctx, tap: taps.TapResend):
    """重发 on a "delivery unknown" notice: queue that reminder again (once)."""
    row_id = tap.ident
    from bot.services.outbox_admin import resend

    resend(session=ctx.session, row_id=row_id, now=ctx.now, actor=ctx.actor.ref)
    ctx.queued += 1  # the dispatcher is kicked and sends it now
    return [OutboundMessage(text=action_text.resent(row_id), edit_message_id=ctx.event.callback_message_id)]


def routes():
    """The office's requests: dates, decisions in words, plan uploads, and the buttons only admins may press."""
    return {rq.SetDeadline: on_set_deadline, rq.Decide: on_decide, rq.PlanFile: on_upload,
            taps.TapImport: on_import, taps.TapImportCancel: on_import_cancel, taps.TapImportNew: on_import_new,
            taps.TapAlias: on_alias, taps.TapApprove: on_approve, taps.TapRefuse: on_refuse, taps.TapResend: on_resend}

"""Chat commands for admins: invites, bindings, deadlines, the ledger export, plan uploads, approvals."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.chat.context import Ctx, reply
from bot.notify import Button, OutboundMessage, Recipient
from bot.render import plan_text
from bot.services import callbacks, planfile
from bot.services.binding import bind_directly, create_invite
from bot.services.errors import UserError
from bot.services.export import ledger_xlsx
from bot.services.importer import apply_plan, content_hash, diff_plan
from bot.services.reports import parse_date, set_deadline
from bot.services.tasks import require_task
from storage.models import AuditLog, ChatIdentity, Deferral, JobState, Task, Unit

UPLOAD_PREFIX = "upload:"


def invite_text(code: str, unit: str, bot_username: str) -> str:
    link = f"\n或点击链接：https://t.me/{bot_username}?start={code}" if bot_username else ""
    return f"{unit}的邀请码：{code}（7天内有效，仅可使用一次）\n请对方向督办助手发送：/start {code}{link}"


def cmd_invite(ctx: Ctx, args: list[str]):
    if not args:
        raise UserError("用法：/invite 单位，如 /invite 安全办")
    invite = create_invite(
        session=ctx.session,
        unit_name=" ".join(args),
        now=ctx.now,
        created_by=ctx.actor.ref,
        aliases=ctx.settings.aliases,
    )
    name = ctx.session.get(Unit, invite.unit_id).name
    return reply(invite_text(invite.code, name, ctx.settings.telegram.bot_username))


def cmd_bind(ctx: Ctx, args: list[str]):
    if not args:
        raise UserError("用法：/bind 单位 [平台:账号]，如 /bind 安全办 wecom:zhangsan；不写账号则绑定本聊天")
    target = args[1] if len(args) > 1 and ":" in args[1] else None
    recipient = Recipient.parse(target) if target else Recipient(ctx.event.platform, ctx.event.chat_id)
    unit = bind_directly(
        session=ctx.session,
        unit_name=args[0],
        platform=recipient.platform,
        address=recipient.address,
        now=ctx.now,
        actor=ctx.actor.ref,
        is_group=ctx.event.is_group and target is None,
        aliases=ctx.settings.aliases,
    )
    return reply(f"已将 {recipient.key()} 绑定到{unit.name}。")


def cmd_deadline(ctx: Ctx, args: list[str]):
    if len(args) < 2:
        raise UserError("用法：/deadline 编号 日期 [说明]，如 /deadline 12 2021-09-30 主体完工")
    task = require_task(session=ctx.session, ref=args[0])
    when = parse_date(args[1], today=ctx.today)
    set_deadline(
        session=ctx.session, task=task, when=when, label=" ".join(args[2:]), now=ctx.now, actor=ctx.actor.ref
    )
    return reply(f"第{task.ref}项时限已设为{when.isoformat()}。")


def cmd_export(ctx: Ctx, args: list[str]):
    data = ledger_xlsx(session=ctx.session, now=ctx.now, settings=ctx.settings, calendar=ctx.calendar)
    name = f"督办台账_{ctx.today.isoformat()}.xlsx"
    return [OutboundMessage(text=f"督办台账（{ctx.today.isoformat()}）", document=(name, data))]


def on_upload(ctx: Ctx):
    """A plan file sent to the bot: show what it would change and ask before applying."""
    name, data = ctx.event.file_name or "plan", ctx.event.file_bytes
    if not data:
        raise UserError("没有收到文件内容（文件过大或下载失败），请重新发送。")
    parsed = planfile.parse_upload(data, name, aliases=ctx.settings.aliases)
    diff = diff_plan(session=ctx.session, parsed=parsed, config_aliases=ctx.settings.aliases)
    if diff.empty:
        return reply(plan_text.diff_lines(diff))
    short = content_hash(parsed)[:12]
    state = ctx.session.get(JobState, UPLOAD_PREFIX + short) or JobState(name=UPLOAD_PREFIX + short)
    state.value = json.dumps({"parsed": parsed, "name": name, "by": ctx.actor.ref}, ensure_ascii=False)
    state.updated_at = ctx.now
    ctx.session.add(state)
    text = plan_text.parsed_summary(parsed).split("\n")[0] + "\n" + plan_text.diff_lines(diff)
    buttons = [
        [
            Button("确认导入", callbacks.sign(ctx.key, "imp", 0, short)),
            Button("取消", callbacks.sign(ctx.key, "imx", 0, short)),
        ]
    ]
    return [OutboundMessage(text=text + "\n确认导入吗？", buttons=buttons)]


def on_admin_button(ctx: Ctx, action: str, ident: int, arg: str):
    if not ctx.actor.is_admin:
        return reply("只有管理员可以执行此操作。")
    mid = ctx.event.callback_message_id
    if action in ("imp", "imx"):
        state = ctx.session.get(JobState, UPLOAD_PREFIX + arg)
        if state is None:
            return reply("这份文件已经处理过或已过期，请重新发送。")
        pending = json.loads(state.value)
        ctx.session.delete(state)
        if action == "imx":
            return [OutboundMessage(text="已取消导入，计划未做修改。", edit_message_id=mid)]
        result = apply_plan(
            session=ctx.session,
            parsed=pending["parsed"],
            now=ctx.now,
            source_name=pending["name"],
            actor=ctx.actor.ref,
            config_aliases=ctx.settings.aliases,
        )
        return [OutboundMessage(text=plan_text.import_summary(result), edit_message_id=mid)]
    deferral = ctx.session.get(Deferral, ident)
    if deferral is None or deferral.status != "pending":
        return reply("该延期申请已处理。")
    task = ctx.session.get(Task, deferral.task_id)
    deferral.decided_by, deferral.decided_at = ctx.actor.ref, ctx.now
    if action == "dfa":
        deferral.status = "approved"
        set_deadline(
            session=ctx.session,
            task=task,
            when=deferral.requested_date,
            label=f"延期至{deferral.requested_date.isoformat()}（已批准）",
            now=ctx.now,
            actor=ctx.actor.ref,
        )
        verdict = f"已批准：第{task.ref}项延期至{deferral.requested_date.isoformat()}。"
    else:
        deferral.status = "rejected"
        verdict = f"已驳回第{task.ref}项延期至{deferral.requested_date.isoformat()}的申请，原时限不变。"
    ctx.session.add(
        AuditLog(at=ctx.now, actor=ctx.actor.ref, action=f"deferral.{deferral.status}", detail=verdict)
    )
    for r in _requester_chats(ctx, deferral):
        ctx.push(
            r,
            OutboundMessage(text=f"【延期申请结果】{verdict}"),
            task_id=task.id,
            kind="notice",
            key=f"{task.id}|deferral:{deferral.id}|{r.key()}|notice|decision",
        )
    return [OutboundMessage(text=verdict, edit_message_id=mid)]


def _requester_chats(ctx: Ctx, deferral: Deferral) -> list[Recipient]:
    """Where the requesting unit hears the decision: its bound chats.

    Not the requester's user id: someone who asked from a bound group may never have opened a
    private chat with the bot, and Telegram refuses (403) to start one.
    """
    if deferral.unit_id is not None:
        chats = ctx.session.exec(
            select(ChatIdentity).where(ChatIdentity.unit_id == deferral.unit_id, ChatIdentity.active)
        ).all()
        if chats:
            return [Recipient(c.platform, c.address) for c in chats]
    platform, _, user = deferral.requested_by.partition(":")
    return [Recipient(platform, user)]

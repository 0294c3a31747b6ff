"""Chat flows for 督办 items: words ("交办：…", "局长批示：…", "会议决定：…") or a forwarded message from an admin
become a draft with a confirmation card (确认 / 修改 / 取消); 确认 creates the item (bot.services.items)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.chat import requests as rq
from bot.chat.commands import Command, Needs
from bot.chat.context import Ctx, reply
from bot.nlu.items import ItemWords, read_item
from bot.notify import Button, OutboundMessage, Recipient
from bot.render import item_text
from bot.render.sheet_docx import sheet_docx
from bot.render.task_text import plan_ref, report_text
from bot.services import instructions, itemdrafts, notices, records
from bot.services.items import ItemSpec, check_item, create_item, item_info, list_items, unknown_units
from bot.services.sheet import KINDS, build_sheet
from bot.services.tasks import looks_like_ref, report_lines, split_plan_ref
from bot.services.units import find_unit
from storage import repo
from storage.models import Task, UnitKind
from storage.outbox import outbox_key


@dataclass(frozen=True)
class DraftItem:
    """Words (or a forwarded message) that hand an item down: what was read, and the source they name."""

    found: ItemWords
    source: str


@dataclass(frozen=True)
class Instruct:
    """A bound leader's words on a task (批示): the task and the words."""

    task_id: int
    words: str


@dataclass(frozen=True)
class ItemsOf:
    """"批示件有哪些还没办完", "安全办手上的交办件": the items of one source, of one unit, open ones only."""

    source: str
    unit: str = ""
    open_only: bool = False


def source_words(ctx: Ctx) -> dict[str, str]:
    """The words that open an item in chat ("交办", "批示", "会议决定": each source's configured `words`) → the
    source. Only those: a short word such as 建议 or 其他 opens everyday messages too ("建议：…")."""
    out: dict[str, str] = {}
    for name, src in ctx.settings.items.sources.items():
        for word in src.words:
            out.setdefault(word, name)
    return out


def may_create(ctx: Ctx) -> bool:
    """Admins and bound leaders hand items down."""
    unit = ctx.actor.unit
    return ctx.actor.is_admin or (unit is not None and unit.kind == UnitKind.LEADER)


def read_text(ctx: Ctx, text: str) -> object | None:
    """A leader's instruction on a task, a question about a source's items, or words opening with a source
    ("交办：…") as a draft item; None for any other text."""
    target = _instruction_target(ctx, text) if _is_leader(ctx) else None
    if target is not None:
        return Instruct(target[0].id, target[1])
    asked = _question(ctx, text)
    if asked is not None:
        return asked
    words = source_words(ctx)
    found = read_item(text, today=ctx.today, words=list(words))
    if found is None or looks_like_ref(found.instructed_by):  # "第12项批示：…" is an instruction on an item
        return None
    if not may_create(ctx):
        return rq.Say(item_text.NOT_ALLOWED)
    return DraftItem(found, words[found.source_word])


def read_forward(ctx: Ctx) -> DraftItem | None:
    """A forwarded (Telegram) or quoted (WeCom) message from an admin as a draft item; None for anyone else."""
    ev = ctx.event
    if not ctx.actor.is_admin or not (ev.forwarded_text or "").strip():
        return None
    words = source_words(ctx)
    default = ctx.settings.items.forwarded_source
    found = read_item(ev.forwarded_text, today=ctx.today, words=list(words), default_word=default)
    if found is None or not found.lead:  # no unit to lead it: not an item, the message is read as usual
        return None
    if ev.forwarded_from and not found.instructed_by:
        found = replace(found, instructed_by=ev.forwarded_from)
    return DraftItem(found, words.get(found.source_word, found.source_word))


def on_draft(ctx: Ctx, req: DraftItem) -> list[OutboundMessage]:
    """The confirmation card of a drafted item (确认 / 修改 / 取消), or the one line that says what it lacks."""
    found, source = req.found, req.source
    if not found.lead:
        return reply(item_text.NO_LEAD)
    if not found.title:
        return reply(item_text.NO_TITLE)
    spec = ItemSpec(title=found.title, source=source, lead=tuple(found.lead), co=tuple(found.co), due=found.due,
                    urgent=found.urgent, instructed_by=found.instructed_by, instruction=found.words,
                    assigned_on=ctx.today)
    unknown = unknown_units(session=ctx.session, office_id=ctx.office_id, names=found.lead + found.co)
    if not unknown:  # every refusal (a past date, an unknown source) is one line now, not after 确认
        c = check_item(session=ctx.session, spec=spec, office_id=ctx.office_id, settings=ctx.settings.items,
                       calendar=ctx.calendar, today=ctx.today)
        spec = replace(spec, lead=tuple(c.lead), co=tuple(c.co), due=c.due, title=c.title, source=c.source)
    minutes = ctx.settings.items.draft_minutes
    key = itemdrafts.stage(session=ctx.session, draft=itemdrafts.Draft(spec, unknown, found.due_text if found.due
                                                                        else ""),
                           office_id=ctx.office_id, created_by=ctx.actor.ref, now=ctx.now, minutes=minutes)
    row = [Button("修改", rq.TapItemEdit(0, key).data(ctx.key)), Button("取消", rq.TapItemCancel(0, key).data(ctx.key))]
    if not unknown:
        row.insert(0, Button("确认", rq.TapItemOk(0, key).data(ctx.key)))
    text = item_text.card(spec, unknown=unknown, due_text=found.due_text if found.due else "", minutes=minutes)
    return [OutboundMessage(text=text, buttons=[row])]


def on_confirm(ctx: Ctx, tap: rq.TapItemOk) -> list[OutboundMessage]:
    """确认: create the drafted item (checked again: the office or the day may have changed)."""
    draft, row = itemdrafts.take(session=ctx.session, key=tap.arg, actor=ctx.actor.ref, now=ctx.now, state="created")
    if draft.unknown:
        return reply(item_text.card(draft.spec, unknown=draft.unknown, due_text=draft.due_text, minutes=0))
    item = create_item(session=ctx.session, spec=draft.spec, office_id=row.office_id, settings=ctx.settings.items,
                       calendar=ctx.calendar, now=ctx.now.astimezone(ctx.settings.app.tz), actor=ctx.actor.ref,
                       receipts=ctx.settings.supervision.receipt != "off")
    return [OutboundMessage(text=item_text.created_card(item), edit_message_id=ctx.event.callback_message_id)]


def on_edit(ctx: Ctx, tap: rq.TapItemEdit) -> list[OutboundMessage]:
    """修改: the draft is dropped, to be sent again changed."""
    itemdrafts.take(session=ctx.session, key=tap.arg, actor=ctx.actor.ref, now=ctx.now, state="cancelled")
    return [OutboundMessage(text=item_text.EDIT, edit_message_id=ctx.event.callback_message_id)]


def on_cancel(ctx: Ctx, tap: rq.TapItemCancel) -> list[OutboundMessage]:
    """取消: the draft is dropped."""
    itemdrafts.take(session=ctx.session, key=tap.arg, actor=ctx.actor.ref, now=ctx.now, state="cancelled")
    return [OutboundMessage(text=item_text.CANCELLED, edit_message_id=ctx.event.callback_message_id)]


def routes() -> dict[type, object]:
    """Items in chat: drafts and their card's buttons (the draft's author may tap them, checked in
    itemdrafts.take), leaders' instructions, and questions about a source's items."""
    return {DraftItem: on_draft, Instruct: on_instruct, ItemsOf: on_items_of, rq.TapItemOk: on_confirm,
            rq.TapItemEdit: on_edit, rq.TapItemCancel: on_cancel}


# A leader writing on a task: "第12项批示：抓紧推进，月底前报结果", "批示3 批示：…".
_ON_TASK = re.compile(r"^(?P<ref>[^:：，,。\s][^:：，,。]{0,19}?)\s*(?:批示|指示|意见)[:：]\s*(?P<words>.+)$", re.S)
_LEAD_WORD = re.compile(r"^(?:批示|指示|意见)[:：]\s*")


def _is_leader(ctx: Ctx) -> bool:
    return ctx.actor.unit is not None and ctx.actor.unit.kind == UnitKind.LEADER


def _instruction_target(ctx: Ctx, text: str) -> tuple[Task, str] | None:
    """(task, words) when a leader's text is an instruction: "第12项批示：…", or a reply to a task's reminder."""
    m = _ON_TASK.match(text.strip())
    if m and (looks_like_ref(m.group("ref")) or split_plan_ref(m.group("ref"))[0]):
        return ctx.task(m.group("ref")), m.group("words").strip()
    if ctx.event.reply_to_message_id:
        recipient = Recipient(ctx.event.platform, ctx.event.chat_id).key()
        sent = repo.outbox_by_message(session=ctx.session, message_id=ctx.event.reply_to_message_id,
                                      recipient=recipient)
        task = records.live_task(session=ctx.session, task_id=sent.task_id) if sent and sent.task_id else None
        if task is not None:
            return task, _LEAD_WORD.sub("", text.strip())
    return None


def on_instruct(ctx: Ctx, req: Instruct) -> list[OutboundMessage]:
    """A bound leader's words on a task: to its units and the office, logged."""
    task, words = records.task(session=ctx.session, task_id=req.task_id), req.words
    given = instructions.give(session=ctx.session, task=task, leader=ctx.actor.unit, words=words, today=ctx.today,
                              now=ctx.now, actor=ctx.actor.ref)
    ref = _ref(ctx, task)
    if given.row.notifies:
        notice = OutboundMessage(text=item_text.instruction_notice(ctx.actor.unit.name, ref, task.title, words,
                                                                   given.due))
        targets = [r for u in given.lead + given.co for r in notices.unit_chats(session=ctx.session, unit_id=u.id)]
        targets += ctx.admin_recipients()
        for r in dict.fromkeys(targets):
            ctx.push(r, notice, task_id=task.id, key=outbox_key(task_id=task.id, topic=f"instruction:{given.row.id}",
                                                                 recipient=r.key(), kind="notice", occurrence="1"))
    units = [u.name for u in given.lead + given.co]
    return reply(item_text.instruction_answer(ref, units, given.due, given.due_text, not given.row.notifies))


def answer_leaders(ctx: Ctx) -> None:
    """After an event: send each report it recorded to the leaders whose instruction on that task still waits."""
    for row, report in instructions.answered(session=ctx.session, now=ctx.now):
        task = records.task(session=ctx.session, task_id=row.task_id)
        unit = records.unit_name(session=ctx.session, unit_id=report.unit_id) if report.unit_id else ""
        text = item_text.report_to_leader(row.author, _ref(ctx, task), task.title, unit,
                                          report_text(report_lines([report])[0]))
        for r in notices.unit_chats(session=ctx.session, unit_id=row.leader_unit_id):
            ctx.push(r, OutboundMessage(text=text), task_id=task.id,
                     key=outbox_key(task_id=task.id, topic=f"instruction:{row.id}", recipient=r.key(),
                                    kind="answer", occurrence=str(report.id)))


def _ref(ctx: Ctx, task: Task) -> str:
    """"批示3" for an item, "第12项" (with its plan's name where several run) for a plan task."""
    plan = records.plan_of(session=ctx.session, task=task)
    if item_info(session=ctx.session, task=task) is not None:
        return f"{plan.short_name}{task.ref}"
    return plan_ref(plan.short_name if ctx.several_plans() else "", task.ref)


def cmd_sheet(ctx: Ctx, cmd: rq.Command) -> list[OutboundMessage]:
    """/sheet 批示3 [催办]: the item's 督办单 (or 催办单) as a .docx attachment."""
    args = list(cmd.args)
    kind = args.pop() if len(args) > 1 and args[-1] in KINDS else "督办"
    task = ctx.task(" ".join(args))
    sheet = build_sheet(session=ctx.session, task=task, kind=kind, today=ctx.today, calendar=ctx.calendar)
    name = f"{kind}单_{sheet.ref}.docx"
    return [OutboundMessage(text=f"{kind}单（{sheet.ref}「{task.title}」），可编辑后印发",
                            document=(name, sheet_docx(sheet, tz=ctx.settings.app.tz)))]


def commands() -> list[Command]:
    return [Command("sheet", cmd_sheet, Needs.ADMIN, "/sheet 编号 [催办]", "督办单/催办单（Word）", min_args=1,
                    example="/sheet 批示3", words=())]


_OPEN_WORDS = re.compile(r"没办完|没有办完|未办结|没办结|还没完成|未完成|没完成|在办|办理中")
_PREFIX_TAIL = re.compile(r"(?:手上|手里|牵头|负责|承办|办理)?的?$")


def _question(ctx: Ctx, text: str) -> ItemsOf | None:
    """"批示件有哪些还没办完", "安全办手上的交办件": the items of a source, of one unit; None for other text."""
    t = text.strip().rstrip("？?。")
    for name, src in ctx.settings.items.sources.items():
        m = re.search(rf"(?:{re.escape(name)}|{re.escape(src.short)})(?:件|事项)", t)
        if m is None:
            continue
        prefix = _PREFIX_TAIL.sub("", t[: m.start()]).strip()
        unit = find_unit(session=ctx.session, name=prefix, office_id=ctx.office_id) if prefix else None
        if prefix and unit is None:
            return None  # words before the source that name no unit: not this question
        return ItemsOf(name, unit.name if unit else "", bool(_OPEN_WORDS.search(t)))
    return None


def on_items_of(ctx: Ctx, req: ItemsOf) -> list[OutboundMessage]:
    """The items of a source (of one unit, open ones only) as a list."""
    rows = list_items(session=ctx.session, office_id=ctx.office_id, settings=ctx.settings.items, source=req.source,
                      open_only=req.open_only)
    if req.unit:
        rows = [r for r in rows if req.unit in r.lead or req.unit in r.co]
    return reply(item_text.item_list(rows, req.source, req.open_only, unit=req.unit))

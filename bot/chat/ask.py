"""Plain-words questions and reports, read by the language layer (bot.nlu) and answered from the store.

understand → select → render: the nlu says what was asked and which tasks/units answer it; this module
only fetches what the answer shows and picks the wording. Single-task answers and the plain lists reuse
the command handlers' wording, so "第12项进展如何" reads like /progress 12.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.chat import actions, admin, queries
from bot.chat.context import Ctx, reply
from bot.chat.intents import Intent
from bot.nlu import (
    STATUS_LABEL,
    Choice,
    Filter,
    Focus,
    Kind,
    Role,
    Status,
    Understanding,
    UnitMention,
    Window,
    select,
    understand,
)
from bot.nlu.select import due_in
from bot.nlu.understand import FUZZY_STRONG
from bot.notify import Button, OutboundMessage
from bot.render import action_text, answer_text, chat_text, reminder_text, task_text
from bot.render.answer_text import Line
from bot.services import deferrals
from bot.services.board import month_end
from bot.services.buttons import Action, sign
from bot.services.errors import UserError
from bot.services.tasks import owners, task_record
from bot.services.vocab import PlanVocab, plan_vocab
from storage.models import Task
from storage.outbox import outbox_key

HelpText = Callable[[bool], str]

_KIND_CODE = {Kind.PROGRESS: "p", Kind.TASK_DETAIL: "d", Kind.WHO: "w", Kind.OWNS: "o", Kind.COUNT: "c",
              Kind.LIST_FILTERED: "l", Kind.TOPIC: "x", Kind.DUE: "e"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}
_FILTER_CODE = {Filter.OPEN: "o", Filter.OVERDUE: "v", Filter.UNREPORTED: "u", Filter.DONE: "d",
                Filter.IN_PROGRESS: "i", Filter.BLOCKED: "b", Filter.NOT_STARTED: "n"}
_CODE_FILTER = {v: k for k, v in _FILTER_CODE.items()}
_ROLE_CODE = {Role.LEAD: "L", Role.CO: "C", Role.ANY: "A"}
_CODE_ROLE = {v: k for k, v in _ROLE_CODE.items()}
_ASKS = re.compile(r"[?？]|吗|么|谁|哪|什么|啥|几|多少|如何|怎么|怎样|咋|是否|有没有|没有|到期|截止|逾期|进展|进度|情况|"
                   r"负责|牵头|配合|任务|\bwho\b|\bwhat\b|\bhow\b|\bwhich\b|\bwhen\b")
MAX_DETAIL = 5


def _vocab(ctx: Ctx) -> PlanVocab | None:
    plan = ctx.plan
    if plan is None:
        return None
    return plan_vocab(session=ctx.session, office_id=ctx.office_id, current=plan, tz=ctx.settings.app.tz,
                      aliases=ctx.settings.aliases, plans=ctx.active_plans())


def _read(ctx: Ctx, pv: PlanVocab, text: str) -> Understanding:
    return understand(text, pv.vocab, now=ctx.today, own_unit_id=ctx.actor.unit_id)


def answer(ctx: Ctx, text: str, *, help_text: HelpText | None = None) -> list[OutboundMessage] | None:
    """The answer to a plain-words message, or None when a group's chatter is not for us."""
    group = ctx.event.is_group
    pv = _vocab(ctx)
    if pv is None:
        return None if group else reply(answer_text.NO_PLAN)
    u = _read(ctx, pv, text)
    if group and not _addressed(u):
        return None
    return _respond(ctx, pv, u, help_text)


_NOT_ON_ITS_OWN = (Kind.UNKNOWN, Kind.TOPIC, Kind.AMBIGUOUS)


def answer_if_clear(ctx: Ctx, text: str, *, help_text: HelpText | None = None,
                    ) -> tuple[list[OutboundMessage], Kind] | None:
    """The answer and its kind when the words are a question, report or request in their own right (not free
    text, a bare topic or an ask-back); None otherwise. Text typed while a 申请延期 waits for its date is answered
    when it is one of these, and held on the request when not."""
    pv = _vocab(ctx)
    if pv is None:
        return None
    u = _read(ctx, pv, text)
    # "整改正在进行", "设备下周才能到": statements, held on the request; a question asks or names a task.
    asks = u.kind in (Kind.HELP, Kind.REPORT, Kind.DEFER, Kind.BOARD) or bool(u.refs) or bool(_ASKS.search(u.text))
    if u.kind in _NOT_ON_ITS_OWN or not asks or not _addressed(u):
        return None
    return _respond(ctx, pv, u, help_text), u.kind


def _addressed(u: Understanding) -> bool:
    """In a group, answer questions and reports, not everyday talk that holds a date or topic word."""
    if u.kind is Kind.UNKNOWN:
        return False
    if u.kind is Kind.DEFER:  # "会议推迟到明天": talk; "第12项申请延期", "申请延期": a request
        return bool(u.refs) or "申请" in u.text
    if u.kind not in (Kind.DUE, Kind.TOPIC) or u.refs or u.units:
        return True
    return bool(_ASKS.search(u.text)) or (u.kind is Kind.TOPIC and len(u.text) <= 8)


def _respond(ctx: Ctx, pv: PlanVocab, u: Understanding, help_text: HelpText | None) -> list[OutboundMessage]:
    if u.kind is Kind.HELP:
        return reply(help_text(ctx.actor.is_admin) if help_text else chat_text.QUESTIONS_HELP)
    if u.kind is Kind.REPORT:
        return _report(ctx, u)
    if u.kind is Kind.DEFER:
        return _defer(ctx, pv, u)
    if u.kind is Kind.NUDGE:
        return _nudge(ctx, pv, u)
    if u.kind is Kind.AMBIGUOUS:
        return _ask_back(ctx, pv, u)
    if u.kind is Kind.UNKNOWN:
        return _nothing(ctx, pv, u)
    if u.needs_own_unit and not u.units and u.kind not in (Kind.BOARD, Kind.UNITS):
        return reply(answer_text.NEED_OWN_UNIT)
    prefix = ""
    weak = next((m for m in u.units if not m.own and m.score < FUZZY_STRONG), None)
    if weak is not None:
        prefix = answer_text.weak_unit(weak.text, pv.vocab.units[weak.unit_id].name)
    out = _kind_answer(ctx, pv, u)
    if prefix and out:
        out[0].text = prefix + out[0].text
    return out


def _kind_answer(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    sel = select(u, pv.vocab, fresh_days=ctx.settings.reminders.report_fresh_days)
    desc = sel.description
    kind = u.kind
    several = ctx.several_plans()
    lines = [_line(pv, tid, several) for tid in sel.task_ids]
    units = [pv.vocab.units[i].name for i in sel.unit_ids if i in pv.vocab.units]
    plain = not (u.units or u.topic or u.filters or u.needs_own_unit)
    if u.refs and kind in (Kind.TASK_DETAIL, Kind.WHO, Kind.PROGRESS):
        return _per_task(ctx, pv, u, kind)
    if kind is Kind.TASK_DETAIL:
        return _by_ids(ctx, sel.task_ids[:1], kind)
    if kind is Kind.WHO:
        if u.focus is Focus.UNITS:
            return reply(answer_text.units_of(desc, units))
        return reply(answer_text.topic_answer(u.topic_text or desc, lines))
    if kind is Kind.PROGRESS:
        if u.units:
            return reply(answer_text.filtered(desc + "的进展", [_line(pv, t, several, status=True)
                                                              for t in sel.task_ids]))
        if not sel.task_ids:
            return reply(answer_text.topic_answer(desc, []))
        return _by_ids(ctx, sel.task_ids[:3], kind)
    if kind is Kind.OWNS:
        ids = {m.unit_id for m in u.units}
        if len(ids) == 1 and not u.topic:
            (uid,) = ids
            roles = {m.role for m in u.units}
            role = next(iter(roles)) if len(roles) == 1 else Role.ANY
            led = [_line(pv, t, several) for t in sel.task_ids if uid in pv.vocab.tasks[t].lead_unit_ids]
            co = [_line(pv, t, several) for t in sel.task_ids if uid not in pv.vocab.tasks[t].lead_unit_ids]
            name = "本单位（" + pv.vocab.units[uid].name + "）" if u.units[0].own else pv.vocab.units[uid].name
            if pv.vocab.units[uid].kind == "leader":
                return reply(answer_text.leader_owns(name, [_line(pv, t, several) for t in sel.task_ids]))
            return reply(answer_text.unit_owns(name, led if role is not Role.CO else [],
                                               co if role is not Role.LEAD else [],
                                               role.value if role is not Role.ANY else None))
        return reply(answer_text.filtered(desc, lines))
    if kind is Kind.COUNT:
        if u.focus is Focus.UNITS:
            return reply(answer_text.counted_units(sel.count, desc, units))
        return reply(answer_text.counted(sel.count, desc, lines))
    if kind is Kind.LIST_FILTERED:
        if u.focus is Focus.UNITS:
            return reply(answer_text.units_of(desc, units))
        return reply(answer_text.filtered(desc, [_line(pv, t, several, status=True, window=u.window)
                                                 for t in sel.task_ids]))
    if kind is Kind.DUE:
        w = u.window
        today = ctx.today
        this_month = w is not None and w.start in (today, today.replace(day=1)) and w.end == month_end(today)
        if plain and this_month:
            return queries.cmd_due(ctx, Intent("due"))
        return reply(answer_text.due_list(desc, [_line(pv, t, several, window=w, due=True)
                                                 for t in sel.task_ids]))
    if kind in (Kind.OVERDUE, Kind.UNREPORTED):
        if u.focus is Focus.UNITS:
            return reply(answer_text.units_of(desc, units))
        return (queries.cmd_overdue if kind is Kind.OVERDUE else queries.cmd_silent)(ctx, Intent(kind.value))
    if kind is Kind.BOARD:
        return queries.cmd_board(ctx, Intent("board"))
    if kind is Kind.UNITS:
        rows = []
        for uid in sel.unit_ids:
            unit = pv.vocab.units[uid]
            rows.append((unit.name, len(pv.vocab.tasks_of(uid, "lead")), len(pv.vocab.tasks_of(uid, "co"))))
        return reply(answer_text.units_list(rows))
    return reply(answer_text.topic_answer(u.topic_text or desc, lines))


def _line(pv: PlanVocab, task_id: int, several: bool, *, status: bool = False, window: Window | None = None,
          due: bool = False) -> Line:
    vocab = pv.vocab
    t = vocab.tasks[task_id]
    names = vocab.units
    label = task_text.plan_ref(pv.plan_word(task_id, several), pv.ref(task_id))
    state = (STATUS_LABEL[t.status] if t.status is not None else "未反馈") if status else ""
    first_due = None
    if window is not None:
        first_due = due_in(t, window)
    elif due and t.deadlines:
        first_due = min(t.deadlines)
    return Line(label, t.title, [names[i].name for i in t.lead_unit_ids if i in names],
                [names[i].name for i in t.co_unit_ids if i in names], first_due, state)


def _per_task(ctx: Ctx, pv: PlanVocab, u: Understanding, kind: Kind) -> list[OutboundMessage]:
    """Questions naming tasks by number: each answered as its command would, in the order typed."""
    out: list[str] = []
    for ref in u.refs[:MAX_DETAIL]:
        try:
            task = ctx.task(ref)
        except UserError as exc:
            out.append(str(exc))
            continue
        out.append(_task_answer(ctx, task, kind, u.focus))
    return reply("\n\n".join(out))


def _by_ids(ctx: Ctx, task_ids: list[int], kind: Kind) -> list[OutboundMessage]:
    out = []
    for tid in task_ids:
        task = ctx.session.get(Task, tid)
        if task is not None and not task.removed:
            out.append(_task_answer(ctx, task, kind))
    return reply("\n\n".join(out) if out else action_text.TASK_GONE)


def _task_answer(ctx: Ctx, task: Task, kind: Kind, focus: Focus | None = None) -> str:
    if kind is Kind.WHO:
        lead, co = owners(session=ctx.session, task_id=task.id)
        return chat_text.who_text(task.ref, task.title, lead, co)
    if kind is Kind.PROGRESS:
        return queries.progress_answer(ctx, task)
    record = task_record(session=ctx.session, task=task, history=False)
    if focus is Focus.DEADLINE:
        return task_text.task_deadline(record)
    return task_text.task_full(record, tz=ctx.settings.app.tz)


def _report(ctx: Ctx, u: Understanding) -> list[OutboundMessage]:
    """"12 已办结", "第12项正在推进 50%": the same record path as /report."""
    r = u.report
    if r is None or r.ref is None:
        return reply(answer_text.report_needs_ref(STATUS_LABEL[r.status] if r and r.status else "已完成"))
    if r.status is None:
        return reply(answer_text.report_needs_status(f"第{r.ref}项"))
    args = [r.ref, STATUS_LABEL[r.status]]
    if r.percent is not None:
        args.append(f"{r.percent}%")
    if r.note:
        args.append(r.note)
    return actions.cmd_report(ctx, Intent("report", args))


def _defer(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    """"第12项申请延期到10月底": the request for that task; with no number, the unit's open tasks to tap.

    An admin's words decide instead: "批准第12项延期" approves the request waiting on it, and "第12项延期到10月底"
    (or "第12项改到10月31日") sets the date, as /deadline does; "第12项申请延期…" is a request from anyone."""
    if u.verdict is not None:
        return admin.decide_by_words(ctx, u.refs[0] if u.refs else None, u.verdict)
    # An admin's own 申请 (one who also speaks for a unit) still asks; without it their new date is the deadline.
    if (ctx.actor.is_admin and u.refs and "申请" not in u.text and u.defer_text
            and deferrals.reads_as_date(u.defer_text)):
        when, label = deferrals.split_date(u.defer_text)
        return admin.cmd_deadline(ctx, Intent("deadline", [u.refs[0], when, *([label] if label else [])]))
    if u.refs:
        report = u.report if u.report is not None and u.report.status is not None else None
        reported = _report(ctx, u) if report is not None else []
        return reported + actions.defer_by_words(ctx, u.refs[0], u.defer_text, reason=report.note if report else "")
    unit_id = ctx.actor.unit_id
    if unit_id is None or unit_id not in pv.vocab.units:
        return reply(action_text.DEFER_NEEDS_REF)
    open_ids = [tid for tid, _role in _open_tasks_of(pv, unit_id)]
    if not open_ids:
        return reply(action_text.DEFER_NOTHING_OPEN)
    several = ctx.several_plans()
    rows = [[Button(_label(pv, Choice("task", t, ""), several)[:40], sign(ctx.key, Action.DEFER, t))]
            for t in open_ids[:6]]
    return [OutboundMessage(text=action_text.defer_pick(len(open_ids)), buttons=rows)]


def _open_tasks_of(pv: PlanVocab, unit_id: int) -> list[tuple[int, str]]:
    """(task, role) of each task the unit leads or supports that is not done: the ones it leads first, each in
    plan order."""
    tasks, led = pv.vocab.tasks, pv.vocab.tasks_of(unit_id, "lead")
    open_ids = [t for t in pv.vocab.tasks_of(unit_id) if tasks[t].status is not Status.DONE]
    return [(t, "lead" if t in led else "co") for t in sorted(open_ids, key=lambda t: (t not in led, tasks[t].position))]


def _nudge(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    """催办 by the office: "第12项催一下" chases the task's lead units, "第12项催一下财务股" or "提醒职教办" the
    units named (with a unit alone, each of its open tasks, the ones it leads first). Each message goes to the
    unit's bound chats through the outbox, once per task, unit and day."""
    if not ctx.actor.is_admin:
        return reply(action_text.NUDGE_ADMIN_ONLY)
    if u.missing_refs:
        raise UserError(action_text.no_such_tasks(u.missing_refs))
    vocab, named = pv.vocab, [m.unit_id for m in u.units if not m.own]
    pairs: list[tuple[int, int, str]] = []  # (task, unit, role)
    for tid in u.task_ids:
        t = vocab.tasks[tid]
        if t.status is Status.DONE:
            continue
        units = named or list(t.lead_unit_ids)
        pairs += [(tid, uid, "lead" if uid in t.lead_unit_ids else "co") for uid in units]
    if not u.task_ids:
        pairs += [(tid, uid, role) for uid in named for tid, role in _open_tasks_of(pv, uid)]
    if not pairs:
        return reply(action_text.NUDGE_NOTHING_OPEN)
    several = ctx.several_plans()

    def item(tid: int, uid: int, role: str) -> tuple[str, str]:
        t = vocab.tasks[tid]
        label = task_text.plan_ref(pv.plan_word(tid, several), pv.ref(tid))
        return label, action_text.nudge_line(label, t.title, role, min(t.deadlines) if t.deadlines else None)

    sent: dict[str, list[str]] = {}
    skipped: list[str] = []
    by_unit: dict[int, list[tuple[int, str]]] = {}
    for tid, uid, role in pairs:
        by_unit.setdefault(uid, []).append((tid, role))
    for uid, items in by_unit.items():
        name, chats = vocab.units[uid].name, ctx.unit_chats(uid)
        if not chats:
            skipped.append(name)
            continue
        if u.task_ids:  # a task named: a message per task, with its one-tap buttons
            messages = [(tid, [item(tid, uid, role)], reminder_text.status_buttons(ctx.key, tid)) for tid, role in items]
        else:  # a unit named: its open tasks in one message, answered by "编号 状态 说明"
            messages = [(None, [item(tid, uid, role) for tid, role in items], [])]
        for tid, lines, buttons in messages:
            message = OutboundMessage(text=action_text.nudge_text(name, [line for _l, line in lines], bool(buttons)),
                                      title=f"{name}催办", buttons=buttons)
            before = ctx.queued
            for r in chats:
                ctx.push(r, message, task_id=tid, kind="nudge",
                         key=outbox_key(task_id=tid, topic=f"nudge:{uid}", recipient=r.key(), kind="nudge",
                                        occurrence=ctx.today.isoformat()))
            again = "" if ctx.queued > before else "（今天已催办过）"
            sent.setdefault(name, []).extend(label + again for label, _line in lines)
    return reply(action_text.nudged(sent, sorted(set(skipped))))


def _choice_arg(kind: str, wanted: Kind | None, u: Understanding, choice: Choice) -> str:
    code = _KIND_CODE.get(wanted or Kind.TASK_DETAIL, "d")
    if choice.kind == "task":
        return "t" + code
    mention = next((m for m in u.units if m.unit_id == choice.id), None)
    role = mention.role if mention else (u.units[0].role if u.units else Role.ANY)
    return "u" + code + _ROLE_CODE[role] + "".join(_FILTER_CODE[f] for f in u.filters if f in _FILTER_CODE)


def _buttons(ctx: Ctx, u: Understanding, choices: list[Choice], wanted: Kind | None) -> list[list[Button]]:
    return [[Button(f"{i} {c.label}"[:40], sign(ctx.key, Action.CHOOSE, c.id,
                                                _choice_arg(c.kind, wanted or _DEFAULT[c.kind], u, c)))]
            for i, c in enumerate(choices, 1)]


_DEFAULT = {"task": Kind.TASK_DETAIL, "unit": Kind.OWNS}


def _label(pv: PlanVocab, c: Choice, several: bool) -> str:
    if c.kind == "task" and c.id in pv.vocab.tasks:
        t = pv.vocab.tasks[c.id]
        return f"{task_text.plan_ref(pv.plan_word(c.id, several), pv.ref(c.id))} {t.title[:24]}"
    if c.kind == "unit" and c.id in pv.vocab.units:
        return pv.vocab.units[c.id].name
    return c.label


def _ask_back(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    several = ctx.several_plans()
    choices = u.choices[:6]
    labels = [_label(pv, c, several) for c in choices]
    shown = [Choice(c.kind, c.id, lab) for c, lab in zip(choices, labels, strict=True)]
    return [OutboundMessage(text=answer_text.ask_back(labels), buttons=_buttons(ctx, u, shown, u.wanted))]


def _nothing(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    several = ctx.several_plans()
    choices = u.suggestions[:5]
    shown = [Choice(c.kind, c.id, _label(pv, c, several)) for c in choices]
    return [OutboundMessage(text=answer_text.nothing_found(u.text, [c.label for c in shown]),
                            buttons=_buttons(ctx, u, shown, None))]


def on_choose(ctx: Ctx, ident: int, arg: str) -> list[OutboundMessage]:
    """A tap on an ask-back choice: the question again, with the chosen task or unit filled in."""
    pv = _vocab(ctx)
    if pv is None or len(arg) < 2 or arg[1] not in _CODE_KIND:
        return reply(action_text.BAD_BUTTON)
    kind = _CODE_KIND[arg[1]]
    u = Understanding(kind, text="", today=ctx.today)
    if arg[0] == "t":
        task = pv.vocab.tasks.get(ident)
        if task is None:
            return reply(action_text.TASK_GONE)
        if kind not in (Kind.WHO, Kind.PROGRESS, Kind.TASK_DETAIL):
            kind = Kind.TASK_DETAIL
        return _by_ids(ctx, [ident], kind)
    if ident not in pv.vocab.units:
        return reply(action_text.BAD_BUTTON)
    role = _CODE_ROLE.get(arg[2:3], Role.ANY)
    u.units = [UnitMention(ident, role, pv.vocab.units[ident].name)]
    u.filters = [_CODE_FILTER[c] for c in arg[3:] if c in _CODE_FILTER]
    u.count = kind is Kind.COUNT
    if kind not in (Kind.OWNS, Kind.COUNT, Kind.LIST_FILTERED, Kind.PROGRESS):
        u.kind = Kind.OWNS
    elif kind is Kind.OWNS and u.filters:
        u.kind = Kind.LIST_FILTERED
    return _kind_answer(ctx, pv, u)


def buttons() -> dict[Action, Callable]:
    """Button actions of plain-words answers."""
    return {Action.CHOOSE: on_choose}


def commands() -> list:
    """No slash commands of its own: every question is also a plain-words question."""
    return []

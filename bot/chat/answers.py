"""Answers to plain-words questions (requests.Ask): one answer per kind of question, from the store.

understand → select → render: the nlu says what was asked and which tasks/units answer it; this module only
fetches what the answer shows and picks the wording. Single-task answers and the plain lists reuse the command
handlers' wording, so "第12项进展如何" reads like /progress 12. An answer may hand back a record instead of
messages ("逾期的" is /overdue): the router answers that record.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.ask import MAX_DETAIL, task_view
from bot.chat.context import Ctx, reply
from bot.chat.lookup import vocab_of
from bot.nlu import (
    STATUS_LABEL,
    Choice,
    Filter,
    Focus,
    Kind,
    Role,
    Selection,
    Understanding,
    UnitMention,
    Window,
)
from bot.nlu import select as pick
from bot.nlu.select import due_in
from bot.nlu.understand import FUZZY_STRONG
from bot.notify import Button, OutboundMessage
from bot.render import action_text, answer_text, task_text
from bot.render.answer_text import Line
from bot.services.board import month_end
from bot.services.dayview import vocab_today
from bot.services.vocab import PlanVocab

Answer = list[OutboundMessage] | object

_KIND_CODE = {Kind.PROGRESS: "p", Kind.TASK_DETAIL: "d", Kind.WHO: "w", Kind.OWNS: "o", Kind.COUNT: "c",
              Kind.LIST_FILTERED: "l", Kind.TOPIC: "x", Kind.DUE: "e"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}
_FILTER_CODE = {Filter.OPEN: "o", Filter.OVERDUE: "v", Filter.UNREPORTED: "u", Filter.DONE: "d",
                Filter.IN_PROGRESS: "i", Filter.BLOCKED: "b", Filter.NOT_STARTED: "n"}
_CODE_FILTER = {v: k for k, v in _FILTER_CODE.items()}
_ROLE_CODE = {Role.LEAD: "L", Role.CO: "C", Role.ANY: "A"}
_CODE_ROLE = {v: k for k, v in _ROLE_CODE.items()}


class Asked:
    """One question being answered: the chat, its plan's vocabulary, the reading and the tasks it selects."""

    def __init__(self, ctx: Ctx, pv: PlanVocab, u: Understanding, plan: int | None = None) -> None:
        self.ctx, self.pv, self.u, self.plan = ctx, pv, u, plan
        self.several = ctx.several_plans()

    def plan_args(self) -> tuple[str, ...]:
        """The plan the words named, as a list command's argument (its id): "安全生产逾期的" is /overdue 安全生产."""
        return (str(self.plan),) if self.plan is not None else ()

    def in_plan_order(self, task_ids: list[int]) -> list[int]:
        """The tasks grouped by plan, the main plan first (each plan's in the order selected)."""
        if not self.several:
            return task_ids
        rank = {p.id: i for i, p in enumerate(self.ctx.plans_in_order())}
        return sorted(task_ids, key=lambda t: rank.get(self.pv.plan_of.get(t), len(rank)))

    @functools.cached_property
    def sel(self) -> Selection:
        """The tasks and units the question selects; status and time read as the board does (one meaning)."""
        ctx, u = self.ctx, self.u
        if u.filters or u.window is not None:
            self.pv = vocab_today(self.pv, session=ctx.session, now=ctx.now, settings=ctx.settings,
                                  calendar=ctx.calendar)
        return pick(u, self.pv.vocab, fresh_days=ctx.settings.reminders.report_fresh_days)

    def line(self, task_id: int, *, status: bool = False, window: Window | None = None, due: bool = False) -> Line:
        vocab = self.pv.vocab
        t = vocab.tasks[task_id]
        names = vocab.units
        plan = self.pv.plan_word(task_id, self.several)
        label = task_text.plan_ref(plan, self.pv.ref(task_id), item_word=self.pv.item_word(task_id))
        state = (STATUS_LABEL[t.status] if t.status is not None else "未反馈") if status else ""
        first_due = None
        if window is not None:
            first_due = due_in(t, window)
        elif due and t.deadlines:
            first_due = min(t.deadlines)
        return Line(label, t.title, [names[i].name for i in t.lead_unit_ids if i in names],
                    [names[i].name for i in t.co_unit_ids if i in names], first_due, state, plan)

    def lines(self, *, grouped: bool = True, **kw) -> list[Line]:
        """The selected tasks' lines; `grouped`: by plan, the main plan first (a list), else best first."""
        ids = self.in_plan_order(self.sel.task_ids) if grouped else self.sel.task_ids
        return [self.line(t, **kw) for t in ids]

    def unit_names(self) -> list[str]:
        units = self.pv.vocab.units
        return [units[i].name for i in self.sel.unit_ids if i in units]


def on_ask(ctx: Ctx, req: rq.Ask) -> Answer:
    """A plain-words question: the answer for its kind, led by a note when a unit was only guessed at."""
    pv = vocab_of(ctx)
    if pv is None:
        return reply(answer_text.NO_PLAN)
    u = req.u
    if u.kind is Kind.AMBIGUOUS:
        return ask_back(ctx, pv, u)
    if u.kind is Kind.UNKNOWN:
        return nothing_found(ctx, pv, u)
    weak = next((m for m in u.units if not m.own and m.score < FUZZY_STRONG), None)
    out = answer_kind(ctx, pv, u, req.plan)
    if not isinstance(out, list):
        out = ctx.answer(out)
    if weak is not None and out:
        out[0].text = answer_text.weak_unit(weak.text, pv.vocab.units[weak.unit_id].name) + out[0].text
    return out


def answer_kind(ctx: Ctx, pv: PlanVocab, u: Understanding, plan: int | None = None) -> Answer:
    view = task_view(u)
    if view is not None:
        return rq.ShowTasks(tuple(u.refs[:MAX_DETAIL]), view, plan)
    if plan is not None and u.kind not in _BOARD_KINDS and not pv.vocab.holds(plan):
        # a closed plan named in a list question: its tasks are not in the open plans' lists; say how to ask it
        closed = ctx.plan_with_id(plan)
        return reply(answer_text.plan_closed(closed.title, closed.short_name or str(closed.id)))
    return _BY_KIND.get(u.kind, _topic)(Asked(ctx, pv, u, plan))


def _topic(a: Asked) -> Answer:
    return reply(answer_text.topic_answer(a.u.topic_text or a.sel.description, a.lines(grouped=False)))


def _detail(a: Asked) -> Answer:
    return rq.TaskIds(tuple(a.sel.task_ids[:1]), rq.View.FULL)


def _who(a: Asked) -> Answer:
    if a.u.focus is Focus.UNITS:
        return reply(answer_text.units_of(a.sel.description, a.unit_names()))
    return _topic(a)


def _progress(a: Asked) -> Answer:
    desc = a.sel.description
    if a.u.units:
        return reply(answer_text.filtered(desc + "的进展", a.lines(status=True)))
    if not a.sel.task_ids:
        return reply(answer_text.topic_answer(desc, []))
    return rq.TaskIds(tuple(a.sel.task_ids[:3]), rq.View.PROGRESS)


def _owns(a: Asked) -> Answer:
    u, vocab = a.u, a.pv.vocab
    ids = {m.unit_id for m in u.units}
    if len(ids) != 1 or u.topic:
        return reply(answer_text.filtered(a.sel.description, a.lines()))
    (uid,) = ids
    roles = {m.role for m in u.units}
    role = next(iter(roles)) if len(roles) == 1 else Role.ANY
    ids = a.in_plan_order(a.sel.task_ids)
    led = [a.line(t) for t in ids if uid in vocab.tasks[t].lead_unit_ids]
    co = [a.line(t) for t in ids if uid not in vocab.tasks[t].lead_unit_ids]
    name = "本单位（" + vocab.units[uid].name + "）" if u.units[0].own else vocab.units[uid].name
    if vocab.units[uid].kind == "leader":
        return reply(answer_text.leader_owns(name, a.lines()))
    return reply(answer_text.unit_owns(name, led if role is not Role.CO else [], co if role is not Role.LEAD else [],
                                       role.value if role is not Role.ANY else None))


def _count(a: Asked) -> Answer:
    if a.u.focus is Focus.UNITS:
        return reply(answer_text.counted_units(a.sel.count, a.sel.description, a.unit_names()))
    return reply(answer_text.counted(a.sel.count, a.sel.description, a.lines()))


def _listed(a: Asked) -> Answer:
    if a.u.focus is Focus.UNITS:
        return reply(answer_text.units_of(a.sel.description, a.unit_names()))
    return reply(answer_text.filtered(a.sel.description, a.lines(status=True, window=a.u.window)))


def _due(a: Asked) -> Answer:
    u, today = a.u, a.ctx.today
    w = u.window
    plain = not (u.units or u.topic or u.filters or u.needs_own_unit)
    this_month = w is not None and w.start in (today, today.replace(day=1)) and w.end == month_end(today)
    if plain and this_month:
        return rq.Command("due", a.plan_args(), slash=False)
    return reply(answer_text.due_list(a.sel.description, a.lines(window=w, due=True)))


def _light_list(a: Asked) -> Answer:
    if a.u.focus is Focus.UNITS:
        return reply(answer_text.units_of(a.sel.description, a.unit_names()))
    return rq.Command("overdue" if a.u.kind is Kind.OVERDUE else "silent", a.plan_args(), slash=False)


def _board(a: Asked) -> Answer:
    return rq.Command("board", a.plan_args(), slash=False)


def _units(a: Asked) -> Answer:
    vocab = a.pv.vocab
    rows = [(vocab.units[uid].name, len(vocab.tasks_of(uid, "lead")), len(vocab.tasks_of(uid, "co")))
            for uid in a.sel.unit_ids]
    return reply(answer_text.units_list(rows))


_BOARD_KINDS = (Kind.OVERDUE, Kind.UNREPORTED, Kind.BOARD)  # answered from a plan's board: a closed one's too
_BY_KIND: dict[Kind, Callable[[Asked], Answer]] = {
    Kind.TASK_DETAIL: _detail, Kind.WHO: _who, Kind.PROGRESS: _progress, Kind.OWNS: _owns, Kind.COUNT: _count,
    Kind.LIST_FILTERED: _listed, Kind.DUE: _due, Kind.OVERDUE: _light_list, Kind.UNREPORTED: _light_list,
    Kind.BOARD: _board, Kind.UNITS: _units,
}


# --- ask-backs: "你是说…" with a button per choice --------------------------------------------------------------
def _choice_arg(wanted: Kind | None, u: Understanding, choice: Choice) -> str:
    code = _KIND_CODE.get(wanted or Kind.TASK_DETAIL, "d")
    if choice.kind == "task":
        return "t" + code
    mention = next((m for m in u.units if m.unit_id == choice.id), None)
    role = mention.role if mention else (u.units[0].role if u.units else Role.ANY)
    return "u" + code + _ROLE_CODE[role] + "".join(_FILTER_CODE[f] for f in u.filters if f in _FILTER_CODE)


_DEFAULT = {"task": Kind.TASK_DETAIL, "unit": Kind.OWNS}


def _buttons(ctx: Ctx, u: Understanding, choices: list[Choice], wanted: Kind | None) -> list[list[Button]]:
    return [[Button(f"{i} {c.label}"[:40], taps.TapChoose(c.id, _choice_arg(wanted or _DEFAULT[c.kind], u, c))
                    .data(ctx.key))]
            for i, c in enumerate(choices, 1)]


def choice_label(pv: PlanVocab, c: Choice, several: bool) -> str:
    """A task or unit as a button shows it."""
    if c.kind == "task" and c.id in pv.vocab.tasks:
        t = pv.vocab.tasks[c.id]
        label = task_text.plan_ref(pv.plan_word(c.id, several), pv.ref(c.id), item_word=pv.item_word(c.id))
        return f"{label} {t.title[:24]}"
    if c.kind == "unit" and c.id in pv.vocab.units:
        return pv.vocab.units[c.id].name
    return c.label


def ask_back(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    several = ctx.several_plans()
    choices = u.choices[:6]
    labels = [choice_label(pv, c, several) for c in choices]
    shown = [Choice(c.kind, c.id, lab) for c, lab in zip(choices, labels, strict=True)]
    return [OutboundMessage(text=answer_text.ask_back(labels), buttons=_buttons(ctx, u, shown, u.wanted))]


def nothing_found(ctx: Ctx, pv: PlanVocab, u: Understanding) -> list[OutboundMessage]:
    several = ctx.several_plans()
    shown = [Choice(c.kind, c.id, choice_label(pv, c, several)) for c in u.suggestions[:5]]
    return [OutboundMessage(text=answer_text.nothing_found(u.text, [c.label for c in shown]),
                            buttons=_buttons(ctx, u, shown, None))]


def on_choose(ctx: Ctx, tap: taps.TapChoose) -> Answer:
    """A tap on an ask-back choice: the question again, with the chosen task or unit filled in."""
    pv, ident, arg = vocab_of(ctx), tap.ident, tap.arg
    if pv is None or len(arg) < 2 or arg[1] not in _CODE_KIND:
        return reply(action_text.BAD_BUTTON)
    kind = _CODE_KIND[arg[1]]
    if arg[0] == "t":
        if ident not in pv.vocab.tasks:
            return reply(action_text.TASK_GONE)
        views = {Kind.WHO: rq.View.WHO, Kind.PROGRESS: rq.View.PROGRESS}
        return rq.TaskIds((ident,), views.get(kind, rq.View.FULL))
    if ident not in pv.vocab.units:
        return reply(action_text.BAD_BUTTON)
    u = Understanding(kind, text="", today=ctx.today)
    u.units = [UnitMention(ident, _CODE_ROLE.get(arg[2:3], Role.ANY), pv.vocab.units[ident].name)]
    u.filters = [_CODE_FILTER[c] for c in arg[3:] if c in _CODE_FILTER]
    u.count = kind is Kind.COUNT
    if kind not in (Kind.OWNS, Kind.COUNT, Kind.LIST_FILTERED, Kind.PROGRESS):
        u.kind = Kind.OWNS
    elif kind is Kind.OWNS and u.filters:
        u.kind = Kind.LIST_FILTERED
    return answer_kind(ctx, pv, u)


def routes() -> dict[type, Callable]:
    """Questions in plain words and their ask-back taps."""
    return {rq.Ask: on_ask, taps.TapChoose: on_choose}

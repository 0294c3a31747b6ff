"""Plain words → a request record, beside bot/chat/intents.py (slash commands): the language layer (bot.nlu) reads
the words once; this module only decides which record they ask for. The answers are in bot/chat/answers.py.
"""

from __future__ import annotations

import re

from bot.chat import requests as rq
from bot.chat.context import Ctx
from bot.chat.lookup import read, vocab_of
from bot.nlu import STATUS_LABEL, Focus, Kind, Understanding
from bot.render import answer_text
from bot.services import deferrals
from bot.services.errors import NotFound

_ASKS = re.compile(r"[?？]|吗|么|谁|哪|什么|啥|几|多少|如何|怎么|怎样|咋|是否|有没有|没有|到期|截止|逾期|进展|进度|情况|"
                   r"负责|牵头|配合|任务|\bwho\b|\bwhat\b|\bhow\b|\bwhich\b|\bwhen\b")
MAX_DETAIL = 5
_NOT_ON_ITS_OWN = (Kind.UNKNOWN, Kind.TOPIC, Kind.AMBIGUOUS)
_VIEW = {Kind.WHO: rq.View.WHO, Kind.PROGRESS: rq.View.PROGRESS}


def read_words(ctx: Ctx, text: str) -> object | None:
    """The request plain words make, or None when a group's chatter is not for us."""
    group = ctx.event.is_group
    pv = vocab_of(ctx)
    if pv is None:
        return None if group else rq.Say(answer_text.NO_PLAN)
    u = read(ctx, pv, text)
    if group and not addressed(u):
        return None
    return request_of(ctx, u)


def read_if_clear(ctx: Ctx, text: str) -> tuple[object, Kind] | None:
    """The request and its kind when the words are a question, report or request in their own right (not free
    text, a bare topic or an ask-back); None otherwise. Text typed while a 申请延期 waits for its date is answered
    when it is one of these, and held on the request when not."""
    pv = vocab_of(ctx)
    if pv is None:
        return None
    u = read(ctx, pv, text)
    # "整改正在进行", "设备下周才能到": statements, held on the request; a question asks or names a task.
    asks = u.kind in (Kind.HELP, Kind.REPORT, Kind.DEFER, Kind.BOARD) or bool(u.refs) or bool(_ASKS.search(u.text))
    if u.kind in _NOT_ON_ITS_OWN or not asks or not addressed(u):
        return None
    return request_of(ctx, u), u.kind


def addressed(u: Understanding) -> bool:
    """In a group, answer questions and reports, not everyday talk that holds a date or topic word."""
    if u.kind is Kind.UNKNOWN:
        return False
    if u.kind is Kind.DEFER:  # "会议推迟到明天": talk; "第12项申请延期", "申请延期": a request
        return bool(u.refs) or "申请" in u.text
    if u.kind not in (Kind.DUE, Kind.TOPIC) or u.refs or u.units:
        return True
    return bool(_ASKS.search(u.text)) or (u.kind is Kind.TOPIC and len(u.text) <= 8)


def request_of(ctx: Ctx, u: Understanding) -> object:
    """The record an understanding asks for: a request of its own, or a question (requests.Ask)."""
    if u.kind is Kind.HELP:
        return rq.Command("help", slash=False)
    try:  # a plan named in the words binds it for this message; a name matching none: the choices, nothing else
        named = ctx.plan_in_words(u.plan_word, u.plan_id)
    except NotFound as exc:
        return rq.Say(str(exc))
    plan = named.id if named is not None else None
    if u.kind is Kind.REPORT:
        return report_of(u, plan)
    if u.kind is Kind.DEFER:
        return defer_of(ctx, u, plan)
    if u.kind is Kind.NUDGE:
        return rq.Nudge(tuple(u.task_ids), tuple(m.unit_id for m in u.units if not m.own), tuple(u.missing_refs))
    if u.kind in (Kind.AMBIGUOUS, Kind.UNKNOWN):
        return rq.Ask(u, plan)
    if u.needs_own_unit and not u.units and u.kind not in (Kind.BOARD, Kind.UNITS):
        return rq.Say(answer_text.NEED_OWN_UNIT)
    return rq.Ask(u, plan)


def report_of(u: Understanding, plan: int | None = None) -> object:
    """"12 已办结", "第12项正在推进 50%": a report, or what it lacks asked for."""
    r = u.report
    if r is None or r.ref is None:
        return rq.Say(answer_text.report_needs_ref(STATUS_LABEL[r.status] if r and r.status else "已完成"))
    if r.status is None:
        return rq.Say(answer_text.report_needs_status(f"第{r.ref}项"))
    return rq.Report(r.ref, r.status.value, r.percent, r.note or "", plan)


def defer_of(ctx: Ctx, u: Understanding, plan: int | None = None) -> object:
    """"第12项申请延期到10月底": the request for that task; with no number, the unit's open tasks to tap.

    An admin's words decide instead: "批准第12项延期" approves the request waiting on it, and "第12项延期到10月底"
    (or "第12项改到10月31日") sets the date, as /deadline does; "第12项申请延期…" is a request from anyone."""
    if u.verdict is not None:
        return rq.Decide(u.refs[0] if u.refs else None, u.verdict, plan)
    # An admin's own 申请 (one who also speaks for a unit) still asks; without it their new date is the deadline.
    if (ctx.actor.is_admin and u.refs and "申请" not in u.text and u.defer_text
            and deferrals.reads_as_date(u.defer_text)):
        when, label = deferrals.split_date(u.defer_text)
        return rq.SetDeadline(u.refs[0], when, label or "", plan)
    if not u.refs:
        return rq.Defer(None)
    typed = u.report if u.report is not None and u.report.status is not None else None
    report = report_of(u, plan) if typed is not None else None
    return rq.Defer(u.refs[0], u.defer_text, (typed.note or "") if typed else "", report, plan)


def task_view(u: Understanding) -> rq.View | None:
    """The one-task answer a question naming tasks by number wants (None: not such a question)."""
    if not u.refs or u.kind not in (Kind.TASK_DETAIL, Kind.WHO, Kind.PROGRESS):
        return None
    if u.kind in _VIEW:
        return _VIEW[u.kind]
    return rq.View.DEADLINE if u.focus is Focus.DEADLINE else rq.View.FULL

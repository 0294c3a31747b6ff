"""Turn an Understanding into the answer's data: which tasks, which units, how many, and what filter."""

from __future__ import annotations

from datetime import date

from bot.nlu.model import (
    FILTER_LABEL,
    Combine,
    Filter,
    Focus,
    Kind,
    Role,
    Selection,
    Status,
    TaskRecord,
    Understanding,
    UnitMention,
    Window,
)
from bot.nlu.understand import TOPIC_KEEP_RATIO
from bot.nlu.vocab import Vocabulary

FRESH_DAYS = 14  # a report older than this counts as no report (the chat passes its own setting)
_ROLE_LABEL = {Role.LEAD: "牵头", Role.CO: "配合", Role.ANY: "参与"}


def is_overdue(t: TaskRecord, today: date) -> bool:
    """Open and a deadline has passed (as the board says, when the record carries its word)."""
    if t.overdue is not None:
        return t.overdue
    return t.status is not Status.DONE and any(d < today for d in t.deadlines)


def is_unreported(t: TaskRecord, today: date, fresh_days: int = FRESH_DAYS) -> bool:
    """Open and no report within `fresh_days`."""
    if t.status is Status.DONE:
        return False
    return t.last_report is None or (today - t.last_report).days >= fresh_days


def due_in(t: TaskRecord, w: Window) -> date | None:
    """The first deadline of an open task inside the window, if any."""
    if t.status is Status.DONE:
        return None
    inside = [d for d in t.deadlines if w.start <= d <= w.end]
    return min(inside) if inside else None


def _passes(t: TaskRecord, f: Filter, today: date, fresh_days: int) -> bool:
    if f is Filter.OPEN:
        return t.status is not Status.DONE
    if f is Filter.OVERDUE:
        return is_overdue(t, today)
    if f is Filter.UNREPORTED:
        return is_unreported(t, today, fresh_days)
    if f is Filter.NOT_STARTED:
        return t.status in (None, Status.NOT_STARTED)
    return t.status is not None and t.status.value == f.value


def _unit_tasks(vocab: Vocabulary, mentions: list[UnitMention], combine: Combine) -> set[int]:
    sets = [vocab.tasks_of(m.unit_id, m.role.value) for m in mentions]
    if not sets:
        return set()
    return set.intersection(*sets) if combine is Combine.ALL else set.union(*sets)


def describe(u: Understanding, vocab: Vocabulary) -> str:
    """A short Chinese description of the filter, e.g. "人事股牵头、未完成"."""
    parts: list[str] = []
    if u.units:
        names = [("本单位" if m.own else vocab.units[m.unit_id].name) + _ROLE_LABEL[m.role] for m in u.units]
        if len(names) > 1 and len({m.role for m in u.units}) == 1:
            role = _ROLE_LABEL[u.units[0].role]
            bare = [n.removesuffix(role) for n in names]
            joiner = "、" if u.combine is Combine.ALL else "或"
            names = [joiner.join(bare) + ("都" if u.combine is Combine.ALL else "") + role]
        parts.append("、".join(names))
    elif u.needs_own_unit:
        parts.append("本单位")
    if u.refs:
        parts.append("、".join(f"第{r}项" for r in u.refs))
    if u.topic and u.topic_text:
        parts.append(f"与“{u.topic_text}”相关")
    parts.extend(FILTER_LABEL[f] for f in u.filters)
    if u.window is not None:
        parts.append(f"{u.window.label}到期")
    plan = f"《{u.plan_word}》" if u.plan_word and not u.refs else ""
    return plan + ("、".join(parts) or "全部任务")


def select(u: Understanding, vocab: Vocabulary, *, fresh_days: int = FRESH_DAYS) -> Selection:
    """The tasks (best first) and units an answer of this kind shows; never raises."""
    try:
        return _select(u, vocab, fresh_days)
    except Exception:  # the answer falls back to "nothing matched" rather than a traceback
        return Selection(u.kind)


def _select(u: Understanding, vocab: Vocabulary, fresh_days: int) -> Selection:
    kind = u.wanted if u.kind is Kind.AMBIGUOUS and u.wanted else u.kind
    sel = Selection(u.kind, description=describe(u, vocab))
    if u.kind is Kind.AMBIGUOUS:
        sel.task_ids = [c.id for c in u.choices if c.kind == "task"]
        sel.unit_ids = [c.id for c in u.choices if c.kind == "unit"]
        sel.count = len(sel.task_ids) or len(sel.unit_ids)
        return sel
    if kind in (Kind.HELP, Kind.UNKNOWN):
        sel.task_ids = [c.id for c in u.suggestions if c.kind == "task"]
        sel.unit_ids = [c.id for c in u.suggestions if c.kind == "unit"]
        return sel
    if kind is Kind.UNITS:
        sel.unit_ids = sorted(i for i, unit in vocab.units.items() if unit.kind != "leader")
        sel.count = len(sel.unit_ids)
        sel.description = "全部单位"
        return sel
    if kind is Kind.REPORT:
        sel.task_ids = [u.report.task_id] if u.report and u.report.task_id is not None else []
        sel.count = len(sel.task_ids)
        return sel

    sel.task_ids = ranked = _ranked(u, vocab, kind, fresh_days)
    if kind is Kind.WHO or u.focus in (Focus.LEAD, Focus.CO, Focus.OWNERS, Focus.UNITS):
        sel.unit_ids = _owners_of(u, vocab, ranked)
    elif u.units:
        sel.unit_ids = list(dict.fromkeys(m.unit_id for m in u.units))
    sel.count = len(sel.unit_ids) if u.focus is Focus.UNITS and u.count else len(sel.task_ids)
    return sel


def _ranked(u: Understanding, vocab: Vocabulary, kind: Kind, fresh_days: int) -> list[int]:
    """The tasks the question selects, best first: by ref, topic or plan order, within its units, filters and
    window."""
    today = u.today
    order = vocab.order
    ranked: list[int]
    if u.refs:
        ranked = list(u.task_ids)  # a ref that is not in the plan selects nothing
    else:
        ranked = sorted(vocab.tasks, key=order.__getitem__)
        if u.plan_word:  # "安全生产逾期的": that plan's tasks only (none when the vocabulary does not hold it)
            ranked = [tid for tid in ranked if u.plan_id is not None and vocab.tasks[tid].plan_id == u.plan_id]
        if u.topic:
            best = u.topic[0].score
            hits = [h.task_id for h in u.topic if h.score >= best * TOPIC_KEEP_RATIO]
            if u.units:  # a topic within a unit's tasks: the unit's tasks ranked by the topic, the rest after
                ranked = hits + [tid for tid in ranked if tid not in set(hits)]
            else:
                ranked = hits
    if u.units:
        allowed = _unit_tasks(vocab, u.units, u.combine)
        in_unit = [tid for tid in ranked if tid in allowed]
        if u.topic and not u.task_ids:
            topical = {h.task_id for h in u.topic}
            narrowed = [tid for tid in in_unit if tid in topical]
            in_unit = narrowed or in_unit
        ranked = in_unit
    elif u.needs_own_unit:
        ranked = []
    tasks = vocab.tasks
    for f in u.filters:
        ranked = [tid for tid in ranked if _passes(tasks[tid], f, today, fresh_days)]
    if u.window is not None and (kind in (Kind.DUE, Kind.LIST_FILTERED, Kind.COUNT) or u.filters):
        dated = [(due_in(tasks[tid], u.window), tid) for tid in ranked]
        ranked = [tid for d, tid in sorted((d, tid) for d, tid in dated if d is not None)]
    if kind is Kind.BOARD:
        ranked = sorted(vocab.tasks, key=order.__getitem__)
    return ranked


def _owners_of(u: Understanding, vocab: Vocabulary, ranked: list[int]) -> list[int]:
    """The units a who-question's tasks name, in the role it asks about."""
    tasks = vocab.tasks
    units: list[int] = []
    for tid in ranked:
        t = tasks[tid]
        if u.focus is Focus.LEAD or u.focus is Focus.UNITS:
            ids = t.lead_unit_ids or (t.co_unit_ids if u.focus is Focus.UNITS else ())
        elif u.focus is Focus.CO:
            ids = t.co_unit_ids
        else:
            ids = t.lead_unit_ids + t.co_unit_ids
        units.extend(i for i in ids if i not in units)
    return units


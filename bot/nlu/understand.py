"""Understand a message: the extractors (bot/nlu/extract.py) find its mentions (units, refs, topics, roles,
statuses, times, question words); this module assembles them into one reading, and the declarative table
(bot/nlu/rules.py) maps the combination of slots to an answer kind."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime

from rapidfuzz import fuzz, process

from bot.nlu import extract, plans
from bot.nlu.completion import settle as settle_completion
from bot.nlu.completion import sub_step
from bot.nlu.extract import FUZZY_STRONG, FUZZY_WEAK, PERCENT, Scan, Text
from bot.nlu.lexicon import QUESTION_MARK
from bot.nlu.model import (
    Choice,
    Combine,
    Filter,
    Focus,
    Kind,
    Report,
    Role,
    Status,
    TopicHit,
    Understanding,
    UnitMention,
    Window,
)
from bot.nlu.normalise import normalise
from bot.nlu.rules import HELP, HOW_TO, RULES, SLASH, Rule, slots_of
from bot.nlu.timewords import month_end
from bot.nlu.vocab import Vocabulary, features, normalise_ref

MAX_CHARS = 300  # longer messages are cut; nobody asks a question in more
TOPIC_MIN_COVERAGE = 0.42  # share of the query's idf mass the best task must match
TOPIC_KEEP_RATIO = 0.6  # hits kept when within this share of the best score
_ASKS_ABOUT_DEFERRAL = re.compile(r"(?:延期|推迟|延后)(?:了吗|了没|过吗|过没|的任务|的事项|的有|申请有|情况|记录)|哪些|多少|几项|几个"
                                  r"|\bwhich\b|\bhow many\b")
_STILL = re.compile(r"还有|还要|还剩|还需|剩下|剩余|接下来|今后|往后")
_DEFER_LEAD = re.compile(r"^\s*(?:申请)?(?:延期|推迟|延后)?\s*(?:到|至|为|until|to)?\s*")
_ASKS = frozenset({"who", "count", "content", "board", "lead_focus", "co_focus", "ask_progress", "deadline"})


def understand(text: str, vocab: Vocabulary, *, now: datetime | date,
               own_unit_id: int | None = None) -> Understanding:
    """Read one message against the plan's vocabulary; never raises."""
    today = now.date() if isinstance(now, datetime) else now
    try:
        return _understand(text if isinstance(text, str) else str(text), vocab, today, own_unit_id)
    except Exception:  # a message must never become a traceback
        return Understanding(Kind.UNKNOWN, text=str(text)[:MAX_CHARS], today=today)


def _understand(raw: str, vocab: Vocabulary, today: date, own_unit_id: int | None) -> Understanding:
    """Extract every kind of span, then assemble: roles, refs, topic, report, request, filters, focus, kind."""
    t = normalise(raw)[:MAX_CHARS]
    u = Understanding(Kind.UNKNOWN, text=t, today=today)
    forced: frozenset[str] = frozenset()
    if t.startswith("/"):
        head, _, rest = t[1:].partition(" ")
        name = head.split("@", 1)[0]
        u.command = name
        if name not in SLASH:
            return u
        forced, t = SLASH[name], rest.strip()
    bare = t.strip(" ?!.,:;~。")
    if "help" in forced or ((HELP.fullmatch(bare) or HOW_TO.fullmatch(bare)) if bare else not forced):
        u.kind = Kind.HELP
        return u
    sc = Scan(t, u, Text(t))
    plans.plan_names(sc, vocab)  # first: a plan's title holds a year and words other extractors would take
    extract.exact_units(sc, vocab)
    extract.windows(sc, today)
    extract.percents(sc)
    extract.refs(sc)
    extract.phrases(sc)
    plans.settle(sc)
    extract.loose_units(sc, vocab)
    extract.own_unit(sc, own_unit_id, forced)
    _roles(sc)
    _resolve_refs(sc, vocab)
    _due_by(sc)
    topic_text = _topic(sc, vocab, forced)
    _report(sc, raw, forced)
    _request(sc)
    _filters(sc, forced, today)
    _focus(sc, forced)
    _kind(sc, vocab, forced, topic_text or bare)
    return u


def _roles(sc: Scan) -> None:
    """Roles apply to the units written since the previous role word: 基教股牵头、督导室配合."""
    u = sc.u
    sc.events.sort(key=lambda e: e[0])
    pending: list[UnitMention] = []
    last_roled: list[UnitMention] = []  # the units the previous role word applied to
    group_roles: list[Role] = []  # the role of each group of units a role word named
    for _pos, what, payload in sc.events:
        if what == "unit":
            uid, surface, score = payload
            pending.append(UnitMention(uid, Role.ANY, surface, score))
        elif what == "own":
            pending.append(UnitMention(payload, Role.ANY, "本单位", 100.0, own=True))
        elif what == "role":
            role = {"lead": Role.LEAD, "co": Role.CO}.get(payload, Role.ANY)
            if pending:
                last_roled = [UnitMention(m.unit_id, role, m.text, m.score, m.own) for m in pending]
                u.units.extend(last_roled)
                group_roles.append(role)
                pending = []
            elif last_roled and role is not Role.ANY and all(m.role not in (role, Role.ANY) for m in last_roled):
                # 安全办牵头哪些、配合哪些: the second role word is about the same unit
                u.units.extend(UnitMention(m.unit_id, role, m.text, m.score, m.own) for m in last_roled)
            else:
                sc.free_roles.append(payload)
    u.units.extend(pending)
    seen: set[tuple[int, Role]] = set()
    u.units = [m for m in u.units if (m.unit_id, m.role) not in seen and not seen.add((m.unit_id, m.role))]
    roles = {m.role for m in u.units}
    # 基教股牵头、职教办配合 (or 参与, 负责): units given different roles by their own role words are one task's
    # pair, not either unit's tasks.
    pair = Role.LEAD in roles and Role.CO in roles or len(set(group_roles)) > 1
    if len({m.unit_id for m in u.units}) > 1 and ("all_of" in sc.tags or pair):
        u.combine = Combine.ALL


def _resolve_refs(sc: Scan, vocab: Vocabulary) -> None:
    """Refs against the plan named (else the chat's): a task, or a ref the plan does not have. A plan named that
    the vocabulary does not hold (closed, or no plan at all) leaves its refs to the chat to look up."""
    u = sc.u
    unknown_plan = bool(u.plan_word) and not vocab.holds(u.plan_id)
    for _s, _e, r in sc.refs:
        key = normalise_ref(r)
        tid = None if unknown_plan else vocab.by_ref.get(vocab.task_ref(u.plan_id, key))
        if unknown_plan and key not in u.refs:
            u.refs.append(key)
        elif key not in u.refs:
            u.refs.append(key)
            (u.task_ids.append(tid) if tid is not None else u.missing_refs.append(key))


def _due_by(sc: Scan) -> None:
    """Statuses in a question are filters; a 完成 after a window means "due by"."""
    if sc.u.window is None:
        return
    win_end = max(e[0] for e in sc.events if e[1] == "window")
    if any(st is Status.DONE and start > win_end for start, _e, st in sc.statuses):
        sc.tags.setdefault("due", []).append(win_end)
        sc.statuses = [x for x in sc.statuses if not (x[2] is Status.DONE and x[0] > win_end)]


def _topic(sc: Scan, vocab: Vocabulary, forced: frozenset[str]) -> str:
    """Topic ranking over what no other slot explained; the topic words."""
    u = sc.u
    topic_text = " ".join(sc.topic_chunks)
    if topic_text and (not sc.refs or "topic_forced" in forced):
        hits, coverage = vocab.topics.search(features(vocab.tokenizer, topic_text))
        u.topic_text = topic_text
        if hits and (coverage >= TOPIC_MIN_COVERAGE or "topic_forced" in forced):
            best = hits[0].score
            u.topic = [h for h in hits if h.score >= best * TOPIC_KEEP_RATIO]
        elif hits:
            u.suggestions.extend(Choice("task", h.task_id, _task_label(vocab, h.task_id)) for h in hits[:3])
    return topic_text


def _report(sc: Scan, raw: str, forced: frozenset[str]) -> None:
    """Report wording: a ref (or /report) with a status or percent, and no question."""
    u, t, refs, statuses, percent = sc.u, sc.t, sc.refs, sc.statuses, sc.percent
    stated = statuses[0][2] if statuses else None
    sc.is_question = bool(QUESTION_MARK.search(t)) or bool(_ASKS & sc.tags.keys())
    lead_in = sc.plan_span[1] if sc.plan_at_ref and sc.plan_span else 0  # "工作要点第12项已完成"
    starts_with_ref = bool(refs) and (refs[0][0] <= lead_in + 1 or "report_word" in sc.tags)
    if not ("report" in forced or (starts_with_ref and (stated or percent is not None) and not sc.is_question
                                   and not u.units and not sc.filters)):
        return
    if stated is None and percent is not None:
        stated = (Status.DONE if percent >= 100 else Status.IN_PROGRESS if percent > 0 else Status.NOT_STARTED)
    ends = [e for _s, e, _r in refs[:1]] + [e for _s, e, _st in statuses[:1]]
    ends += [m.end() for m in PERCENT.finditer(t)][:1]
    note = t[max(ends):] if ends else ""
    if stated is Status.DONE and statuses and sub_step(t, statuses[0][1], normalise(raw, gaps=True)):
        # "第12项已完成招标", "12 完成了主体工程": a step done, the task going on; the step is the note
        stated, note = Status.IN_PROGRESS, t[statuses[0][0]:]
    elif stated is Status.DONE and percent is not None and percent < 100:
        stated = Status.IN_PROGRESS  # "12 完成 80%"
    stated, note = settle_completion(stated, t, note)  # "不算完成", "基本完成", "完成了一半": not done
    if sc.defer_at is not None and sc.defer_at[0] >= max(ends, default=0):
        note = t[max(ends, default=0):sc.defer_at[0]]  # "12 有困难 设备未到，申请延期到10月底": the request is its own
    ref = u.refs[0] if u.refs else None
    u.report = Report(ref, u.task_ids[0] if u.task_ids else None, stated, percent, note.strip(" ,.:;、-~!。"))


def _request(sc: Scan) -> None:
    """A request for a later deadline ("第12项申请延期到10月底", "我想申请延期"), an admin's verdict on one, or 催办.

    Asking about deferrals ("延期的任务有哪些", "第12项延期了吗") is not one. A report typed with it
    ("12 有困难 设备未到，申请延期到10月底") is recorded too (u.report stays)."""
    u, t, tags, defer_at = sc.u, sc.t, sc.tags, sc.defer_at
    verdict = "verdict_no" in tags or "verdict_yes" in tags
    if defer_at is not None and verdict:
        u.verdict = "verdict_no" not in tags
        tags.setdefault("defer", [defer_at[0]])
    elif (defer_at is not None and not _ASKS_ABOUT_DEFERRAL.search(t)
            and (sc.refs or "申请" in t or not sc.is_question)):
        after = max([defer_at[1], *(e for _s, e, _r in sc.refs)])  # "postpone task 12 to 10/31": the date after both
        u.defer_text = _DEFER_LEAD.sub("", t[after:]).strip(" ,.:;、~!。")
        tags.setdefault("defer", [defer_at[0]])
    else:
        tags.pop("defer", None)
    # 催办: "第12项催一下", "提醒职教办" (a task or unit named, asked of the office, not a reminder for me).
    if "nudge" in tags or ("remind_word" in tags and (sc.refs or sc.unit_hits) and "我" not in t):
        tags["nudge"] = tags.get("nudge") or tags["remind_word"]
        u.report = None


def _filters(sc: Scan, forced: frozenset[str], today: date) -> None:
    """Filters from statuses and filter words; the window a due-question means; whether it counts."""
    u, tags = sc.u, sc.tags
    u.filters = list(dict.fromkeys([*sc.filters, *(Filter(st.value) for _s, _e, st in sc.statuses)]))
    if ("due" in tags or "due" in forced) and u.window is None:
        u.window = _default_window(today)
    if u.window is not None and u.window.start < today and _STILL.search(sc.t):
        # "今年还有哪些要到期", "年底前还要完成的": what is still to come, not what already passed
        u.window = dataclasses.replace(u.window, start=today)
    for word, f in (("overdue", Filter.OVERDUE), ("unreported", Filter.UNREPORTED)):
        if word in forced and f not in u.filters:
            u.filters.append(f)
    u.count = "count" in tags or "count" in forced


def _focus(sc: Scan, forced: frozenset[str]) -> None:
    """What part of the tasks the question is about."""
    u, tags, who = sc.u, sc.tags, sc.who
    if "lead_focus" in tags or (who and "lead" in sc.free_roles):
        u.focus = Focus.LEAD
    elif "co_focus" in tags or (who and "co" in sc.free_roles):
        u.focus = Focus.CO
    elif who or "who" in forced:
        u.focus = Focus.OWNERS
    elif "ask_progress" in tags or "progress" in forced or ("progress" in tags and Filter.UNREPORTED not in u.filters):
        u.focus = Focus.PROGRESS
    elif "deadline" in tags or ("due" in tags and sc.refs):
        u.focus = Focus.DEADLINE
    elif "content" in tags or "content" in forced:
        u.focus = Focus.CONTENT
    if u.focus in (Focus.OWNERS, Focus.LEAD, Focus.CO) and not sc.refs and not u.topic and (
            {Filter.UNREPORTED, Filter.OVERDUE, Filter.OPEN} & set(u.filters) or u.window):
        u.focus = Focus.UNITS


def _kind(sc: Scan, vocab: Vocabulary, forced: frozenset[str], left: str) -> None:
    """The first rule the slots fit; a loose unit or two close topics make it an ask-back."""
    u = sc.u
    kind = next((r.kind for r in RULES if r.fits(slots_of(u, sc.tags, forced, sc.who))), Kind.UNKNOWN)
    u.kind = kind
    if sc.fuzzy_choices and kind in (Kind.OWNS, Kind.LIST_FILTERED, Kind.COUNT, Kind.PROGRESS):
        u.kind, u.wanted, u.choices = Kind.AMBIGUOUS, kind, _dedupe(sc.fuzzy_choices)
    elif kind in (Kind.PROGRESS, Kind.TASK_DETAIL) and not u.task_ids and len(u.topic) > 1 and (
            u.topic[1].score >= u.topic[0].score * 0.97) and not u.units:
        u.kind, u.wanted = Kind.AMBIGUOUS, kind
        u.choices = [Choice("task", h.task_id, _task_label(vocab, h.task_id)) for h in u.topic[:3]]
    if u.kind is Kind.UNKNOWN:
        u.suggestions = _dedupe(u.suggestions + _closest_units(vocab, left))


def _default_window(today: date) -> Window:
    return Window(today, month_end(today), "本月内")


def _closest_units(vocab: Vocabulary, text: str) -> list[Choice]:
    if not text:
        return []
    out = []
    for surface, _score, _i in process.extract(text, vocab.surface_list, scorer=fuzz.partial_ratio, limit=3,
                                               score_cutoff=50):
        uid = vocab.surfaces[surface][0]
        out.append(Choice("unit", uid, vocab.units[uid].name))
    return out


def _task_label(vocab: Vocabulary, task_id: int) -> str:
    t = vocab.tasks[task_id]
    return f"第{t.ref}项 {t.title[:24]}"


def _dedupe(choices: list[Choice]) -> list[Choice]:
    seen: set[tuple[str, int]] = set()
    return [c for c in choices if (c.kind, c.id) not in seen and not seen.add((c.kind, c.id))]


__all__ = ["FUZZY_STRONG", "FUZZY_WEAK", "RULES", "Rule", "TopicHit", "understand"]

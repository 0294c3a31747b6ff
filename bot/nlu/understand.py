"""Understand a message: find its mentions (units, refs, topics, roles, statuses, times, question words),
then let one declarative table map the combination of slots to an answer kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from rapidfuzz import fuzz, process

from bot.nlu.completion import settle as settle_completion
from bot.nlu.lexicon import ENGLISH_STOP, PHRASE_RX, PHRASE_TABLE, QUESTION_MARK, TOKEN_STOP, TOKEN_TAGS
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
from bot.nlu.timewords import find_windows, month_end
from bot.nlu.vocab import Vocabulary, features, normalise_ref
from bot.numerals import cn_int

MAX_CHARS = 300  # longer messages are cut; nobody asks a question in more
TOPIC_MIN_COVERAGE = 0.42  # share of the query's idf mass the best task must match
TOPIC_KEEP_RATIO = 0.6  # hits kept when within this share of the best score
FUZZY_STRONG = 80.0
FUZZY_WEAK = 66.0


@dataclass(frozen=True)
class Rule:
    """One row of the table: the answer kind when every `needs` slot is there and no `without` slot is."""

    kind: Kind
    needs: frozenset[str] = frozenset()
    without: frozenset[str] = frozenset()
    any_of: frozenset[str] = frozenset()

    def fits(self, slots: set[str]) -> bool:
        """Whether this row applies to the slots found."""
        return (self.needs <= slots and not (self.without & slots)
                and (not self.any_of or bool(self.any_of & slots)))


def _r(kind: Kind, needs: str = "", without: str = "", any_of: str = "") -> Rule:
    return Rule(kind, frozenset(needs.split()), frozenset(without.split()), frozenset(any_of.split()))


FILTERS = "status overdue unreported window"
# The first row that fits wins. Slot names: see _slots().
RULES: tuple[Rule, ...] = (
    _r(Kind.HELP, "help"),
    _r(Kind.NUDGE, "nudge", any_of="ref unit"),
    _r(Kind.DEFER, "defer"),  # before REPORT: a report typed with a request is recorded with it (bot.chat.ask)
    _r(Kind.REPORT, "report"),
    _r(Kind.OWNS, "owns"),  # /owns, /mine
    _r(Kind.PROGRESS, "ref progress"),
    _r(Kind.WHO, "ref who"),
    _r(Kind.PROGRESS, "ref count"),
    _r(Kind.TASK_DETAIL, "ref"),
    _r(Kind.COUNT, "count"),
    _r(Kind.BOARD, "board", "unit topic"),
    _r(Kind.UNITS, "units_list", f"unit topic {FILTERS}"),
    _r(Kind.OVERDUE, "overdue", "unit topic window status unreported"),
    _r(Kind.UNREPORTED, "unreported", "unit topic window status overdue"),
    _r(Kind.DUE, "window", "unit topic status overdue unreported"),
    _r(Kind.LIST_FILTERED, any_of=FILTERS),
    _r(Kind.WHO, "topic who", "unit"),
    _r(Kind.PROGRESS, "topic progress", "unit"),
    _r(Kind.PROGRESS, "unit progress"),
    _r(Kind.OWNS, "unit"),
    _r(Kind.TASK_DETAIL, "topic content"),
    _r(Kind.TOPIC, "topic"),
    _r(Kind.BOARD, "progress"),
)

# Slash commands: name → the slots they stand for.
SLASH: dict[str, frozenset[str]] = {
    name: frozenset(slots.split())
    for names, slots in (
        (("report", "rp", "r", "汇报", "报告", "上报"), "report"),
        (("task", "t", "show", "查看", "任务"), "content"),
        (("who", "谁"), "who"),
        (("progress", "p", "进展", "进度"), "progress"),
        (("owns", "own", "unit"), "owns"),
        (("mine", "my", "我的"), "owns own"),
        (("due", "到期"), "due"),
        (("overdue", "逾期"), "overdue"),
        (("silent", "unreported", "未报"), "unreported"),
        (("board", "看板"), "board"),
        (("help", "帮助", "h"), "help"),
        (("count", "统计"), "count"),
        (("units", "单位"), "units_list"),
        (("topic", "search", "find", "搜索", "查找"), "topic_forced"),
    )
    for name in names
}

_HELP = re.compile(r"(?:帮助|help|怎么用|如何使用|使用说明|使用方法|菜单|说明|用法|指令|命令|功能|\?|"
                   r"你能做什么|能做什么|你会什么|你能干什么|能干啥|怎么问|start)")
# "怎么反馈进展", "如何申请延期", "怎样绑定": how to use the bot, not a question about the plan.
_HOW_TO = re.compile(r"(?:请问|想问一下|想问|问一下)?(?:我|我们|本单位)?(?:该|要|应该|应当|需要)?(?:怎么|如何|怎样|咋|怎么样)"
                     r"(?:才能|才可以|可以|能)?(?:反馈|汇报|上报|报送|填报|报|更新|提交|申请|延期|绑定|使用|用|提问|问|查询|查|"
                     r"操作|回复|设置|导入|上传|导出|下载|取消|解绑)[\u3400-\u9fff\w]{0,8}[?？吗呢啊]*|how (?:do|can|to) .*")
_NUM = r"(?:\d+(?:[.\-]\d+)*|[零〇一二两三四五六七八九十百]+)"
_REF_PATTERNS = [
    # 第3项, 第十五项, 第3、5项, 第3到5项
    re.compile(rf"第\s*({_NUM}(?:\s*(?:、|,|和|与|及|跟|到|至|~|-)\s*第?\s*{_NUM})*)\s*(?:项|条|个|号)?(?:任务|工作)?"
               r"(?![批次年季周天名届部章节期轮级类月日])"),
    # 3项, 12号, 3、5条
    re.compile(r"(?<![\d.\-])(\d+(?:[.\-]\d+)*(?:\s*(?:、|,|和|与|及)\s*\d+)*)\s*(?:项|条|号)(?:任务)?"),
    re.compile(r"([零〇一二两三四五六七八九十百]+)\s*号(?:任务)?"),
    # task 12, #12, no. 12, item 3, 任务12
    re.compile(r"(?:\btasks?|\bitems?|\bno\.?|#|任务|事项)\s*#?\s*(\d+(?:[.\-]\d+)*)"),
    re.compile(r"(?:任务|事项)\s*([零〇一二两三四五六七八九十百]+)(?![\u3400-\u9fff])"),
]
_BARE_REF = re.compile(r"^\s*(?!\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?(?![\d项条号]))(\d+(?:[.\-]\d+)*)(?![\d%天月日号个周年点.])(?=\s|$|[\u3400-\u9fff:,!?.;])")
_PERCENT = re.compile(r"(\d{1,3})\s*%|百分之\s*([\d零一二两三四五六七八九十百]+)|([一二三四五六七八九\d])\s*成(?![果效立为员绩])")
_SPLIT_NUM = re.compile(_NUM)
_ASKS_ABOUT_DEFERRAL = re.compile(r"(?:延期|推迟|延后)(?:了吗|了没|过吗|过没|的任务|的事项|的有|申请有|情况|记录)|哪些|多少|几项|几个"
                                  r"|\bwhich\b|\bhow many\b")
_DATE_NEXT = re.compile(r"\s*(?:\d{4}\s*[-/.年]|\d{1,2}\s*[-/.月]|\d{1,2}\s*[日号]|年底|年末|月底|月末)")
_DEFER_LEAD = re.compile(r"^\s*(?:申请)?(?:延期|推迟|延后)?\s*(?:到|至|为|until|to)?\s*")


class _Text:
    """The message with the characters already explained masked out."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.taken = bytearray(len(s))

    def visible(self) -> str:
        """The text with taken characters replaced by NUL, so no later pattern matches across them."""
        return "".join("\x00" if t else c for c, t in zip(self.s, self.taken, strict=True))

    def take(self, start: int, end: int) -> None:
        """Mark a span explained."""
        for i in range(max(0, start), min(end, len(self.s))):
            self.taken[i] = 1

    def free(self, start: int, end: int) -> bool:
        """Whether no character of the span is taken yet."""
        return not any(self.taken[start:end])

    def segments(self) -> list[tuple[int, str]]:
        """The runs of untaken text with their offsets."""
        out, start = [], None
        for i, t in enumerate(self.taken):
            if not t and start is None:
                start = i
            elif t and start is not None:
                out.append((start, self.s[start:i]))
                start = None
        if start is not None:
            out.append((start, self.s[start:]))
        return out


def _today(now: datetime | date) -> date:
    return now.date() if isinstance(now, datetime) else now


def understand(text: str, vocab: Vocabulary, *, now: datetime | date,
               own_unit_id: int | None = None) -> Understanding:
    """Read one message against the plan's vocabulary; never raises."""
    today = _today(now)
    try:
        return _understand(text if isinstance(text, str) else str(text), vocab, today, own_unit_id)
    except Exception:  # a message must never become a traceback
        return Understanding(Kind.UNKNOWN, text=str(text)[:MAX_CHARS], today=today)


def _ref_numbers(group: str) -> list[str]:
    """The refs in "3、5", "3到5", "十二" as normalised strings; a range expands (at most 30)."""
    nums: list[str] = []
    for n in _SPLIT_NUM.findall(group):
        try:
            nums.append(n if n[0].isdigit() else str(cn_int(n)))
        except (KeyError, ValueError):
            continue
    if len(nums) == 2 and re.search(r"到|至|~", group) and all(n.isdigit() for n in nums):
        a, b = int(nums[0]), int(nums[1])
        if a < b <= a + 30:
            return [str(i) for i in range(a, b + 1)]
    return nums


def _understand(raw: str, vocab: Vocabulary, today: date, own_unit_id: int | None) -> Understanding:
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
    if "help" in forced or ((_HELP.fullmatch(bare) or _HOW_TO.fullmatch(bare)) if bare else not forced):
        u.kind = Kind.HELP
        return u

    tx = _Text(t)
    events: list[tuple[int, str, object]] = []  # (position, what, payload) in text order
    unit_hits: list[tuple[int, tuple[int, ...], str, float]] = []

    # 1. Unit names and aliases, longest first at each position.
    s, n, i = t, len(t), 0
    while i < n:
        for length in vocab.surface_lengths:
            if i + length <= n and s[i:i + length] in vocab.surfaces:
                unit_hits.append((i, vocab.surfaces[s[i:i + length]], s[i:i + length], 100.0))
                tx.take(i, i + length)
                i += length
                break
        else:
            i += 1

    # 2. Time windows, 3. percent, 4. task refs.
    for start, end, window in find_windows(tx.visible(), today):
        if u.window is None:
            u.window = window
        tx.take(start, end)
        events.append((start, "window", window))
    percent = None
    for m in _PERCENT.finditer(tx.visible()):
        raw_n = m.group(1) or m.group(2) or m.group(3)
        try:
            value = int(raw_n) if raw_n.isdigit() else cn_int(raw_n)
        except (KeyError, ValueError):
            continue
        if m.group(3):
            value *= 10
        if 0 <= value <= 100 and percent is None:
            percent = value
            tx.take(m.start(), m.end())
            events.append((m.start(), "percent", value))
    refs: list[tuple[int, int, str]] = []
    vis = tx.visible()
    for rx in _REF_PATTERNS:
        for m in rx.finditer(vis):
            if tx.free(m.start(), m.end()):
                refs.extend((m.start(), m.end(), r) for r in _ref_numbers(m.group(1)))
                tx.take(m.start(), m.end())
        vis = tx.visible()
    if not refs:
        m = _BARE_REF.match(vis)
        if m and tx.free(m.start(1), m.end(1)):
            refs.append((m.start(1), m.end(1), m.group(1)))
            tx.take(m.start(1), m.end(1))
    refs.sort()

    # 5. Phrases: status, filters, roles, question words, fillers.
    tags: dict[str, list[int]] = {}
    statuses: list[tuple[int, int, Status]] = []
    filters: list[Filter] = []
    defer_at: tuple[int, int] | None = None  # the first request word's span
    for m in PHRASE_RX.finditer(tx.visible()):
        group, value = PHRASE_TABLE[m.group(0)]
        tx.take(m.start(), m.end())
        if defer_at is None and (value == "defer" or (value == "change" and _DATE_NEXT.match(t, m.end()))):
            defer_at = m.span()
        if group == "status":
            statuses.append((m.start(), m.end(), value))
        elif group == "filter":
            filters.append(value)
        else:
            tags.setdefault(value, []).append(m.start())
            if value in ("lead", "co", "any_role"):
                events.append((m.start(), "role", value))
    who = bool({"who", "lead_focus", "co_focus", "units_list"} & tags.keys())

    # 6. What is left: jieba words → chunks → a unit written loosely, or topic words.
    chunks, token_tags = _chunks(tx, vocab)
    for pos, tag in token_tags:
        tags.setdefault(tag, []).append(pos)
        if tag in ("lead", "co", "any_role"):
            events.append((pos, "role", tag))
    topic_chunks: list[str] = []
    fuzzy_choices: list[Choice] = []
    for pos, chunk in chunks:
        found = _fuzzy_unit(chunk, vocab, allow_weak=not who and not refs)
        if found is None:
            topic_chunks.append(chunk)
            continue
        ids, score = found
        unit_hits.append((pos, ids, chunk, score))
    for pos, ids, surface, score in unit_hits:
        if len(ids) > 1:
            fuzzy_choices.extend(Choice("unit", uid, vocab.units[uid].name) for uid in ids)
        events.append((pos, "unit", (ids[0], surface, score)))
    if "own" in tags or "own" in forced:
        pos = tags.get("own", [0])[0]
        if own_unit_id is not None:
            events.append((pos, "own", own_unit_id))
        else:
            u.needs_own_unit = True

    # Roles apply to the units written since the previous role word: 基教股牵头、督导室配合.
    events.sort(key=lambda e: e[0])
    pending: list[UnitMention] = []
    last_roled: list[UnitMention] = []  # the units the previous role word applied to
    free_roles: list[str] = []
    for _pos, what, payload in events:
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
                pending = []
            elif last_roled and role is not Role.ANY and all(m.role not in (role, Role.ANY) for m in last_roled):
                # 安全办牵头哪些、配合哪些: the second role word is about the same unit
                u.units.extend(UnitMention(m.unit_id, role, m.text, m.score, m.own) for m in last_roled)
            else:
                free_roles.append(payload)
    u.units.extend(pending)
    seen: set[tuple[int, Role]] = set()
    u.units = [m for m in u.units if (m.unit_id, m.role) not in seen and not seen.add((m.unit_id, m.role))]
    roles = {m.role for m in u.units}
    if len({m.unit_id for m in u.units}) > 1 and ("all_of" in tags or (Role.LEAD in roles and Role.CO in roles)):
        u.combine = Combine.ALL

    # Refs against the plan.
    for _s, _e, r in refs:
        key = normalise_ref(r)
        tid = vocab.by_ref.get(key)
        if key not in u.refs:
            u.refs.append(key)
            (u.task_ids.append(tid) if tid is not None else u.missing_refs.append(key))

    # Statuses in a question are filters; a 完成 after a window means "due by".
    if u.window is not None:
        win_end = max(e[0] for e in events if e[1] == "window")
        if any(st is Status.DONE and start > win_end for start, _e, st in statuses):
            tags.setdefault("due", []).append(win_end)
            statuses = [x for x in statuses if not (x[2] is Status.DONE and x[0] > win_end)]

    # Topic ranking over what no other slot explained.
    topic_text = " ".join(topic_chunks)
    if topic_text and (not refs or "topic_forced" in forced):
        hits, coverage = vocab.topics.search(features(vocab.tokenizer, topic_text))
        u.topic_text = topic_text
        if hits and (coverage >= TOPIC_MIN_COVERAGE or "topic_forced" in forced):
            best = hits[0].score
            u.topic = [h for h in hits if h.score >= best * TOPIC_KEEP_RATIO]
        elif hits:
            u.suggestions.extend(Choice("task", h.task_id, _task_label(vocab, h.task_id)) for h in hits[:3])

    # Report wording: a ref (or /report) with a status or percent, and no question.
    stated = statuses[0][2] if statuses else None
    asks = {"who", "count", "content", "board", "lead_focus", "co_focus", "ask_progress", "deadline"}
    is_question = bool(QUESTION_MARK.search(t)) or bool(asks & tags.keys())
    starts_with_ref = bool(refs) and (refs[0][0] <= 1 or "report_word" in tags)
    if "report" in forced or (starts_with_ref and (stated or percent is not None) and not is_question
                              and not u.units and not filters):
        if stated is None and percent is not None:
            stated = (Status.DONE if percent >= 100 else Status.IN_PROGRESS if percent > 0
                      else Status.NOT_STARTED)
        ends = [e for _s, e, _r in refs[:1]] + [e for _s, e, _st in statuses[:1]]
        ends += [m.end() for m in _PERCENT.finditer(t)][:1]
        note = t[max(ends):] if ends else ""
        if stated is Status.DONE and statuses and _sub_step(t, statuses[0][1], normalise(raw, gaps=True)):
            # "第12项已完成招标", "12 完成了主体工程": a step done, the task going on; the step is the note
            stated, note = Status.IN_PROGRESS, t[statuses[0][0]:]
        elif stated is Status.DONE and percent is not None and percent < 100:
            stated = Status.IN_PROGRESS  # "12 完成 80%"
        stated, note = settle_completion(stated, t, note)  # "不算完成", "基本完成", "完成了一半": not done
        if defer_at is not None and defer_at[0] >= max(ends, default=0):
            note = t[max(ends, default=0):defer_at[0]]  # "12 有困难 设备未到，申请延期到10月底": the request is its own
        ref = u.refs[0] if u.refs else None
        u.report = Report(ref, u.task_ids[0] if u.task_ids else None, stated, percent,
                          note.strip(" ,.:;、-~!。"))

    # A request for a later deadline: "第12项申请延期到10月底", "12项推迟到11月15日 设备未到", "我想申请延期".
    # Asking about deferrals ("延期的任务有哪些", "第12项延期了吗") is not one.
    # A report typed with it ("12 有困难 设备未到，申请延期到10月底") is recorded too (u.report stays).
    verdict = "verdict_no" in tags or "verdict_yes" in tags
    if defer_at is not None and verdict:
        u.verdict = "verdict_no" not in tags
        tags.setdefault("defer", [defer_at[0]])
    elif (defer_at is not None and not _ASKS_ABOUT_DEFERRAL.search(t)
            and (refs or "申请" in t or not is_question)):
        after = max([defer_at[1], *(e for _s, e, _r in refs)])  # "postpone task 12 to 10/31": the date after both
        u.defer_text = _DEFER_LEAD.sub("", t[after:]).strip(" ,.:;、~!。")
        tags.setdefault("defer", [defer_at[0]])
    else:
        tags.pop("defer", None)

    # 催办: "第12项催一下", "提醒职教办" (a task or unit named, asked of the office, not a reminder for me).
    if "nudge" in tags or ("remind_word" in tags and (refs or unit_hits) and "我" not in t):
        tags["nudge"] = tags.get("nudge") or tags["remind_word"]
        u.report = None

    # Filters from statuses and filter words.
    for _s, _e, st in statuses:
        filters.append(Filter(st.value))
    u.filters = list(dict.fromkeys(filters))
    if "due" in tags or "due" in forced:
        if u.window is None:
            u.window = _default_window(today)
    if "overdue" in forced and Filter.OVERDUE not in u.filters:
        u.filters.append(Filter.OVERDUE)
    if "unreported" in forced and Filter.UNREPORTED not in u.filters:
        u.filters.append(Filter.UNREPORTED)
    u.count = "count" in tags or "count" in forced

    # Question focus.
    if "lead_focus" in tags or (who and "lead" in free_roles):
        u.focus = Focus.LEAD
    elif "co_focus" in tags or (who and "co" in free_roles):
        u.focus = Focus.CO
    elif who or "who" in forced:
        u.focus = Focus.OWNERS
    elif ("ask_progress" in tags or "progress" in forced
          or ("progress" in tags and Filter.UNREPORTED not in u.filters)):
        u.focus = Focus.PROGRESS
    elif "deadline" in tags or ("due" in tags and refs):
        u.focus = Focus.DEADLINE
    elif "content" in tags or "content" in forced:
        u.focus = Focus.CONTENT
    if u.focus in (Focus.OWNERS, Focus.LEAD, Focus.CO) and not refs and not u.topic and (
            {Filter.UNREPORTED, Filter.OVERDUE, Filter.OPEN} & set(u.filters) or u.window):
        u.focus = Focus.UNITS

    slots = _slots(u, tags, forced, who)
    kind = next((r.kind for r in RULES if r.fits(slots)), Kind.UNKNOWN)
    u.kind = kind
    if fuzzy_choices and kind in (Kind.OWNS, Kind.LIST_FILTERED, Kind.COUNT, Kind.PROGRESS):
        u.kind, u.wanted, u.choices = Kind.AMBIGUOUS, kind, _dedupe(fuzzy_choices)
    elif kind in (Kind.PROGRESS, Kind.TASK_DETAIL) and not u.task_ids and len(u.topic) > 1 and (
            u.topic[1].score >= u.topic[0].score * 0.97) and not u.units:
        u.kind, u.wanted = Kind.AMBIGUOUS, kind
        u.choices = [Choice("task", h.task_id, _task_label(vocab, h.task_id)) for h in u.topic[:3]]
    if u.kind is Kind.UNKNOWN:
        u.suggestions = _dedupe(u.suggestions + _closest_units(vocab, topic_text or bare))
    return u


_WHOLE_TASK = re.compile(r"(?:全部|所有|各项|整体|全面|本项|该项|任务|工作|目标)")
_JOINED = re.compile(r"[\u3400-\u9fff]")
_TAIL = frozenset("了的啦啊呀吧喽哦")


def _sub_step(t: str, end: int, spaced: str) -> bool:
    """Whether a 完成 word ending at `end` has its object written on ("已完成招标"): a step, not the whole task.
    A space (as typed: `spaced`), punctuation, a particle or a whole-task word after it ("已完成 验收已交",
    "已完成全部工作") leaves it done."""
    rest = t[end:]
    if not rest or rest[0] in _TAIL or not _JOINED.match(rest) or _WHOLE_TASK.match(rest):
        return False
    word = t[:end].rsplit(" ", 1)[-1][-4:]  # the status word's tail, enough to find it in the typed text
    return not re.search(re.escape(word) + " ", spaced)


def _slots(u: Understanding, tags: dict[str, list[int]], forced: frozenset[str], who: bool) -> set[str]:
    slots = set(forced)
    slots.discard("who")
    if u.report is not None:
        slots.add("report")
    if u.refs:
        slots.add("ref")
    if u.units or u.needs_own_unit:
        slots.add("unit")
    if u.topic:
        slots.add("topic")
    if u.window is not None:
        slots.add("window")
    if Filter.OVERDUE in u.filters:
        slots.add("overdue")
    if Filter.UNREPORTED in u.filters:
        slots.add("unreported")
    if set(u.filters) - {Filter.OVERDUE, Filter.UNREPORTED}:
        slots.add("status")
    if u.count:
        slots.add("count")
    if who or "who" in forced:
        slots.add("who")
    if u.focus is Focus.PROGRESS:
        slots.add("progress")
    if u.focus in (Focus.CONTENT, Focus.DEADLINE):
        slots.add("content")
    for tag in ("board", "units_list", "defer", "nudge"):
        if tag in tags:
            slots.add(tag)
    return slots


def _default_window(today: date) -> Window:
    return Window(today, month_end(today), "本月内")


def _chunks(tx: _Text, vocab: Vocabulary) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Runs of content words in the untaken text, with their offsets; and one-character tag words."""
    out: list[tuple[int, str]] = []
    tagged: list[tuple[int, str]] = []
    for start, seg in tx.segments():
        if not seg.strip():
            continue
        pos, cur, cur_start = start, "", start
        for w in vocab.cut(seg) if not seg.isascii() else re.findall(r"\S+|\s+", seg):
            at = seg.find(w, pos - start)
            pos = start + (at if at >= 0 else pos - start)
            word = w.strip()
            if word in TOKEN_TAGS:
                tagged.append((pos, TOKEN_TAGS[word]))
            content = (word and word not in TOKEN_TAGS and word not in TOKEN_STOP
                       and not re.fullmatch(r"[\W_]+", word)
                       and not (word.isascii() and word in ENGLISH_STOP))
            if content:
                if not cur:
                    cur_start = pos
                cur += word if not (cur and cur[-1:].isascii() and word.isascii()) else " " + word
            elif cur:
                out.append((cur_start, cur))
                cur = ""
            pos += len(w)
        if cur:
            out.append((cur_start, cur))
    return out, tagged


def _fuzzy_unit(chunk: str, vocab: Vocabulary, *, allow_weak: bool) -> tuple[tuple[int, ...], float] | None:
    """A unit written short or with a typo: prefix, part of the name, or close by edit distance."""
    c = chunk.replace(" ", "").strip("的了呢吗啊吧呀嘛么是有在和与及")
    if len(c) < 2 or len(c) > 14 or c.isdigit() or c.isascii():
        return None
    best: dict[int, float] = {}
    for surface, ids in vocab.surfaces.items():
        if len(surface) < 3 or surface == c:
            continue
        if surface.startswith(c) and 2 * len(c) >= len(surface):
            score = 90.0
        elif allow_weak and c in surface and len(c) >= 3 and 2 * len(c) > len(surface):
            score = 86.0
        elif len(c) >= 3 and c[0] == surface[0] and c[-1] == surface[-1] and _subsequence(c, surface):
            score = 84.0  # an abbreviation: 发改委 for 发展改革委, 市监局 for 市场监督管理局
        else:
            continue
        for uid in ids:
            best[uid] = max(best.get(uid, 0.0), score)
    if not best and len(c) >= 3:  # two characters are too few to read a typo in ("公室" left of 安全办公室)
        for surface, score, _i in process.extract(c, vocab.surface_list, scorer=fuzz.ratio, limit=4,
                                                  score_cutoff=FUZZY_WEAK):
            weak_ok = allow_weak and len(surface) == len(c) and len(c) >= 3
            if score >= FUZZY_STRONG or weak_ok:
                for uid in vocab.surfaces[surface]:
                    best[uid] = max(best.get(uid, 0.0), float(score))
    if not best:
        return None
    top = max(best.values())
    ids = tuple(sorted(uid for uid, sc in best.items() if sc >= top - 0.5))
    return ids, top


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


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


__all__ = ["RULES", "Rule", "TopicHit", "understand"]

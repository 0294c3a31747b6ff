"""Plan names in a message: "安全生产第2项", "《2021年工作要点》第1项已完成", "安全生产逾期的".

A word written right before a task's number names its plan, known or not (the chat answers a name that matches no
plan with the choices: never another plan's task of that number). Elsewhere only a plan's own name counts (an open
or a closed plan's), and only in a question that lists (a window, a filter, a unit, a count, the board):
"安全生产归谁管" stays a topic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from bot.nlu.extract import REF_PATTERNS, Scan
from bot.nlu.lexicon import PHRASE_TABLE, TOKEN_STOP
from bot.nlu.model import PlanRecord
from bot.nlu.normalise import key
from bot.nlu.timewords import find_windows
from bot.nlu.vocab import Vocabulary

_YEAR = re.compile(r"\d{4}\s*(?:年度|年)")
_TRAILING_BRACKET = re.compile(r"\([^()]*\)$")
_QUOTES = str.maketrans("", "", "《》<>\"'")
# Words around a plan's name that do not change which plan it is: 2021年安全生产计划, 今年的工作要点.
GENERIC = re.compile(r"^(?:\d{4}年度?|年度|今年|本年|本年度|全年|计划|工作|要点|方案|的)*$")
_BEFORE_REF = re.compile(r"[\s的《》<>\"'\-—:·]+$")
_NAME_CHAR = re.compile(r"[\u3400-\u9fff0-9a-z()《》<>\-—·]")
# Words that lead into a task's number without naming a plan: connectives and pointers, people and places
# ("领导说第2项…", "局里第2项"), and saying verbs; times are caught by _TIME and the time-word reader.
_NOT_A_NAME = frozenset("另外 然后 那么 其次 首先 最后 接着 还是 就是 但是 而且 并且 所以 因为 如果 比如 例如 对于 针对 至于 "
                        "这个 那个 这项 那项 上面 下面 上述 以下 其中 其余 剩下 另 再 又 也 刚才 刚刚 最近 近期 之前 以前 "
                        "后来 领导 老师 大家 各位 同志 同事 局长 主任 科长 股长 校长 书记 你们 他们 她们 自己 局里 县里 市里 "
                        "上级 这边 那边 说 讲 问 提到 要求 强调 指出 交代 通知 布置 觉得 认为 感觉 看 看看 查 查查".split())
_TIME = re.compile(r"^(?:[今昨明前后上下本这那每]|\d+|[一二三四五六七八九十两]+)?个?(?:天|日|号|周|星期|礼拜|月份?|年|季度?|"
                   r"上午|下午|中午|晚上|早上|会儿|阵子|时候|月底|月初|月末|年底|年初|年末|周末)$")
_PLAN_WORDS = frozenset({"工作", "计划", "方案", "要点"})  # lexicon words that also end plans' names
_REF_HINT = re.compile(r"第|项|条|号|任务|事项|#|task|item|no")  # what every task number pattern needs
_ANY_DAY = date(2000, 1, 1)  # only whether a token is a time word matters, not which days it means
_LISTS = frozenset({"due", "board", "count", "lead", "co", "any_role", "own", "units_list"})


def plan_surfaces(plans: Sequence[PlanRecord]) -> dict[str, int]:
    """Each plan's names as written (its short name, its title, the title from or after its year, without a
    closing bracket) → its id, longest first; a form two plans share is left out unless it is a short name, where
    an open plan's wins over a closed one's (each year's 工作要点)."""
    seen: dict[str, set[int]] = defaultdict(set)
    for p in plans:
        title = key(p.title)
        forms = {title, _TRAILING_BRACKET.sub("", title)}
        for form in list(forms):
            m = _YEAR.search(form)
            if m:
                forms |= {form[m.start():], form[m.end():]}
        for form in forms:
            if len(form) >= 2:
                seen[form].add(p.id)
    out = {form: next(iter(ids)) for form, ids in seen.items() if len(ids) == 1}
    for p in sorted(plans, key=lambda p: p.open):  # closed first: an open plan's short name wins
        if len(key(p.short_name)) >= 2:
            out[key(p.short_name)] = p.id
    return dict(sorted(out.items(), key=lambda kv: -len(kv[0])))  # longest first: the order a message is scanned


def plan_in(word: str, plans: Sequence[PlanRecord], surfaces: dict[str, int]) -> int | None:
    """The plan `word` names (an open one before a closed one): one of its names, a part of one title only, or a
    short name with only generic words around it ("2021年安全生产计划"); None when none or several."""
    w = key(word).translate(_QUOTES)
    if w in surfaces:
        return surfaces[w]
    for among in ([p for p in plans if p.open], [p for p in plans if not p.open]):
        in_title = [p.id for p in among if len(w) >= 2 and w in key(p.title)]
        around = [p.id for p in among if p.short_name and key(p.short_name) in w
                  and GENERIC.match(w.replace(key(p.short_name), "", 1))]
        for hits in (in_title, around):
            if hits:
                return hits[0] if len(hits) == 1 else None
    return None


def item_ref_pattern(plans: Sequence[PlanRecord]) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    """How the office's 督办 items are written ("批示3", "会议第12项", "交办件2号"): a pattern of their plans' short
    names and a number, and each short name's plan; (None, {}) for an office with no item plan."""
    shorts = {key(p.short_name): p.id for p in plans if p.items and len(key(p.short_name)) >= 2}
    if not shorts:
        return None, {}
    names = "|".join(re.escape(s) for s in sorted(shorts, key=len, reverse=True))
    return re.compile(rf"({names})件?\s*第?\s*(\d+)\s*(?:项|号|件)?(?![\d.%次天个年月日周人所家名])"), shorts


def item_refs(sc: Scan, vocab: Vocabulary) -> bool:
    """Items written as their plan's short name and number: the ref and its plan, before any other reading (a
    number with no 第/项 would otherwise be no task at all)."""
    if vocab.item_pattern is None:
        return False
    found = list(vocab.item_pattern.finditer(sc.t))
    for m in found:
        sc.refs.append((m.start(2), m.end(), m.group(2)))
        sc.tx.take(m.start(), m.end())
    if found:
        first = found[0]
        sc.plan_span, sc.plan_at_ref = (first.start(1), first.end(1)), True
        sc.u.plan_word, sc.u.plan_id = first.group(1), vocab.item_plans[first.group(1)]
    return bool(found)


def plan_names(sc: Scan, vocab: Vocabulary) -> None:
    """The plan named before the first task number, else an open plan's name anywhere (settled by `settle`)."""
    if item_refs(sc, vocab):
        return
    t = sc.t
    first = None
    if _REF_HINT.search(t):  # most messages name no task: skip the ref patterns
        first = min((m.start() for rx in REF_PATTERNS if (m := rx.search(t))), default=None)
    if first:
        word, start, end = _word_before(t[:first], vocab)
        if word:
            sc.plan_span, sc.plan_at_ref = (start, first), True
            sc.u.plan_word = word
            sc.u.plan_id = plan_in(word, vocab.plans, vocab.plan_surfaces)
            sc.tx.take(start, end)
            return
    for surface in vocab.plan_surfaces:
        at = t.find(surface)
        if at >= 0:
            sc.plan_span = (at, at + len(surface))
            sc.u.plan_word, sc.u.plan_id = surface, vocab.plan_surfaces[surface]
            sc.tx.take(at, at + len(surface))
            return


def _word_before(head: str, vocab: Vocabulary) -> tuple[str, int, int]:
    """The words right before a task number that name a plan ("请问安全生产的" → 安全生产), with their span."""
    end = len(head) - len(m.group(0)) if (m := _BEFORE_REF.search(head)) else len(head)
    start = end
    while start > 0 and _NAME_CHAR.match(head[start - 1]):
        start -= 1
    if end - start < 2:
        return "", 0, 0
    kept = ""
    for token in reversed(_years_joined(vocab.cut(head[start:end]))):
        if _stops(token, vocab):
            break
        kept = token + kept
    start = end - len(kept)
    word = kept.translate(_QUOTES)
    if len(word) < 2 or word.isdigit():
        return "", 0, 0
    return word, start, end


def _years_joined(tokens: list[str]) -> list[str]:
    """"2021", "年" → "2021年": a plan's year is part of its name, not a time word."""
    out: list[str] = []
    for token in tokens:
        if token in ("年", "年度") and out and out[-1].isdigit() and len(out[-1]) == 4:
            out[-1] += token
        else:
            out.append(token)
    return out


def _stops(token: str, vocab: Vocabulary) -> bool:
    """A token that is not part of a plan's name: a function word, a question or status word, a unit, a time."""
    if token in _PLAN_WORDS or _YEAR.fullmatch(token):
        return False
    return (token in TOKEN_STOP or token in _NOT_A_NAME or token in PHRASE_TABLE or token in vocab.surfaces
            or bool(_TIME.match(token)) or bool(find_windows(token, _ANY_DAY)))


def settle(sc: Scan) -> None:
    """A plan's name away from a task number counts only in a question that lists; otherwise it is topic words."""
    if sc.plan_span is None or sc.plan_at_ref:
        return
    listing = (sc.u.window is not None or sc.filters or sc.statuses or sc.unit_hits or sc.percent is not None
               or bool(_LISTS & sc.tags.keys()))
    if not listing:
        sc.tx.release(*sc.plan_span)
        sc.plan_span, sc.u.plan_word, sc.u.plan_id = None, "", None

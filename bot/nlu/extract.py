"""The extractors of the language layer: each finds one kind of span in a message and marks it explained.

Units by name, time windows, percents, task refs, phrases (statuses, filters, roles, question words), and what is
left: units written loosely, or topic words. They fill one `Scan`; bot/nlu/understand.py assembles the reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from bot.nlu.lexicon import ENGLISH_STOP, PHRASE_RX, PHRASE_TABLE, TOKEN_STOP, TOKEN_TAGS
from bot.nlu.model import Choice, Filter, Status, Understanding
from bot.nlu.timewords import find_windows
from bot.nlu.vocab import Vocabulary
from bot.numerals import cn_int

FUZZY_STRONG = 80.0
FUZZY_WEAK = 66.0
ROLE_TAGS = ("lead", "co", "any_role")
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
    # 任务二十三, 任务十二进展: a numeral not starting a word of its own (任务一定要…, 任务十分…, 任务一览)
    re.compile(r"(?:任务|事项)\s*([零〇一二两三四五六七八九十百]+)(?![定起下些般览半样直切共同边致旦次道个分成倍多万千亿年月日周天点号项条])"),
]
REF_PATTERNS = _REF_PATTERNS
_BARE_REF = re.compile(r"^\s*(?!\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?(?![\d项条号]))(\d+(?:[.\-]\d+)*)(?![\d%天月日号个周年点.])(?=\s|$|[\u3400-\u9fff:,!?.;])")
PERCENT = re.compile(r"(\d{1,3})\s*%|百分之\s*([\d零一二两三四五六七八九十百]+)|([一二三四五六七八九\d])\s*成(?![果效立为员绩])")
_SPLIT_NUM = re.compile(_NUM)
_DATE_NEXT = re.compile(r"\s*(?:\d{4}\s*[-/.年]|\d{1,2}\s*[-/.月]|\d{1,2}\s*[日号]|年底|年末|月底|月末)")


class Text:
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

    def release(self, start: int, end: int) -> None:
        """Give a span back to the later extractors (a plan's name that turned out to be topic words)."""
        for i in range(max(0, start), min(end, len(self.s))):
            self.taken[i] = 0

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


@dataclass
class Scan:
    """What the extractors found, in text order where order matters (`events`: (position, what, payload))."""

    t: str
    u: Understanding
    tx: Text
    events: list[tuple[int, str, object]] = field(default_factory=list)
    unit_hits: list[tuple[int, tuple[int, ...], str, float]] = field(default_factory=list)
    percent: int | None = None
    refs: list[tuple[int, int, str]] = field(default_factory=list)
    tags: dict[str, list[int]] = field(default_factory=dict)
    statuses: list[tuple[int, int, Status]] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    defer_at: tuple[int, int] | None = None  # the first request word's span
    topic_chunks: list[str] = field(default_factory=list)
    fuzzy_choices: list[Choice] = field(default_factory=list)
    who: bool = False  # a who-question word among the phrases
    free_roles: list[str] = field(default_factory=list)  # role words with no unit before them ("谁牵头")
    is_question: bool = False
    plan_span: tuple[int, int] | None = None  # where a plan's name was read (bot/nlu/plans.py)
    plan_at_ref: bool = False  # written right before the first task number


def exact_units(sc: Scan, vocab: Vocabulary) -> None:
    """Unit names and aliases, longest first at each position."""
    s, n, i = sc.t, len(sc.t), 0
    while i < n:
        for length in vocab.surface_lengths:
            if i + length <= n and s[i:i + length] in vocab.surfaces:
                sc.unit_hits.append((i, vocab.surfaces[s[i:i + length]], s[i:i + length], 100.0))
                sc.tx.take(i, i + length)
                i += length
                break
        else:
            i += 1


def windows(sc: Scan, today: date) -> None:
    """Time windows (本周, 10月底前, 今年…); the first is the question's."""
    for start, end, window in find_windows(sc.tx.visible(), today):
        if sc.u.window is None:
            sc.u.window = window
        sc.tx.take(start, end)
        sc.events.append((start, "window", window))


def percents(sc: Scan) -> None:
    """The first percent written (50%, 百分之八十, 八成)."""
    for m in PERCENT.finditer(sc.tx.visible()):
        raw_n = m.group(1) or m.group(2) or m.group(3)
        try:
            value = int(raw_n) if raw_n.isdigit() else cn_int(raw_n)
        except (KeyError, ValueError):
            continue
        if m.group(3):
            value *= 10
        if 0 <= value <= 100 and sc.percent is None:
            sc.percent = value
            sc.tx.take(m.start(), m.end())
            sc.events.append((m.start(), "percent", value))


def refs(sc: Scan) -> None:
    """Task refs (第12项, 12号, 任务二十三, a bare leading number), in text order."""
    vis = sc.tx.visible()
    for rx in _REF_PATTERNS:
        for m in rx.finditer(vis):
            if sc.tx.free(m.start(), m.end()):
                sc.refs.extend((m.start(), m.end(), r) for r in ref_numbers(m.group(1)))
                sc.tx.take(m.start(), m.end())
        vis = sc.tx.visible()
    if not sc.refs:
        m = _BARE_REF.match(vis)
        if m and sc.tx.free(m.start(1), m.end(1)):
            sc.refs.append((m.start(1), m.end(1), m.group(1)))
            sc.tx.take(m.start(1), m.end(1))
    sc.refs.sort()


def ref_numbers(group: str) -> list[str]:
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


def phrases(sc: Scan) -> None:
    """Statuses, filters, roles, question words and fillers from the lexicon's phrase table."""
    for m in PHRASE_RX.finditer(sc.tx.visible()):
        group, value = PHRASE_TABLE[m.group(0)]
        sc.tx.take(m.start(), m.end())
        if sc.defer_at is None and (value == "defer" or (value == "change" and _DATE_NEXT.match(sc.t, m.end()))):
            sc.defer_at = m.span()
        if group == "status":
            sc.statuses.append((m.start(), m.end(), value))
        elif group == "filter":
            sc.filters.append(value)
        else:
            sc.tags.setdefault(value, []).append(m.start())
            if value in ROLE_TAGS:
                sc.events.append((m.start(), "role", value))
    sc.who = bool({"who", "lead_focus", "co_focus", "units_list"} & sc.tags.keys())


def loose_units(sc: Scan, vocab: Vocabulary) -> None:
    """What is left, cut into words: one-character tag words, units written loosely, or topic words; then every
    unit found becomes an event (several units for one loose word: choices to ask back)."""
    chunks, token_tags = _chunks(sc.tx, vocab)
    for pos, tag in token_tags:
        sc.tags.setdefault(tag, []).append(pos)
        if tag in ROLE_TAGS:
            sc.events.append((pos, "role", tag))
    for pos, chunk in chunks:
        found = fuzzy_unit(chunk, vocab, allow_weak=not sc.who and not sc.refs)
        if found is None:
            sc.topic_chunks.append(chunk)
            continue
        ids, score = found
        sc.unit_hits.append((pos, ids, chunk, score))
    for pos, ids, surface, score in sc.unit_hits:
        if len(ids) > 1:
            sc.fuzzy_choices.extend(Choice("unit", uid, vocab.units[uid].name) for uid in ids)
        sc.events.append((pos, "unit", (ids[0], surface, score)))


def own_unit(sc: Scan, own_unit_id: int | None, forced: frozenset[str]) -> None:
    """"我们", "本单位": the chat's own unit, or a note that one is needed."""
    if "own" in sc.tags or "own" in forced:
        pos = sc.tags.get("own", [0])[0]
        if own_unit_id is not None:
            sc.events.append((pos, "own", own_unit_id))
        else:
            sc.u.needs_own_unit = True


def _chunks(tx: Text, vocab: Vocabulary) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
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


def fuzzy_unit(chunk: str, vocab: Vocabulary, *, allow_weak: bool) -> tuple[tuple[int, ...], float] | None:
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

"""Parse owner clauses: labels, inline brackets, and the 'first listed leads' convention."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from .labels import LABEL_INLINE, LABEL_RE, LABELS, OWNER_ROLES
from .units import (
    ACTION,
    MAX_UNIT_LEN,
    UNIT_END,
    looks_like_unit,
    norm_punct,
    plain_unit,
    split_units,
    strip_role,
)

# "(排名第一为牵头股室,下同)", "排在第一位的部门为牵头部门", "排名不分先后"
NOTE_RE = re.compile(r"(第一|首位|第1|首个|前面|最前)[^,，。;；()（）]{0,10}(牵头|主责)|下同|不分先后")
_BRACKET = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]*[）)])*)[）)]")
_MARKS = {"牵头": "lead", "主责": "lead", "牵头单位": "lead", "牵头部门": "lead", "配合": "co", "参与": "co"}
_MARK = re.compile(rf"\(({'|'.join(_MARKS)})\)$")
_ROLE_WORD = re.compile(r"(负责|牵头|配合|参与|协助|协办|责任单位|牵头单位|配合单位|责任部门)")


@dataclass
class Owners:
    """Owners found for one item, before the leading rule is applied."""

    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    resp: list[str] = field(default_factory=list)
    sponsor: list[str] = field(default_factory=list)  # 主办: owners only when nobody else is named
    leaders: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)  # dates written among the names
    standing: list[str] = field(default_factory=list)  # "以下均需X配合，不再列出": co of later items
    rule: str | None = None  # "first" or "all" when the text states it
    sticky: bool = False  # the note says 下同: the rule holds for later tasks too
    basis: str = ""  # a doubt to show when these owners were inferred (a unit heading, a lead-in)

    def empty(self) -> bool:
        return not (self.lead or self.co or self.resp or self.sponsor)

    def merge(self, other: Owners) -> None:
        for name in ("lead", "co", "resp", "sponsor", "leaders", "deadlines", "standing"):
            getattr(self, name).extend(u for u in getattr(other, name) if u not in getattr(self, name))
        self.rule = other.rule or self.rule
        self.sticky = self.sticky or other.sticky

    def resolve(self, rule: str) -> tuple[list[str], list[str]]:
        """Return (lead, co) under the given rule ('first' or 'all')."""
        lead, co = list(self.lead), []
        if not lead and not self.resp:
            lead = list(self.sponsor)  # "主办单位：A" alone: A runs it; beside 承办 it only sponsors
        if self.resp:
            if rule == "all":
                lead += self.resp
            elif lead:
                co += self.resp
            else:
                lead.append(self.resp[0])
                co += self.resp[1:]
        co += [u for u in self.co if u not in lead and u not in co]
        return lead, co


def _note(text: str, owners: Owners) -> bool:
    m = NOTE_RE.search(text)
    if not m:
        return False
    if "不分先后" in text:
        owners.rule = "all"
    elif m.group(1):
        owners.rule = "first"
    owners.sticky = owners.sticky or "下同" in text
    return True


def parse_owner_text(text: str, role: str = "resp") -> Owners:
    """Parse the value of an owner label or the inside of an owner bracket (a fresh record each call)."""
    o = _parse_cached(text, role)
    return replace(o, lead=list(o.lead), co=list(o.co), resp=list(o.resp), sponsor=list(o.sponsor),
                   leaders=list(o.leaders), deadlines=list(o.deadlines), standing=list(o.standing))


@lru_cache(maxsize=8192)
def _parse_cached(text: str, role: str) -> Owners:
    # the tree is read twice (units known from other items), so each clause is parsed once, not twice
    owners = Owners()
    text = norm_punct(text)

    def drop_note(m: re.Match) -> str:
        return "" if _note(m.group(1), owners) else m.group(0)

    text = _BRACKET.sub(drop_note, text).strip(" .。;；")
    text = standing_rule(text, owners)
    # a label opens a segment whose role holds until the next label, whatever separates them
    cuts = [m.start() for m in LABEL_INLINE.finditer(text)]
    bounds = [0, *cuts, len(text)]
    for seg in (text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)):
        seg_role = role
        m = LABEL_RE.match(seg.strip(" .。,，;；"))
        if m:
            seg_role, seg = LABELS[m.group("label")], m.group("value")
        for clause in re.split(r"[,，;；]", seg):
            _clause(clause.strip(" .。"), seg_role, owners)
    return owners


def _clause(clause: str, role: str, owners: Owners) -> None:
    if not clause or _note(clause, owners):
        return
    if _DATE_TOKEN.match(clause):
        owners.deadlines.append(clause)  # "第一批：A、B，2017年12月底前完成": the batch's date
        return
    sub = _SUBLABEL.match(clause)
    if sub and sub.end() < len(clause) and not looks_like_unit(clause[: sub.end()].strip(" :：")):
        clause = clause[sub.end() :]
    if re.search(r"牵头(单位|部门)?$", clause):
        role = "lead"
    elif re.search(r"(配合|参与|协助|协办|协同)(单位|部门)?$", clause):
        role = "co"
    if role == "leaders":
        owners.leaders += [p for p in re.split(r"[、,，;；\s]+", strip_role(clause)) if p]
        return
    if role not in OWNER_ROLES:
        return
    names = split_units(clause)
    marked = [_MARK.search(n) for n in names]
    if role == "lead" and any(m and _MARKS[m.group(1)] == "lead" for m in marked):
        role = "resp"  # a marker inside a 牵头 list: the unmarked names only take part
    for name, m in zip(names, marked, strict=True):
        # "市发展改革委（牵头）、市财政局": the marker, not the position, says who leads
        if m:
            getattr(owners, _MARKS[m.group(1)]).append(name[: m.start()].strip())
        else:
            getattr(owners, role).append(name)


# a rule stated once for every item after it: "以下均需相关乡镇配合，不再列出", "以下各项均由县财政局
#配合，下同". Its units join the co list of this and every later task.
_STANDING = re.compile(
    r"(?:以下|以后|下列|后续|其余)(?:各项|各条|任务|工作|事项)?(?:均|都|皆|全部)?(?:需要?|须|要|由|请)?"
    r"(?P<units>[^，,。；;]{2,60}?)(?:配合|参与|协助|协同)[，,]?\s*(?:不再(?:一一)?(?:列出|列明|注明|重复|标注)|下同)"
)


def standing_rule(text: str, owners: Owners) -> str:
    """Take a standing co-operation rule out of `text` into owners.standing; return the rest."""
    m = _STANDING.search(text)
    if not m:
        return text
    owners.standing += [u for u in split_units(m.group("units")) if u not in owners.standing]
    return (text[: m.start()] + text[m.end() :]).strip(" .。;；,，")


def owner_bracket(
    text: str, *, tail_only: bool = False, known: frozenset[str] = frozenset()
) -> tuple[Owners | None, str]:
    """Find an owner bracket such as （A、B负责，…下同） in running text; return it and the rest.

    A closing bracket that only lists offices, （基础教育科、督导室）, also names owners: the
    genre's convention is that the first listed leads. `known` holds units named elsewhere in
    the document, so a name without an office suffix still counts.
    """
    for i, m in enumerate(reversed(list(_BRACKET.finditer(text)))):
        inner = m.group(1)
        at_tail = not text[m.end() :].strip(" 。.；;")
        if tail_only and not at_tail:
            return None, text
        if i == 0 and at_tail and not _ROLE_WORD.search(inner) and not LABEL_INLINE.search(inner):
            names = split_units(inner)
            if names and len(inner) <= 80 and all(plain_unit(n, known) for n in names):
                return parse_owner_text(inner), (text[: m.start()] + text[m.end() :]).strip()
        if len(inner) > 150 or not _ROLE_WORD.search(inner) and not LABEL_INLINE.search(inner):
            continue
        owners = parse_owner_text(inner)
        names = owners.lead + owners.co + owners.resp
        if not names and owners.leaders and all(len(n) <= 12 for n in owners.leaders):
            # （分管领导：张副局长） on a heading: leaders only, for the tasks under it
            return owners, (text[: m.start()] + text[m.end() :]).strip()
        if (
            names
            and all(looks_like_unit(n) or len(n) <= 12 for n in names)
            and any(map(looks_like_unit, names))
        ):
            rest = (text[: m.start()] + text[m.end() :]).strip()
            return owners, rest
    return None, text


# "由市商务局牵头，市财政局、市市场监管局配合。" in running text: a sentence of its own, or a clause between commas
# as minutes write it ("会议同意…，由医政股牵头，县人民医院配合，4月30日前拿出方案。")
_RUNNING = re.compile(
    r"(?:^|[。；;!！，,])\s*(?P<clause>由[^。；;，,由]{2,40}?牵头(?:负责)?"
    r"(?:[，,、][^。；;，,]{2,60}?(?:配合|参与|协助|协同)(?:落实|实施)?)?)\s*(?=[。；;，,]|$)"
)


def running_owners(text: str) -> tuple[Owners | None, str]:
    """Find a "由X牵头，Y、Z配合" sentence; return its owners and the text without it."""
    for m in _RUNNING.finditer(norm_punct(text)):
        owners = parse_owner_text(m.group("clause"))
        names = owners.lead + owners.co + owners.resp
        if owners.lead and all(looks_like_unit(n) for n in names):
            head, tail = text[: m.start("clause")].rstrip(), text[m.end() :].lstrip("，, ")
            if head.endswith(("，", ",")) and (not tail or tail[0] in "。.；;!！"):
                head = head.rstrip("，,")  # "…，由X牵头。" leaves "…。"
            elif not head or head.endswith(("。", "；", ";")):
                tail = tail.lstrip("。.；;")  # a sentence of its own goes whole
            return owners, (head + tail).strip()
    return None, text


def bare_owner_line(text: str) -> Owners | None:
    """Read a line that is nothing but an owner list, e.g. the line after an empty label."""
    if re.search(r"[。！？]", text.rstrip("。")) or len(text) > 150:
        return None
    names = split_units(text)
    if names and all(looks_like_unit(n) for n in names):
        return parse_owner_text(text)
    return None


# ---- where an owner list ends -------------------------------------------------------------
# A label's value is a list of unit names; in flattened text whatever follows it (the next
# sub-block's heading, a signature, a footer) is glued on without a separator. The list grammar:
# names separated by 、，,；; each name a noun phrase ending in an office word, optionally followed
# by 等 or a role word; a nested label (配合单位：…) or a short batch label (第一批：) continues it; a
# deadline (2017年12月底前完成) may sit among the names. The first token that breaks the grammar
# ends the list; the rest of the line is returned to the text flow.
_SEP = re.compile(r"[、，,；;]")
_STOP = re.compile(r"[。！？!?“”\"《》:：]")
_SUBLABEL = re.compile(r"^\s*[^，,、。；;:：\s]{1,6}[:：]\s*")
_DATE_TOKEN = re.compile(r"^\s*(?:到|至|于|在)?(?:\d{4}\s*年|\d{1,2}\s*月|年底|年内|[上下]半年)[^，,、。；;]{0,16}$")
_AFTER_NAME = re.compile(r"^(?:等|牵头|配合|负责|参与|协助|协办|协同)+")


def _name_prefix(head: str) -> int:
    """Return the length of the longest unit-name prefix of `head` (0 when there is none)."""
    best = 0
    for i in range(2, min(len(head), MAX_UNIT_LEN) + 1):  # bounded: at most 40 short searches
        cand = head[:i]
        if ACTION.search(cand):
            break
        if UNIT_END.search(cand):
            best = i
    if best:
        tail = _AFTER_NAME.match(head[best:])
        best += tail.end() if tail else 0
    return best


def _token_extent(tok: str) -> tuple[int, bool]:
    """Return (chars of `tok` that belong to the owner list, whether the list goes on)."""
    lead = len(tok) - len(tok.lstrip())
    core = tok[lead:]
    m = LABEL_INLINE.match(core)
    sub = _SUBLABEL.match(core)
    if not m and sub and not looks_like_unit(core[: sub.end()].strip(" :：")):
        m = sub  # "第一批：A、B" — a batch label inside the list, not a name
    if m and m.end() < len(core):
        k, more = _token_extent(core[m.end() :])
        return lead + m.end() + k, more
    if m:
        return len(tok), True
    if _DATE_TOKEN.match(core):
        return len(tok), True
    stop = _STOP.search(core)
    head = core[: stop.start()] if stop else core
    if not stop and len(head) <= 24 and not ACTION.search(head):
        return len(tok), True
    if looks_like_unit(strip_role(head)) and not ACTION.search(head):
        return lead + len(head), False
    k = _name_prefix(head)
    return (lead + k if k else 0), False


def owner_list_end(value: str) -> int:
    """Return where the owner list at the start of `value` ends (len(value) when it fills it)."""
    pos = 0
    n = len(value)
    while pos < n:
        m = _SEP.search(value, pos)
        end = m.start() if m else n
        k, more = _token_extent(value[pos:end])
        if k == end - pos and more:
            pos = end + 1 if m else n
            continue
        if k:
            return pos + k
        return max(pos - 1, 0)  # this token is not a name: the list ends before its separator
    return n

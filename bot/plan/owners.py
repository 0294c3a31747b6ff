"""Parse owner clauses: labels, inline brackets, and the 'first listed leads' convention."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .units import looks_like_unit, norm_punct, split_units, strip_role

# label -> role; roles: objective, measures, resp (first leads), lead, co, leaders, deadline
LABELS = {
    "目标任务": "objective",
    "工作目标": "objective",
    "任务目标": "objective",
    "预期目标": "objective",
    "工作措施": "measures",
    "主要措施": "measures",
    "具体措施": "measures",
    "工作举措": "measures",
    "推进措施": "measures",
    "主要内容": "measures",
    "具体内容": "measures",
    "责任股室": "resp",
    "责任单位": "resp",
    "责任处室": "resp",
    "责任部门": "resp",
    "责任科室": "resp",
    "承办单位": "resp",
    "实施单位": "resp",
    "牵头单位": "lead",
    "牵头部门": "lead",
    "牵头股室": "lead",
    "牵头处室": "lead",
    "牵头科室": "lead",
    "主办单位": "lead",
    "主责单位": "lead",
    "配合单位": "co",
    "配合部门": "co",
    "配合股室": "co",
    "配合处室": "co",
    "协办单位": "co",
    "协助单位": "co",
    "参与单位": "co",
    "协同单位": "co",
    "牵头领导": "leaders",
    "责任领导": "leaders",
    "分管领导": "leaders",
    "联系领导": "leaders",
    "包保领导": "leaders",
    "责任人": "leaders",
    "完成时限": "deadline",
    "完成时间": "deadline",
    "时间节点": "deadline",
    "时限要求": "deadline",
    "进度安排": "deadline",
    "完成期限": "deadline",
}
_LABEL_ALT = "|".join(sorted(LABELS, key=len, reverse=True))
LABEL_RE = re.compile(
    rf"^\s*[【\[]?(?P<label>{_LABEL_ALT})[】\]]?\s*(?:[（(][^）)]{{1,6}}[）)])?\s*[:：]\s*(?P<value>.*)$"
)
LABEL_INLINE = re.compile(rf"[【\[]?(?:{_LABEL_ALT})[】\]]?\s*(?:[（(][^）)]{{1,6}}[）)])?\s*[:：]")
OWNER_ROLES = ("resp", "lead", "co")
# "(排名第一为牵头股室,下同)", "排在第一位的部门为牵头部门", "排名不分先后"
NOTE_RE = re.compile(r"(第一|首位|第1|首个|前面|最前)[^,，。;；()（）]{0,10}(牵头|主责)|下同|不分先后")
_BRACKET = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]*[）)])*)[）)]")
_ROLE_WORD = re.compile(r"(负责|牵头|配合|参与|协助|协办|责任单位|牵头单位|配合单位|责任部门)")


@dataclass
class Owners:
    """Owners found for one item, before the leading rule is applied."""

    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    resp: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    rule: str | None = None  # "first" or "all" when the text states it
    sticky: bool = False  # the note says 下同: the rule holds for later tasks too

    def empty(self) -> bool:
        return not (self.lead or self.co or self.resp)

    def merge(self, other: Owners) -> None:
        for name in ("lead", "co", "resp", "leaders"):
            getattr(self, name).extend(u for u in getattr(other, name) if u not in getattr(self, name))
        self.rule = other.rule or self.rule
        self.sticky = self.sticky or other.sticky

    def resolve(self, rule: str) -> tuple[list[str], list[str]]:
        """Return (lead, co) under the given rule ('first' or 'all')."""
        lead, co = list(self.lead), []
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
    """Parse the value of an owner label or the inside of an owner bracket."""
    owners = Owners()
    text = norm_punct(text)

    def drop_note(m: re.Match) -> str:
        return "" if _note(m.group(1), owners) else m.group(0)

    text = _BRACKET.sub(drop_note, text).strip(" .。;；")
    for clause in re.split(r"[,，;；]", text):
        clause = clause.strip(" .。")
        if not clause or _note(clause, owners):
            continue
        r = role
        m = LABEL_RE.match(clause)
        if m:
            r, clause = LABELS[m.group("label")], m.group("value")
        elif re.search(r"牵头(单位|部门)?$", clause):
            r = "lead"
        elif re.search(r"(配合|参与|协助|协办|协同)(单位|部门)?$", clause):
            r = "co"
        if r == "leaders":
            owners.leaders += [p for p in re.split(r"[、,，;；\s]+", strip_role(clause)) if p]
        elif r in OWNER_ROLES:
            getattr(owners, r).extend(split_units(clause))
    return owners


def owner_bracket(text: str, *, tail_only: bool = False) -> tuple[Owners | None, str]:
    """Find an owner bracket such as （A、B负责，…下同） in running text; return it and the rest."""
    for m in reversed(list(_BRACKET.finditer(text))):
        inner = m.group(1)
        if tail_only and text[m.end() :].strip(" 。.；;"):
            return None, text
        if len(inner) > 150 or not _ROLE_WORD.search(inner) and not LABEL_INLINE.search(inner):
            continue
        owners = parse_owner_text(inner)
        names = owners.lead + owners.co + owners.resp
        if (
            names
            and all(looks_like_unit(n) or len(n) <= 12 for n in names)
            and any(map(looks_like_unit, names))
        ):
            rest = (text[: m.start()] + text[m.end() :]).strip()
            return owners, rest
    return None, text


def bare_owner_line(text: str) -> Owners | None:
    """Read a line that is nothing but an owner list, e.g. the line after an empty label."""
    if re.search(r"[。！？]", text.rstrip("。")) or len(text) > 150:
        return None
    names = split_units(text)
    if names and all(looks_like_unit(n) for n in names):
        return parse_owner_text(text)
    return None

"""Read a heading that is itself the responsible unit: "（一）县教育局", "2.县农业农村局：…"."""

from __future__ import annotations

import re

from .confidence import HEADING_OWNER, LEAD_IN_OWNER
from .owners import Owners, parse_owner_text
from .units import ACTION, UNIT_END, norm_punct

# parties that are not government bodies but are assigned duties as such (学校, 家庭, 村（社区）…)
_PARTY = re.compile(r"^(各)?(家庭|家长|学生家长|社会|村民|居民|群众|企业|学校|幼儿园|社区|村|医疗机构)$")
_QUALIFIER = re.compile(r"[（(][^（）()]{1,4}[）)]")
_HEAD_MAX = 30
# cheap first look: a unit list ends like a body, a party or a qualifier bracket
_LAST = re.compile(r"[局委办部厅署室股站心院校所队会处科馆园团社司团府道镇乡村区县市省行台组构位门业关联庭长众会区）)]$")
_LABEL_WORD = re.compile(r"(牵头|责任|配合|主办|承办|协办|实施)(单位|部门)")
_BODY_HUI = re.compile(r"(委员会|协会|学会|联合会|商会|工会|基金会|理事会|居委会|村委会|联合会)$")
_TAILS = ("有关部门", "相关部门", "有关单位", "相关单位", "成员单位")


def _unit_name(name: str) -> bool:
    """Tell whether one heading piece names a unit or an assigned party."""
    base = _QUALIFIER.sub("", norm_punct(name)).strip()
    if not base or re.search(r"[，,。；;：:“”\d()（）\s]", base) or _LABEL_WORD.search(base):
        return False
    if base.startswith("关于"):
        return False  # "关于教研室送教下乡" names a subject (minutes, notices), never the body that does it
    if base.endswith("会") and not _BODY_HUI.search(base):
        return False  # 运动会, 推介会, 展销会 are events, not bodies
    # a group word alone (有关要求, 各项任务) is not enough: the name must end like a body
    return bool(_PARTY.match(base) or (2 <= len(base) <= 24 and (UNIT_END.search(base) or base.endswith(_TAILS))))


def unit_heading(text: str) -> tuple[Owners | None, str]:
    """Return (owners, rest) when the heading's whole text, or its text up to a colon, names units.

    The first named unit leads, the rest are co ("团县委、县妇联"). Returns (None, text) otherwise.
    """
    stripped = text.strip()
    head, sep, rest = stripped.partition("：")
    if not sep:
        head, sep, rest = stripped.partition(":")
    if not sep:
        if stripped.endswith(("。", ".")):
            return None, text  # a sentence ("建立…工作室。") is a duty, not a unit heading
        head, rest = stripped, ""
    head = head.strip()
    if not head or len(head) > _HEAD_MAX or not _LAST.search(head):
        return None, text
    pieces = [p for p in re.split(r"[、，,]", head) if p]
    if not pieces or ACTION.match(pieces[0]) or not all(_unit_name(p) for p in pieces):
        return None, text
    owners = parse_owner_text("、".join(pieces), "resp")
    if owners.empty():
        return None, text
    owners.basis = HEADING_OWNER
    return owners, rest.strip()


# a section's opening sentence that assigns every item below it:
# "各乡镇人民政府、县防指各成员单位要于5月15日前完成以下工作："
_LEAD_IN = re.compile(
    r"(?:^|\s)(?P<units>[^\s。：:；;]{2,80}?)(?:要|须|应|务必|需)(?:在|于)?(?P<date>[^\s。：:，,；;]{2,20}?前)?"
    r"(?:完成|做好|抓好|落实|开展)(?:以下|下列|如下)(?:各项)?(?:工作|任务|事项)[：:]\s*$"
)


def lead_in(text: str) -> Owners | None:
    """Return the owners (and time limit) a section's lead-in sentence gives all its items."""
    m = _LEAD_IN.search(text.strip())
    if not m:
        return None
    pieces = [p for p in re.split(r"[、，,]", m.group("units")) if p]
    if not pieces or ACTION.match(pieces[0]) or not all(_unit_name(p) for p in pieces):
        return None
    owners = parse_owner_text("、".join(pieces), "resp")
    if m.group("date"):
        owners.deadlines.append(m.group("date"))
    owners.basis = LEAD_IN_OWNER
    return None if owners.empty() else owners

"""Read a heading that is itself the responsible unit: "（一）县教育局", "2.县农业农村局：…"."""

from __future__ import annotations

import re

from .owners import Owners, parse_owner_text
from .units import UNIT_END, norm_punct

# parties that are not government bodies but are assigned duties as such (学校, 家庭, 村（社区）…)
_PARTY = re.compile(r"^(各)?(家庭|家长|学生家长|社会|村民|居民|群众|企业|学校|幼儿园|社区|村|医疗机构)$")
_QUALIFIER = re.compile(r"[（(][^（）()]{1,4}[）)]")
_HEAD_MAX = 30
_TAILS = ("有关部门", "相关部门", "有关单位", "相关单位", "成员单位")


def _unit_name(name: str) -> bool:
    """Tell whether one heading piece names a unit or an assigned party."""
    base = _QUALIFIER.sub("", norm_punct(name)).strip()
    if not base or re.search(r"[，,。；;：:“”\d()（）]", base):
        return False
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
        head, rest = stripped.rstrip("。."), ""
    head = head.strip()
    if not head or len(head) > _HEAD_MAX:
        return None, text
    pieces = [p for p in re.split(r"[、，,]", head) if p]
    if not pieces or not all(_unit_name(p) for p in pieces):
        return None, text
    owners = parse_owner_text("、".join(pieces), "resp")
    if owners.empty():
        return None, text
    return owners, rest.strip()

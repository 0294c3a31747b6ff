"""Group units (各股室, 二级机构, 直属单位, 各乡镇中心校): who is in them, and who hears their reminders.

A plan often assigns a task to "各股室" or "各乡镇中心校". Such a group is a unit of its own in the store
(it has its own role on the task), but people are bound to its members, so a reminder to the group
reaches the group's own bound chats if it has any, else each member's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.config import GroupSettings, Settings
from storage.models import Unit

# What the usual collective words mean when no `[groups.NAME]` says otherwise: 股室 are the bureau's
# own 股, 室 and 办; other "各X" groups take every unit whose name ends with X (各中心校 → …中心校).
_KIND_SUFFIXES = {"股室": ("股", "室", "办"), "股（室）": ("股", "室"), "科室": ("科", "室"), "处室": ("处", "室"),
                  "部门": ("股", "室", "办", "科", "处", "中心", "站"), "二级机构": ("中心", "站", "所", "室"),
                  "直属单位": ("学校", "中学", "小学", "幼儿园", "中心", "站", "所")}
_GROUP = re.compile(r"^(?:各|全体|所有|相关)(.+?)$|^(二级机构|直属单位)$")


def group_rule(name: str, settings: Settings) -> GroupSettings | None:
    """How `name` is a group, or None when it is an ordinary unit."""
    if name in settings.groups:
        return settings.groups[name]
    m = _GROUP.match(name)
    if not m:
        return None
    kind = (m.group(1) or m.group(2)).removeprefix("乡镇").strip()
    suffixes = _KIND_SUFFIXES.get(kind) or ((kind,) if len(kind) >= 2 else ())
    return GroupSettings(suffixes=list(suffixes)) if suffixes else None


def members(group: Unit, units: Iterable[Unit], settings: Settings) -> list[Unit]:
    """The units of the group's office that belong to it (never other groups)."""
    rule = group_rule(group.name, settings)
    if rule is None:
        return []
    out = []
    for u in units:
        if u.id == group.id or u.office_id != group.office_id or group_rule(u.name, settings) is not None:
            continue
        named = settings.aliases.get(u.name, u.name)
        if named in rule.members or u.name in rule.members or any(u.name.endswith(s) for s in rule.suffixes):
            out.append(u)
    return out


def fan_out(routes: dict[int, list], units: dict[int, Unit], settings: Settings) -> dict[int, list]:
    """Give each group with no chat of its own its members' chats (each chat once)."""
    out = dict(routes)
    for unit in units.values():
        if routes.get(unit.id):
            continue
        chats: list = []
        for member in members(unit, units.values(), settings):
            chats += [r for r in routes.get(member.id, []) if r not in chats]
        if chats:
            out[unit.id] = chats
    return out

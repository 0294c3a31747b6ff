"""A plan by the word people call it: its short name, id or a word of its title; open plans first.

A closed or ended plan named on purpose answers about itself (its records stay); a word naming no plan is a
NotFound that lists the choices, never a silent fall-back to another plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from bot.nlu.plans import GENERIC
from bot.services.errors import NotFound
from storage import repo
from storage.models import Plan


def _named(opened: Sequence[Plan], closed: Sequence[Plan], word: str) -> list[Plan]:
    """The plans `word` names: by id, by exact short name (an open plan's, else a closed one's), else by a
    word of the title (likewise), else by a short name with only generic words around it ("2021年安全生产计划"):
    "安全生产" is the closed 安全生产, not the open "安全生产（第二批）"; "防汛工作要点" is not 工作要点."""
    if word.isdigit():
        return [p for p in (*opened, *closed) if p.id == int(word)]
    for plans in (opened, closed):
        if exact := [p for p in plans if p.short_name == word]:
            return exact
    for plans in (opened, closed):
        if hits := [p for p in plans if word in p.title]:
            return hits
    for plans in (opened, closed):
        if hits := [p for p in plans if p.short_name and p.short_name in word
                    and GENERIC.match(word.replace(p.short_name, "", 1))]:
            return hits
    return []


def plan_named(*, session: Session, office_id: int | None, word: str) -> Plan:
    """The plan `word` names (an open one first, else a closed one), or NotFound listing the choices."""
    word = word.strip().strip("《》<>\"'")
    opened = list(repo.active_plans(session=session, office_id=office_id))
    closed = [p for p in repo.plans_of(session=session, office_id=office_id) if not p.active] if word else []
    hits = _named(opened, closed, word) if word else []
    if len(hits) == 1:
        return hits[0]
    choices = hits or opened
    names = "、".join(f"{p.short_name or p.title}（{p.id}）" for p in choices) or "无"
    what = "有多份计划符合" if len(hits) > 1 else "没有找到计划"
    raise NotFound(f"{what}“{word}”。可选的计划：{names}（/plans 查看全部）。", [p.short_name for p in choices])


def plan_by_id(*, session: Session, plan_id: int) -> Plan:
    """A plan read with the words that named it (open or closed), or NotFound when it is gone."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"没有找到计划（{plan_id}）。发送 /plans 查看全部计划。")
    return plan

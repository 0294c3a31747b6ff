"""Offices and their plans: which office a command means, which plan "第12项" means, plan lifecycles."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.plan.year import title_span
from bot.reminders.schedule import reschedule
from bot.services.errors import NotFound, UserError
from storage import repo
from storage.items import ITEMS
from storage.models import AuditLog, ChatPlan, Office, Plan

DEFAULT_OFFICE = "本单位"  # the office a store without one gets on its first import (config: [app] office)

# Words that say what kind of document a plan is; what is left of the title once they, the year and
# the issuing office are taken off is the plan's own name ("安全生产", "近视防控").
_KIND_WORDS = ("三年行动计划", "三年行动方案", "五年规划", "三年规划", "工作要点", "工作计划", "实施方案", "行动方案", "行动计划", "工作方案", "任务分工", "任务分解",
               "责任清单", "重点工作", "工作任务", "三年行动", "专项行动", "方案", "要点", "计划", "清单")
_ANNUAL_KINDS = ("工作要点", "工作计划", "重点工作")
_YEARS = re.compile(r"(?:20|19)\d{2}\s*(?:[-—–至到~]\s*(?:20|19)?\d{2,4})?\s*年(?:度)?")
_OFFICE_TAIL = re.compile(r"^.*?(?:局|委员会|工委|委|办公室|政府|管委会|管理局|中心|厅|部)(?=\S{2,})")


@dataclass(frozen=True)
class PlanRow:
    """A plan as `duban plan list` shows it."""

    id: int
    office: str
    title: str
    short_name: str
    period: str
    state: str  # 进行中 / 已到期 / 已关闭
    tasks: int

    def to_dict(self) -> dict:
        return {"id": self.id, "office": self.office, "title": self.title, "short_name": self.short_name,
                "period": self.period, "state": self.state, "tasks": self.tasks}


def ensure_office(*, session: Session, name: str | None, default_name: str, now: datetime) -> Office:
    """The office a command means: the one named, else the only one (made on first use)."""
    if name:
        found = repo.office_by_name(session=session, name=name.strip())
        if found is None:
            known = "、".join(o.name for o in repo.offices(session=session)) or "（还没有）"
            raise NotFound(f"没有名为“{name}”的办公室。已有：{known}。用 duban office add 名称 添加。")
        return found
    offices = repo.offices(session=session)
    if len(offices) == 1:
        return offices[0]
    if not offices:
        office = Office(name=default_name, created_at=now)
        session.add(office)
        session.flush()
        return office
    names = "、".join(o.name for o in offices)
    raise UserError(f"库中有多个办公室（{names}），请用 --office 指定一个。")


def add_office(*, session: Session, name: str, parent: str | None, now: datetime) -> Office:
    """A new office, optionally followed by a parent office (a city bureau over its counties)."""
    name = name.strip()
    if not name or len(name) > 40:
        raise UserError("办公室名称应为 1 到 40 个字。")
    if repo.office_by_name(session=session, name=name) is not None:
        raise UserError(f"办公室“{name}”已存在。")
    parent_id = None
    if parent:
        up = repo.office_by_name(session=session, name=parent.strip())
        if up is None:
            raise NotFound(f"没有名为“{parent}”的上级办公室，请先添加它。")
        parent_id = up.id
    office = Office(name=name, parent_id=parent_id, created_at=now)
    session.add(office)
    session.add(AuditLog(at=now, actor="cli", action="office.add", detail=name))
    session.flush()
    return office


def period_of(title: str, year: int) -> tuple[int, int]:
    """(first year, last year) of a plan from its title: "2016—2018年" is a span, else the plan year."""
    return title_span(title) or (year, year)


def short_name_of(title: str) -> str:
    """The word people call a plan by: its title without the office, the years and the kind of document.

    The issuing office usually stands before the year ("县教育局2021年安全生产工作要点"), so with a year
    in the title what follows it is kept; without one, a leading office name is cut at its last
    office word (局, 委, 办公室…).
    """
    t = re.sub(r"^关于(?:印发)?|(?:的)?通知$", "", title.strip())
    t = re.sub(r"[（(](?:修订稿|修订版|征求意见稿|送审稿|讨论稿|试行|草案)[）)]", "", t)
    m = _YEARS.search(t)
    if m:
        after = _YEARS.sub("", t[m.end():])
        core = after if after.strip("（）() ") else _OFFICE_TAIL.sub("", t[: m.start()], count=1)
    else:
        core = _OFFICE_TAIL.sub("", t, count=1)
    core = re.sub(r"[《》“”\"（）()〔〕\[\]【】\s]", "", core)
    core = re.sub(r"^(?:关于|印发|推进|开展|做好)+", "", core)
    for word in _KIND_WORDS:
        if core == word:
            break
        if core.endswith(word):
            core = core[: -len(word)]
            break
    core = re.sub(r"(?:的|之)$", "", core)
    return core or "工作要点"


def unique_short_name(*, session: Session, office_id: int, title: str, year: int, plan_id: int | None) -> str:
    """A short name not used by another open plan of the office (the year is added on a clash)."""
    name = short_name_of(title)
    taken = {p.short_name for p in repo.active_plans(session=session, office_id=office_id) if p.id != plan_id}
    if name in taken:
        name = f"{year}{name}"
    n = 2
    base = name
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def state_of(plan: Plan, today_year: int) -> str:
    if not plan.active:
        return "已关闭"
    if (plan.period_end or plan.year) < today_year:
        return "已到期"
    return "进行中"


def plan_rows(*, session: Session, office_id: int | None, now: datetime) -> list[PlanRow]:
    """Every plan (of one office, or of all) with its period, state and task count."""
    names = {o.id: o.name for o in repo.offices(session=session)}
    counts = repo.task_counts(session=session)
    rows = []
    for p in repo.plans_of(session=session, office_id=office_id):
        start, end = p.period_start or p.year, p.period_end or p.year
        period = f"{start}年" if start == end else f"{start}—{end}年"
        rows.append(PlanRow(p.id, names.get(p.office_id, ""), p.title, p.short_name, period,
                            state_of(p, now.year), counts.get(p.id, 0)))
    return rows


def main_plan(*, session: Session, office_id: int | None, plans: Sequence[Plan] | None = None) -> Plan | None:
    """The office's main annual plan: its newest open annual 工作要点, else its newest open plan. `plans`: the
    office's open plans, when the caller has read them."""
    plans = list(repo.active_plans(session=session, office_id=office_id) if plans is None else plans)
    annual = [p for p in plans if (p.period_start or p.year) == (p.period_end or p.year)
              and any(k in p.title for k in _ANNUAL_KINDS) and short_name_of(p.title) == "工作要点"]
    # A standing plan of 督办 items (issue 22) is what a bare "第12项" means only when nothing else is open.
    pool = annual or [p for p in plans if p.kind != ITEMS] or plans
    return max(pool, key=lambda p: (p.year, p.imported_at, p.id)) if pool else None


def find_plan(*, session: Session, office_id: int | None, word: str) -> Plan | None:
    """An open plan named by its id, its short name, or a word of its title."""
    word = word.strip()
    if not word:
        return None
    plans = list(repo.active_plans(session=session, office_id=office_id))
    if word.isdigit():
        return next((p for p in plans if p.id == int(word)), None)
    exact = [p for p in plans if p.short_name == word]
    if len(exact) == 1:
        return exact[0]
    hits = [p for p in plans if word in p.title or (p.short_name and p.short_name in word)]
    return hits[0] if len(hits) == 1 else None


def require_plan_named(*, session: Session, office_id: int | None, word: str) -> Plan:
    plan = find_plan(session=session, office_id=office_id, word=word)
    if plan is None:
        names = "、".join(f"{p.short_name}（{p.id}）" for p in repo.active_plans(session=session, office_id=office_id))
        raise NotFound(f"没有找到计划“{word}”。当前计划：{names or '无'}。")
    return plan


def chat_current_plan(*, session: Session, office_id: int | None, platform: str, address: str,
                      plans: Sequence[Plan] | None = None, chosen: int | None = None) -> Plan | None:
    """What a bare "第12项" means in a chat: the plan it last used while that is one of the office's open plans,
    else the office's main plan. `plans` and `chosen`: both, when the caller has read them
    (repo.plans_and_chat_choice)."""
    if plans is None:
        plans, chosen = repo.plans_and_chat_choice(session=session, office_id=office_id, platform=platform,
                                                   address=address)
    plan = next((p for p in plans if p.id == chosen), None) if chosen is not None else None
    if plan is not None and plan.kind == ITEMS:  # chosen before items stopped being chosen (see remember_chat_plan)
        plan = None
    return plan or main_plan(session=session, office_id=office_id, plans=plans)


def remember_chat_plan(*, session: Session, platform: str, address: str, plan: Plan, now: datetime) -> None:
    """A command that named `plan` makes it what a bare "第12项" means in this chat; never a standing plan of 督办
    items, whose refs always name it ("会议1"): after "/sheet 会议1", "第12项" is still the annual plan's."""
    if plan.kind == ITEMS:
        return
    row = repo.chat_plan(session=session, platform=platform, address=address)
    if row is None:
        session.add(ChatPlan(platform=platform, address=address, plan_id=plan.id, updated_at=now))
    else:
        row.plan_id, row.updated_at = plan.id, now


def close_plan(*, session: Session, plan: Plan, now: datetime, actor: str, reopen: bool = False) -> Plan:
    """Close a plan (its reminders stop, its records stay) or reopen it."""
    if reopen:
        plan.active, plan.closed_at = True, None
    else:
        plan.active, plan.closed_at = False, now
    session.add(AuditLog(at=now, actor=actor, action="plan.reopen" if reopen else "plan.close",
                         detail=f"{plan.id} {plan.title}"))
    session.flush()
    reschedule(session=session, plan_id=plan.id, now=now)  # a closed plan has no due series
    return plan


def several_plans(*, session: Session, office_id: int | None) -> bool:
    """True when the office runs more than one open plan, so answers must name the plan."""
    return len(repo.active_plans(session=session, office_id=office_id)) > 1

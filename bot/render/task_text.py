"""Wording for tasks, who owns them, statuses, roles and traffic lights: the one table of each."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from bot.services.queries import UnitTasks
from bot.services.status_words import STATUS_CN
from bot.services.tasks import ReportLine, TaskRecord

ROLE_CN = {"lead": "牵头", "co": "配合", "supervisor": "督办"}
LIGHT_EMOJI = {"green": "🟢", "yellow": "🟡", "red": "🔴", "done": "✅", "review": "📨", "unowned": "⚪"}
LIGHT_LABEL = {"green": "正常", "yellow": "临近未反馈", "red": "逾期", "done": "已完成", "review": "待审核",
               "unowned": "未列责任单位"}


def light_cn(light: str) -> str:
    """"🔴 逾期" and the like."""
    return f"{LIGHT_EMOJI[light]} {LIGHT_LABEL[light]}"


def nth(ref: str) -> str:
    """"第12项" for a plan's task; a 督办 item's ref already says what it is ("会议1") and stays as written."""
    return f"第{ref}项" if ref[:1].isascii() else ref


def plan_ref(plan: str, ref: str, *, item_word: str = "") -> str:
    """"第12项", "安全生产第3项" when the plan must be named, or "会议1" for a 督办 item (its plan's short name)."""
    return f"{item_word}{ref}" if item_word else plan + nth(ref)


def cn_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "长期"


def local_stamp(at: datetime, tz: tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (aware) instant as the office's wall clock shows it."""
    return at.astimezone(tz).strftime(fmt)


def unit_tasks(data: UnitTasks) -> str:
    tasks = data.tasks
    if data.unit is None:
        return "\n".join(f"{t.ref}. {t.title}（牵头：{'、'.join(t.lead) or '未列'}）" for t in tasks) or "没有任务。"
    name = data.unit
    if not tasks:
        which = {"lead": "牵头的", "co": "配合的"}.get(data.role or "", "")
        return f"{name}目前没有{which}任务。"
    lines = []
    for role in ("lead", "co"):
        group = [t for t in tasks if t.role == role]
        if group:
            lines.append(f"{name}{ROLE_CN[role]}的任务（{len(group)}项）：")
            lines += [f"  {plan_ref(t.plan, t.ref)} {t.title}" for t in group]
    return "\n".join(lines)


def report_text(r: ReportLine) -> str:
    """"推进中 60%：已完成隐患排查"."""
    pct = f" {r.percent}%" if r.percent is not None else ""
    note = f"：{r.note}" if r.note else ""
    return f"{STATUS_CN.get(r.status, r.status)}{pct}{note}"


def deadline_lines(r: TaskRecord) -> list[str]:
    """One 时限 line per deadline of the task, as the plan words it."""
    lines = []
    for d in r.deadlines:
        if d.kind == "ongoing":
            lines.append(f"时限：长期坚持（每月填报进展）— {d.text}")
            continue
        mark = "" if d.certain or d.confirmed else "（估计，待确认）"
        lines.append(f"时限：{d.date.isoformat() if d.date else '长期'} {d.text}{mark}")
    return lines


NO_DEADLINE = "时限：计划未写明，按计划年度年底督办"


def task_deadline(r: TaskRecord) -> str:
    """"第12项什么时候截止": the deadlines and the lead, not the whole task."""
    lines = [f"{nth(r.ref)}「{r.title}」", *(deadline_lines(r) or [NO_DEADLINE])]
    lines.append(f"牵头：{'、'.join(r.lead) or '未列责任单位'}")
    return "\n".join(lines)


def task_full(r: TaskRecord, *, tz: tzinfo) -> str:
    lines = [f"{nth(r.ref)} {r.title}" + ("（已从计划中删除）" if r.removed else "")]
    if r.section:
        lines.append(f"所属：{r.section}")
    lines.append(f"牵头：{'、'.join(r.lead) or '未列责任单位'}")
    if r.co:
        lines.append(f"配合：{'、'.join(r.co)}")
    if r.leaders:
        lines.append(f"牵头领导：{'、'.join(r.leaders)}")
    lines += deadline_lines(r)
    if r.objective:
        lines.append(f"目标任务：{r.objective}")
    if r.measures:
        lines.append(f"工作措施：{r.measures}")
    latest = r.latest
    if latest:
        lines.append(f"最新进展：{report_text(latest)}（{local_stamp(latest.at, tz)}）")
    else:
        lines.append("最新进展：尚未反馈")
    if r.evidence:
        lines.append(f"佐证材料（{len(r.evidence)}份）：" + "、".join(
            f"{e.name}（{local_stamp(e.at, tz, '%m-%d')}）" for e in r.evidence[-5:]))
    lines += closure_lines(r, tz=tz)
    return "\n".join(lines)


EVENT_CN = {"ask_sign": "交办待签收", "sign": "签收", "decline": "退回（不属于本单位）", "reassign": "重新交办",
            "apply": "申请办结", "pass": "审核通过（销号）", "return": "审核退回"}


def closure_lines(r: TaskRecord, *, tz: tzinfo) -> list[str]:
    """The closing loop on /task: where the task stands, the returns, and its last events."""
    lines = []
    state = "待审核（已申请办结）" if r.review_pending else ("已销号" if r.closed else "")
    if state or r.returns:
        lines.append("办结：" + "，".join(x for x in (state, f"被退回{r.returns}次" if r.returns else "") if x))
    if r.events:
        lines.append("记录：")
        for e in r.events[-8:]:
            who = f" {e.unit}" if e.unit else ""
            lines.append(f"  {local_stamp(e.at, tz)} {EVENT_CN.get(e.kind, e.kind)}{who}{('：' + e.note) if e.note else ''}")
    return lines

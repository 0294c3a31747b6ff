"""Wording of the weekly digests (周报) for units and for supervisors and leaders."""

from __future__ import annotations

from collections import Counter
from datetime import date

from bot.notify import OutboundMessage
from bot.render.task_text import LIGHT_EMOJI, cn_date, light_cn
from bot.services.board import TaskLight
from storage.models import StatusReport

_MAX_LINES = 15  # a digest is read on a phone: the rest is one count and "/board"


def _lines(title: str, lights: list[TaskLight], when) -> list[str]:
    if not lights:
        return []
    out = [f"{title}（{len(lights)}项）："]
    out += [f"  第{t.ref}项 {t.title}（{when(t)}）" for t in lights[:_MAX_LINES]]
    if len(lights) > _MAX_LINES:
        out.append(f"  …另有 {len(lights) - _MAX_LINES} 项")
    return out


def unit_week(unit: str, today: date, due: list[TaskLight], overdue: list[TaskLight],
              silent: list[TaskLight]) -> OutboundMessage:
    """A unit's week: what falls due in two weeks, what is overdue, what awaits its report."""
    lines = [f"【督办周报】{unit}（{cn_date(today)}）"]
    lines += _lines("🔴 已逾期", sorted(overdue, key=lambda t: t.overdue_since or today),
                    lambda t: f"时限{cn_date(t.overdue_since)}")
    lines += _lines("📅 两周内到期", sorted(due, key=lambda t: t.next_deadline), lambda t: f"时限{cn_date(t.next_deadline)}")
    lines += _lines("✏️ 待反馈进展", silent,
                    lambda t: f"最近反馈{cn_date(t.last_report)}" if t.last_report else "尚未反馈")
    lines.append("反馈：/report 编号 状态 说明，或点提醒消息上的按钮。")
    return OutboundMessage(text="\n".join(lines), title=f"{unit}督办周报")


def _tally(lights: list[TaskLight]) -> str:
    counts = Counter(t.light for t in lights)
    shown = ("red", "yellow", "green", "done") + (("review",) if counts.get("review") else ())  # 待审核 when any
    return "　".join(f"{light_cn(k)} {counts.get(k, 0)}" for k in shown)


def leaders_week(today: date, lights: list[TaskLight], names: dict[int, str], owners: dict[int, set[int]],
                 changed: list[StatusReport], *, plans: dict[int, str] | None = None,
                 leader: str = "") -> OutboundMessage:
    """The week for supervisors and leaders: the lights (per plan where several run), the units most overdue,
    what changed. With `leader`, the picture of the tasks that leader is named on."""
    scope = f"{leader}牵头领导的任务" if leader else "全局"
    lines = [f"【督办周报·{scope}】{cn_date(today)}：共 {len(lights)} 项　{_tally(lights)}"]
    by_plan: dict[str, list[TaskLight]] = {}
    for t in lights:
        by_plan.setdefault((plans or {}).get(t.task_id, ""), []).append(t)
    if len(by_plan) > 1:
        lines += [f"  《{p}》{len(ts)} 项　{_tally(ts)}" for p, ts in by_plan.items()]
    late = Counter(names[u] for t in lights if t.light == "red" for u in owners.get(t.task_id, ()) if u in names)
    if late:
        lines.append("逾期最多的单位：" + "、".join(f"{n}（{c}项）" for n, c in late.most_common(5)))
    reds = [t for t in lights if t.light == "red"]
    for t in reds[:_MAX_LINES]:
        lines.append(f"  {LIGHT_EMOJI['red']} 第{t.ref}项 {t.title}（牵头：{'、'.join(t.lead) or '未列'}，"
                     f"时限{cn_date(t.overdue_since)}）")
    done = sum(1 for r in changed if r.status == "done")
    lines.append(f"本周新增进展反馈 {len(changed)} 条，报告完成 {done} 项。发送 /board 查看看板。")
    return OutboundMessage(text="\n".join(lines), title=f"{leader}督办周报" if leader else "督办周报")


def together(parts: list[OutboundMessage]) -> OutboundMessage:
    """One chat's weekly messages as one (its unit's part first, then the pictures it watches)."""
    if len(parts) == 1:
        return parts[0]
    return OutboundMessage(text="\n\n".join(p.text for p in parts), title=parts[0].title)

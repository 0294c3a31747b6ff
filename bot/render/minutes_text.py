"""Wording for a meeting's minutes read as 督办 items: what an import would do (the CLI's diff and the chat card),
and what it did."""

from __future__ import annotations

from bot.plan.model import ParsedPlan
from bot.render.plan_text import confidence_line
from bot.render.task_text import cn_date
from bot.services.minutes import MinutesPlan, MinutesResult, MinutesRow

MINUTES_ADMIN_ONLY = "只有管理员可以导入会议纪要，未做任何改动。"
EXPIRED = "这份纪要已经处理过或已过期，请重新发送。"
CANCELLED = "已取消，没有创建督办事项。"
ASK = "确认创建这些督办事项吗？（确认前不会创建任何事项）"
SHEET = "解析结果核对表：标“待核”的行请核对，如有错漏，可在 Excel/WPS 中改正后发回（说明写“纪要”）。"
NEEDS_REVIEW = ("没有读出写明牵头单位的议定事项，未创建任何督办事项：请打开附上的核对表，改正牵头、配合单位"
                "（标“待核”的行是猜测）后发回给我，说明写“纪要”即可。")


def _row(r: MinutesRow) -> str:
    s = r.spec
    co = f"，{'、'.join(s.co)}配合" if s.co else ""
    due = f"时限{cn_date(s.due)}" if s.due else "时限按会议议定默认"
    check = f"\n      — 待核：{'；'.join(r.doubts)}" if r.doubts else ""
    return f"  {r.n}. {s.title}（{'、'.join(s.lead) or '未写牵头单位'}牵头{co}；{due}）{check}"


def preview(planned: MinutesPlan, parsed: ParsedPlan, source_name: str) -> str:
    """What importing the minutes would do: new, changed and unchanged 议定事项, how sure the reading is, and
    what stops it (units the office lacks, a date already past)."""
    lines = [f"会议纪要《{planned.meeting}》（{source_name}）：议定事项 {len(planned.rows)} 项，来源“会议议定”。"]
    if sure := confidence_line(parsed):
        lines.append(sure)
    new, changed, same = planned.of("new"), planned.of("changed"), planned.of("unchanged")
    if new:
        lines.append(f"新增 {len(new)} 项：")
        lines += [_row(r) for r in new]
    if changed:
        lines.append(f"有变化 {len(changed)} 项：")
        lines += [f"  {r.n}. {r.ref} {r.spec.title}：{'；'.join(r.changes)}" for r in changed]
    if same:
        lines.append(f"已导入过、不变 {len(same)} 项：{'、'.join(f'{r.ref} {r.spec.title}' for r in same)}")
    if refusal := planned.refusal():
        lines.append(refusal)
    elif not (new or changed):
        lines.append("没有要创建或修改的督办事项。")
    return "\n".join(lines)


def summary(result: MinutesResult, source_name: str) -> str:
    """What an import of minutes did."""
    lines = [f"从 {source_name} 导入会议议定事项 {len(result.created)} 项："]
    for c in result.created:
        co = f"，{'、'.join(c.co)}配合" if c.co else ""
        lines.append(f"  {c.ref} {c.title}（{'、'.join(c.lead)}牵头{co}；时限{cn_date(c.due)}）")
    if result.changed:
        lines.append(f"已修改 {len(result.changed)} 项：")
        lines += [f"  {c}" for c in result.changed]
    if result.skipped:
        lines.append(f"已导入过、跳过 {len(result.skipped)} 项：{'、'.join(result.skipped)}")
    return "\n".join(lines)


def confirmed(result: MinutesResult, source_name: str) -> str:
    """The card once 确认 is tapped: the details, then the line a WeCom card keeps as its new label."""
    head, _, details = summary(result, source_name).partition("\n")
    return f"{details}\n✅ {head.rstrip('：')}" if details else f"✅ {head.rstrip('：')}"

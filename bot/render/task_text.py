"""Wording for tasks and who owns them."""

from __future__ import annotations

ROLE_CN = {"lead": "牵头", "co": "配合"}
STATUS_CN = {"done": "已完成", "in_progress": "推进中", "blocked": "有困难", "not_started": "未开始", "note": "进展说明"}


def unit_tasks(data: dict) -> str:
    tasks = data["tasks"]
    if data["unit"] is None:
        return "\n".join(f"{t['ref']}. {t['title']}（牵头：{'、'.join(t['lead']) or '未列'}）" for t in tasks) or "没有任务。"
    name = data["unit"]
    if not tasks:
        which = {"lead": "牵头的", "co": "配合的"}.get(data.get("role") or "", "")
        return f"{name}目前没有{which}任务。"
    lines = []
    for role in ("lead", "co"):
        group = [t for t in tasks if t.get("role") == role]
        if group:
            lines.append(f"{name}{ROLE_CN[role]}的任务（{len(group)}项）：")
            lines += [f"  第{t['ref']}项 {t['title']}" for t in group]
    return "\n".join(lines)


def task_full(r: dict) -> str:
    lines = [f"第{r['ref']}项 {r['title']}" + ("（已从计划中删除）" if r.get("removed") else "")]
    if r.get("section"):
        lines.append(f"所属：{r['section']}")
    lines.append(f"牵头：{'、'.join(r['lead']) or '未列责任单位'}")
    if r["co"]:
        lines.append(f"配合：{'、'.join(r['co'])}")
    for d in r["deadlines"]:
        if d.get("kind") == "ongoing":
            lines.append(f"时限：长期坚持（每月填报进展）— {d['text']}")
            continue
        mark = "" if d["certain"] or d["confirmed"] else "（估计，待确认）"
        lines.append(f"时限：{d['date'] or '长期'} {d['text']}{mark}")
    if r.get("objective"):
        lines.append(f"目标任务：{r['objective']}")
    if r.get("measures"):
        lines.append(f"工作措施：{r['measures']}")
    latest = r.get("latest")
    if latest:
        pct = f" {latest['percent']}%" if latest.get("percent") is not None else ""
        note = f"：{latest['note']}" if latest.get("note") else ""
        lines.append(f"最新进展：{STATUS_CN.get(latest['status'], latest['status'])}{pct}{note}（{latest['at'][:16]}）")
    else:
        lines.append("最新进展：尚未反馈")
    return "\n".join(lines)

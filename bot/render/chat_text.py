"""Wording of chat answers: help, onboarding, who and progress, task lists, the board."""

from __future__ import annotations

from datetime import date, tzinfo

from bot.render.task_text import LIGHT_EMOJI, LIGHT_LABEL, cn_date, light_cn, local_stamp, nth, report_text
from bot.services.board import OfficeLights, TaskLight
from bot.services.offices import PlanRow
from bot.services.tasks import ReportLine

QUESTIONS_HELP = """督办助手可以这样用（直接打字提问即可）：
· 单位：“教研室”“安全办负责什么”“安全办牵头哪些、配合哪些”“本单位的任务”“人事股和督导室都参与的”
· 事项：“营养餐是哪个股室的”“义务教育均衡归谁管”“第12项谁负责”“第12项进展如何”
· 筛选和统计：“人事股牵头还没完成的”“有困难的任务”“办公室牵头多少项”“哪些单位还没报”
· 时间：“这周到期的”“10天内到期的”“本月到期的”“逾期的”“还没反馈的”“看板”
· 反馈：“12 已办结”“第12项正在推进 50% 说明”
· 延期：“第12项申请延期到10月31日 设备未到货”（提交管理员审批）"""

ANSWER_HELP = """· 收到提醒时点按钮一键反馈，或直接回复提醒消息填写进展说明。
  状态：已完成 / 推进中 / 有困难 / 未开始，例：/report 25 推进中 60% 已完成隐患排查"""

ONBOARDING = ("您好，我是督办助手。本聊天还没有绑定单位，暂时不能查看计划或反馈进展。\n"
              "请向办公室（督导室）索取邀请码，然后发送：/start 邀请码")


def help_text(user_lines: list[str], admin_lines: list[str] | None = None) -> str:
    """/help: the kinds of question, the command lines from the command table, then admin commands."""
    text = "\n".join([QUESTIONS_HELP, *user_lines, ANSWER_HELP])
    if admin_lines:
        text += "\n\n管理员命令：\n" + "\n".join([*admin_lines, ADMIN_WORDS_HELP])
    return text


ADMIN_WORDS_HELP = ("· 也可直接打字：催办“第12项催一下”“提醒职教办”；审批“批准第12项延期”“驳回延期申请”；"
                    "改时限“第12项时限改为10月31日”；“导出台账”“起草通报”")


def who_text(ref: str, title: str, lead: list[str], co: list[str]) -> str:
    if not lead and not co:
        return f"{nth(ref)}「{title}」没有列出责任单位。"
    text = f"{nth(ref)}「{title}」\n牵头：{'、'.join(lead) or '未列'}"
    if co:
        text += f"\n配合：{'、'.join(co)}"
    return text


def progress_text(ref: str, title: str, reports: list[ReportLine], light: TaskLight | None, *, tz: tzinfo) -> str:
    """One task's light, its last three reports (newest first, in the office's dates) and its deadline."""
    lines = [f"{nth(ref)}「{title}」" + (f"　{light_cn(light.light)}" if light else "")]
    reports = reports[-3:]
    if not reports:
        lines.append("尚未收到任何进展反馈。")
    for r in reversed(reports):
        lines.append(f"· {local_stamp(r.at, tz, '%Y-%m-%d')} {report_text(r)}")
    if light and (light.next_deadline or light.overdue_since):
        lines.append(f"时限：{cn_date(light.overdue_since or light.next_deadline)}")
    return "\n".join(lines)


def unknown_command(name: str) -> str:
    return f"不认识的命令 /{name}。发送 /help 查看可用命令。"


NOT_UNDERSTOOD = "没听懂这句话。可以问“安全办负责什么”“第12项进展如何”，或发送 /help 查看用法。"
ADMIN_ONLY = "只有管理员可以使用这个命令。"
ERROR = "抱歉，处理这条消息时出错了，请稍后再试。"


def light_line(t: TaskLight) -> str:
    dl = f"，时限{cn_date(t.overdue_since or t.next_deadline)}" if (t.overdue_since or t.next_deadline) else ""
    return f"{LIGHT_EMOJI[t.light]} {nth(t.ref)} {t.title}（牵头：{'、'.join(t.lead) or '未列'}{dl}）"


def plans_text(rows: list[PlanRow], current_id: int | None) -> str:
    """/plans: each plan with the short name to use in "安全生产第3项" or "/task 安全生产 3"."""
    if not rows:
        return "还没有导入任何工作计划。"
    lines = ["本单位的计划（问“简称第N项”或 /task 简称 N）："]
    for r in rows:
        mark = "　← 当前" if r.id == current_id else ""
        lines.append(f"· {r.short_name}：《{r.title}》{r.period}，{r.tasks} 项，{r.state}{mark}")
    return "\n".join(lines)


def board_text(lights: list[TaskLight], today: date, *, plan: str = "") -> str:
    counts = {k: sum(t.light == k for t in lights) for k in LIGHT_LABEL}
    which = f"·{plan}" if plan else ""
    head = (f"督办看板{which}（{cn_date(today)}）：共 {len(lights)} 项　"
            + "　".join(f"{light_cn(k)} {counts[k]}" for k in ("red", "yellow", "green", "review", "done", "unowned")))
    lines = [head]
    for k in ("red", "yellow", "unowned"):
        group = [t for t in lights if t.light == k]
        if group:
            lines.append(f"{light_cn(k)}：")
            lines += ["  " + light_line(t) for t in group]
    return "\n".join(lines)


def light_list(title: str, lights: list[TaskLight], empty: str) -> str:
    if not lights:
        return empty
    return "\n".join([f"{title}（{len(lights)}项）："] + ["  " + light_line(t) for t in lights])


def light_lists(title: str, sections: list[tuple[str, list[TaskLight]]], empty: str) -> str:
    """One list over several plans: "【安全生产】" before each plan's tasks (none when the heading is "")."""
    total = sum(len(lights) for _head, lights in sections)
    if not total:
        return f"【{sections[0][0]}】{empty}" if len(sections) == 1 and sections[0][0] else empty
    lines = [f"{title}（{total}项）："]
    for head, lights in sections:
        if lights and head:
            lines.append(f"【{head}】")
        lines += ["  " + light_line(t) for t in lights]
    return "\n".join(lines)


def rollup_text(rows: list[OfficeLights]) -> str:
    """A parent office's view of the offices it follows."""
    lines = ["下级办公室："]
    for r in rows:
        total = sum(r.counts.values())
        parts = "　".join(f"{LIGHT_EMOJI[k]}{r.counts[k]}" for k in ("red", "yellow", "green", "review", "done", "unowned"))
        lines.append(f"· {r.office}：{r.plans} 份计划，{total} 项　{parts}")
    return "\n".join(lines)

"""Wording of the answers to plain-words questions: topic matches, filtered lists, counts, ask-backs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot.render.task_text import cn_date

MAX_LINES = 20  # longer lists are cut with a note; a chat is not a spreadsheet
MAX_CARDS = 5


@dataclass(frozen=True)
class Line:
    """One task as an answer lists it: "第7项" (or "安全生产第3项"), title, owners, an optional date/status."""

    label: str
    title: str
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    due: date | None = None
    status: str = ""
    plan: str = ""  # the plan's short name when the office runs several: lists head each plan's tasks with it


def _owners(line: Line, with_co: bool) -> str:
    text = f"牵头：{'、'.join(line.lead) or '未列'}"
    if with_co and line.co:
        text += f"；配合：{'、'.join(line.co)}"
    return text


def line_text(line: Line, *, with_co: bool = False) -> str:
    extra = [_owners(line, with_co)]
    if line.due is not None:
        extra.append(f"时限{cn_date(line.due)}")
    if line.status:
        extra.append(line.status)
    return f"  {line.label} {line.title}（{'，'.join(extra)}）"


def _headed(lines: list[Line], render) -> list[str]:
    """Each line rendered, with "  【安全生产】" before each plan's run when the lines name their plans; a line
    under its plan's heading drops the plan from its label."""
    out: list[str] = []
    plan = None
    for x in lines:
        if x.plan and x.plan != plan:
            out.append(f"  【{x.plan}】")
        plan = x.plan
        out.append(render(replace(x, label=x.label.removeprefix(x.plan)) if x.plan else x))
    return out


def _lines(lines: list[Line], *, with_co: bool = False) -> list[str]:
    out = _headed(lines[:MAX_LINES], lambda x: line_text(x, with_co=with_co))
    if len(lines) > MAX_LINES:
        out.append(f"  ……另有{len(lines) - MAX_LINES}项，请加上单位、状态或时间缩小范围。")
    return out


def card(line: Line) -> str:
    """A task with its lead and co-units on their own lines."""
    text = f"{line.label}「{line.title}」\n牵头：{'、'.join(line.lead) or '未列'}"
    if line.co:
        text += f"\n配合：{'、'.join(line.co)}"
    if line.status:
        text += f"\n进展：{line.status}"
    return text


def topic_answer(topic: str, lines: list[Line]) -> str:
    """Tasks about a topic, best match first, each with its lead and co-units."""
    if not lines:
        return f"没有找到与“{topic}”相关的任务。"
    head = f"与“{topic}”相关的任务（{len(lines)}项，最相关的在前）：" if len(lines) > 1 else f"与“{topic}”相关的任务："
    cards = [card(x) for x in lines[:MAX_CARDS]]
    tail = [f"……另有{len(lines) - MAX_CARDS}项相关度较低：" + "、".join(x.label for x in lines[MAX_CARDS:12])] \
        if len(lines) > MAX_CARDS else []
    return "\n\n".join([head, *cards, *tail])


def unit_owns(name: str, led: list[Line], co: list[Line], role: str | None = None) -> str:
    """What one unit leads and supports, in the wording of /owns."""
    if not led and not co:
        which = {"lead": "牵头的", "co": "配合的"}.get(role or "", "")
        return f"{name}目前没有{which}任务。"
    return "\n".join(line for word, group in (("牵头", led), ("配合", co)) if group
                     for line in _group(f"{name}{word}的任务", group))


def leader_owns(name: str, lines: list[Line]) -> str:
    """The tasks a leader is named on (牵头领导)."""
    if not lines:
        return f"{name}目前没有牵头领导的任务。"
    return "\n".join(_group(f"{name}牵头领导的任务", lines))


def _group(head: str, lines: list[Line]) -> list[str]:
    """ "安全办牵头的任务（N项）：" and the first MAX_LINES tasks, then how many more."""
    out = [f"{head}（{len(lines)}项）：", *_headed(lines[:MAX_LINES], lambda x: f"  {x.label} {x.title}")]
    if len(lines) > MAX_LINES:
        out.append(f"  ……另有{len(lines) - MAX_LINES}项")
    return out


def filtered(description: str, lines: list[Line]) -> str:
    """ "人事股牵头、未完成：3项" and the list."""
    if not lines:
        return f"{description}：没有任务。"
    return "\n".join([f"{description}：{len(lines)}项", *_lines(lines, with_co=True)])


def counted(n: int, description: str, lines: list[Line]) -> str:
    """The number first, then what was counted and the tasks."""
    head = f"共{n}项（{description}）。"
    if not lines:
        return head
    return "\n".join([head, *_lines(lines)])


def counted_units(n: int, description: str, names: list[str]) -> str:
    return f"共{n}个单位（{description}）" + (f"：{'、'.join(names)}" if names else "。")


def units_of(description: str, names: list[str]) -> str:
    """Which units a filter names (哪些单位还没报)."""
    if not names:
        return f"{description}：没有单位。"
    return f"{description}的单位（{len(names)}个）：{'、'.join(names)}"


def due_list(description: str, lines: list[Line]) -> str:
    if not lines:
        return f"{description}的任务：没有。"
    return "\n".join([f"{description}的任务（{len(lines)}项）：", *_lines(lines)])


def units_list(rows: list[tuple[str, int, int]]) -> str:
    """Every unit with how many tasks it leads and supports."""
    out = [f"共{len(rows)}个单位（牵头/配合项数）："]
    out += [f"  {name}　牵头{lead}项、配合{co}项" for name, lead, co in rows]
    return "\n".join(out)


def ask_back(labels: list[str]) -> str:
    """"你是说：1 第7项… 2 第25项…"."""
    return "你是说：\n" + "\n".join(f"{i} {label}" for i, label in enumerate(labels, 1)) + "\n请点选一项。"


def nothing_found(text: str, labels: list[str]) -> str:
    """Nothing matched: say so and offer the closest units or tasks."""
    shown = text if len(text) <= 20 else text[:20] + "…"
    head = f"没有找到与“{shown}”对应的单位或任务。"
    if labels:
        return head + "你是不是要找：\n" + "\n".join(f"{i} {x}" for i, x in enumerate(labels, 1))
    return head + EXAMPLES


EXAMPLES = ("可以这样问：“安全办负责什么”“营养餐归谁管”“人事股牵头还没完成的”“本周到期的”“第12项进展如何”，"
            "或发送 /help 查看用法。")


def weak_unit(typed: str, name: str) -> str:
    return f"没有找到单位“{typed}”。你是不是要找：{name}？以下按“{name}”回答：\n"


def plan_closed(title: str, short: str) -> str:
    """A closed plan named in a list question: what it still answers."""
    return (f"《{title}》已关闭，不再提醒，记录仍在。可以问其中某一项，如“{short}第1项进展如何”，"
            f"或发送 /board {short}、/overdue {short}。")


NEED_OWN_UNIT = "本聊天没有绑定单位，请写出要查的单位，例如“安全办的任务”“人事股牵头哪些”。"
NO_PLAN = "还没有导入工作计划。"


def report_needs_status(label: str) -> str:
    return f"请写明{label}的状态：已完成 / 推进中 / 有困难 / 未开始，例如“{label}推进中 60% 主体已完工”。"


def report_needs_ref(status: str) -> str:
    return f"请写明是哪一项任务{status}，例如“12 {status}”或“第12项{status}”。"

"""Wording for 督办 items: the new item, item lists, an item's own facts."""

from __future__ import annotations

from datetime import date, tzinfo

from bot.render.task_text import cn_date, local_stamp
from bot.services.items import ItemCreated, ItemRow, ItemSpec
from bot.services.itemview import ItemView
from storage.models import ItemInfo


def created(item: ItemCreated) -> str:
    """What `duban task add` and the chat's 确认 answer: the new ref first."""
    co = f"，{'、'.join(item.co)}配合" if item.co else ""
    return (f"已创建督办事项 {item.ref}：{item.title}\n"
            f"来源：{item.source}；{'、'.join(item.lead)}牵头{co}；办理时限：{cn_date(item.due)}")


def created_card(item: ItemCreated) -> str:
    """The draft card once confirmed: its details, then the line a WeCom card keeps as its new label."""
    head, details = created(item).split("\n", 1)
    return f"{details}\n✅ {head}"


def item_list(rows: list[ItemRow], source: str | None, open_only: bool, unit: str = "") -> str:
    """`duban tasks --source` and "批示件有哪些还没办完": one line per item."""
    whose = f"{unit}承办的" if unit else ""
    if not rows:
        which = f"{source}" if source else ""
        return f"没有{whose}{'未办结的' if open_only else ''}{which}督办事项。"
    lines = [f"{whose}{'未办结的' if open_only else ''}{source or ''}督办事项（{len(rows)}项）："]
    for r in rows:
        state = "已办结" if r.done else f"时限{cn_date(r.due)}"
        lines.append(f"  {r.ref} {r.title}（{r.source}；牵头：{'、'.join(r.lead)}；{state}）")
    return "\n".join(lines)


def facts(info: ItemInfo) -> list[str]:
    """The lines `duban task` and /task add for an item."""
    lines = [f"来源：{info.source}" + ("（急件）" if info.urgent else "")]
    if info.instructed_by or info.instruction:
        who = f"{info.instructed_by}：" if info.instructed_by else ""
        lines.append(f"交办意见：{who}{info.instruction or '（未录入原文）'}")
    if info.assigned_on:
        lines.append(f"交办日期：{cn_date(info.assigned_on)}")
    return lines


def detail(item: ItemView, *, tz: tzinfo) -> str:
    """The item part of `duban task 批示3` and /task: its facts, then each leader's instruction."""
    lines = [f"编号：{item.ref}", *facts(item.info)] if item.info else []
    for x in item.instructions:
        due = f"（时限{cn_date(x.due)}）" if x.due else ""
        lines.append(f"领导批示 {local_stamp(x.at, tz, '%m-%d %H:%M')} {x.author}：{x.words}{due}")
    return "\n".join(lines)


NOT_ALLOWED = "只有管理员或已绑定的领导可以交办督办事项。"
NO_LEAD = "没有读出牵头单位，未创建督办事项。请写明“某某牵头”，如：交办：10月底前完成校舍安全排查，安全办牵头。"
NO_TITLE = "没有读出要办的事项，未创建督办事项。请写明做什么，如：交办：10月底前完成校舍安全排查，安全办牵头。"
EDIT = "好的，这份草稿已作废。请直接发送修改后的完整内容，如：交办：10月底前完成校舍安全排查，安全办牵头，基教股配合。"
CANCELLED = "已取消，没有创建督办事项。"


def bad_date(words: str) -> str:
    """The one line for a time limit no calendar has ("2月30日")."""
    return f"“{words}”不是有效的日期，未创建督办事项。请改正日期后重新发送，如：交办：10月31日前完成校舍安全排查，安全办牵头。"


def card(spec: ItemSpec, *, unknown: list[str], due_text: str, minutes: int) -> str:
    """The confirmation card of a draft item: what was understood, and what must be answered first."""
    lines = ["请核对这项督办事项：", f"事项：{spec.title}", f"来源：{spec.source}" + ("（急件）" if spec.urgent else "")]
    if spec.instructed_by:
        lines.append(f"交办人：{spec.instructed_by}")
    lines.append(f"牵头：{'、'.join(spec.lead)}")
    if spec.co:
        lines.append(f"配合：{'、'.join(spec.co)}")
    if spec.due:
        said = f"（原文：{due_text}）" if due_text else "（未写时限，按来源默认）"
        lines.append(f"办理时限：{cn_date(spec.due)}{said}")
    if unknown:
        names = "、".join(f"“{u}”" for u in unknown)
        lines.append(f"文中的{names}不是本办公室的单位（不会新建单位）。请点“修改”后改写为已有单位重新发送，或取消。")
    else:
        lines.append(f"确认后创建；{minutes}分钟内未确认则作废。")
    return "\n".join(lines)


OFFICE = "督办办公室"  # whose words the office records when it names no leader and its sender has no name


def instruction_notice(leader: str, ref: str, title: str, words: str, due: date | None, *,
                       leader_hears: bool = True) -> str:
    """What the units and the office get when a leader writes on a task (or the office records it)."""
    limit = f"\n时限：{cn_date(due)}（已列为该事项的时限）" if due else ""
    back = "（领导会收到反馈）" if leader_hears else ""
    return f"【领导批示】{leader}对{ref}「{title}」批示：\n{words}{limit}\n请抓紧落实，并在本聊天反馈进展{back}。"


def instruction_answer(ref: str, units: list[str], due: date | None, due_text: str, ack: bool, *, author: str = "",
                       hears: str = "您") -> str:
    """The answer to whoever wrote it: who the words went to, who hears the next report, the deadline they set.
    `author` "" is the writer ("您"); `hears` "" when no bound leader waits for the report."""
    whose = author or "您"
    if ack:
        return f"已记录{whose}对{ref}的批示（阅示，不另行通知）。"
    who = "、".join(units) or "（该事项尚未列责任单位）"
    line = f"已将{whose}对{ref}的批示转给{who}和督办办公室；"
    line += f"{ref}下次有反馈时会转给{hears}。" if hears else "该领导未绑定聊天，反馈不另转。"
    if due:
        line += f"\n批示中的“{due_text}”已设为{ref}的时限：{cn_date(due)}。"
    return line

"""Wording for 督办 items: the new item, item lists, an item's own facts."""

from __future__ import annotations

from datetime import tzinfo

from bot.render.task_text import cn_date, local_stamp
from bot.services.items import ItemCreated, ItemRow
from bot.services.itemview import ItemView
from storage.models import ItemInfo


def created(item: ItemCreated) -> str:
    """What `duban task add` and the chat's 确认 answer: the new ref first."""
    co = f"，{'、'.join(item.co)}配合" if item.co else ""
    return (f"已创建督办事项 {item.ref}：{item.title}\n"
            f"来源：{item.source}；{'、'.join(item.lead)}牵头{co}；办理时限：{cn_date(item.due)}")


def item_list(rows: list[ItemRow], source: str | None, open_only: bool) -> str:
    """`duban tasks --source`: one line per item."""
    if not rows:
        which = f"{source}" if source else ""
        return f"没有{'未办结的' if open_only else ''}{which}督办事项。"
    lines = [f"督办事项（{len(rows)}项）："]
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
    lines = [f"编号：{item.ref}", *facts(item.info)]
    for x in item.instructions:
        due = f"（时限{cn_date(x.due)}）" if x.due else ""
        lines.append(f"领导批示 {local_stamp(x.at, tz, '%m-%d %H:%M')} {x.author}：{x.words}{due}")
    return "\n".join(lines)

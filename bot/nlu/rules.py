"""The declarative table of the language layer: which slots found in a message make which kind of answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.nlu.model import Filter, Focus, Kind, Understanding


@dataclass(frozen=True)
class Rule:
    """One row of the table: the answer kind when every `needs` slot is there and no `without` slot is."""

    kind: Kind
    needs: frozenset[str] = frozenset()
    without: frozenset[str] = frozenset()
    any_of: frozenset[str] = frozenset()

    def fits(self, slots: set[str]) -> bool:
        """Whether this row applies to the slots found."""
        return (self.needs <= slots and not (self.without & slots)
                and (not self.any_of or bool(self.any_of & slots)))


def _r(kind: Kind, needs: str = "", without: str = "", any_of: str = "") -> Rule:
    return Rule(kind, frozenset(needs.split()), frozenset(without.split()), frozenset(any_of.split()))


FILTERS = "status overdue unreported window"
# The first row that fits wins. Slot names: see _slots().
RULES: tuple[Rule, ...] = (
    _r(Kind.HELP, "help"),
    _r(Kind.NUDGE, "nudge", any_of="ref unit"),
    _r(Kind.DEFER, "defer"),  # before REPORT: a report typed with a request is recorded with it (bot.chat.ask)
    _r(Kind.REPORT, "report"),
    _r(Kind.OWNS, "owns"),  # /owns, /mine
    _r(Kind.PROGRESS, "ref progress"),
    _r(Kind.WHO, "ref who"),
    _r(Kind.PROGRESS, "ref count"),
    _r(Kind.TASK_DETAIL, "ref"),
    _r(Kind.COUNT, "count"),
    _r(Kind.BOARD, "board", "unit topic"),
    _r(Kind.UNITS, "units_list", f"unit topic {FILTERS}"),
    _r(Kind.OVERDUE, "overdue", "unit topic window status unreported"),
    _r(Kind.UNREPORTED, "unreported", "unit topic window status overdue"),
    _r(Kind.DUE, "window", "unit topic status overdue unreported"),
    _r(Kind.LIST_FILTERED, any_of=FILTERS),
    _r(Kind.WHO, "topic who", "unit"),
    _r(Kind.PROGRESS, "topic progress", "unit"),
    _r(Kind.PROGRESS, "unit progress"),
    _r(Kind.OWNS, "unit"),
    _r(Kind.TASK_DETAIL, "topic content"),
    _r(Kind.TOPIC, "topic"),
    _r(Kind.BOARD, "progress"),
)

# Slash commands: name → the slots they stand for.
SLASH: dict[str, frozenset[str]] = {
    name: frozenset(slots.split())
    for names, slots in (
        (("report", "rp", "r", "汇报", "报告", "上报"), "report"),
        (("task", "t", "show", "查看", "任务"), "content"),
        (("who", "谁"), "who"),
        (("progress", "p", "进展", "进度"), "progress"),
        (("owns", "own", "unit"), "owns"),
        (("mine", "my", "我的"), "owns own"),
        (("due", "到期"), "due"),
        (("overdue", "逾期"), "overdue"),
        (("silent", "unreported", "未报"), "unreported"),
        (("board", "看板"), "board"),
        (("help", "帮助", "h"), "help"),
        (("count", "统计"), "count"),
        (("units", "单位"), "units_list"),
        (("topic", "search", "find", "搜索", "查找"), "topic_forced"),
    )
    for name in names
}



def slots_of(u: Understanding, tags: dict[str, list[int]], forced: frozenset[str], who: bool) -> set[str]:
    slots = set(forced)
    slots.discard("who")
    if u.report is not None:
        slots.add("report")
    if u.refs:
        slots.add("ref")
    if u.units or u.needs_own_unit:
        slots.add("unit")
    if u.topic:
        slots.add("topic")
    if u.window is not None:
        slots.add("window")
    if Filter.OVERDUE in u.filters:
        slots.add("overdue")
    if Filter.UNREPORTED in u.filters:
        slots.add("unreported")
    if set(u.filters) - {Filter.OVERDUE, Filter.UNREPORTED}:
        slots.add("status")
    if u.count:
        slots.add("count")
    if who or "who" in forced:
        slots.add("who")
    if u.focus is Focus.PROGRESS:
        slots.add("progress")
    if u.focus in (Focus.CONTENT, Focus.DEADLINE):
        slots.add("content")
    for tag in ("board", "units_list", "defer", "nudge"):
        if tag in tags:
            slots.add(tag)
    return slots


# A message that is only a request for help, or a how-to question about the bot itself.
HELP = re.compile(r"(?:帮助|help|怎么用|如何使用|使用说明|使用方法|菜单|说明|用法|指令|命令|功能|\?|"
                   r"你能做什么|能做什么|你会什么|你能干什么|能干啥|怎么问|start)")
# "怎么反馈进展", "如何申请延期", "怎样绑定": how to use the bot, not a question about the plan.
HOW_TO = re.compile(r"(?:请问|想问一下|想问|问一下)?(?:我|我们|本单位)?(?:该|要|应该|应当|需要)?(?:怎么|如何|怎样|咋|怎么样)"
                     r"(?:才能|才可以|可以|能)?(?:反馈|汇报|上报|报送|填报|报|更新|提交|申请|延期|绑定|使用|用|提问|问|查询|查|"
                     r"操作|回复|设置|导入|上传|导出|下载|取消|解绑)[\u3400-\u9fff\w]{0,8}[?？吗呢啊]*|how (?:do|can|to) .*")

"""Wording of reminders, escalations, check-ins and digests, and the buttons they carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.notify import ALL_CAPS, Button, Cap, OutboundMessage
from bot.reminders.policy import Reminder
from bot.render.task_text import ROLE_CN, STATUS_CN, cn_date, plan_ref
from bot.services.buttons import Action, sign

STATUS_BUTTONS = (("已完成", "done"), ("推进中", "in_progress"), ("有困难", "blocked"))
# How to answer, by what the channel can do: a WeCom app message carries no reply-to, and a group
# robot neither shows buttons nor hears answers.
_HINTS = {
    (True, True): "点下方按钮一键反馈，或直接回复本消息填写进展说明。",
    (True, False): "点下方按钮一键反馈，或发送“/report 编号 状态 说明”填写进展。",
    (False, True): "直接回复本消息填写进展说明，或发送“/report 编号 状态 说明”。",
    (False, False): "请在督办助手中点按钮或发送“/report 编号 状态 说明”反馈进展。",
}


def answer_hint(caps: frozenset[Cap]) -> str:
    """The line telling the reader how to answer, for a channel with `caps`."""
    return _HINTS[(Cap.BUTTONS in caps, Cap.REPLY in caps)]
KIND_HEAD = {
    "upcoming": "【督办提醒】",
    "due": "【今日到期】",
    "overdue": "【逾期提醒】",
    "escalation": "【督办升级】",
    "checkin": "【进展填报】",
    "digest": "【督办汇总】",
}


@dataclass(frozen=True)
class Said:
    """What the reminded unit last said on the task (any member, any chat): its day, status, percent and note."""

    on: date
    status: str
    percent: int | None = None
    note: str = ""

    def words(self) -> str:
        """"推进中 60%，已完成隐患排查"; a plain note is its words."""
        head = "" if self.status == "note" else STATUS_CN.get(self.status, self.status)
        if head and self.percent is not None:
            head += f" {self.percent}%"
        return "，".join(x for x in (head, self.note.strip()) if x)


def said_line(said: Said | None) -> str:
    """"本单位已于12月3日反馈：推进中 60%，已完成隐患排查。如有新进展请更新。", or ""."""
    if said is None:
        return ""
    return f"本单位已于{said.on.month}月{said.on.day}日反馈：{said.words()}。如有新进展请更新。"


@dataclass
class TaskInfo:
    title: str
    ref: str
    lead_names: list[str]
    # For the lead's reminders: the co-units that have / have not reported on the task since the
    # reminder period began (the sweep fills these; see jobs.sweep.co_feed). Both empty: no co-units.
    co_reported: list[str] = field(default_factory=list)
    co_pending: list[str] = field(default_factory=list)
    plan: str = ""  # the plan's short name, where its office runs several plans ("安全生产第3项")
    said: Said | None = None  # what the unit already said in this reminder's period (bot.reminders.said)
    item_word: str = ""  # a 督办 item's plan's short name ("会议"): the item is "会议1"

    @property
    def label(self) -> str:
        """"第12项", "安全生产第3项" when the plan must be named, "会议1" for a 督办 item."""
        return plan_ref(self.plan, self.ref, item_word=self.item_word)


def co_feed(task: TaskInfo) -> str:
    """"配合单位已反馈：人事股；尚未反馈：计财股。" for the lead; "" for a task without co-units."""
    done, pending = "、".join(task.co_reported), "、".join(task.co_pending)
    if not (done or pending):
        return ""
    if not pending:
        return f"配合单位均已反馈（{done}）。"
    if not done:
        return f"配合单位尚未反馈：{pending}。"
    return f"配合单位已反馈：{done}；尚未反馈：{pending}。"


def _co_feed_short(task: TaskInfo) -> str:
    """The same in a digest line."""
    if task.co_pending:
        return f"；配合单位未反馈：{'、'.join(task.co_pending)}"
    return "；配合单位均已反馈" if task.co_reported else ""


def status_buttons(key: bytes, task_id: int) -> list[list[Button]]:
    """The one-tap answers every reminder carries."""
    row1 = [Button(label, sign(key, Action.STATUS, task_id, code)) for label, code in STATUS_BUTTONS]
    row2 = [
        Button("申请延期", sign(key, Action.DEFER, task_id)),
        Button("稍后提醒", sign(key, Action.SNOOZE, task_id)),
    ]
    return [row1, row2]


def _when(r: Reminder) -> str:
    if r.kind == "due":
        return "今天到期"
    if r.workdays_left < 0:
        return f"已逾期 {-r.workdays_left} 个工作日"
    return f"还有 {r.workdays_left} 个工作日"


def line(r: Reminder, task: TaskInfo, unit_name: str, deadline_text: str) -> str:
    """One reminder in one line, for digests and the simulate timeline."""
    role = ROLE_CN.get(r.role, r.role)
    feed = _co_feed_short(task) if r.role == "lead" else ""
    if task.said is not None:
        feed += f"；本单位{task.said.on.month}月{task.said.on.day}日已反馈：{task.said.words()}"
    if r.kind == "checkin":
        return f"{task.label}「{task.title}」（{role}）：本月请反馈进展{feed}"
    dl = f"（{deadline_text}）" if deadline_text else ""
    return f"{task.label}「{task.title}」（{role}）：时限{cn_date(r.deadline)}{dl}，{_when(r)}{feed}"


def render(r: Reminder, *, task: TaskInfo | None, unit_name: str, deadline_text: str, key: bytes,
           items: list[str] | None = None, caps: frozenset[Cap] = ALL_CAPS) -> OutboundMessage:
    """One reminder as a message for a channel that can do `caps`."""
    hint = answer_hint(caps)
    head = KIND_HEAD[r.kind]
    if r.kind == "digest":
        body = "\n".join(f"{i}. {text}" for i, text in enumerate(items or [], 1))
        text = (f"{head}{unit_name}近期有 {len(items or [])} 项任务需要关注：\n{body}\n"
                "反馈进展：发送“/report 编号 状态 说明”，如 /report 12 推进中 已完成主体工程。")
        return OutboundMessage(text=text, title=f"{unit_name}督办汇总")
    assert task is not None and r.task_id is not None
    dl = f"（{deadline_text}）" if deadline_text else ""
    if r.kind == "escalation":
        text = (f"{head}{task.label}「{task.title}」\n牵头单位：{'、'.join(task.lead_names)}，"
                f"时限{cn_date(r.deadline)}{dl}，{_when(r)}，尚未反馈完成。请督促落实。"
                + ("\n（本项不再单独升级提醒，此后列入每周督办周报。）" if r.final else ""))
        return OutboundMessage(text=text, title="督办升级")
    said = _line(said_line(task.said))  # the unit has spoken: the reminder says so and asks what is new
    if r.kind == "checkin":
        text = (f"{head}{task.label}「{task.title}」\n贵单位（{unit_name}）牵头，本月请反馈工作进展。\n"
                + said + _line(co_feed(task)) + hint)
    elif r.role == "co":
        text = (f"{head}{task.label}「{task.title}」\n贵单位（{unit_name}）配合，牵头单位：{'、'.join(task.lead_names)}。"
                f"请于{cn_date(r.deadline)}前向牵头单位报送配合情况（{_when(r)}）。\n"
                + said + hint)
    else:
        text = (f"{head}{task.label}「{task.title}」\n贵单位（{unit_name}）牵头，时限{cn_date(r.deadline)}{dl}，"
                f"{_when(r)}。\n" + said + _line(co_feed(task))
                + ("这是本项最后一次逾期提醒，此后列入每周督办周报，由督导室跟进。\n" if r.final else "") + hint)
    buttons = status_buttons(key, r.task_id) if Cap.BUTTONS in caps else []
    return OutboundMessage(text=text, title=f"{task.label}督办", buttons=buttons)


def _line(text: str) -> str:
    return text + "\n" if text else ""

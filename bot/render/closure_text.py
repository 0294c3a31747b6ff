"""Wording of the closing loop: 申请办结, the review card, 通过 (已销号) and 退回, and the record shown."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.render.task_text import local_stamp, nth

NOT_REVIEWER = "只有管理员或督导室可以审核办结申请，未做任何修改。"
RETURN_NEEDS_REASON = "退回须写明原因，例如：/review return 12 佐证材料不全，请补充验收报告"
NONE_PENDING = "没有待审核的办结申请。"


def not_pending(ref: str) -> str:
    return f"{nth(ref)}没有待审核的办结申请（可能已审核过），未做任何修改。"


def applied_line(who: str, at: datetime, tz: tzinfo) -> str:
    """What the lead unit is told when its 已完成 becomes a 申请办结."""
    return f"📨 已提交办结申请（{who} {local_stamp(at, tz, '%m-%d %H:%M')}），等待办公室审核；审核期间暂停提醒。"


def review_card(ref: str, title: str, unit: str, report: str, evidence: int) -> str:
    """The card reviewers get: who asks to close what, with the 办结报告 and how much 佐证 backs it."""
    lines = [f"【办结审核】{nth(ref)}「{title}」", f"{unit}申请办结。"]
    lines.append(f"办结报告：{report}" if report else "办结报告：（未填写说明）")
    lines.append(f"佐证材料：{evidence}份" if evidence else "佐证材料：无")
    return "\n".join(lines)


def review_reminder(lines: list[str]) -> str:
    """The reviewers' reminder of requests left unreviewed."""
    return "【办结审核提醒】以下办结申请尚未审核，请处理：\n" + "\n".join(lines)


def pending_line(ref: str, title: str, unit: str, applied: datetime | None, tz: tzinfo) -> str:
    when = local_stamp(applied, tz, "%m-%d %H:%M") if applied else ""
    return f"{nth(ref)}「{title}」　{unit}　{when}".rstrip()


def passed_notice(ref: str, title: str) -> str:
    return f"✅ {nth(ref)}「{title}」办结申请已审核通过，已销号。"


def returned_notice(ref: str, title: str, reason: str) -> str:
    return f"↩️ {nth(ref)}「{title}」办结申请被退回，恢复为推进中。退回原因：{reason}\n请继续推进，完成后再次申请办结。"


def passed_line(ref: str) -> str:
    return f"已通过{nth(ref)}的办结申请，已销号并通知相关单位。"


def returned_line(ref: str, reason: str) -> str:
    return f"已退回{nth(ref)}的办结申请（原因：{reason}），已通知牵头单位。"


def ask_reason(ref: str) -> str:
    return f"请写明退回原因，发送：/review return {ref} 原因"


def notice_text(notice, tz: tzinfo) -> str:
    """The words of a bot.services.closure.Notice."""
    t = notice.task
    if notice.what == "card":
        return review_card(notice.ref, t.title, notice.unit, notice.note, notice.evidence)
    if notice.what == "passed":
        return passed_notice(notice.ref, t.title)
    if notice.what == "returned":
        return returned_notice(notice.ref, t.title, notice.note)
    if notice.what == "declined":
        return declined_notice(notice.ref, t.title, notice.unit, notice.note)
    if notice.what == "reassigned":
        return reassigned_notice(notice.ref, t.title, notice.note)
    return review_reminder([pending_line(notice.ref, t.title, notice.unit, t.applied_at, tz)])


def refusal(exc: Exception) -> str:
    """The one line a refused decision answers with (bot.services.closure's NotPending, NoReason, NotReviewer)."""
    task = getattr(exc, "task", None)
    if task is not None:
        return not_pending(task.ref)
    return RETURN_NEEDS_REASON if type(exc).__name__ == "NoReason" else NOT_REVIEWER


def decline_refusal(exc, ref: str) -> str:
    """Why a 退回 (不属于本单位) of the task written `ref` ("12", "会议1") was refused
    (bot.services.assignment.CannotDecline)."""
    return {"co": f"配合单位不能退回{nth(ref)}；如有异议请联系牵头单位或办公室。未做任何修改。",
            "other": f"本单位不是{nth(ref)}的牵头单位，不能退回。未做任何修改。",
            "late": f"{nth(ref)}交办已超过{exc.days}个工作日，不能再以“不属于本单位”退回；请联系办公室。未做任何修改。",
            "reason": f"退回须写明理由，例如：/decline {ref} 该事项属于信访办职责"}[exc.why]


def decline_ask(ref: str) -> str:
    return f"请写明不属于本单位的理由，发送：/decline {ref} 理由"


def declined_line(ref: str) -> str:
    return f"已将{nth(ref)}退回办公室，本单位不再收到该事项的提醒。"


def declined_notice(ref: str, title: str, unit: str, reason: str) -> str:
    return (f"【退回】{nth(ref)}「{title}」被{unit}以“不属于本单位”退回。理由：{reason}\n"
            f"请点选新的牵头单位，或用 duban task reassign {ref} --lead 单位 重新交办。")


def reassigned_notice(ref: str, title: str, note: str) -> str:
    return f"【重新交办】{nth(ref)}「{title}」已重新交办（{note}）。"


def reassigned_line(ref: str, note: str) -> str:
    return f"已重新交办{nth(ref)}（{note}），已通知相关单位。"

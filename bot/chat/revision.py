"""A staged revision's uncertain task matches, answered with buttons: which stored task each one is."""

from __future__ import annotations

from bot.chat import taps
from bot.chat.context import Ctx, reply
from bot.notify import Button
from bot.render import action_text, plan_text
from bot.services.drafts import answer_match, draft_matches, peek_draft
from bot.services.importer import PlanDiff, diff_plan

MAX_MATCH_BUTTONS = 3  # more uncertain tasks than this are answered on the command line (duban plan import)


def match_rows(ctx: Ctx, diff: PlanDiff, key: str) -> list[list[Button]]:
    """A row per uncertain task: 是原第N项 (the best guesses) or 是新增任务; unanswered, the best guess applies."""
    rows = []
    for qi, q in enumerate(diff.match_questions[:MAX_MATCH_BUTTONS]):
        row = [Button(f"第{q.ref}项是原第{r}项", taps.TapMatch(qi * 10 + ci + 1, key).data(ctx.key))
               for ci, (r, _t) in enumerate(q.choices[:2])]
        rows.append(row + [Button(f"第{q.ref}项是新增任务", taps.TapMatch(qi * 10, key).data(ctx.key))])
    return rows


def _asked(ctx: Ctx, parsed, answers: dict[str, str]) -> PlanDiff:
    """The questions as first asked (no match answered yet), so earlier answers never renumber the buttons."""
    return diff_plan(session=ctx.session, parsed=parsed, config_aliases=ctx.settings.aliases,
                     office_id=ctx.office_id, answers=answers)


def on_match(ctx: Ctx, tap: taps.TapMatch):
    """An answer to a match question: the revision's task is a stored one (or a new task)."""
    from bot.chat.admin import _draft_message  # admin shows the draft and hooks these rows into it

    code, key = tap.ident, tap.arg
    staged = peek_draft(session=ctx.session, key=key)
    if staged is None:
        return reply("这份文件已经处理过或已过期，请重新发送。")
    parsed, _name, answers = staged
    asked = _asked(ctx, parsed, answers)
    qi, ci = divmod(code, 10)
    if qi >= len(asked.match_questions) or ci > len(asked.match_questions[qi].choices):
        return reply(action_text.BAD_BUTTON)
    q = asked.match_questions[qi]
    matches = answer_match(session=ctx.session, key=key, ref=q.ref, old=q.choices[ci - 1][0] if ci else "") or {}
    diff = diff_plan(session=ctx.session, parsed=parsed, config_aliases=ctx.settings.aliases,
                     office_id=ctx.office_id, answers=answers, matches=matches)
    diff.match_questions = asked.match_questions  # keep every row, so an answer can still be changed
    message = _draft_message(ctx, parsed, diff, key, edit=ctx.event.callback_message_id)
    message.text = message.text.replace("\n确认导入吗？", "\n" + plan_text.match_answers(matches) + "\n确认导入吗？")
    return [message]


def matches_of(ctx: Ctx, key: str) -> dict[str, str]:
    """The answers given so far on a staged revision, for 确认导入."""
    return draft_matches(session=ctx.session, key=key)


def routes() -> dict[type, object]:
    """Answers to a staged revision's match questions."""
    return {taps.TapMatch: on_match}

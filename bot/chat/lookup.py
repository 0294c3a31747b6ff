"""The chat's view of the plan's vocabulary: the cached vocabulary of the chat's plan, and reading words with it."""

from __future__ import annotations

from bot.chat.context import Ctx
from bot.nlu import Understanding, understand
from bot.services.vocab import PlanVocab


def vocab_of(ctx: Ctx) -> PlanVocab | None:
    """The vocabulary of the chat's current plan (None: no plan yet)."""
    return ctx.plan_vocab()


def read(ctx: Ctx, pv: PlanVocab, text: str) -> Understanding:
    """The language layer's reading of `text` in this chat."""
    return understand(text, pv.vocab, now=ctx.today, own_unit_id=ctx.actor.unit_id)

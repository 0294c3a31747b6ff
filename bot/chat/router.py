"""One routing table: each request record's type → the handler that answers it.

Handlers take (ctx, record) and return the replies, or another record to answer instead ("逾期的" reads as a
question whose answer is /overdue's). Feature modules list their handlers in `routes()`; nothing registers
itself on import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.commands import CommandTable
from bot.chat.context import Ctx, reply
from bot.notify import OutboundMessage
from bot.render import action_text
from bot.services import audit

Handler = Callable[[Ctx, object], "list[OutboundMessage] | object"]


class Router:
    """Answers a request record with the handler its type names; slash commands through the command table."""

    def __init__(self, commands: CommandTable, tables: Iterable[dict[type, Handler]]) -> None:
        self.commands = commands
        self.routes: dict[type, Handler] = {rq.Say: _say, rq.Forged: _forged, rq.Command: self._command}
        for table in tables:
            for kind, handler in table.items():
                if kind in self.routes:
                    raise ValueError(f"{kind.__name__} has two handlers")
                self.routes[kind] = handler

    def answer(self, ctx: Ctx, request: object) -> list[OutboundMessage]:
        """The replies to `request` (following a record a handler hands back)."""
        if isinstance(request, taps.Tap) and request.admin and not ctx.actor.is_admin:
            return reply(action_text.ADMIN_ONLY_ACTION)
        out = self.routes[type(request)](ctx, request)
        return out if isinstance(out, list) else self.answer(ctx, out)

    def _command(self, ctx: Ctx, request: rq.Command) -> list[OutboundMessage]:
        return self.commands.get(request.name).handler(ctx, request)


def _say(_ctx: Ctx, request: rq.Say) -> list[OutboundMessage]:
    return reply(request.text) if request.text else []


def _forged(ctx: Ctx, request: rq.Forged) -> list[OutboundMessage]:
    audit.note(session=ctx.session, at=ctx.now, actor=ctx.actor.ref, action="callback.forged",
               detail=request.data[:200])
    return reply(action_text.FORGED_BUTTON)

"""The chat command table: each feature module lists its commands; the router and /help read this."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.chat.context import Ctx
from bot.chat.intents import Intent
from bot.notify import OutboundMessage

Handler = Callable[[Ctx, Intent], list[OutboundMessage]]


class Needs(enum.StrEnum):
    """Who may run a command."""

    ANYONE = "anyone"  # even an unbound chat (/start, /help)
    BOUND = "bound"  # a chat bound to a unit, or an admin
    ADMIN = "admin"


@dataclass(frozen=True)
class Command:
    """One chat command: its name, handler, who may run it, usage, help line and menu entry."""

    name: str
    handler: Handler
    needs: Needs
    usage: str  # shown on a missing argument, and in /help
    summary: str = ""  # the /help line; empty keeps it out of /help
    menu: str | None = None  # Telegram's command menu entry; None keeps it out of the menu
    min_args: int = 0  # fewer arguments than this answers with `usage`
    example: str = ""

    def usage_error(self) -> str:
        """What a call with missing arguments is told."""
        return f"用法：{self.usage}" + (f"，如 {self.example}" if self.example else "")


class CommandTable:
    """Commands by name, collected from the feature modules in the order given."""

    def __init__(self, groups: Iterable[Iterable[Command]]) -> None:
        self._by_name: dict[str, Command] = {}
        for group in groups:
            for cmd in group:
                if cmd.name in self._by_name:
                    raise ValueError(f"chat command /{cmd.name} is defined twice")
                self._by_name[cmd.name] = cmd

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name)

    def __iter__(self):
        return iter(self._by_name.values())

    def names(self) -> frozenset[str]:
        return frozenset(self._by_name)

    def menu(self) -> list[tuple[str, str]]:
        """(command, description) pairs for Telegram's setMyCommands, in table order."""
        return [(c.name, c.menu) for c in self if c.menu]

    def help_lines(self, needs: Needs) -> list[str]:
        """The /help lines of the commands needing exactly `needs`."""
        return [f"· {c.usage}　{c.summary}" for c in self if c.summary and c.needs == needs]

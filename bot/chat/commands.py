"""The chat command table: each feature module lists its commands; the reading, /help and the menu read this."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.chat import requests
from bot.chat.context import Ctx
from bot.chat.intents import normalise
from bot.notify import OutboundMessage

Handler = Callable[[Ctx, requests.Command], list[OutboundMessage]]
Reader = Callable[[tuple[str, ...]], object]


_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|给我|我要|我想|想|能不能|能否|可以|please)+|(?:一下|吧|呢|谢谢|好吗|可以吗)+$"
                     r"|一下|[\s。.!！~]")


def plain_words(text: str) -> str:
    """A message reduced to the words that name a command: NFKC, lower case, polite words and spaces dropped."""
    t = normalise(text).lower()
    return _POLITE.sub("", _POLITE.sub("", t))


class Needs(enum.StrEnum):
    """Who may run a command."""

    ANYONE = "anyone"  # even an unbound chat (/start, /help)
    BOUND = "bound"  # a chat bound to a unit, or an admin
    ADMIN = "admin"


@dataclass(frozen=True)
class Command:
    """One chat command: its name, handler, who may run it, usage, help line and menu entry.

    `handler` answers the `requests.Command` record itself; a command whose words are a request of their own
    (/report → requests.Report) gives `read` instead, and the router's table answers that record.
    """

    name: str
    handler: Handler | None
    needs: Needs
    usage: str  # shown on a missing argument, and in /help
    summary: str = ""  # the /help line; empty keeps it out of /help
    menu: str | None = None  # Telegram's command menu entry; None keeps it out of the menu
    min_args: int = 0  # fewer arguments than this answers with `usage`
    example: str = ""
    words: tuple[str, ...] = ()  # plain phrases that run it with no arguments ("导出台账" runs /export)
    read: Reader | None = None  # the arguments → the request record (None: a requests.Command)

    def request(self, args: tuple[str, ...] = (), *, slash: bool = True) -> object:
        """The record this command with `args` asks for."""
        return self.read(args) if self.read is not None else requests.Command(self.name, args, slash)

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
        self._words: dict[str, Command] = {}
        for cmd in self._by_name.values():
            for phrase in cmd.words:
                key = plain_words(phrase)
                if self._words.get(key, cmd) is not cmd:
                    raise ValueError(f"“{phrase}” names both /{self._words[key].name} and /{cmd.name}")
                self._words[key] = cmd

    def get(self, name: str) -> Command | None:
        return self._by_name.get(name)

    def by_words(self, text: str) -> Command | None:
        """The command a whole message names in plain words ("帮我导出一下台账" → /export), or None.

        Only the whole message counts, once polite words are dropped, so a question that merely mentions
        台账 or 通报 still goes to the language layer."""
        return self._words.get(plain_words(text))

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

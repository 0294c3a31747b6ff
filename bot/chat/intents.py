"""Split a slash command into its name and arguments; plain words go to the language layer (bot.chat.ask)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass
class Intent:
    """What a message asks for: a command name (slash or plain words), its arguments, and a role filter."""

    name: str
    args: list[str] = field(default_factory=list)
    role: str | None = None
    slash: bool = False  # typed as /command

def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", " ", text)


def parse(text: str) -> Intent:
    """A slash command as (name, args); anything else is `unknown` with the text kept, for the language layer
    (bot.chat.ask) to read. A slash command keeps whatever name was typed; the router knows which names exist.
    """
    t = normalise(text)
    if t.startswith("/"):
        head, *rest = t[1:].split(" ")
        name = head.split("@", 1)[0].lower()  # "/mine@duban_bot" in groups
        return Intent(name, rest, slash=True)
    return Intent("unknown", [t])

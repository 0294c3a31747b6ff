"""WeCom's 引用 (quote): a text message whose content opens with the quoted message in 「」 and a dashed line."""

from __future__ import annotations

import re

# 「王局长：原话」
# - - - - - - - - - - - - - - -
# what the sender wrote under it
_QUOTE = re.compile(r"^\s*「(?:(?P<who>[^：:」\n]{1,20})[：:])?(?P<quoted>.+?)」\s*\n\s*(?:-\s*){5,}\n?(?P<rest>.*)$",
                    re.S)


def split_quote(content: str) -> tuple[str, str | None, str | None]:
    """(what the sender wrote, the quoted words, who wrote them); the last two None for a plain message."""
    m = _QUOTE.match(content or "")
    if not m:
        return content, None, None
    return m.group("rest").strip(), m.group("quoted").strip(), (m.group("who") or "").strip() or None

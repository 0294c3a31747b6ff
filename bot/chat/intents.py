"""Read what a person typed: a slash command or a plain-words question, Chinese or English."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

REF = r"第?\s*([0-9]+(?:\.[0-9]+)*|[零〇一二两三四五六七八九十]+)\s*(?:项|条|号)?(?:任务)?"


@dataclass
class Intent:
    """What a message asks for: a command name (slash or plain words), its arguments, and a role filter."""

    name: str
    args: list[str] = field(default_factory=list)
    role: str | None = None
    slash: bool = False  # typed as /command

# Plain-words questions, tried in order; the first match wins.
_PATTERNS: list[tuple[re.Pattern, str, str | None]] = [
    (re.compile(rf"^{REF}\s*(?:是)?(?:由)?(?:谁|哪个单位|哪些单位)(?:来)?(?:负责|牵头|管)?[?？]?$"), "who", None),
    (re.compile(rf"^{REF}\s*(?:的)?(?:责任单位|牵头单位)(?:是)?(?:谁|什么|哪个)?[?？]?$"), "who", None),
    (re.compile(rf"^{REF}\s*(?:的)?(?:进展|进度|情况|完成情况)(?:如何|怎么样|怎样|咋样)?[?？]?$"), "progress", None),
    (re.compile(r"^(?:who\s+owns|who\s+is\s+responsible\s+for)\s+task\s*#?\s*(\d+)\??$", re.I), "who", None),
    (re.compile(r"^(?:progress\s+(?:of|on)|status\s+of|how\s+is)\s+task\s*#?\s*(\d+)(?:\s+going)?\??$", re.I), "progress", None),
    (re.compile(rf"^(?:查看|看看)?{REF}[?？]?$"), "task", None),
    (re.compile(r"^task\s*#?\s*(\d+)\??$", re.I), "task", None),
    (re.compile(r"^(?:本月|这个月|当月)(?:要)?(?:到期|截止|完成)(?:的)?(?:任务|有哪些|有什么)?[?？]?$"), "due", None),
    (re.compile(r"^(?:近期|最近|快要?|即将)(?:到期|截止)(?:的)?(?:任务|有哪些)?[?？]?$"), "due", None),
    (re.compile(r"^(?:what(?:'s| is)\s+)?due(?:\s+this\s+month)?\??$", re.I), "due", None),
    (re.compile(r"^(?:还)?(?:没有?|未)(?:反馈|报送|汇报|填报)(?:的)?(?:任务|单位|有哪些)?[?？]?$"), "silent", None),
    (re.compile(r"^(?:no\s+reports?|not\s+reported|silent)\??$", re.I), "silent", None),
    (re.compile(r"^(?:哪些|有哪些)?(?:已经)?(?:逾期|超期|过期|延误)(?:了)?(?:的)?(?:任务)?[?？]?$"), "overdue", None),
    (re.compile(r"^(?:what(?:'s| is)\s+)?overdue\??$", re.I), "overdue", None),
    (re.compile(r"^(?:红黄绿|红绿灯|看板|总体情况|整体进展|全局|总览|进展总览)[?？]?$"), "board", None),
    (re.compile(r"^(?:board|dashboard|overview)\??$", re.I), "board", None),
    (re.compile(r"^(?:我的任务|我(?:们)?(?:单位)?(?:负责|牵头)?(?:什么|哪些)(?:任务)?|my\s+tasks|mine)[?？]?$", re.I), "mine", None),
    (re.compile(r"^(?:帮助|help|怎么用|使用说明|菜单|\?|？)$", re.I), "help", None),
    (re.compile(r"^(.+?)(?:牵头)(?:哪些|什么|了哪些|的任务)?[、，,和及]\s*(?:配合|参与)(?:哪些|什么)?(?:任务)?[?？]?$"), "owns", None),
    (re.compile(r"^(.+?)(?:牵头)(?:哪些|什么|了哪些|的|哪几项)(?:任务|工作)?[?？]?$"), "owns", "lead"),
    (re.compile(r"^(.+?)(?:配合|协办|参与)(?:哪些|什么|了哪些|的|哪几项)(?:任务|工作)?[?？]?$"), "owns", "co"),
    (re.compile(r"^(.+?)(?:负责|管|承担|有)(?:什么|哪些|啥|了哪些|的|哪几项)(?:任务|工作|事)?[?？]?$"), "owns", None),
    (re.compile(r"^(.+?)的任务(?:有哪些|是什么)?[?？]?$"), "owns", None),
    (re.compile(r"^what\s+(?:does|do|is)\s+(.+?)\s+(?:own|lead|responsible\s+for|do)\??$", re.I), "owns", None),
    (re.compile(r"^what\s+does\s+(.+?)\s+co-?own\??$", re.I), "owns", "co"),
    (re.compile(r"^(.+?)'s\s+tasks\??$", re.I), "owns", None),
]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", " ", text)


def parse(text: str) -> Intent:
    """Map a message to an intent; unknown text becomes `unknown` with the text kept.

    A slash command keeps whatever name was typed; the router knows which names exist.
    """
    t = normalise(text)
    if t.startswith("/"):
        head, *rest = t[1:].split(" ")
        name = head.split("@", 1)[0].lower()  # "/mine@duban_bot" in groups
        return Intent(name, rest, slash=True)
    bare = t.rstrip("?？。!！").strip()
    for pattern, name, role in _PATTERNS:
        m = pattern.match(bare) or pattern.match(t)
        if m:
            args = [g.strip() for g in m.groups() if g]
            return Intent(name, args, role)
    return Intent("unknown", [t])

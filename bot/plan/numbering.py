"""Recognise item numbers (一、 （一） 1. （1） ① 3.2 第一部分 一是) at the start of a line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.numerals import cn_int

# a date right after an item number: "1.6月底前", "2.2024年…"
DATE_AHEAD = r"(?!(?:19|20)\d\d\s*年|\d{1,2}\s*月)"
_CN = "一二三四五六七八九十百零〇两"
_CIRC = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# order matters: the multi-level form must be tried before the plain arabic one
STYLES: list[tuple[str, re.Pattern[str]]] = [
    ("di", re.compile(rf"^\s*第([{_CN}]{{1,3}})(?:(?:部分|章|篇)\s*[、，,：:．.]?|[、，,：:])\s*(.*)$")),
    ("cn", re.compile(rf"^\s*([{_CN}]{{1,4}})\s*[、.．,，]\s*(.*)$")),
    ("pcn", re.compile(rf"^\s*[（(]\s*([{_CN}]{{1,4}})\s*[）)]\s*[、.．]?\s*(.*)$")),
    ("multi", re.compile(r"^\s*(\d{1,2}(?:[.．]\d{1,2})+)(?![\d%％])[.．、]?\s*(.*)$")),
    # "2.2024年底前…", "1.6月底前…" are items 2 and 1 opening with a date, not decimals
    ("ar", re.compile(rf"^\s*(\d{{1,3}})\s*[.．、](?!{DATE_AHEAD}[\d%％])\s*(.*)$")),
    ("par", re.compile(r"^\s*[（(]\s*(\d{1,3})\s*[）)]\s*[、.．]?\s*(.*)$")),
    ("circ", re.compile(rf"^\s*([{_CIRC}])\s*[、.．]?\s*(.*)$")),
    ("shi", re.compile(rf"^\s*([{_CN}]{{1,3}})是\s*[，,：:]?\s*(.*)$")),
]


@dataclass
class Number:
    """A recognised item number: its style, the ref as printed (arabic), and the rest of the line."""

    style: str
    ref: str
    value: int
    rest: str


def parse_number(line: str) -> Number | None:
    """Return the item number at the start of `line`, or None."""
    for style, rx in STYLES:
        m = rx.match(line)
        if not m:
            continue
        raw, rest = m.group(1), m.group(2).strip()
        if style in ("cn", "pcn", "di", "shi"):
            value = cn_int(raw)
            ref = str(value)
        elif style == "circ":
            value = _CIRC.index(raw) + 1
            ref = str(value)
        elif style == "multi":
            ref = raw.replace("．", ".")
            value = int(ref.split(".")[-1])
        else:
            value = int(raw)
            ref = str(value)
        if style == "multi" and re.match(r"[月年]", rest):
            continue  # "1.6月底前…": item 1 opening with a date
        if style == "multi" and re.match(r"[亿万千百元个倍米吨]", rest):
            return None  # "1.5亿元…" is a quantity, not an item number
        return Number(style, ref, value, rest)
    return None

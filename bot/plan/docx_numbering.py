"""Rebuild the numbers Word prints for list paragraphs ("一、" "（二）" "3."), absent from their text.

Word's automatic numbering lives outside the text: a paragraph carries w:numPr (directly or through
its style) and numbering.xml says how each level is counted and printed. python-docx exposes the
XML but never renders the numbers; docx2python renders only six Western formats (decimal, letters,
roman, bullets) and mammoth turns lists into HTML <ol> without the printed text. Chinese plans number
their headings with chineseCounting and the like, so we count and format them here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml import etree

# compiled with the namespace: parts python-docx loads generically are plain lxml elements
_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_ABSTRACTS = etree.XPath("./w:abstractNum", namespaces=_W)
_LEVELS = etree.XPath("./w:lvl", namespaces=_W)
_NUMS = etree.XPath("./w:num", namespaces=_W)
_OVERRIDES = etree.XPath("./w:lvlOverride", namespaces=_W)
_STYLES = etree.XPath("./w:style", namespaces=_W)

_CN = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CYCLES = {
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥",
}


@dataclass
class Level:
    """One level of a list: how it counts and how it prints."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: 0 never restarts; None restarts after any shallower level
    legal: bool = False  # w:isLgl: show every level's number as decimal
    suffix: str = "tab"


@dataclass
class _Num:
    abstract: str
    overrides: dict[int, Level] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)


def _val(el, tag: str) -> str | None:
    found = el.find(qn(tag)) if el is not None else None
    return None if found is None else found.get(qn("w:val"))


def _level(lvl, base: Level | None = None) -> Level:
    out = Level(**vars(base)) if base else Level()
    out.fmt = _val(lvl, "w:numFmt") or out.fmt
    text = _val(lvl, "w:lvlText")
    out.text = out.text if text is None else text
    start = _val(lvl, "w:start")
    out.start = int(start) if start and start.lstrip("-").isdigit() else out.start
    restart = _val(lvl, "w:lvlRestart")
    out.restart = int(restart) if restart and restart.isdigit() else out.restart
    legal = lvl.find(qn("w:isLgl"))
    out.legal = legal is not None and legal.get(qn("w:val"), "1") not in ("0", "false")
    out.suffix = _val(lvl, "w:suff") or out.suffix
    return out


def _cn(n: int) -> str:
    """Chinese counting as Word prints it: 十, 十一, 二十, 一百零五, 一千."""
    if n <= 0:
        return str(n)
    if n >= 10000:
        return str(n)
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, size)
        if digit:
            if zero:
                out += "零"
            out += ("" if unit == "十" and digit == 1 and not out else _CN[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def format_number(n: int, fmt: str) -> str:
    """Print counter `n` in Word's number format `fmt` (unknown formats fall back to decimal)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return _cn(n)
    if fmt in _CYCLES:
        chars = _CYCLES[fmt]
        return chars[(n - 1) % len(chars)]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out, n = out + sym, n - value
    return out


class Numberer:
    """Count a document's list paragraphs in body order and give each its printed number."""

    def __init__(self, document) -> None:
        self._abstract: dict[str, dict[int, Level]] = {}
        self._nums: dict[str, _Num] = {}
        self._style_num: dict[str, tuple[str | None, int | None]] = {}
        self._style_level: dict[tuple[str, str], int] = {}  # (abstractNumId, styleId) -> ilvl
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()
        self._read_numbering(document)
        self._read_styles(document)

    def _read_numbering(self, document) -> None:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        links: dict[str, str] = {}
        for an in _ABSTRACTS(root):
            aid = an.get(qn("w:abstractNumId"))
            levels = {}
            for lvl in _LEVELS(an):
                ilvl = int(lvl.get(qn("w:ilvl"), "0"))
                levels[ilvl] = _level(lvl, Level(text=f"%{ilvl + 1}."))
                style = _val(lvl, "w:pStyle")
                if style:
                    self._style_level[(aid, style)] = ilvl
            self._abstract[aid] = levels
            link = _val(an, "w:numStyleLink")
            if link:
                links[aid] = link
        for num in _NUMS(root):
            entry = _Num(_val(num, "w:abstractNumId") or "")
            for ov in _OVERRIDES(num):
                ilvl = int(ov.get(qn("w:ilvl"), "0"))
                start = _val(ov, "w:startOverride")
                if start and start.isdigit():
                    entry.starts[ilvl] = int(start)
                lvl = ov.find(qn("w:lvl"))
                if lvl is not None:
                    entry.overrides[ilvl] = _level(lvl)
            self._nums[num.get(qn("w:numId"))] = entry
        self._links = links

    def _read_styles(self, document) -> None:
        try:
            styles = document.styles.element
        except (KeyError, AttributeError):
            return
        raw: dict[str, tuple[str | None, str | None, str | None]] = {}
        for st in _STYLES(styles):
            num_pr = st.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            num_id = _val(num_pr, "w:numId")
            ilvl = _val(num_pr, "w:ilvl")
            raw[st.get(qn("w:styleId"))] = (num_id, ilvl, _val(st, "w:basedOn"))
        for sid in raw:
            # walk basedOn until a style states numPr; guard against loops
            seen, cur = set(), sid
            while cur in raw and cur not in seen:
                seen.add(cur)
                num_id, ilvl, based = raw[cur]
                if num_id is not None:
                    self._style_num[sid] = (num_id, int(ilvl) if ilvl and ilvl.isdigit() else None)
                    break
                cur = based
        # an abstractNum that only links to a numbering style takes its levels from that style's list
        for aid, link in getattr(self, "_links", {}).items():
            target = self._style_num.get(link, (None, None))[0]
            num = self._nums.get(target or "")
            if num and num.abstract in self._abstract and not self._abstract.get(aid):
                self._abstract[aid] = self._abstract[num.abstract]

    def _num_pr(self, p) -> tuple[str | None, int | None]:
        ppr = p.find(qn("w:pPr"))
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id, ilvl = _val(num_pr, "w:numId"), _val(num_pr, "w:ilvl")
        style = _val(ppr, "w:pStyle")
        s_num, s_ilvl = self._style_num.get(style or "", (None, None))
        if num_id is None:
            num_id = s_num
        level = int(ilvl) if ilvl and ilvl.isdigit() else s_ilvl
        if level is None and num_id in self._nums and style:
            level = self._style_level.get((self._nums[num_id].abstract, style))
        return num_id, level or 0

    def prefix(self, p) -> str:
        """Advance the counters for paragraph element `p` and return its printed number, or ""."""
        num_id, ilvl = self._num_pr(p)
        num = self._nums.get(num_id or "")
        if num_id in (None, "0") or num is None or num.abstract not in self._abstract:
            return ""
        levels = dict(self._abstract[num.abstract])
        levels.update(num.overrides)
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self._counters.setdefault(num.abstract, {})
        if num_id not in self._started:
            # a w:num that overrides the start restarts the shared list where it first appears
            self._started.add(num_id)
            for lv, start in num.starts.items():
                counters[lv] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            rule = levels[deeper].restart if deeper in levels else None
            if rule is None or (rule and ilvl <= rule - 1):
                del counters[deeper]
        text = level.text
        for k in range(8, -1, -1):  # %1…%9, deepest first
            tag = f"%{k + 1}"
            if tag in text:
                lv = levels.get(k, Level())
                value = counters.get(k, lv.start)
                text = text.replace(tag, format_number(value, "decimal" if level.legal else lv.fmt))
        if level.fmt == "bullet" or not text.strip():
            return ""
        if level.suffix == "nothing" or text[-1] in "、.．)）:：,，":
            return text
        return text + " "


def numbered_texts(document) -> dict:
    """Map every numbered paragraph element of the body (tables included) to its printed number."""
    numberer = Numberer(document)
    out = {}
    for p in document.element.body.iter(qn("w:p")):
        prefix = numberer.prefix(p)
        if prefix:
            out[p] = prefix
    return out


def join_number(prefix: str, text: str) -> str:
    """Put a printed number before its paragraph text, keeping "1." apart from "2024年…"."""
    if prefix and not prefix[-1].isspace() and text[:1].isascii() and text[:1].isalnum():
        return f"{prefix} {text}"
    return prefix + text

"""Read a 督办 item from chat words ("交办：10月底前完成校舍安全排查，安全办牵头，基教股、财务股配合").

A pure function of the text, today and the configured source words: it finds the source and who gave it (the
header before the colon), the lead and co units (clauses with 牵头/负责 and 配合/协助), a time limit (the same
deadline phrase reader as plan documents) and what is left as the title. Units are returned as written; whether
the office has them is for the caller to ask.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from bot.deadlines.extract import deadline_spans
from bot.nlu.timewords import find_windows
from bot.numerals import cn_int
from bot.workdays import WorkCalendar

_CLAUSE = re.compile(r"[，,；;。\n]+")
_LEAD = re.compile(r"^(?:由|请)?(?P<units>.+?)(?:负责牵头|牵头负责|牵头|负责|主办)(?:落实|办理|推进)?$")
_CO = re.compile(r"^(?:由|请)?(?P<units>.+?)(?:配合|协助|协办|参与)(?:落实|办理)?$")
_SPLIT_UNITS = re.compile(r"[、/和及与]")
_URGENT = re.compile(r"急件|特急|加急|紧急")
# A time limit as people write it in a title: cut from the title once it has been read.
_LEAD_IN = r"(?:务必|要|须|必须|请|力争|确保)?(?:于|在)?"  # "务必于" before a time limit goes with it
_DATE_WORDS = re.compile(
    r"(?:" + _LEAD_IN + r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}[日号]|底|末|中旬|上旬|下旬|中)?"
    r"|(?:本|这个|下个?)?(?:月|周|年)(?:底|末)|年内|\d+个?工作日|\d+天)(?:前|之前|以前|内|以内)?")


@dataclass(frozen=True)
class ItemWords:
    """What the words said: source word, who gave it, the title, units as written, and the time limit."""

    source_word: str
    instructed_by: str
    title: str
    lead: list[str]
    co: list[str]
    due: date | None
    due_text: str = ""
    urgent: bool = False
    words: str = ""  # the instruction as written, without its header
    notes: list[str] = field(default_factory=list)
    bad_date: str = ""  # a month and day no calendar has ("2月30日"): the item is refused, never dated otherwise


def header(text: str, words: list[str]) -> tuple[str, str, str] | None:
    """(who, source word, body) when the text opens with a source word and a colon ("局长批示：…")."""
    t = unicodedata.normalize("NFKC", text).strip()
    for word in sorted(set(words), key=len, reverse=True):
        m = re.match(rf"^(?P<who>[^:：，,。\s]{{0,8}}?){re.escape(word)}[:：]\s*(?P<body>.+)$", t, re.S)
        if m and m.group("body").strip():
            return m.group("who"), word, m.group("body").strip()
    return None


def _units(text: str) -> list[str]:
    return [u.strip() for u in _SPLIT_UNITS.split(text) if u.strip()]


# A time word that sets a limit rather than naming a period: "月底前", "3日内", "下周五", "年底" (not "今年", "近期").
_LIMIT = re.compile(r"(?:前|内|里|底|末|[\d一二三四五六七八九十]\s*[日号]|周[一二三四五六日天])$")  # not "今日起…"
_WORKDAYS = re.compile(r"(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*个?工作日")


def read_time_limit(text: str, *, today: date, calendar: WorkCalendar) -> tuple[date | None, str]:
    """The first datable time limit in `text` on or after today, and its words: a date the plan reader knows
    ("10月底前" → 10月31日) or one said relative to today ("月底前报结果", "5个工作日内" by the office's working days,
    "下周五前"). Words that say a limit ("…前", "…内", "…底") win over a date merely named in the
    task ("下周五前报送秋季开学检查情况" is due next Friday, not at the start of term), then the earliest words."""
    found = [(unmarked, i, *rest) for i, clause in enumerate(_CLAUSE.split(text))
             for unmarked, *rest in _limits(clause, today, calendar)]
    if not found:
        return None, ""
    *_order, due, words = min(found)
    return due, words


def _limits(clause: str, today: date, calendar: WorkCalendar) -> list[tuple[bool, int, int, date, str]]:
    """(not a limit word, where, rank, date, words) of every datable time phrase of one clause; where two readers
    see the same words, working days on the office's calendar (holidays, 调休) come first, then the plan reader."""
    out = []
    for start, end, found in deadline_spans(clause, year=today.year, issued=today):
        if found.date is not None and found.kind != "recurring":  # "每周报送" is no one time limit
            words = clause[start:end] + _after(clause, end)
            out.append((not _LIMIT.search(words), start, 1, found.date, words))
    m = _WORKDAYS.search(clause)
    days = cn_int(m.group(1)) if m is not None else 0
    if days > 0:
        out.append((False, m.start(), 0, calendar.add_workdays(today, days), m.group(0) + "内"))
    for start, end, window in find_windows(clause, today):
        words = clause[start:end].strip() + _after(clause, end)
        if _LIMIT.search(words) and window.end >= today:
            out.append((False, start, 2, window.end, words))
    return out


def _after(clause: str, end: int) -> str:
    """The 前 / 以内 that closes a time phrase ("明天前"), when the phrase's own words stop before it."""
    m = re.match(r"\s*(?:之|以)?[前内]", clause[end:])
    return m.group(0).strip() if m else ""


def impossible_date(text: str) -> str:
    """The words of a month and day no calendar has ("2月30日", "13月5日"), or ""."""
    for m in _MONTH_DAY.finditer(unicodedata.normalize("NFKC", text)):
        year = int(m.group(1)) if m.group(1) else 2024  # a leap year: 2月29日 is a date in some year
        month, day = cn_int(m.group(2)), cn_int(m.group(3))
        try:
            date(year, month, day)
        except ValueError:
            return m.group(0)
    return ""


_MONTH_DAY = re.compile(r"(?:(\d{4})年)?([\d一二三四五六七八九十]{1,3})月([\d一二三四五六七八九十]{1,3})[日号]")


def read_body(body: str, *, today: date, calendar: WorkCalendar) -> tuple[str, list[str], list[str], date | None, str]:
    """(title, lead, co, due, due words) of an instruction's body."""
    lead: list[str] = []
    co: list[str] = []
    rest: list[str] = []
    for clause in (c.strip() for c in _CLAUSE.split(body)):
        if not clause:
            continue
        m = _LEAD.match(clause)
        if m and len(m.group("units")) <= 40:
            lead += _units(m.group("units"))
            continue
        m = _CO.match(clause)
        if m and len(m.group("units")) <= 40:
            co += _units(m.group("units"))
            continue
        rest.append(clause)
    due, due_text = read_time_limit(body, today=today, calendar=calendar)
    title = "，".join(rest)
    if due is not None:  # the limit's own words leave the title ("下周五前报送…" → "报送…")
        said = re.compile(_LEAD_IN + re.escape(due_text)) if due_text and due_text in title else _DATE_WORDS
        title = said.sub("", title, count=1)
    title = _URGENT.sub("", title).strip("，,：: ")
    return title, lead, [c for c in co if c not in lead], due, due_text


def read_item(text: str, *, today: date, calendar: WorkCalendar, words: list[str], default_word: str = ""
              ) -> ItemWords | None:
    """The item the words describe, or None when they open with no source word (and no `default_word` is
    given, as for a forwarded message)."""
    found = header(text, words)
    if found is None:
        if not default_word:
            return None
        found = ("", default_word, unicodedata.normalize("NFKC", text).strip())
    who, word, body = found
    title, lead, co, due, due_text = read_body(body, today=today, calendar=calendar)
    bad = impossible_date(body)
    if bad:
        due, due_text = None, ""
    return ItemWords(word, who, title, lead, co, due, due_text, bool(_URGENT.search(body)), body, bad_date=bad)

"""Apply the phrase rules: parse one phrase, or find every deadline in running text."""

from __future__ import annotations

import re
from datetime import date

from bot.numerals import FULLWIDTH

from .model import Deadline
from .phrases import RULES as _DATE_RULES
from .phrases import Ctx, Hit
from .seasons import RULES as _SEASON_RULES

RULES = _DATE_RULES + _SEASON_RULES

# a word every match of the rule contains; most clauses hold none, so most rules are skipped cheaply
_ANCHORS: dict[str, tuple[str, ...]] = {
    "monthly_day": ("月",), "monthly": ("月",), "quarterly": ("季",), "halfyearly": ("半年",), "yearly": ("年",),
    "weekly": ("周",), "month_day": ("月",), "month_xun": ("旬",), "month_end": ("月",), "month_whole": ("月份",),
    "month_before": ("月",), "month_bare": ("月",), "quarter": ("季度",), "half": ("半年",), "year_end": ("年",),
    "full_year": ("全年",), "year_before": ("年",), "autumn_term": ("开学",), "spring_term": ("开学",),
    "before_summer": ("暑",), "summer": ("暑",), "before_winter": ("寒假",), "spring_festival": ("春节",),
    "national_day": ("国庆",), "new_year": ("元旦",), "labour_day": ("五一", "劳动节"),
    "anniversary": ("周年", "百年"), "ongoing": ("长期", "持续", "常态"), "target_year": ("年",),
    "lead_year": ("年",), "workdays": ("日", "天"), "term_start": ("开学",), "next_month_day": ("月",),
    "qingming": ("清明",),
}

HORIZON_YEARS = 5  # how far past the plan year a target still counts as one of its deadlines

# Clauses end at these marks; a deadline belongs to the clause it is written in.
_CLAUSE = re.compile(r"[^。；;，,！!？?：:\n\r]+")


def _scan(text: str, ctx: Ctx) -> list[tuple[int, Hit]]:
    """Return (position, hit) for every non-overlapping rule match in text, in order."""
    return [(start, hit) for start, _end, hit in _scan_spans(text, ctx)]


def _scan_spans(text: str, ctx: Ctx) -> list[tuple[int, int, Hit]]:
    """Return (start, end, hit) for every non-overlapping rule match in text, in order."""
    norm = text.translate(FULLWIDTH)
    candidates = []
    for order, rule in enumerate(RULES):
        anchors = _ANCHORS.get(rule.name)
        if anchors and not any(a in norm for a in anchors):
            continue  # the rule cannot match without one of these words: skip its scan
        for m in rule.pattern.finditer(norm):
            if m.end() > m.start():
                candidates.append((m.start(), -(m.end() - m.start()), order, m, rule))
    candidates.sort(key=lambda c: c[:3])
    taken_until, out = -1, []
    for start, _neg_len, _order, m, rule in candidates:
        if start < taken_until:
            continue
        hit = rule.build(m, ctx)
        if hit is not None:
            out.append((start, m.end(), hit))
            taken_until = m.end()
    return out


def _deadline(text: str, hit: Hit) -> Deadline:
    return Deadline(text, hit.date, hit.certain, hit.kind, hit.recurrence, hit.label)


def parse_deadline(
    phrase: str, *, year: int, after: date | None = None, issued: date | None = None
) -> Deadline | None:
    """Parse one deadline phrase ("力争6月底前完成") into a Deadline, or None when none is found."""
    ctx = Ctx(year, after or date(year, 1, 1), strict=False, issued=issued)
    hits = _scan(phrase, ctx)
    return _deadline(phrase.strip(), hits[0][1]) if hits else None


def extract_deadlines(
    text: str, *, year: int, after: date | None = None, issued: date | None = None
) -> list[Deadline]:
    """Find the deadline phrases of running text, in order, deduplicated, each with its clause.

    Dates before the plan year (references such as "截至2020年底") and more than five years on
    (远景目标 such as "2035年前") are dropped. A three-to-five-year 实施方案 states targets such as
    "到2018年" or "到2020年" for its own period, and those are its deadlines.
    """
    ctx = Ctx(year, after or date(year, 1, 1), strict=True, issued=issued)
    lo, hi = date(year, 1, 1), date(year + HORIZON_YEARS, 12, 31)
    seen: set[tuple] = set()
    out: list[Deadline] = []
    for clause in _CLAUSE.finditer(text):
        clause_text = clause[0].strip()
        for _pos, hit in _scan(clause_text, ctx):
            if hit.date is not None and not lo <= hit.date <= hi:
                continue
            found = _deadline(clause_text, hit)
            key = (found.text, found.label, found.date, found.kind)
            if key not in seen:
                seen.add(key)
                out.append(found)
    return out


def read_deadline_phrase(text: str, *, year: int, issued: date | None = None) -> list[Deadline]:
    """Read a deadline phrase an admin typed ("9月底", "9月底前", "2021-09-30", "国庆节前",
    "10个工作日内") into the same Deadline records the document reader makes.

    Every phrase found is returned, in order; [] means nothing could be read. A phrase that is
    recognised but cannot be dated (a workday count with no `issued` date) comes back with
    date=None, so the caller can ask instead of guessing. `year` is the plan year.
    """
    out: list[Deadline] = []
    for _start, _end, found in deadline_spans((text or "").strip(), year=year, issued=issued):
        if found not in out:
            out.append(found)
    return out


def deadline_spans(text: str, *, year: int, issued: date | None = None) -> list[tuple[int, int, Deadline]]:
    """Every deadline phrase of one clause an admin typed, with where its words start and end in `text`."""
    ctx = Ctx(year, issued or date(year, 1, 1), strict=False, issued=issued)
    return [(start, end, _deadline(text, hit)) for start, end, hit in _scan_spans(text, ctx)]

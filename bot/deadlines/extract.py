"""Apply the phrase rules: parse one phrase, or find every deadline in running text."""

from __future__ import annotations

import re
from datetime import date

from bot.numerals import FULLWIDTH

from .model import Deadline
from .phrases import RULES, Ctx, Hit

# Clauses end at these marks; a deadline belongs to the clause it is written in.
_CLAUSE = re.compile(r"[^。；;，,！!？?：:\n\r]+")


def _scan(text: str, ctx: Ctx) -> list[tuple[int, Hit]]:
    """Return (position, hit) for every non-overlapping rule match in text, in order."""
    norm = text.translate(FULLWIDTH)
    candidates = []
    for order, rule in enumerate(RULES):
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
            out.append((start, hit))
            taken_until = m.end()
    return out


def _deadline(text: str, hit: Hit) -> Deadline:
    return Deadline(text, hit.date, hit.certain, hit.kind, hit.recurrence, hit.label)


def parse_deadline(phrase: str, *, year: int, after: date | None = None) -> Deadline | None:
    """Parse one deadline phrase ("力争6月底前完成") into a Deadline, or None when none is found."""
    ctx = Ctx(year, after or date(year, 1, 1), strict=False)
    hits = _scan(phrase, ctx)
    return _deadline(phrase.strip(), hits[0][1]) if hits else None


def extract_deadlines(text: str, *, year: int, after: date | None = None) -> list[Deadline]:
    """Find the deadline phrases of running text, in order, deduplicated, each with its clause.

    Dates before the plan year (references such as "截至2020年底") and after the next year (远景目标
    such as "2035年前") are dropped: an annual plan's reminders live in its year.
    """
    ctx = Ctx(year, after or date(year, 1, 1), strict=True)
    lo, hi = date(year, 1, 1), date(year + 1, 12, 31)
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

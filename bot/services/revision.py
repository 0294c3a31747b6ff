"""What a revised plan revises: the stored plan (by its title series) and each stored task (by what it says).

A task's printed number is an attribute that a revision may change; a task is the same task when its
title, section, owners and text say so. Where that is uncertain (a rewording, a merge, a split, two
look-alikes) the match becomes a question a person answers; nothing is moved on a guess unless the
person accepts the best guess (`--yes`, or 确认导入 in chat).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session

from bot.services.errors import UserError
from storage import repo

SURE = 0.85  # a match this alike (with no close rival) applies without asking
MAYBE = 0.6  # below this two tasks are different tasks
CLOSE = 0.05  # a rival within this of a match makes the match a question
NEW = ""  # the answer "this is a new task"

_REVISION_MARK = re.compile(r"[（(](?:修订稿|修订版|修改稿|征求意见稿|送审稿|讨论稿|最终稿|定稿|终稿|正式稿)[）)]\s*$")


def _series(title: str) -> str:
    """A title without its revision marker: "…工作要点（修订稿）" is in the series of "…工作要点"."""
    return re.sub(r"\s+", "", _REVISION_MARK.sub("", title.strip()))


def revised_plan(*, session: Session, title: str, year: int, office_id: int | None = None,
                 revises: str | None = None, new: bool = False):
    """The open plan of the office a parsed document revises, or None for a new plan.

    Only the same title series is a revision ("…工作要点（修订稿）" revises "…工作要点"); a title that
    merely extends another ("…（第二批）") or a different plan of the same year is a new plan. When a
    title is close to an open plan's but not in its series, the importer asks (`revises` / `new`
    settle it) instead of guessing.
    """
    from bot.services.offices import require_plan_named

    if new:
        return None
    if revises:
        return require_plan_named(session=session, office_id=office_id, word=revises)
    plans = list(repo.active_plans(session=session, office_id=office_id))
    series = _series(title)
    for plan in plans:
        if _series(plan.title) == series:
            return plan
    close = [p for p in plans if p.year == year and fuzz.ratio(_series(p.title), series) >= 90]
    if close:
        raise AmbiguousRevision(title, close[0].id, close[0].title)
    return None


class AmbiguousRevision(UserError):
    """A title close to an open plan's but not in its series: a person says which it is."""

    def __init__(self, title: str, plan_id: int, plan_title: str) -> None:
        self.title, self.plan_id, self.plan_title = title, plan_id, plan_title
        super().__init__(f"《{title}》与已有计划《{plan_title}》（编号 {plan_id}）很接近："
                         f"如是它的修订版，请加 --revises {plan_id}；如是另一份计划，请加 --new。")


@dataclass(frozen=True)
class Shape:
    """What a task is, as far as matching goes: everything but its number (kept only to break ties)."""

    ref: str
    title: str
    section: str = ""
    owners: frozenset[str] = frozenset()
    text: str = ""
    position: int = 0

    @property
    def key(self) -> tuple:
        return (_clean(self.title), _clean_section(self.section), self.owners, _clean(self.text))


_PUNCT = re.compile(r"[\s，。、；：！？,.;:!?“”\"'（）()【】\[\]]+")
_SECTION_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十百]+|\d+)\s*[、.．]|^\s*[（(][一二三四五六七八九十\d]+[）)]")


def _clean(text: str) -> str:
    return _PUNCT.sub("", text or "")


def _clean_section(path: str) -> str:
    """A section by its words: a revision that renumbers the sections keeps them the same sections."""
    return "/".join(_clean(_SECTION_NUMBER.sub("", part)) for part in (path or "").split("/"))


def _text_alike(a: str, b: str) -> float:
    """0..1: a ratio of 50 (what two unrelated Chinese strings of a few characters often share) counts as 0.

    One text containing the other (a merge, a split) counts nearly as alike as equal."""
    if not a or not b:
        return 0.0
    ratio = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 4:
        ratio = max(ratio, 0.9 * fuzz.partial_ratio(a, b))
    return max(0.0, (ratio - 50) / 50)


def likeness(a: Shape, b: Shape) -> float:
    """How surely two tasks are one task, 0..1, from title, text, owners and section."""
    if a.key == b.key:
        return 1.0
    title = _text_alike(_clean(a.title), _clean(b.title))
    union = a.owners | b.owners
    owners = len(a.owners & b.owners) / len(union) if union else 1.0
    section = 1.0 if _clean_section(a.section) == _clean_section(b.section) else 0.0
    ta, tb = _clean(a.text), _clean(b.text)
    if ta or tb:
        return 0.6 * title + 0.2 * _text_alike(ta, tb) + 0.12 * owners + 0.08 * section
    return 0.75 * title + 0.15 * owners + 0.1 * section


@dataclass(frozen=True)
class MatchQuestion:
    """A new task that may be a stored one: only a person says which (or that it is new)."""

    ref: str  # the task's number in the revision
    title: str
    choices: tuple[tuple[str, str], ...]  # (stored ref, stored title), the best guess first

    @property
    def text(self) -> str:
        old = "、".join(f"原第{r}项“{t}”" for r, t in self.choices)
        return f"第{self.ref}项“{self.title}”可能是{old}，还是新增任务？"

    def to_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "question": self.text,
                "choices": [{"ref": r, "title": t} for r, t in self.choices]}


@dataclass
class Matching:
    """Revision ref → stored ref, and the matches a person is asked about."""

    pairs: dict[str, str]
    questions: list[MatchQuestion]


def _scores(new: list[Shape], old: list[Shape]) -> list[tuple[float, bool, int, int, int]]:
    """Every pair at least MAYBE alike: (likeness, same number, -distance, new index, old index)."""
    out = []
    for i, n in enumerate(new):
        for j, o in enumerate(old):
            score = likeness(n, o)
            if score >= MAYBE:
                out.append((score, n.ref == o.ref, -abs(n.position - o.position), i, j))
    out.sort(reverse=True)
    return out


def _exact(new: list[Shape], old: list[Shape]) -> dict[int, int]:
    """Tasks the revision left as they were (a unique twin each): matched at once, without comparing."""
    by_key: dict[tuple, list[int]] = {}
    for j, o in enumerate(old):
        by_key.setdefault(o.key, []).append(j)
    counts: dict[tuple, int] = {}
    for n in new:
        counts[n.key] = counts.get(n.key, 0) + 1
    return {i: by_key[n.key][0] for i, n in enumerate(new) if len(by_key.get(n.key, ())) == 1 and counts[n.key] == 1}


def match_tasks(new: list[Shape], old: list[Shape], answers: dict[str, str] | None = None) -> Matching:
    """Pair a revision's tasks with the stored ones by content; `answers` (ref → stored ref or NEW) come first."""
    answers = answers or {}
    old_by_ref = {o.ref: j for j, o in enumerate(old)}
    pairs: dict[int, int] = {}
    for i, n in enumerate(new):
        if n.ref in answers and answers[n.ref] in old_by_ref:
            pairs[i] = old_by_ref[answers[n.ref]]
    taken = set(pairs.values())
    for i, j in _exact(new, old).items():
        if i not in pairs and j not in taken and new[i].ref not in answers:
            pairs[i] = j
            taken.add(j)
    rest_new = [i for i, n in enumerate(new) if i not in pairs and n.ref not in answers]
    rest_old = [j for j in range(len(old)) if j not in taken]
    scores = _scores([new[i] for i in rest_new], [old[j] for j in rest_old])
    scores = [(s, same, dist, rest_new[a], rest_old[b]) for s, same, dist, a, b in scores]
    for _score, _same, _dist, i, j in scores:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    questions = [_question(new, old, i, j, scores) for i, j in sorted(pairs.items())
                 if new[i].ref not in answers and _uncertain(i, j, scores)]
    return Matching({new[i].ref: old[j].ref for i, j in pairs.items()}, questions)


def _uncertain(i: int, j: int, scores: list[tuple]) -> bool:
    mine = [s for s, _, _, a, b in scores if a == i and b == j]
    if not mine:
        return False  # an exact twin, matched before any comparing
    rivals = [s for s, _, _, a, b in scores if (a == i) != (b == j)]
    return mine[0] < SURE or any(s >= mine[0] - CLOSE for s in rivals)


def _question(new: list[Shape], old: list[Shape], i: int, j: int, scores: list[tuple]) -> MatchQuestion:
    """The best guess first, then the other stored tasks that come close."""
    others = [b for _, _, _, a, b in scores if a == i and b != j]
    picks = list(dict.fromkeys([j, *others]))[:3]
    return MatchQuestion(new[i].ref, new[i].title, tuple((old[k].ref, old[k].title) for k in picks))


def check_match_answers(answers: dict[str, str], new_refs: Iterable[str], old_refs: Iterable[str]) -> dict[str, str]:
    """An answer names a task of the revision and a stored task (or NEW), each stored task at most once."""
    new_refs, old_refs = set(new_refs), set(old_refs)
    seen: set[str] = set()
    for ref, old in answers.items():
        if ref not in new_refs:
            raise UserError(f"对应关系“{ref}={old}”中，修订版没有第{ref}项，未导入任何内容。")
        if old != NEW and old not in old_refs:
            raise UserError(f"对应关系“{ref}={old}”中，原计划没有第{old}项，未导入任何内容。")
        if old != NEW and old in seen:
            raise UserError(f"原第{old}项被对应了两次，未导入任何内容。")
        seen.add(old)
    return answers

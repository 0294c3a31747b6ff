"""Which unit a name in a plan means: stored and confirmed aliases only; look-alikes become questions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session

from bot.plan.model import ParsedPlan, ParsedTask
from bot.services.errors import UserError
from storage import repo


@dataclass(frozen=True)
class UnitQuestion:
    """A new unit name that resembles another: is it another name for it? Only a person says yes."""

    name: str  # the new name as the document writes it
    candidates: tuple[str, ...]  # units it may be another name for, best first
    refs: tuple[str, ...] = ()  # tasks that write it

    @property
    def text(self) -> str:
        return f"新单位“{self.name}”：是否为“{self.candidates[0]}”的别称？"

    def answer(self, candidate: str | None = None) -> str:
        """The `--alias` value that says yes."""
        return f"{self.name}={candidate or self.candidates[0]}"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "candidates": list(self.candidates), "refs": list(self.refs),
                "question": self.text}



_GROUP = re.compile(r"^(各|有关|相关|全县|全市|全区|县直|市直|区直|其他|其它)")


def _key(name: str) -> str:
    return re.sub(r"委员会$", "委", re.sub(r"办公室$", "办", name))


def resembles(a: str, b: str) -> bool:
    """Could `a` be another way of writing `b`? Only ever used to ask, never to merge."""
    if a == b or _GROUP.match(a) or _GROUP.match(b):
        return False
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 2 and short in long_:
        return True
    ks, kl = sorted((ka, kb), key=len)
    if len(ks) >= 2 and ks[0] == kl[0] and ks[-1] == kl[-1]:
        it = iter(kl)
        return all(ch in it for ch in ks) and fuzz.ratio(ks, kl) >= 70
    return False


def _rank(name: str, candidates: list[str]) -> tuple[str, ...]:
    """Best first: same name once 办公室/委员会 are shortened, then the closest spelling."""
    uniq = list(dict.fromkeys(c for c in candidates if c != name))
    return tuple(sorted(uniq, key=lambda c: (_key(c) != _key(name), -fuzz.ratio(c, name))))


class UnitResolver:
    """Map a unit name as written to its canonical unit: stored and confirmed aliases only.

    The parser's own merges (units[].aliases) are suggestions: one applies only between names the
    store has never seen, and only when the group is unambiguous (教师进修学校 ← 进修学校). A name
    that would join two units, or that resembles a unit already stored, stays a separate unit and
    becomes a question (`questions`) until a person answers it (config aliases or `answers`).
    """

    def __init__(
        self,
        session: Session,
        parsed: ParsedPlan | dict,
        config_aliases: dict[str, str],
        answers: dict[str, str] | None = None,
        office_id: int | None = None,
    ) -> None:
        parsed = ParsedPlan.coerce(parsed)
        self.to_canonical: dict[str, str] = {}
        stored = repo.alias_map(session=session, office_id=office_id)
        units = repo.units_by_name(session=session, office_id=office_id)
        names_by_id = {u.id: u.name for u in units.values()}
        for alias, unit_id in stored.items():
            self.to_canonical[alias] = names_by_id[unit_id]
        self.stored_units = set(units)
        known = set(units) | set(stored)
        explicit = {**config_aliases, **(answers or {})}
        held: dict[str, list[str]] = {}  # name -> what the parser would have merged it with
        for unit in parsed.units:
            canonical, aliases = unit["name"], [a for a in unit.get("aliases", []) if a not in explicit]
            if not aliases or canonical in explicit:
                continue
            group = [canonical, *aliases]
            fresh = not any(n in known for n in group)
            clear = len(aliases) == 1 or all(resembles(a, b) for a in aliases for b in aliases if a != b)
            if fresh and clear:
                for alias in aliases:
                    self.to_canonical.setdefault(alias, canonical)
                continue
            # ask about the name the parser wanted to merge into, or else about each new alias
            if canonical not in known:
                held.setdefault(canonical, []).extend(aliases)
            else:
                for alias in aliases:
                    if alias not in known:
                        held.setdefault(alias, []).append(canonical)
        self.to_canonical.update(explicit)
        self.held = held

    def __call__(self, written: str) -> str:
        seen = set()
        name = written
        while name in self.to_canonical and name not in seen:  # alias chains end at a canonical name
            seen.add(name)
            name = self.to_canonical[name]
        return name

    def questions(self, parsed: ParsedPlan) -> list[UnitQuestion]:
        """New names (as written) that resemble a stored unit or that the parser wanted to merge."""
        refs: dict[str, list[str]] = {}
        for ref, t in unique_refs(parsed.tasks):
            for written in (*t.lead, *t.co):
                if self(written) == written and written not in self.stored_units:
                    refs.setdefault(written, []).append(ref)
        out = []
        for name, where in refs.items():
            cands = list(self.held.get(name, []))
            cands += [u for u in sorted(self.stored_units) if u[:1] == name[:1] or u[-1:] == name[-1:]
                      if resembles(name, u)]
            # a held candidate that itself resolves elsewhere is asked about by its resolved name
            ranked = _rank(name, [self(c) for c in cands])
            if ranked:
                out.append(UnitQuestion(name=name, candidates=ranked[:3], refs=tuple(dict.fromkeys(where))))
        return out


def task_owners(task: ParsedTask, resolve: UnitResolver) -> list[tuple[str, str, str]]:
    """(canonical unit, role, as written) in document order, first role wins for a repeated unit."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for role in ("lead", "co"):
        for written in getattr(task, role):
            name = resolve(written)
            if name and name not in seen:
                seen.add(name)
                out.append((name, role, written))
    return out



def unique_refs(tasks: list[ParsedTask]) -> list[tuple[str, ParsedTask]]:
    """Give a repeated task number a suffix so both tasks survive (the parser already warned)."""
    seen: dict[str, int] = {}
    out = []
    for t in tasks:
        ref = str(t.ref or len(out) + 1)
        n = seen.get(ref, 0) + 1
        seen[ref] = n
        out.append((ref if n == 1 else f"{ref}-{n}", t))
    return out



def check_answers(session: Session, parsed: ParsedPlan, answers: dict[str, str],
                  office_id: int | None = None) -> dict[str, str]:
    """A confirmed alias must name a unit written in the plan and an existing (or written) unit."""
    written = {n for t in parsed.tasks for n in (*t.lead, *t.co)}
    known = (set(repo.units_by_name(session=session, office_id=office_id))
             | set(repo.alias_map(session=session, office_id=office_id)) | written)
    out = {}
    for alias, target in answers.items():
        alias, target = alias.strip(), target.strip()
        if not alias or not target or alias == target:
            raise UserError(f"别称“{alias}={target}”无效，请写成 新名称=已有单位，如 安全办公室=安全办")
        if target not in known:
            raise UserError(f"别称“{alias}={target}”中的单位“{target}”不存在，未导入任何内容。")
        out[alias] = target
    return out

"""Find a unit by the name a person types: exact, alias, then fuzzy suggestions."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process
from sqlmodel import Session

from bot.services.errors import NotFound
from storage import repo
from storage.models import Unit

_ROLE_WORDS = re.compile(r"(负责|牵头|配合|主办|协办|的任务|任务|的工作|工作)$")


def clean_name(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"\s+", "", text)
    return _ROLE_WORDS.sub("", text).strip("“”\"'《》?？。,，:：")


def candidates(*, session: Session, office_id: int | None = None) -> dict[str, Unit]:
    """Every name a unit goes by → the unit (within one office, or across all)."""
    units = repo.units_by_name(session=session, office_id=office_id)
    by_id = {u.id: u for u in units.values()}
    out = dict(units)
    for alias, unit_id in repo.alias_map(session=session, office_id=office_id).items():
        if unit_id in by_id:
            out.setdefault(alias, by_id[unit_id])
    return out


def find_unit(*, session: Session, name: str, aliases: dict[str, str] | None = None,
              office_id: int | None = None) -> Unit | None:
    """Exact or alias match, or a single unambiguous containment ("安全办公室" → 安全办)."""
    name = clean_name(name)
    if not name:
        return None
    names = candidates(session=session, office_id=office_id)
    if aliases and name in aliases and aliases[name] in names:
        return names[aliases[name]]
    if name in names:
        return names[name]
    # "安全办公室" is 安全办 written out; "进修学校" is 教师进修学校 shortened. Accept only when one unit fits.
    hits = {u.id: u for n, u in names.items() if len(n) >= 3 and (name.startswith(n) or n.endswith(name))}
    if len(hits) == 1 and len(name) >= 3:
        return next(iter(hits.values()))
    return None


def suggest(*, session: Session, name: str, limit: int = 3, office_id: int | None = None) -> list[str]:
    """The closest unit names, for "你是不是要找：…？"."""
    names = candidates(session=session, office_id=office_id)
    if not names:
        return []
    found = process.extract(clean_name(name), list(names), scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=45)
    out: list[str] = []
    for match, _score, _ in found:
        canonical = names[match].name
        if canonical not in out:
            out.append(canonical)
    return out[:limit]


def require_unit(*, session: Session, name: str, aliases: dict[str, str] | None = None,
                 office_id: int | None = None) -> Unit:
    """The unit `name` means (in one office), or NotFound with the closest names."""
    unit = find_unit(session=session, name=name, aliases=aliases, office_id=office_id)
    if unit is None:
        if not repo.units_by_name(session=session, office_id=office_id):
            raise NotFound("还没有导入任何工作计划，没有单位可查。请先运行 duban plan import 文件。")
        hints = suggest(session=session, name=name, office_id=office_id)
        msg = f"没有找到单位“{clean_name(name) or name}”。"
        if hints:
            msg += "你是不是要找：" + "、".join(hints) + "？"
        raise NotFound(msg, hints)
    return unit

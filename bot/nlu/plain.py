"""Records from a plain plan dict (the shape of `duban plan parse --json`), for tests, tools, benchmarks."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.nlu.model import Status, TaskRecord, UnitRecord
from bot.nlu.normalise import key

_GROUP_PREFIXES = ("各", "全县", "全区", "全市", "有关", "相关")


def records_from_plan(plan: dict[str, Any], state: dict[str, Any] | None = None
                      ) -> tuple[list[UnitRecord], list[TaskRecord]]:
    """Units and tasks from {"units": [{name, aliases}], "tasks": [{ref, title, …, lead, co, deadlines}]}.

    `state` optionally adds what the store would know: {"ref": {"status": "done", "last_report": "2024-05-01",
    "deadlines": ["2024-06-30"]}}. Ids are positions (units from 1, tasks from 1).
    """
    state = state or {}
    units: list[UnitRecord] = []
    by_name: dict[str, int] = {}
    for u in plan.get("units", []):
        uid = len(units) + 1
        name = u["name"] if isinstance(u, dict) else str(u)
        aliases = tuple(u.get("aliases", ())) if isinstance(u, dict) else ()
        kind = "group" if name.startswith(_GROUP_PREFIXES) else "unit"
        units.append(UnitRecord(uid, name, aliases, kind))
        for s in (name, *aliases):
            by_name.setdefault(key(s), uid)

    def unit_id(name: str) -> int:
        k = key(name)
        if k not in by_name:
            units.append(UnitRecord(len(units) + 1, name))
            by_name[k] = len(units)
        return by_name[k]

    tasks: list[TaskRecord] = []
    for i, t in enumerate(plan.get("tasks", [])):
        extra = state.get(str(t["ref"]), {})
        deadlines = [d if isinstance(d, str) else d.get("date") for d in t.get("deadlines", [])]
        deadlines += extra.get("deadlines", [])
        status = extra.get("status")
        last = extra.get("last_report")
        lead = tuple(dict.fromkeys(unit_id(n) for n in t.get("lead", [])))
        co = tuple(x for x in dict.fromkeys(unit_id(n) for n in t.get("co", [])) if x not in lead)
        tasks.append(TaskRecord(
            id=i + 1, ref=str(t["ref"]), title=t.get("title", ""), objective=t.get("objective") or "",
            measures=t.get("measures") or "", section=t.get("section") or "",
            lead_unit_ids=lead, co_unit_ids=co,
            deadlines=tuple(sorted({date.fromisoformat(d) for d in deadlines if d})),
            status=Status(status) if status else None,
            last_report=date.fromisoformat(last) if last else None, position=i,
        ))
    return units, tasks

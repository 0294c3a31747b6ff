"""A revision's numbers in the store: kept tasks take their new number, dropped ones yield theirs ("原25")."""

from __future__ import annotations

from sqlmodel import Session

from storage.models import Task


def place_refs(session: Session, tasks: list[Task], matches: dict[str, int], wanted: set[str]) -> dict[int, Task]:
    """Give each kept task its number in the revision; a dropped task that holds a wanted number yields it.

    Numbers are unique within a plan, and a reorder swaps them, so moved tasks pass through a
    temporary number first (one flush), then take their final one.
    """
    by_id = {t.id: t for t in tasks}
    final = {task_id: ref for ref, task_id in matches.items()}
    taken = wanted | {t.ref for t in tasks if t.id not in final}
    for t in tasks:
        if t.id not in final and t.ref in wanted:  # a dropped task on a number the revision gives another
            final[t.id] = _retired_ref(t.ref, taken)
            taken.add(final[t.id])
    moving = [by_id[i] for i, ref in final.items() if by_id[i].ref != ref]
    if moving:
        for t in moving:
            t.ref = f"~{t.id}"
        session.flush()
        for t in moving:
            t.ref = final[t.id]
        session.flush()
    return by_id


def _retired_ref(ref: str, taken: set[str]) -> str:
    """The number a dropped task keeps: "原25", or "原25-2" when that too is taken."""
    out, n = f"原{ref}", 1
    while out in taken:
        n += 1
        out = f"原{ref}-{n}"
    return out

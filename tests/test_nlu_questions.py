"""The public question set: everyday questions on several real plans must select the right tasks and units."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from bot.nlu import Kind, Understanding, Vocabulary, records_from_plan, select, understand
from bot.nlu.model import Selection

HERE = Path(__file__).parent / "nlu_questions"
PASS_RATE = 0.95


@cache
def load_set(name: str) -> tuple[dict, Vocabulary]:
    """One question file and the vocabulary of its plan (with the file's state overlay)."""
    data = json.loads((HERE / name).read_text(encoding="utf-8"))
    plan = json.loads((HERE / data["plan"]).read_text(encoding="utf-8"))
    units, tasks = records_from_plan(plan, data.get("state"))
    return data, Vocabulary.build(units, tasks)


def unit_ids_by_name(vocab: Vocabulary) -> dict[str, int]:
    """Unit name or alias → id."""
    out = {}
    for u in vocab.units.values():
        for s in (u.name, *u.aliases):
            out.setdefault(s, u.id)
    return out


def check(item: dict, u: Understanding, sel: Selection, vocab: Vocabulary) -> str | None:
    """Why the answer is wrong, or None when it is right."""
    refs = [vocab.tasks[t].ref for t in sel.task_ids]
    names = unit_ids_by_name(vocab)
    if u.kind != Kind(item["kind"]):
        return f"kind {u.kind} != {item['kind']}"
    want = item.get("tasks")
    if want is not None:
        if item.get("only") and set(refs) != set(want):
            return f"tasks {refs} != {want}"
        if item.get("top") and not all(r in refs[: item["top"]] for r in want):
            return f"tasks {refs[:5]} lack {want} in top {item['top']}"
        if not set(want) <= set(refs):
            return f"tasks {refs[:12]} lack {sorted(set(want) - set(refs))}"
    if item.get("units") is not None:
        want_ids = {names[n] for n in item["units"]}
        got = set(sel.unit_ids)
        if item.get("only_units") and got != want_ids:
            return f"units {[vocab.units[i].name for i in sel.unit_ids]} != {item['units']}"
        if not want_ids <= got:
            return f"units {[vocab.units[i].name for i in sel.unit_ids][:10]} lack {item['units']}"
    if "count" in item and sel.count != item["count"]:
        return f"count {sel.count} != {item['count']}"
    if "missing" in item and u.missing_refs != item["missing"]:
        return f"missing {u.missing_refs} != {item['missing']}"
    if "report" in item:
        r, w = u.report, item["report"]
        if r is None:
            return "no report"
        got = {"ref": r.ref, "status": r.status and r.status.value, "percent": r.percent, "note": r.note}
        bad = {k: (got[k], v) for k, v in w.items() if got[k] != v}
        if bad:
            return f"report {bad}"
    return None


def run_file(name: str) -> tuple[int, list[str]]:
    """(questions, failures) for one question file."""
    data, vocab = load_set(name)
    now = date.fromisoformat(data["now"])
    own = unit_ids_by_name(vocab).get(data["own_unit"]) if data.get("own_unit") else None
    failures = []
    for item in data["questions"]:
        u = understand(item["q"], vocab, now=now, own_unit_id=own)
        why = check(item, u, select(u, vocab), vocab)
        if why:
            failures.append(f"{name}: {item['q']!r}: {why}")
    return len(data["questions"]), failures


def test_question_set_selects_right():
    total, failures = 0, []
    for path in sorted(HERE.glob("*.json")):
        n, bad = run_file(path.name)
        total += n
        failures += bad
    rate = 1 - len(failures) / total
    print(f"\nNLU question set: {total - len(failures)}/{total} right ({rate:.1%})")
    for f in failures:
        print("  FAIL", f)
    assert total >= 150
    assert rate >= PASS_RATE, "\n".join(failures)


def test_every_plan_file_is_used():
    used = {json.loads(p.read_text(encoding="utf-8"))["plan"] for p in HERE.glob("*.json")}
    assert len(used) >= 5

"""Score every family document, public fixture and own document with the current parser.

    .venv/bin/python bench/score_fixtures.py [--cli] [FILTER]

Same result as `duban plan parse FILE --json` fed to /work/shared/tools/score_plan.py (the scorer is loaded
from there, or from tests/score_plan.py when absent). --cli runs the real command per file. Prints one line per
document and the mean; not a test.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.plan import parse_file  # noqa: E402

SHARED = Path("/work/shared")
DIRS = [SHARED / "fixtures", SHARED / "fixtures" / "families", ROOT / "tests" / "fixtures" / "families_own"]


def scorer():
    """Load score() from the shared scorer."""
    path = SHARED / "tools" / "score_plan.py"
    spec = importlib.util.spec_from_file_location("score_plan", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.score


def documents(flt: str = ""):
    """Yield (document, truth) pairs: every non-truth file beside a NAME.truth.json."""
    for d in DIRS:
        if not d.exists():
            continue
        for truth in sorted(d.glob("*.truth.json")):
            stem = truth.name[: -len(".truth.json")]
            for doc in sorted(d.glob(stem + ".*")):
                if doc.name.endswith(".truth.json") or (flt and flt not in doc.name):
                    continue
                yield doc, truth


def parsed_json(doc: Path, cli: bool) -> dict:
    """Parse one document, in process or through the CLI."""
    if not cli:
        return parse_file(doc).to_dict()
    run = subprocess.run([str(ROOT / ".venv/bin/duban"), "plan", "parse", str(doc), "--json"],
                         capture_output=True, text=True, check=False)
    return json.loads(run.stdout)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cli = "--cli" in sys.argv
    score = scorer()
    total = []
    for doc, truth in documents(args[0] if args else ""):
        try:
            out = parsed_json(doc, cli)
        except Exception as exc:  # a bench reports, it does not stop
            out = {"plan": {}, "tasks": [], "error": str(exc)}
        res = score(json.loads(truth.read_text(encoding="utf-8")), out)
        total.append(res["overall"])
        print(f"{res['overall']:.3f} f1={res['task_f1']:.2f} lead={res['lead_acc']:.2f} unit={res['unit_f1']:.2f} "
              f"dl={res['deadline_recall']} year={'ok' if res['year_ok'] else 'NO'} "
              f"{res['matched']}/{res['tasks_truth']}/{res['tasks_out']}  {doc.parent.name}/{doc.name}")
    if total:
        print(f"mean {sum(total) / len(total):.3f} over {len(total)}; below 0.95: {sum(s < 0.95 for s in total)}")


if __name__ == "__main__":
    main()

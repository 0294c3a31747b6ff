"""The shared scorer's verdict on the two hand-labelled plans: both must come out exactly right."""

from __future__ import annotations

import importlib.util
import json

import pytest

from bot.plan import parse_file
from tests.conftest import SHARED

CASES = [
    ("seed/000_06dbc8e77edbdaad.txt", "fixtures/seed.truth.json"),
    ("fixtures/08_statecouncil-bonded-zones-2019.txt", "fixtures/08_statecouncil-bonded-zones-2019.truth.json"),
]


def _scorer():
    path = SHARED / "tools" / "score_plan.py"
    if not path.exists():
        pytest.skip(f"shared/ not found beside the repo ({SHARED}); the scorer and truth files live there")
    spec = importlib.util.spec_from_file_location("score_plan", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("doc, truth", CASES)
def test_plan_scores_exactly_against_its_truth(doc, truth):
    scorer = _scorer()
    parsed = json.loads(json.dumps(parse_file(SHARED / doc).to_dict(), ensure_ascii=False))
    result = scorer.score(json.loads((SHARED / truth).read_text(encoding="utf-8")), parsed)
    assert result["year_ok"] and result["overall"] == 1.0, result
    assert result["tasks_out"] == result["tasks_truth"] == result["matched"]

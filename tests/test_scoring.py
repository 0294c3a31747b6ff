"""The shared scorer's verdict on the two hand-labelled plans: both must come out exactly right."""

from __future__ import annotations

import json

import pytest

from bot.plan import parse_file
from tests.conftest import SHARED, load_scorer

CASES = [
    ("seed/000_06dbc8e77edbdaad.txt", "fixtures/seed.truth.json"),
    ("fixtures/08_statecouncil-bonded-zones-2019.txt", "fixtures/08_statecouncil-bonded-zones-2019.truth.json"),
]




@pytest.mark.parametrize("doc, truth", CASES)
def test_plan_scores_exactly_against_its_truth(doc, truth):
    scorer = load_scorer()
    parsed = json.loads(json.dumps(parse_file(SHARED / doc).to_dict(), ensure_ascii=False))
    result = scorer.score(json.loads((SHARED / truth).read_text(encoding="utf-8")), parsed)
    assert result["year_ok"] and result["overall"] == 1.0, result
    assert result["tasks_out"] == result["tasks_truth"] == result["matched"]

"""Every shared fixture (text and HTML copies) against its hand-labelled truth, with the shared scorer."""

from __future__ import annotations

import json

import pytest

from bot.plan import parse_file
from tests.conftest import SHARED, load_scorer

FIXTURES = SHARED / "fixtures"


def _cases() -> list[tuple[str, str]]:
    if not FIXTURES.is_dir():
        return []
    out = [("seed/000_06dbc8e77edbdaad.txt", "fixtures/seed.truth.json")]
    for truth in sorted(FIXTURES.glob("*.truth.json")):
        stem = truth.name.removesuffix(".truth.json")
        for ext in (".txt", ".html"):
            doc = FIXTURES / f"{stem}{ext}"
            if doc.exists():
                out.append((f"fixtures/{doc.name}", f"fixtures/{truth.name}"))
    return out




CASES = _cases()


@pytest.mark.skipif(not CASES, reason=f"shared fixtures not found at {FIXTURES}")
@pytest.mark.parametrize("doc, truth", CASES or [("-", "-")])
def test_fixture_scores(doc, truth):
    scorer = load_scorer()
    parsed = json.loads(json.dumps(parse_file(SHARED / doc).to_dict(), ensure_ascii=False))
    result = scorer.score(json.loads((SHARED / truth).read_text(encoding="utf-8")), parsed)
    assert result["year_ok"], result
    assert result["overall"] >= 0.95, result
    if result["deadline_recall"] is not None:
        assert result["deadline_recall"] >= 0.9, result

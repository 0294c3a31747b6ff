"""Every shared fixture (text and HTML copies) against its hand-labelled truth, with the shared scorer."""

from __future__ import annotations

import json
from pathlib import Path

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




OWN = Path(__file__).resolve().parent / "fixtures" / "families_own"


def _family_cases() -> list[tuple[Path, Path]]:
    """Layout-family documents (shared) and our own one-per-family documents, each beside its truth."""
    out = []
    for folder in (FIXTURES / "families", OWN):
        for truth in sorted(folder.glob("*.truth.json")) if folder.is_dir() else []:
            stem = truth.name.removesuffix(".truth.json")
            out += [(doc, truth) for doc in sorted(folder.glob(stem + ".*")) if doc != truth]
    return out


CASES = _cases()
FAMILY_CASES = _family_cases()


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


@pytest.mark.parametrize("doc, truth", FAMILY_CASES, ids=[d.name for d, _ in FAMILY_CASES])
def test_family_scores(doc, truth):
    """Every layout family (F1–F7), shared and our own: the right year and an overall score >= 0.95."""
    scorer = load_scorer()
    parsed = json.loads(json.dumps(parse_file(doc).to_dict(), ensure_ascii=False))
    result = scorer.score(json.loads(truth.read_text(encoding="utf-8")), parsed)
    assert result["year_ok"], result
    assert result["overall"] >= 0.95, result

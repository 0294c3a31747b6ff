"""The recorded chat transcript (tests/transcript): the same inputs give the same replies and pushes."""

from __future__ import annotations

import difflib

import pytest

from tests.transcript.record import GOLDEN, transcript


@pytest.mark.review  # the product's default closure (办结审核), as `python -m tests.transcript.record` records it
def test_the_transcript_replays_unchanged():
    now = transcript()
    golden = GOLDEN.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(golden.splitlines(keepends=True), now.splitlines(keepends=True),
                                        "golden.txt", "replayed", n=2))
    assert now == golden, f"the transcript changed (python -m tests.transcript.record rewrites it):\n{diff[:6000]}"

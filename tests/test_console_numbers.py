"""Console message numbers continue across restarts: a number typed from an older screen never means a newer message."""

from __future__ import annotations

import io
import re
import sys


def _session(cli, monkeypatch, lines: str) -> list[int]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    code, out, err = cli("console", "--now", "2021-08-23T09:30")
    assert code in (0, None), err
    return [int(n) for n in re.findall(r"── 消息 #(\d+)", out)]


def test_numbers_continue_after_a_restart_replies_included(cli, monkeypatch):
    first = _session(cli, monkeypatch, "/help\n/overdue\n/help\nquit\n")
    assert first and first == sorted(set(first))
    second = _session(cli, monkeypatch, "/help\nquit\n")
    assert second and min(second) > max(first)  # none of the first run's numbers is used again
    third = _session(cli, monkeypatch, "/help\nquit\n")
    assert min(third) > max(second)

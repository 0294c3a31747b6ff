"""The root's collector control: runs of either kind overlap, and the collector comes back as it was."""

from __future__ import annotations

import gc
import io
import threading

from bot.app import HEAP, App
from bot.console import ConsoleSender
from bot.heap import NO_FULL_PASS, Heap
from tests.helpers import at
from tests.test_service import settings


def test_quiet_turns_the_collector_off_till_the_last_overlapping_run_ends():
    heap = Heap()
    assert gc.isenabled()
    with heap.quiet():
        assert not gc.isenabled()
        with heap.quiet():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer run is still going
    assert gc.isenabled()


def test_quiet_leaves_a_collector_someone_else_turned_off_off():
    heap = Heap()
    gc.disable()
    try:
        with heap.quiet():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_calm_keeps_young_collections_and_stops_full_ones_till_the_last_run_ends():
    heap = Heap()
    before = gc.get_threshold()
    with heap.calm():
        assert gc.isenabled() and gc.get_threshold() == (*before[:2], NO_FULL_PASS)
        with heap.calm():
            pass
        assert gc.get_threshold()[2] == NO_FULL_PASS
    assert gc.get_threshold() == before


def test_runs_in_two_threads_share_one_count():
    heap, inside, leave = Heap(), threading.Event(), threading.Event()

    def run() -> None:
        with heap.quiet():
            inside.set()
            leave.wait(5)

    worker = threading.Thread(target=run)
    worker.start()
    inside.wait(5)
    with heap.quiet():
        leave.set()
        worker.join(5)
        assert not gc.isenabled()  # the thread's run ended, this one has not
    assert gc.isenabled()


async def test_the_app_sweeps_with_the_collector_off_and_restores_it(tmp_path):
    """The root, not the sweep, quiets the collector: App.sweep does it whatever command runs it."""
    seen = []
    service = App(settings(tmp_path), clock=lambda: at(2021, 8, 23, 10), extra_senders=[ConsoleSender(out=io.StringIO())])
    try:
        service.load_sample_if_empty()
        original = HEAP.quiet

        def watched():
            seen.append("quiet")
            return original()

        HEAP.quiet = watched
        try:
            service.sweep()
        finally:
            del HEAP.quiet
        assert seen == ["quiet"] and gc.isenabled()
    finally:
        await service.stop()

"""The process's one control of the cyclic garbage collector: built by the composition root (bot.app), which
settles the heap once start-up is done and keeps the collector quiet while a job runs.

Nothing else in the bot touches `gc`: the jobs and the reminder engine run the same with or without it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

NO_FULL_PASS = 1_000_000_000  # a third threshold no run reaches: the oldest generation is never collected


class Heap:
    """Settle once, then keep the collector out of each job run's way. Runs may overlap (the sweep runs in a
    thread while the loop dispatches): the collector comes back as it was when the last run of a kind ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._quiet = self._calm = 0
        self._was_enabled = True
        self._threshold = gc.get_threshold()

    def settle(self) -> None:
        """Keep what start-up built out of the collector's full passes (gc.freeze).

        The modules, the store's metadata and the channels are some 200,000 tracked objects that live as long
        as the process. A full collection walked them all every so often (about 100 ms on a 2-core machine,
        holding the GIL), and every chat's answer waited for it: the outliers in bench/chat.py's p95. Garbage
        made before is collected first; objects made later are collected as usual.
        """
        gc.collect()
        gc.freeze()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """The collector off for a bounded batch job (a sweep): it makes hundreds of thousands of small acyclic
        objects (views, reminders, rows) that each collection would walk again; what is cyclic waits till the
        last such run ends. Refcounting still frees everything else."""
        with self._lock:
            if self._quiet == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._quiet += 1
        try:
            yield
        finally:
            with self._lock:
                self._quiet -= 1
                if self._quiet == 0 and self._was_enabled:
                    gc.enable()

    @contextmanager
    def calm(self) -> Iterator[None]:
        """No full collection during a run that may last (a dispatch keeps hundreds of sends in flight while
        chats are answered): their objects outlive the young collections and every few thousand rows would
        trigger a full pass over every object in the process (~0.2 s each here, as much as the run's own work).
        Young garbage is still collected; the oldest generation waits till the last such run ends."""
        with self._lock:
            if self._calm == 0:
                self._threshold = gc.get_threshold()
                gc.set_threshold(*self._threshold[:2], NO_FULL_PASS)
            self._calm += 1
        try:
            yield
        finally:
            with self._lock:
                self._calm -= 1
                if self._calm == 0:
                    gc.set_threshold(*self._threshold)

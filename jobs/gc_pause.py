"""Keep the cyclic collector's full passes off a dispatcher run (the composition root may pass its own hook)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_frozen_runs = 0  # dispatcher runs in this process inside _old_objects_frozen


@contextmanager
def old_objects_frozen() -> Iterator[None]:
    """Keep the collector's full passes off the objects that existed before the run, for its duration.

    A run keeps hundreds of sends in flight; their objects outlive the young collections, and every
    few thousand rows that triggers a full collection, which walks every object in the process (the
    bot's modules, SQLAlchemy's metadata…): ~0.2 s each here, as much as the run's own work. Frozen
    objects are skipped (gc.freeze) and handed back to the collector when the last run ends
    (gc.unfreeze), so nothing is kept alive: garbage is only collected later. A process that froze
    objects itself is left alone.
    """
    global _frozen_runs
    if _frozen_runs == 0 and gc.get_freeze_count():
        yield
        return
    if _frozen_runs == 0:
        gc.freeze()
    _frozen_runs += 1
    try:
        yield
    finally:
        _frozen_runs -= 1
        if _frozen_runs == 0:
            gc.unfreeze()

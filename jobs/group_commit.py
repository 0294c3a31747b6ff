"""The database side of a dispatcher run: calls off the event loop, and writes grouped across many sends."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool


class Db:
    """The database calls of one run, in worker threads so sends never wait on them.

    A claim may overlap the writing of earlier results (each call has its own connection); on a shared
    in-memory store (one connection, tests) calls run inline, one at a time.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inline = isinstance(engine.pool, StaticPool)  # one connection: never share it across threads

    async def run(self, fn: Callable, /, *args, **kwargs):
        if self._inline:
            return fn(*args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)


class GroupCommit:
    """Collect items from many tasks and hand them to `flush` together; each caller gets its own result."""

    def __init__(self, flush: Callable[[list], Awaitable[list]]) -> None:
        self._flush = flush
        self._items: list = []
        self._futures: list[asyncio.Future | None] = []
        self._task: asyncio.Task | None = None
        self.error: Exception | None = None

    async def submit(self, item):
        future = asyncio.get_running_loop().create_future()
        self._items.append(item)
        self._futures.append(future)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return await future

    def post(self, item) -> None:
        """Hand over `item` without waiting for its flush; a failed flush is raised by drain()."""
        self._items.append(item)
        self._futures.append(None)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def drain(self) -> None:
        while self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        try:
            while self._items:
                items, futures = self._items, self._futures
                self._items, self._futures = [], []
                try:
                    results = await self._flush(items)
                except Exception as exc:
                    if None in futures:
                        self.error = exc
                    for f in futures:
                        if f is not None and not f.done():
                            f.set_exception(exc)
                    continue
                for f, r in zip(futures, results, strict=True):
                    if f is not None and not f.done():
                        f.set_result(r)
        finally:
            self._task = None

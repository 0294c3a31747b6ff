"""What a command or the service needs at hand: settings, the store, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.config import Settings
from storage.db import open_store


@dataclass
class Runtime:
    """Built once at the edge (CLI or service) and passed down explicitly."""

    settings: Settings
    now_override: datetime | None = None
    clock: Callable[[], datetime] | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_store(self.settings.database.url)
        return self._engine

    def now(self) -> datetime:
        """The one place the wall clock is read; `--now` or a test clock replaces it."""
        if self.now_override is not None:
            return self.now_override
        if self.clock is not None:
            return self.clock()
        return datetime.now(self.settings.app.tz)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

"""An office's web board kept per day and store version: in this process, and in the store (one row per office).

Working a board out is a pass over every task of the office's open plans (seconds at 30,000 tasks), and a new
day changes every light. So the sweep's tick works each office's board out once a day ahead of the first look
(`prepare_boards`), any board worked out is kept in the store for other processes and restarts, and after a
change (a report, a new date) the board last worked out is served at once while a thread works out the new one.
The page shows when its data was read.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from bot.config import Settings
from bot.services.board import OfficeLights, TaskLight
from bot.services.webboard import Change, OfficeBoard, Scope, Section, UnitRow, build_office
from bot.workdays import WorkCalendar
from storage import repo
from storage import web as store

FORMAT = 5  # the shape of a kept board; a row of another shape is worked out again, never misread


@dataclass
class _Kept:
    """One office's board as last worked out, and the refresh under way, if any."""

    day: date
    version: str
    board: OfficeBoard
    refresh: threading.Thread | None = None


_kept: dict[tuple, _Kept] = {}
_started: dict[tuple, threading.Thread] = {}  # the latest refresh of each office, running or done
_lock = threading.Lock()


def store_version(session: Session) -> str:
    """The store's change counters, its newest event and instruction, and the board's shape: what a kept board
    was read at (two small statements)."""
    return json.dumps([FORMAT, repo.vocab_version(session=session), store.board_marks(session=session)])


def office_board(scope: Scope, office_id: int | None) -> OfficeBoard:
    """The office page's data: kept for today and this store version, else the one kept for today while a newer
    one is worked out, else worked out now (a day's first look before the sweep's tick got to it)."""
    engine = scope.session.get_bind()
    key = (str(engine.url), office_id)
    version = store_version(scope.session)
    with _lock:
        kept = _kept.get(key)
    if kept is None or kept.day != scope.today:
        kept = _from_store(scope.session, key, office_id, scope.today)
    if kept is not None:
        with _lock:
            if kept.version != version and kept.refresh is None and not isinstance(engine.pool, StaticPool):
                kept.refresh = threading.Thread(target=_refresh, args=(key, engine, scope, office_id, version),
                                                daemon=True)
                kept.refresh.start()
                _started[key] = kept.refresh
            if kept.version == version or kept.refresh is not None:
                return kept.board
    board = build_office(scope, office_id)
    _keep(scope.session, key, office_id, version, board, scope.now)
    return board


def prepare_boards(*, session: Session, now: datetime, settings: Settings, calendar: WorkCalendar) -> int:
    """Work out today's board of each office the store keeps none for today; how many were worked out."""
    scope = Scope(session, now, settings, calendar)
    url, version, made = str(session.get_bind().url), store_version(session), 0
    for office_id in [o.id for o in repo.offices(session=session)] or [None]:
        stamp = store.snapshot_stamp(session=session, office_key=office_id or 0)
        if stamp is not None and _current(stamp[0], stamp[1], scope.today):
            continue
        _keep(session, (url, office_id), office_id, version, build_office(scope, office_id), now)
        made += 1
    return made


def refreshing(*, engine, office_id: int | None) -> threading.Thread | None:
    """The latest refresh of this office's board, running or done, if any (tests and benchmarks wait on it)."""
    return _started.get((str(engine.url), office_id))


def forget() -> None:
    """Drop the boards this process keeps (a benchmark's cold start; the store's rows stay)."""
    with _lock:
        _kept.clear()
        _started.clear()


def _keep(session: Session, key: tuple, office_id: int | None, version: str, board: OfficeBoard,
          now: datetime) -> None:
    with _lock:
        _kept[key] = _Kept(board.as_of, version, board)
    store.keep_snapshot(session=session, office_key=office_id or 0, day=board.as_of, version=version,
                        data=encode(board), now=now)


def _from_store(session: Session, key: tuple, office_id: int | None, today: date) -> _Kept | None:
    """Today's board as the store keeps it (worked out by the sweep's tick or another process), or None."""
    row = store.snapshot_of(session=session, office_key=office_id or 0)
    if row is None or not _current(row.day, row.version, today):
        return None
    try:
        kept = _Kept(row.day, row.version, decode(row.data))
    except (KeyError, TypeError, ValueError):  # a row no longer readable is worked out again
        return None
    with _lock:
        current = _kept.get(key)
        if current is not None and current.day == today:
            return current  # a refresh here got there first
        _kept[key] = kept
    return kept


def _current(day: date, version: str, today: date) -> bool:
    """Whether a kept board is today's and of this code's shape."""
    return day == today and version.startswith(f"[{FORMAT},")


def _refresh(key: tuple, engine, scope: Scope, office_id: int | None, version: str) -> None:
    with Session(engine) as session:
        board = build_office(Scope(session, scope.now, scope.settings, scope.calendar), office_id)
        _keep(session, key, office_id, version, board, scope.now)
        session.commit()


# --- the board as JSON --------------------------------------------------------------------------------------
def encode(board: OfficeBoard) -> str:
    return json.dumps(dataclasses.asdict(board), default=lambda d: d.isoformat(), ensure_ascii=False,
                      separators=(",", ":"))


def decode(text: str) -> OfficeBoard:
    d = json.loads(text)
    return OfficeBoard(
        d["office"], _day(d["as_of"]), d["counts"],
        [Section(s["key"], s["title"], s["counts"], s["total"], [_light(t) for t in s["worst"]])
         for s in d["sections"]],
        [UnitRow(**u) for u in d["units"]],
        [(_day(w), n, done) for w, n, done in d["trend"]],
        [Change(**{**c, "at": _day(c["at"])}) for c in d["changes"]],
        [OfficeLights(**c) for c in d["children"]],
        datetime.fromisoformat(d["read_at"]) if d["read_at"] else None, d["more_changes"])


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _light(d: dict) -> TaskLight:
    return TaskLight(**{**d, **{k: _day(d[k]) for k in ("next_deadline", "overdue_since", "last_report")}})

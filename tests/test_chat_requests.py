"""Request records: one wire format for buttons (old signed data still reads), and a handler for every record."""

from __future__ import annotations

import dataclasses

import pytest

from bot.chat import requests as rq
from bot.chat import taps
from bot.chat.service import ChatService
from bot.config import Settings
from bot.services.buttons import Action, sign
from bot.workdays import WorkCalendar
from tests.helpers import at

KEY = b"k" * 32


@pytest.mark.parametrize("action", list(Action))
def test_every_button_action_reads_into_its_record_and_back(action):
    data = sign(KEY, action, 12, "done" if action is Action.STATUS else "")  # as buttons already sent were signed
    tap = taps.read_tap(KEY, data)
    assert tap is not None and tap.action is action and (tap.ident, tap.arg) == (12, data.split(":")[2])
    assert tap.data(KEY) == data


def test_forged_or_unknown_data_reads_as_nothing():
    good = taps.TapStatus(3, "done").data(KEY)
    assert taps.read_tap(KEY, good[:-1] + ("0" if good[-1] != "0" else "1")) is None
    assert taps.read_tap(KEY, sign(KEY, Action.STATUS, 3, "done").replace("st:", "zz:", 1)) is None
    assert taps.read_tap(KEY, "a:b:c") is None


def test_records_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        rq.Report("12", "done").ref = "13"  # type: ignore[misc]


def test_the_routing_table_answers_every_record_type(memory_engine):
    service = ChatService(engine=memory_engine, settings=Settings(), calendar=WorkCalendar(), clock=lambda: at(2021, 8, 23))
    records = [c for c in vars(rq).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
               and c.__module__ == rq.__name__ and c is not taps.Tap]
    missing = [c.__name__ for c in records if c not in service.router.routes]
    assert missing == []
    for command in service.commands:  # each slash command is answered by its handler or by its record's route
        assert command.handler is not None or command.read is not None

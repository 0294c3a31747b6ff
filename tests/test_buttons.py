"""Button payloads: HMAC-SHA256 as the standard library computes it, and nothing forged gets through."""

from __future__ import annotations

import hmac

import pytest

from bot.services.buttons import Action, sign, verify


@pytest.mark.parametrize("size", [1, 16, 32, 64, 65, 200])
def test_signature_is_hmac_sha256_for_any_key_length(size):
    key = bytes(i % 251 for i in range(size))  # longer than SHA-256's 64-byte block: hashed first
    payload = sign(key, Action.STATUS, 12, "done")
    body, sig = payload.rsplit(":", 1)
    assert body == "st:12:done" and sig == hmac.new(key, body.encode(), "sha256").hexdigest()[:10]
    assert verify(key, payload) == (Action.STATUS, 12, "done")


def test_tampered_foreign_and_malformed_payloads_are_refused():
    key, other = b"k" * 32, b"o" * 32
    payload = sign(key, Action.SNOOZE, 7)
    assert verify(key, payload) == (Action.SNOOZE, 7, "")
    assert verify(other, payload) is None  # another installation's key
    assert verify(key, payload.replace(":7:", ":8:")) is None  # another task
    assert verify(key, "st:7:done") is None and verify(key, "") is None
    assert verify(key, sign(key, Action.STATUS, 7, "done")) == (Action.STATUS, 7, "done")  # back to the first key


def test_the_first_writer_of_the_signing_key_wins_and_the_other_reads_it(store_url):
    from bot.services.buttons import signing_key
    from storage import repo
    from storage.db import open_store, session_scope
    from tests.helpers import at

    one, two = open_store(store_url), open_store(store_url)
    try:
        with session_scope(one) as s:
            first = signing_key(session=s, now=at(2021, 8, 23))
        with session_scope(two) as s:  # a writer that looked before the first committed, then writes its own
            row = repo.job_state_once(session=s, name="callback_secret", value="ab" * 32, now=at(2021, 8, 23))
            assert bytes.fromhex(row.value) == first
            assert signing_key(session=s, now=at(2021, 8, 23)) == first
    finally:
        one.dispose()
        two.dispose()

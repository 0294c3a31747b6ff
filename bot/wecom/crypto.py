"""Verify and decrypt WeCom callbacks: constant-time SHA1 check, then wechatpy's AES decryption."""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException


class CallbackRejected(Exception):
    """A callback that must change nothing; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """Return WeCom's msg_signature: SHA1 over the four values sorted and concatenated."""
    parts = sorted(p.encode("utf-8") for p in (token, timestamp, nonce, encrypted))
    return hashlib.sha1(b"".join(parts)).hexdigest()


def parse_xml(body: bytes | str) -> dict[str, str]:
    """Parse a flat WeCom XML document into {tag: text}, refusing DTDs and entities."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    # Callbacks never carry a DTD; refusing one rules out entity-expansion tricks.
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise CallbackRejected(400, "xml with a DTD")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise CallbackRejected(400, f"bad xml: {exc}") from exc
    return {child.tag: (child.text or "") for child in root}


class CallbackCrypto:
    """The app's callback token and EncodingAESKey, bound to our CorpID."""

    def __init__(self, *, token: str, encoding_aes_key: str, corp_id: str) -> None:
        # wechatpy decodes and checks the 43-character key (it must give 32 bytes).
        self._wechat = WeChatCrypto(token, encoding_aes_key, corp_id)
        self._token = token
        self._key = self._wechat.key
        self.corp_id = corp_id

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        """Raise CallbackRejected(403) unless the signature matches, compared in constant time."""
        # wechatpy 1.8 compares signatures with `!=`, which leaks timing; check here first.
        expected = signature(self._token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected.encode("ascii"), msg_signature.encode("utf-8", "replace")):
            raise CallbackRejected(403, "bad signature")

    def decrypt(self, encrypted: str) -> str:
        """Decrypt an already verified payload; the receive id inside must be our CorpID."""
        try:
            return PrpCrypto(self._key).decrypt(encrypted, self.corp_id)
        except InvalidCorpIdException as exc:
            raise CallbackRejected(403, "payload for another CorpID") from exc
        except Exception as exc:  # garbage ciphertext fails in many ways
            raise CallbackRejected(400, f"undecryptable payload: {type(exc).__name__}") from exc

    def encrypt_message(self, xml: str, *, nonce: str, timestamp: str) -> str:
        """Encrypt and sign `xml` as WeCom would (used by tests and a passive reply, if ever)."""
        return self._wechat.encrypt_message(xml, nonce, timestamp)

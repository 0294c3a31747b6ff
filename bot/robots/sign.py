"""Webhook signatures for DingTalk and Feishu robots."""

from __future__ import annotations

import base64
import hashlib
import hmac


def dingtalk_sign(secret: str, timestamp_ms: int) -> tuple[str, str]:
    """Return (timestamp, sign) for a DingTalk webhook: base64 HMAC-SHA256(secret, "ts\\nsecret")."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return str(timestamp_ms), base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> tuple[str, str]:
    """Return (timestamp, sign) for a Feishu webhook: "ts\\nsecret" is the HMAC key, the message empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return str(timestamp_s), base64.b64encode(digest).decode()



"""The settings sections of the channels: [telegram], [wecom], [robots], [server] and [console]; bot.config
assembles them into Settings."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

PLACEHOLDERS = {"changeme", "change-me", "your-token-here", "xxx", "TODO"}
# BotFather's tokens look like 123456789:AAH…; the part after the colon is URL-safe base64.
TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
AES_KEY_HINT = "应为 43 个字符的 Base64 串（企业微信后台“接收消息”页生成）"


class TelegramSettings(BaseModel):
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    admins: list[int] = Field(default_factory=list)
    bot_username: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_path: str = "/telegram/webhook"
    webhook_secret: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @field_validator("token")
    @classmethod
    def _token_shape(cls, v: str) -> str:
        v = v.strip()
        # A placeholder gets its own message (Settings._no_placeholder_secrets).
        if v and v not in PLACEHOLDERS and not TELEGRAM_TOKEN.fullmatch(v):
            raise ValueError("应为 BotFather 给出的令牌，形如 123456789:AAH…（数字、冒号、字母数字串）")
        return v

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, v: str) -> str:
        return _url_path(v, "/telegram/webhook")


class WeComSettings(BaseModel):
    corp_id: str = ""
    agent_id: int = 0
    secret: str = ""
    token: str = Field("", validate_default=True)
    encoding_aes_key: str = Field("", validate_default=True)
    api_base_url: str = "https://qyapi.weixin.qq.com"
    callback_path: str = "/wecom/callback"
    admins: list[str] = Field(default_factory=list)  # WeCom userids (compared ignoring case)

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id and self.secret)

    @field_validator("token")
    @classmethod
    def _token_when_enabled(cls, v: str, info: ValidationInfo) -> str:
        v = v.strip()
        if not v and _wecom_on(info):
            raise ValueError("未填写；已填 corp_id 和 secret（启用企业微信）时必须填写企业微信后台“接收消息”页的 Token")
        return v

    @field_validator("encoding_aes_key")
    @classmethod
    def _aes_key(cls, v: str, info: ValidationInfo) -> str:
        v = v.strip()
        if not v:
            if _wecom_on(info):
                raise ValueError(f"未填写；已填 corp_id 和 secret（启用企业微信）时必须填写，{AES_KEY_HINT}")
            return v
        # Never echo the key: it is a secret. Say what is wrong with it instead.
        if len(v) != 43:
            raise ValueError(f"{AES_KEY_HINT}，现在是 {len(v)} 个字符")
        bad = next((i for i, ch in enumerate(v, 1) if ch not in BASE64_CHARS), None)
        if bad is not None:
            raise ValueError(f"{AES_KEY_HINT}，第 {bad} 个字符不是 Base64 字符（只能是 A–Z a–z 0–9 + /）")
        try:
            key = base64.b64decode(v + "=", validate=True)
        except binascii.Error as exc:  # pragma: no cover - 43 Base64 characters always decode
            raise ValueError(f"{AES_KEY_HINT}，无法解码") from exc
        if len(key) != 32:  # pragma: no cover - 43 Base64 characters always give 32 bytes
            raise ValueError(f"{AES_KEY_HINT}，解码后应为 32 字节，现在是 {len(key)} 字节")
        return v

    @field_validator("callback_path")
    @classmethod
    def _path(cls, v: str) -> str:
        return _url_path(v, "/wecom/callback")


def _wecom_on(info: ValidationInfo) -> bool:
    """corp_id and secret are set: `duban run` will serve the callback, which needs token and key."""
    return bool(info.data.get("corp_id") and info.data.get("secret"))


def _url_path(v: str, example: str) -> str:
    if v and not v.startswith("/"):
        raise ValueError(f"应以 / 开头，例如 {example}，现在是 {v!r}")
    return v


class RobotSettings(BaseModel):
    kind: Literal["wecom", "dingtalk", "feishu"]
    url: str
    secret: str = ""
    units: list[str] = Field(default_factory=list)  # units whose reminders also go to this robot


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080

    @field_validator("port")
    @classmethod
    def _port(cls, v: int) -> int:
        if not 0 <= v <= 65535:
            raise ValueError(f"端口应在 0–65535 之间（0 表示任选一个空闲端口），现在是 {v}")
        return v


class ConsoleSettings(BaseModel):
    # Where the console channel writes documents it receives (/export, /bulletin); relative to the working directory.
    export_dir: str = "exports"

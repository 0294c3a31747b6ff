"""Typed configuration: TOML file, then DUBAN_* environment overrides, loaded once and passed down."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG = "config.toml"
PLACEHOLDERS = {"changeme", "change-me", "your-token-here", "xxx", "TODO"}


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key."""


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///duban.db"


class AppSettings(BaseModel):
    timezone: str = "Asia/Shanghai"
    # On an empty store, `duban run` imports the bundled sample plan so there is something to try.
    load_sample_plan: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区 {v!r}（例如 Asia/Shanghai）") from exc
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class OfficeHoursSettings(BaseModel):
    start: time = time(9, 0)
    end: time = time(17, 30)

    @model_validator(mode="after")
    def _ordered(self) -> OfficeHoursSettings:
        if self.end <= self.start:
            raise ValueError(f"办公时间结束（{self.end:%H:%M}）必须晚于开始（{self.start:%H:%M}）")
        return self


class ReminderSettings(BaseModel):
    ladder: list[int] = Field(default_factory=lambda: [7, 3, 1, 0])  # working days before a deadline
    overdue_every: int = Field(2, ge=1)  # overdue nudge every N working days
    escalate_after: int = Field(5, ge=1)  # escalate after M overdue working days
    supervisors: list[str] = Field(default_factory=lambda: ["督导室"])  # units that receive escalations
    leaders: list[str] = Field(default_factory=list)  # person names (bound identities) in charge
    co_lead_days: int = Field(3, ge=0)  # co-units report N working days before the lead's date
    digest_threshold: int = Field(3, ge=2)  # this many reminders for a unit on one day → one digest
    checkin_day: int = Field(25, ge=1, le=28)  # monthly progress check-in for tasks without a date
    default_deadline: Literal["year_end", "none"] = "year_end"
    yellow_days: int = Field(5, ge=0)  # working days before a deadline when silence turns yellow
    report_fresh_days: int = Field(14, ge=1)  # a report newer than this counts as recent
    sweep_minutes: int = Field(10, ge=1)
    max_attempts: int = Field(5, ge=1)

    @field_validator("ladder")
    @classmethod
    def _ladder(cls, v: list[int]) -> list[int]:
        if any(n < 0 for n in v):
            raise ValueError("提醒梯度必须是非负的工作日数")
        return sorted(set(v), reverse=True)


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


class WeComSettings(BaseModel):
    corp_id: str = ""
    agent_id: int = 0
    secret: str = ""
    token: str = ""
    encoding_aes_key: str = ""
    api_base_url: str = "https://qyapi.weixin.qq.com"
    callback_path: str = "/wecom/callback"
    admins: list[str] = Field(default_factory=list)  # WeCom userids

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id and self.secret)


class RobotSettings(BaseModel):
    kind: Literal["wecom", "dingtalk", "feishu"]
    url: str
    secret: str = ""
    units: list[str] = Field(default_factory=list)  # units whose reminders also go to this robot


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080


class Settings(BaseSettings):
    """All of duban's configuration."""

    model_config = SettingsConfigDict(env_prefix="DUBAN_", env_nested_delimiter="__", extra="forbid")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    app: AppSettings = Field(default_factory=AppSettings)
    office_hours: OfficeHoursSettings = Field(default_factory=OfficeHoursSettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    calendar: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    aliases: dict[str, str] = Field(default_factory=dict)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    wecom: WeComSettings = Field(default_factory=WeComSettings)
    robots: dict[str, RobotSettings] = Field(default_factory=dict)
    server: ServerSettings = Field(default_factory=ServerSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats the file so secrets can stay out of config.toml.
        return env_settings, init_settings

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        for key, value in (
            ("telegram.token", self.telegram.token),
            ("wecom.secret", self.wecom.secret),
            ("wecom.token", self.wecom.token),
        ):
            if value and value.strip() in PLACEHOLDERS:
                raise ValueError(f"{key} 仍是占位值 {value!r}，请填写真实值或删除该项")
        return self


def load_settings(path: str | Path | None = None, *, overrides: dict[str, Any] | None = None) -> Settings:
    """Read FILE (default config.toml if present, else built-in defaults) into Settings."""
    data: dict[str, Any] = {}
    explicit = path is not None
    file = Path(path) if explicit else Path(DEFAULT_CONFIG)
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"配置文件 {file} 格式错误：{exc}") from exc
    elif explicit:
        raise ConfigError(f"找不到配置文件 {file}")
    for key, value in (overrides or {}).items():
        section, _, name = key.partition(".")
        data.setdefault(section, {})[name] = value
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, file)) from exc


def _describe(exc: ValidationError, file: Path) -> str:
    """Turn pydantic's report into one line per bad key, naming it."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(根)"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"配置项 {key} 无效：{msg}")
    return f"配置文件 {file}：" + "；".join(lines)

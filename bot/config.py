"""Typed configuration: TOML file, then DUBAN_* environment overrides, loaded once and passed down.

One class per [section], in config.example.toml's order, so a key is found in the same place in both; the
channels' sections live in bot.config_channels and the office loop's (items, supervision, web) in
bot.config_loop, re-exported here.
"""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

# The channels' sections (Telegram, WeCom, robots, the HTTP server, the console) likewise.
from bot.config_channels import (  # noqa: F401 (re-exported: callers import these from bot.config)
    PLACEHOLDERS,
    ConsoleSettings,
    RobotSettings,
    ServerSettings,
    TelegramSettings,
    WeComSettings,
)

# The office's loop (督办 items, 办结审核 and 签收, scores, the web board) keeps its sections in their own module.
from bot.config_loop import (  # noqa: F401 (re-exported: callers import these from bot.config)
    ItemSettings,
    ItemSource,
    PointsSettings,
    SupervisionSettings,
    WebSettings,
)

DEFAULT_CONFIG = "config.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key."""


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///duban.db"


class AppSettings(BaseModel):
    timezone: str = "Asia/Shanghai"
    # On an empty store, `duban run` imports the bundled sample plan so there is something to try.
    load_sample_plan: bool = True
    # The office a single-office deployment works for; made on first import when the store has none.
    office: str = "本单位"
    # Where evidence files (佐证材料) are kept, by content hash; relative to the working directory.
    data_dir: str = "data"
    evidence_max_mb: int = Field(20, ge=1, le=100)

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
    # Overdue nudges back off: the first on the first working day late, then after each of these gaps (in
    # working days), the last gap repeating; they stop after `overdue_max` (0 = never) and leave the item to
    # the escalations and the weekly digests.
    overdue_backoff: list[int] = Field(default_factory=lambda: [2, 2, 5])
    overdue_max: int = Field(6, ge=0)
    escalate_after: int = Field(5, ge=1)  # escalate after M overdue working days, again every M days
    escalate_max: int = Field(3, ge=0)  # escalations per deadline (0 = never stop)
    supervisors: list[str] = Field(default_factory=lambda: ["督导室"])  # units that receive escalations
    leaders: list[str] = Field(default_factory=list)  # leaders (duban bind --leader) who hear every escalation
    co_lead_days: int = Field(3, ge=0)  # co-units report N working days before the lead's date
    digest_threshold: int = Field(3, ge=2)  # this many reminders for a unit on one day → one digest
    checkin_day: int = Field(25, ge=1, le=28)  # monthly progress check-in for tasks without a date
    default_deadline: Literal["year_end", "none"] = "year_end"
    yellow_days: int = Field(5, ge=0)  # working days before a deadline when silence turns yellow
    report_fresh_days: int = Field(14, ge=1)  # a report newer than this counts as recent
    sweep_minutes: int = Field(10, ge=1)
    max_attempts: int = Field(5, ge=1)
    # A plan whose period ended more than this many days ago sends nothing until an admin reopens it
    # (`duban plan reopen`); its board and ledger stay readable.
    ended_plan_grace_days: int = Field(30, ge=0)
    # The weekly digest (周报): on this ISO weekday (1 = Monday … 7; 0 turns it off), at the first sweep from
    # this hour on, each unit gets what it owes and the supervisors/leaders get the lights.
    weekly_digest_day: int = Field(5, ge=0, le=7)
    weekly_digest_hour: int = Field(15, ge=0, le=23)

    @model_validator(mode="before")
    @classmethod
    def _older_spelling(cls, data: Any) -> Any:
        # Before the back-off, `overdue_every = N` nudged every N working days forever: read it as a back-off of
        # one repeating gap, so an older config keeps working.
        if isinstance(data, dict) and "overdue_every" in data:
            data = dict(data)
            every = data.pop("overdue_every")
            data.setdefault("overdue_backoff", [every])
        return data

    @field_validator("ladder")
    @classmethod
    def _ladder(cls, v: list[int]) -> list[int]:
        if any(n < 0 for n in v):
            raise ValueError("提醒梯度必须是非负的工作日数")
        return sorted(set(v), reverse=True)

    @field_validator("overdue_backoff")
    @classmethod
    def _backoff(cls, v: list[int]) -> list[int]:
        if not v or any(not isinstance(n, int) or n < 1 for n in v):
            raise ValueError("逾期提醒间隔必须是至少一个正整数工作日，如 [2, 2, 5]")
        return v


class GroupSettings(BaseModel):
    """A group unit (各股室, 直属单位…): named members, or every unit of its office whose name ends so."""

    members: list[str] = Field(default_factory=list)
    suffixes: list[str] = Field(default_factory=list)


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
    groups: dict[str, GroupSettings] = Field(default_factory=dict)
    server: ServerSettings = Field(default_factory=ServerSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    items: ItemSettings = Field(default_factory=ItemSettings)
    supervision: SupervisionSettings = Field(default_factory=SupervisionSettings)

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

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        # Checked here, not on TelegramSettings, so a bare TelegramSettings can still be built in tests.
        tg = self.telegram
        if tg.enabled and tg.mode == "webhook" and not tg.webhook_secret:
            # Without it anyone who finds the path could post updates as any user.
            raise ValueError(
                "配置项 telegram.webhook_secret 无效：未填写；mode = \"webhook\" 时必须填写一串自定的随机字符"
                "（Telegram 每次推送时带上）"
            )
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
        key = ".".join(str(p) for p in err["loc"])
        # Whole-file checks name their keys themselves.
        lines.append(f"配置项 {key} 无效：{_reason(err)}" if key else _reason(err))
    return f"配置文件 {file}：" + "；".join(lines)


def _reason(err: Any) -> str:
    """pydantic's reason for one key, in Chinese for the usual kinds; our own messages as they are."""
    ctx = err.get("ctx") or {}
    given = err.get("input")
    kind = err["type"]
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {"greater_than_equal": "不小于", "greater_than": "大于",
                "less_than_equal": "不大于", "less_than": "小于"}[kind]
        return f"应{word} {bound}，现在是 {given!r}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"应为整数，现在是 {given!r}"
    if kind in ("bool_parsing", "bool_type"):
        return f"应为 true 或 false，现在是 {given!r}"
    if kind == "literal_error":
        choices = str(ctx.get("expected", "")).replace(" or ", "、").replace(", ", "、")
        return f"应为 {choices} 之一，现在是 {given!r}"
    if kind == "extra_forbidden":
        return "没有这个配置项（拼写错误？见 config.example.toml）"
    if kind == "missing":
        return "必填"
    return err["msg"]

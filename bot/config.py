"""Typed configuration: TOML file, then DUBAN_* environment overrides, loaded once and passed down.

Kept in one module past the 300-line mark on purpose: it mirrors config.example.toml section by section (one
class per [section], in the same order), so a key is found in the same place in both, and a feature adds its
keys as one new section here.
"""

from __future__ import annotations

import base64
import binascii
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG = "config.toml"
PLACEHOLDERS = {"changeme", "change-me", "your-token-here", "xxx", "TODO"}
# BotFather's tokens look like 123456789:AAH…; the part after the colon is URL-safe base64.
TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
AES_KEY_HINT = "应为 43 个字符的 Base64 串（企业微信后台“接收消息”页生成）"


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


class GroupSettings(BaseModel):
    """A group unit (各股室, 直属单位…): named members, or every unit of its office whose name ends so."""

    members: list[str] = Field(default_factory=list)
    suffixes: list[str] = Field(default_factory=list)


class WebSettings(BaseModel):
    """The leaders' read-only web board, served on [server] host/port under /web."""

    enabled: bool = False
    base_url: str = ""  # the address people open (behind the office's reverse proxy), e.g. https://db.example.gov.cn
    link_days: int = 7  # how long a personal link works
    units_see_others: bool = False  # a unit's link also shows other units' notes and evidence

    @field_validator("link_days")
    @classmethod
    def _days(cls, v: int) -> int:
        if not 1 <= v <= 366:
            raise ValueError(f"应在 1–366 天之间，现在是 {v}")
        return v

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v and not v.startswith(("http://", "https://")):
            raise ValueError(f"应以 http:// 或 https:// 开头，例如 https://duban.example.gov.cn，现在是 {v!r}")
        return v


class ItemSource(BaseModel):
    """One source of 督办 items: its short word (refs read "批示3") and its default time limit."""

    short: str = Field(min_length=1, max_length=6)
    words: list[str] = Field(default_factory=list)  # what chat words name it ("局长批示", "会议决定")
    days: int = Field(15, ge=0)  # working days from 交办
    urgent_days: int | None = Field(None, ge=1)  # working days for an 急件
    months: int = Field(0, ge=0)  # calendar months from 交办 instead of working days (建议提案)


def _item_sources() -> dict[str, ItemSource]:
    return {
        "领导批示": ItemSource(short="批示", words=["批示", "领导批示"], days=15, urgent_days=5),
        "会议议定": ItemSource(short="会议", words=["会议决定", "会议议定", "议定事项", "会议纪要"], days=20),
        "上级交办": ItemSource(short="交办", words=["交办", "上级交办", "交办件"], days=15, urgent_days=5),
        "人大建议": ItemSource(short="建议", words=["人大建议"], months=3),
        "政协提案": ItemSource(short="提案", words=["政协提案"], months=3),
        "其他": ItemSource(short="其他", days=15),
    }


class ItemSettings(BaseModel):
    """[items]: 督办 items (issue 22): their sources, default time limits, and chat drafts."""

    sources: dict[str, ItemSource] = Field(default_factory=_item_sources)
    offices: dict[str, list[str]] = Field(default_factory=dict)  # office → the sources it uses (default: all)
    draft_minutes: int = Field(60, ge=1)  # an unconfirmed chat draft expires after this
    forwarded_source: str = "上级交办"  # the source of a forwarded message that names none

    @model_validator(mode="after")
    def _known_office_sources(self) -> ItemSettings:
        for office, names in self.offices.items():
            unknown = [n for n in names if n not in self.sources]
            if unknown:
                raise ValueError(f"items.offices.{office} 列出了未定义的来源：{'、'.join(unknown)}")
        if self.forwarded_source not in self.sources:
            raise ValueError(f"items.forwarded_source “{self.forwarded_source}”不在 items.sources 中")
        shorts = [s.short for s in self.sources.values()]
        if len(set(shorts)) != len(shorts):
            raise ValueError("items.sources 的 short 不能重复")
        return self


class PointsSettings(BaseModel):
    """The 效能考核 points table (`duban score`): points per item, return and report; no points for logins or
    clicks. An unknown key is refused with its name."""

    model_config = {"extra": "forbid"}

    lead_on_time: float = 2  # a 牵头 item closed (销号) by its deadline
    co_on_time: float = 1  # the same item, for each co-unit
    lead_overdue: float = -5  # a 牵头 item not closed by its deadline (closed late, or still open)
    co_overdue: float = -2.5
    returned: float = -2  # each 申请办结 sent back by review (退回), for the lead
    report_late: float = -0.1  # each report owed and made late (as the 通报 counts them)
    report_missing: float = -0.5  # each report owed and never made
    praised: float = 1  # each month's 通报 that commends the unit


class SupervisionSettings(BaseModel):
    """The closing loop: who closes an item (销号), 签收 and 退回 (不属于本单位)."""

    # "review": a lead unit's 已完成 is a 申请办结 that an admin or a supervisor unit (reminders.supervisors) passes
    # or returns; "self": the lead's word closes the task, as before.
    closure: Literal["review", "self"] = "review"
    review_remind_days: int = Field(2, ge=1)  # a 申请办结 unreviewed this many working days reminds the reviewers
    # 签收: "items" asks each lead unit to sign for a new item (issue 22's items); "all" for imported plan tasks too.
    receipt: Literal["items", "all", "off"] = "items"
    receipt_days: int = Field(3, ge=1)  # unsigned after N working days: one reminder; after 2N the office is told
    decline_days: int = Field(5, ge=0)  # a lead unit may return an item as 不属于本单位 within N working days of 交办
    points: PointsSettings = Field(default_factory=PointsSettings)


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

"""The settings sections of the office's loop: 督办 items ([items]), 办结审核/签收/退回 and the points table
([supervision]), and the leaders' web board ([web]); bot.config assembles them into Settings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator


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

"""Robot addresses: a configured robot's name plus whom to mention, as one Recipient.address.

    "office"                               plain message
    "office?at=zhangsan,lisi"              mention by platform user id (WeCom userid, DingTalk
                                           userId, Feishu open_id)
    "office?mobile=13800000000"            mention by mobile (WeCom and DingTalk)
    "office?all=1"                         mention everyone
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass


@dataclass(frozen=True)
class RobotTarget:
    name: str
    at: tuple[str, ...] = ()
    mobiles: tuple[str, ...] = ()
    at_all: bool = False

    @property
    def has_mentions(self) -> bool:
        return bool(self.at or self.mobiles or self.at_all)


def robot_address(
    name: str,
    *,
    at: tuple[str, ...] | list[str] = (),
    mobiles: tuple[str, ...] | list[str] = (),
    at_all=False,
) -> str:
    """Return the Recipient.address for robot `name` with these mentions."""
    query: dict[str, str] = {}
    if at:
        query["at"] = ",".join(at)
    if mobiles:
        query["mobile"] = ",".join(mobiles)
    if at_all:
        query["all"] = "1"
    return f"{name}?{urllib.parse.urlencode(query, safe=',')}" if query else name


def parse_robot_address(address: str) -> RobotTarget:
    name, _, query = address.partition("?")
    params = urllib.parse.parse_qs(query)

    def items(key: str) -> tuple[str, ...]:
        return tuple(x for v in params.get(key, []) for x in v.split(",") if x)

    all_flag = params.get("all", [""])[-1].lower() in ("1", "true", "yes")
    return RobotTarget(name=name, at=items("at"), mobiles=items("mobile"), at_all=all_flag)



"""Push-only group robots (WeCom, DingTalk, Feishu webhooks): one Sender for every configured robot.

A Recipient.address is the robot's configured name, optionally with mentions as a query string;
build one with `robot_address(...)`.
"""

from bot.robots.address import RobotTarget, parse_robot_address, robot_address
from bot.robots.sender import ROBOT_RULES, RobotSender
from bot.robots.sign import dingtalk_sign, feishu_sign

__all__ = ["ROBOT_RULES", "RobotSender", "RobotTarget", "dingtalk_sign", "feishu_sign", "parse_robot_address",
           "robot_address"]

"""Request bodies per robot kind: text or markdown, split to size, with mentions."""

from __future__ import annotations

from bot.notify import OutboundMessage
from bot.robots.address import RobotTarget
from bot.textsplit import split_lines

WECOM_TEXT_MAX_BYTES = 2048
MARKDOWN_MAX_BYTES = 4096


def title_of(message: OutboundMessage) -> str:
    return (message.title or message.text.strip().partition("\n")[0] or "督办").strip()


def wecom_bodies(message: OutboundMessage, target: RobotTarget) -> list[dict]:
    # Markdown can only mention by userid (<@userid>); mobiles and @all need a text message.
    if message.markdown and not target.mobiles and not target.at_all:
        suffix = ("\n" + " ".join(f"<@{uid}>" for uid in target.at)) if target.at else ""
        parts = split_lines(message.markdown + suffix, MARKDOWN_MAX_BYTES)
        return [{"msgtype": "markdown", "markdown": {"content": part}} for part in parts]
    parts = split_lines(message.text, WECOM_TEXT_MAX_BYTES)
    bodies: list[dict] = [{"msgtype": "text", "text": {"content": part}} for part in parts]
    if target.has_mentions:
        # Mention once, on the last part, so people are pinged once per message.
        last = bodies[-1]["text"]
        last["mentioned_list"] = list(target.at) + (["@all"] if target.at_all else [])
        last["mentioned_mobile_list"] = list(target.mobiles)
    return bodies


def dingtalk_bodies(message: OutboundMessage, target: RobotTarget) -> list[dict]:
    # DingTalk highlights a mention only if "@<mobile or userId>" also appears in the text.
    names = [f"@{x}" for x in (*target.mobiles, *target.at)]
    suffix = ("\n\n" + " ".join(names)) if names else ""
    at = {"atMobiles": list(target.mobiles), "atUserIds": list(target.at), "isAtAll": target.at_all}
    if message.markdown:
        title = title_of(message)
        parts = split_lines(message.markdown + suffix, MARKDOWN_MAX_BYTES)
        return [
            {"msgtype": "markdown", "markdown": {"title": title, "text": part}, "at": at} for part in parts
        ]
    parts = split_lines(message.text + suffix, MARKDOWN_MAX_BYTES)
    return [{"msgtype": "text", "text": {"content": part}, "at": at} for part in parts]


def feishu_bodies(message: OutboundMessage, target: RobotTarget) -> list[dict]:
    # Feishu mentions need open_ids; mobiles are shown as plain text.
    if message.markdown:
        tags = [f"<at id={uid}></at>" for uid in target.at] + (["<at id=all></at>"] if target.at_all else [])
        tags += [f"@{m}" for m in target.mobiles]
        suffix = ("\n" + " ".join(tags)) if tags else ""
        parts = split_lines(message.markdown + suffix, MARKDOWN_MAX_BYTES)
        header = {"title": {"tag": "plain_text", "content": title_of(message)}}
        return [
            {
                "msg_type": "interactive",
                "card": {"header": header, "elements": [{"tag": "markdown", "content": part}]},
            }
            for part in parts
        ]
    tags = [f'<at user_id="{uid}"></at>' for uid in target.at]
    tags += ['<at user_id="all">所有人</at>'] if target.at_all else []
    tags += [f"@{m}" for m in target.mobiles]
    suffix = ("\n" + " ".join(tags)) if tags else ""
    parts = split_lines(message.text + suffix, MARKDOWN_MAX_BYTES)
    return [{"msg_type": "text", "content": {"text": part}} for part in parts]

"""Turn Telegram updates into platform-neutral ChatEvents."""

from __future__ import annotations

from telegram import (
    CallbackQuery,
    Chat,
    Message,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    User,
)

from bot.chat.events import ChatEvent

PLATFORM = "telegram"


def _user_name(user: User | None) -> str | None:
    if user is None:
        return None
    return user.full_name or user.username


def origin_name(origin: MessageOrigin | None) -> str | None:
    """Who a forwarded message came from, as Telegram tells it ("" when hidden from us); None: not forwarded."""
    if origin is None:
        return None
    if isinstance(origin, MessageOriginUser):
        return _user_name(origin.sender_user) or ""
    if isinstance(origin, MessageOriginHiddenUser):
        return origin.sender_user_name or ""
    if isinstance(origin, MessageOriginChat):
        return origin.sender_chat.title or ""
    if isinstance(origin, MessageOriginChannel):
        return origin.chat.title or ""
    return ""


def normalize_command(text: str, bot_username: str | None) -> str | None:
    """Strip our own @username from a leading command; return None if it names another bot."""
    if not text.startswith("/"):
        return text
    head, sep, rest = text.partition(" ")
    command, at, target = head.partition("@")
    if not at:
        return text
    if bot_username and target.lower() != bot_username.lower():
        return None  # "/mine@other_bot" in a shared group is not for us
    return command + sep + rest


def message_event(
    message: Message,
    *,
    bot_username: str | None = None,
    text: str | None = None,
    file_name: str | None = None,
    file_bytes: bytes | None = None,
    file_mime: str | None = None,
) -> ChatEvent | None:
    """Return the event for a message (text, command, reply or document), or None to ignore it."""
    if text is None:
        text = message.text if message.text is not None else message.caption
    if text is not None:
        text = normalize_command(text, bot_username)
        if text is None:
            return None
    user = message.from_user
    if user is None and message.sender_chat is None:
        return None
    reply = message.reply_to_message
    forwarded_from = origin_name(message.forward_origin)
    return ChatEvent(
        platform=PLATFORM,
        chat_id=str(message.chat.id),
        # An anonymous group admin posts as the group itself (sender_chat); use that chat's id.
        user_id=str(user.id) if user is not None else str(message.sender_chat.id),
        user_name=_user_name(user) if user is not None else message.sender_chat.title,
        is_group=message.chat.type != Chat.PRIVATE,
        message_id=str(message.message_id),
        text=text,
        reply_to_message_id=str(reply.message_id) if reply is not None else None,
        reply_to_text=(reply.text or reply.caption) if reply is not None else None,
        file_name=file_name,
        file_bytes=file_bytes,
        file_mime=file_mime,
        forwarded_text=text if forwarded_from is not None else None,
        forwarded_from=forwarded_from or None,
    )


def callback_event(query: CallbackQuery) -> ChatEvent | None:
    """Return the event for a button press, or None when its message is out of reach."""
    message = query.message
    if message is None:  # inline-mode buttons carry no chat; we never send those
        return None
    return ChatEvent(
        platform=PLATFORM,
        chat_id=str(message.chat.id),
        user_id=str(query.from_user.id),
        user_name=_user_name(query.from_user),
        is_group=message.chat.type != Chat.PRIVATE,
        callback_data=query.data,
        callback_message_id=str(message.message_id),
    )

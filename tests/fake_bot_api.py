"""The fake Telegram Bot API, now in fakes/bot_api.py (shared with bench/); the tests' imports stay as they were."""

from fakes.bot_api import (  # noqa: F401
    BOT_USER,
    TOKEN,
    Call,
    FakeBotApi,
    bot_message_dict,
    callback_update,
    document_update,
    message_dict,
    photo_update,
    reply_update,
    text_update,
)

"""The fake Telegram Bot API and its updates, now in fakes/ (shared with bench/); the tests' imports stay as they were."""

from fakes.bot_api import TOKEN, Call, FakeBotApi  # noqa: F401
from fakes.bot_updates import (  # noqa: F401
    BOT_USER,
    bot_message_dict,
    callback_update,
    document_update,
    message_dict,
    photo_update,
    reply_update,
    text_update,
)

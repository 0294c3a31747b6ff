"""An Errbot-style harness for the chat layer: push an event in, read the replies out."""

from __future__ import annotations

from bot.chat.events import ChatEvent
from bot.chat.service import ChatService
from bot.config import Settings
from bot.notify import OutboundMessage
from bot.services import planfile
from bot.services.binding import bind_directly
from bot.services.importer import apply_plan
from bot.workdays import WorkCalendar
from storage.db import session_scope
from tests.helpers import at, parsed_plan


class Chat:
    """The seed plan in a store, 安全办 bound to group -200, Telegram user 1 an admin."""

    def __init__(self, engine, seed_path, *, settings: Settings | None = None) -> None:
        self.now = at(2021, 8, 23)
        self.engine = engine
        self.service = ChatService(engine=engine, settings=settings or Settings(telegram={"admins": [1]}),
                                   calendar=WorkCalendar(), clock=lambda: self.now)
        with session_scope(engine) as s:
            apply_plan(session=s, parsed=parsed_plan(seed_path), now=self.now)
            bind_directly(session=s, unit_name="安全办", platform="telegram", address="-200", now=self.now,
                          actor="t", is_group=True)

    async def send(self, text: str | None = None, *, user="7", chat="-200", group=True, **kw) -> list[OutboundMessage]:
        event = ChatEvent(platform="telegram", chat_id=chat, user_id=user, text=text, is_group=group, **kw)
        return await self.service.handle(event)

    async def say(self, text: str, **kw) -> str:
        return "\n".join(m.text for m in await self.send(text, **kw))

    async def tap(self, data: str, *, user="7", chat="-200", group=True, message_id: str | None = None,
                  ) -> list[OutboundMessage]:
        return await self.send(user=user, chat=chat, group=group, callback_data=data, callback_message_id=message_id)


def with_plan(chat: Chat, text: str, name: str) -> Chat:
    """`chat`'s store with one more plan beside the seed plan, read from `text` as an upload named `name`."""
    with session_scope(chat.engine) as s:
        apply_plan(session=s, parsed=planfile.parse_upload(text.encode(), name), now=chat.now)
    return chat


def button(messages: list[OutboundMessage], label: str) -> str:
    """The callback data of the button labelled `label` among `messages`."""
    for m in messages:
        for row in m.buttons:
            for b in row:
                if b.label == label:
                    return b.data
    raise AssertionError(f"no button {label!r} in {[m.text for m in messages]}")

"""The WeCom app as a Sender: text, markdown or a button card to a userid or a department."""

from __future__ import annotations

import logging

from bot.notify import Cap, OutboundMessage, Progress, Recipient, SendResult, SendStatus
from bot.wecom.cards import button_card, fits_card, label_says_all, replace_name, status_line
from bot.wecom.client import WeComClient

log = logging.getLogger(__name__)

DEPT_PREFIX = "dept:"


def address_target(address: str) -> dict[str, str]:
    """Map a Recipient.address to the API's recipient field: a userid, or "dept:<id>"."""
    if address.startswith(DEPT_PREFIX):
        return {"toparty": address.removeprefix(DEPT_PREFIX)}
    return {"touser": address}


class WeComSender:
    """Send OutboundMessages through the app: buttons → card, markdown → markdown, else text."""

    platform = "wecom"
    caps = frozenset({Cap.BUTTONS, Cap.MARKDOWN, Cap.FILES})  # app messages carry no reply-to
    tracks_progress = True  # parts of a split text are numbered; a retry resumes after the last delivered

    def __init__(self, client: WeComClient) -> None:
        self.client = client

    async def send(self, recipient: Recipient, message: OutboundMessage,
                   progress: Progress | None = None) -> SendResult:
        target = address_target(recipient.address)
        progress = progress or Progress()
        progress.rewind()
        if message.document is not None or (
            message.edit_message_id and self.client.has_response_code(message.edit_message_id)
        ):
            await progress.starting(progress.parts_sent)  # replies only: no per-part resume
            if message.document is not None:
                return await self._send_with_document(target, message)
            return await self._edit(target, message, message.edit_message_id)
        return await self._send_new(target, message, progress)

    async def _send_with_document(self, target: dict[str, str], message: OutboundMessage) -> SendResult:
        assert message.document is not None
        name, content = message.document
        # Upload first: a failed upload has delivered nothing, so the whole message can be retried.
        uploaded, media_id = await self.client.upload_file(name, content)
        if media_id is None:
            return uploaded
        if message.text.strip():
            first = await self._send_new(target, message)
            if first.status is not SendStatus.SENT:
                return first
        result = await self.client.send_file(**target, media_id=media_id)
        if result.status is not SendStatus.SENT and message.text.strip():
            result.detail = f"text sent, file not: {result.detail}"
        return result

    async def _send_new(self, target: dict[str, str], message: OutboundMessage,
                        progress: Progress | None = None) -> SendResult:
        p = {"progress": progress} if progress is not None else {}
        if message.buttons:
            if fits_card(message):
                return await self.client.send_template_card(**target, message=message, **p)
            # A card cuts long text off, so the full text goes first and the card only asks.
            first = await self.client.send_text(**target, content=message.text, **p)
            if first.status is not SendStatus.SENT:
                return first
            return await self.client.send_template_card(**target, message=message, with_body=False, **p)
        if message.markdown:
            return await self.client.send_markdown(**target, content=message.markdown, **p)
        return await self.client.send_text(**target, content=message.text, **p)

    async def _edit(self, target: dict[str, str], message: OutboundMessage, task_id: str) -> SendResult:
        """Show the recorded status on the tapped card; what the label cannot hold follows as text.

        A reply to a tap is the card's own text plus a status line; the card already shows the
        former, so only the status line is sent on when the short label had to cut it.
        """
        if message.buttons:
            card = button_card(message, task_id)
            result = await self.client.update_template_card(task_id=task_id, card=card, **target)
            rest = "" if fits_card(message) else message.text
        else:
            result = await self.client.update_template_card(
                task_id=task_id, replace_name=replace_name(message), **target
            )
            rest = "" if label_says_all(message) else status_line(message)
        if result.status is not SendStatus.SENT:
            log.info("wecom card %s not updated (%s); sending a new message", task_id, result.detail)
            return await self._send_new(target, message)
        if not rest:
            return result
        follow = await self.client.send_text(**target, content=rest)
        follow.message_id = follow.message_id or task_id
        return follow

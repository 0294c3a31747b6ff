"""Send OutboundMessages through the Bot API and map Telegram's errors to SendResults."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
import warnings
from collections.abc import Callable

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.notify import (
    ALL_CAPS,
    Button,
    Notifier,
    OutboundMessage,
    Progress,
    Recipient,
    SendResult,
    SendStatus,
)
from bot.textsplit import split, utf16_len
from bot.tg.limits import MAX_CAPTION, MAX_MESSAGE, Clock, Sleep, TelegramLimits

log = logging.getLogger(__name__)

# A later part of a split message has already been preceded by earlier parts, so the dispatcher's
# resend would duplicate them: flood waits for those parts are absorbed here, up to this many times.
PART_RETRIES = 3


def keyboard(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Return the inline keyboard for `buttons` (one row per list), or None when there are none."""
    rows = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons if row]
    return InlineKeyboardMarkup(rows) if rows else None


def retry_seconds(err: RetryAfter) -> float:
    """Return err.retry_after in seconds, whichever type this PTB version hands out."""
    # PTB 22.2+ warns on access unless PTB_TIMEDELTA is set; the value is right either way.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = err.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def _is_chat_id(address: str) -> bool:
    """Accept numeric chat ids and public "@channel" names, the two forms the Bot API takes."""
    if address.startswith("@"):
        return len(address) > 1
    try:
        int(address)
    except ValueError:
        return False
    return True


class TelegramSender:
    """The Telegram `Sender`: splits, rate-limits, sends, and classifies failures."""

    platform = "telegram"
    caps = ALL_CAPS
    tracks_progress = True  # says when each request leaves, and resumes a split message where it stopped

    def __init__(
        self,
        bot: Bot,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        limits: TelegramLimits | None = None,
    ) -> None:
        self.bot = bot
        self._clock = clock
        self._sleep = sleep
        self._limits = limits or TelegramLimits(clock=clock, sleep=sleep)
        # A 429 is bot-wide flood control: every chat waits until this instant.
        self._pause_until = 0.0

    @property
    def paused_for(self) -> float:
        """Return the seconds left in a flood-control pause (0 when none)."""
        return max(0.0, self._pause_until - self._clock())

    async def send(self, recipient: Recipient, message: OutboundMessage,
                   progress: Progress | None = None) -> SendResult:
        """Send `message` to the chat `recipient.address`; never raises for Telegram errors.

        With `progress`, parts an earlier attempt delivered are skipped, and `progress.starting(i)` is
        awaited once the limits let part i go, right before its request leaves.
        """
        chat_id = recipient.address
        if not _is_chat_id(chat_id):
            return SendResult(SendStatus.FAILED, detail=f"not a Telegram chat id: {chat_id!r}")
        if not message.text and message.document is None:
            return SendResult(SendStatus.FAILED, detail="empty message")
        progress = progress or Progress()
        progress.rewind()
        steps = self._plan(message)
        ticket = self._limits.ticket()  # every part keeps the message's place in line
        last_id: str | None = None
        for index, step in enumerate(steps):
            if progress.skip(index):
                continue
            attempts = 0
            while True:
                try:
                    last_id = await self._run(chat_id, step, progress, index, ticket) or last_id
                    progress.sent(index)
                    break
                except TelegramError as err:
                    result = self._classify(err)
                    if (
                        index > 0
                        and result.status is SendStatus.RETRY
                        and result.retry_after is not None
                        and attempts < PART_RETRIES
                    ):
                        attempts += 1
                        continue
                    if index > 0:
                        result.detail = f"part {index + 1}/{len(steps)}: {result.detail}"
                        result.message_id = last_id
                    return result
        return SendResult(SendStatus.SENT, message_id=last_id)

    def _plan(self, message: OutboundMessage) -> list[dict]:
        """Return the API calls that carry `message`, in order; buttons ride on the last one."""
        steps: list[dict] = []
        text = message.text or ""
        if message.document is not None:
            caption = text if utf16_len(text) <= MAX_CAPTION else None
            if text and caption is None:
                steps += [{"kind": "text", "text": part} for part in split(text, MAX_MESSAGE)]
            steps.append({"kind": "document", "document": message.document, "caption": caption})
        else:
            steps += [{"kind": "text", "text": part} for part in split(text, MAX_MESSAGE)]
        if message.edit_message_id and steps[0]["kind"] == "text":
            steps[0]["kind"] = "edit"
        elif message.reply_to_message_id:
            steps[0]["reply_to"] = message.reply_to_message_id
        steps[-1]["markup"] = keyboard(message.buttons)
        steps[0]["edit_id"] = message.edit_message_id
        return steps

    async def _run(self, chat_id: str, step: dict, progress: Progress, index: int, ticket: int) -> str | None:
        """Wait for the limits, make one API call, and return the message id it produced.

        Once `go` says the slot is free, "request started" is recorded (grouped with the other sends leaving
        at that moment) and the request leaves; the limits count it from `go` until its answer is back. A kill
        while slots are granted ahead (the lookahead, a burst) then leaves "unknown" only the few whose
        requests were leaving, never those still waiting for their moment.
        """
        while True:
            pause = self._pause_until - self._clock()
            if pause > 0:
                await self._sleep(pause)
            async with self._limits.slot(chat_id, ticket=ticket) as go:
                if self._pause_until > self._clock():
                    continue  # a flood pause began while this one waited for its slot: give it back
                await go()
                await progress.starting(index)
                return await self._call(chat_id, step)

    async def _call(self, chat_id: str, step: dict) -> str | None:
        """Make the API call for `step` now; return the message id it produced."""
        markup = step.get("markup")
        reply = None
        if step.get("reply_to"):
            reply = ReplyParameters(message_id=int(step["reply_to"]), allow_sending_without_reply=True)
        if step["kind"] == "edit":
            try:
                sent = await self.bot.edit_message_text(
                    step["text"], chat_id=chat_id, message_id=int(step["edit_id"]), reply_markup=markup
                )
            except BadRequest as err:
                # Tapping the same button twice re-renders identical text; that is not a failure.
                if "message is not modified" not in str(err).lower():
                    raise
                return step["edit_id"]
            return str(sent.message_id) if isinstance(sent, Message) else step["edit_id"]
        if step["kind"] == "document":
            name, data = step["document"]
            sent = await self.bot.send_document(
                chat_id,
                InputFile(data, filename=name),
                caption=step["caption"] or None,
                reply_markup=markup,
                reply_parameters=reply,
            )
        else:
            sent = await self.bot.send_message(
                chat_id, step["text"], reply_markup=markup, reply_parameters=reply
            )
        return str(sent.message_id)

    def _classify(self, err: TelegramError) -> SendResult:
        """Map a Bot API error to what the dispatcher should do next (order matters: subclasses)."""
        detail = f"{type(err).__name__}: {err}"
        if isinstance(err, RetryAfter):
            seconds = retry_seconds(err)
            self._pause_until = max(self._pause_until, self._clock() + seconds)
            return SendResult(SendStatus.RETRY, retry_after=seconds, detail=detail)
        if isinstance(err, ChatMigrated):
            return SendResult(SendStatus.RETRY, new_address=str(err.new_chat_id), detail=detail)
        if isinstance(err, Forbidden):
            return SendResult(SendStatus.INACTIVE, detail=detail)
        if isinstance(err, TimedOut):
            # A pool timeout means the request never left, a connect timeout that Telegram could not be reached;
            # any other timeout may have been delivered.
            if isinstance(err.__cause__, httpx.ConnectTimeout):
                return SendResult(SendStatus.RETRY, detail=f"{detail} (connect)", outage=True)
            if "pool timeout" in str(err).lower():
                return SendResult(SendStatus.RETRY, detail=detail)
            return SendResult(SendStatus.UNKNOWN, detail=detail)
        if isinstance(err, BadRequest):  # a NetworkError subclass in PTB, so test it first
            return SendResult(SendStatus.FAILED, detail=detail)
        if isinstance(err, NetworkError):  # Telegram unreachable: wait for it, however long
            return SendResult(SendStatus.RETRY, detail=detail, outage=True)
        log.warning("telegram send failed permanently: %s", detail)
        return SendResult(SendStatus.FAILED, detail=detail)


def poll_errors(notifier: Notifier) -> Callable[[TelegramError], None]:
    """What a failed getUpdates says: Telegram unreachable is an outage (one line for all of it, bot.outages);
    anything else one line each, never PTB's traceback per retry."""

    def said(err: TelegramError) -> None:
        if isinstance(err, NetworkError) and not isinstance(err, BadRequest):
            notifier.outages.failed("telegram", f"{type(err).__name__}: {err}")
        else:
            log.warning("telegram polling failed (%s: %s); retrying", type(err).__name__, err)

    return said

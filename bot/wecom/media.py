"""The WeCom client's calls besides sending: received media fetched, files uploaded and sent, and the OAuth2
code of the web board's workbench login read (WeComClient inherits these; they use its token, HTTP client and
delivery)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.notify import SendResult, SendStatus
from bot.wecom.answers import TokenUnavailable, recipient_of

log = logging.getLogger("bot.wecom.client")


class MediaCalls:
    """Calls on media and files, mixed into WeComClient."""

    api_base_url: str
    agent_id: int
    _http: httpx.AsyncClient

    async def access_token(self) -> str:
        raise NotImplementedError

    async def _deliver(self, path: str, payload: dict | None, *, limit_key: str | None,
                       params: dict[str, str] | None = None,
                       files: dict[str, Any] | None = None) -> tuple[SendResult, dict[str, Any]]:
        raise NotImplementedError

    async def download_media(self, media_id: str, *, max_bytes: int) -> bytes | None:
        """A received image or file (temporary media, kept 3 days by WeCom); None when it cannot be had.

        The API answers the bytes themselves, or JSON with an errcode when it refuses.
        """
        try:
            token = await self.access_token()
        except TokenUnavailable:
            return None
        try:
            resp = await self._http.get(f"{self.api_base_url}/cgi-bin/media/get",
                                        params={"access_token": token, "media_id": media_id})
        except httpx.TransportError as exc:
            log.warning("wecom media %s: %s", media_id, type(exc).__name__)
            return None
        if resp.status_code != 200 or resp.headers.get("content-type", "").startswith(("application/json",
                                                                                         "text/plain")):
            log.warning("wecom media %s refused: HTTP %s %s", media_id, resp.status_code, resp.text[:200])
            return None
        return resp.content if len(resp.content) <= max_bytes else b"\0" * (max_bytes + 1)

    async def upload_file(self, name: str, content: bytes) -> tuple[SendResult, str | None]:
        """Upload a temporary file (kept 3 days); return the result and the media_id."""
        result, data = await self._deliver(
            "/cgi-bin/media/upload",
            None,
            limit_key=None,
            params={"type": "file"},
            files={"media": (name, content, "application/octet-stream")},
        )
        media_id = (
            str(data["media_id"]) if result.status is SendStatus.SENT and data.get("media_id") else None
        )
        if result.status is SendStatus.SENT and media_id is None:
            return SendResult(SendStatus.FAILED, detail="upload answered without a media_id"), None
        return result, media_id

    async def send_file(
        self, *, touser: str | None = None, toparty: str | None = None, media_id: str
    ) -> SendResult:
        """Send an uploaded file as a file message."""
        target, key = recipient_of(touser, toparty)
        payload = {**target, "msgtype": "file", "agentid": self.agent_id, "file": {"media_id": media_id}}
        result, _ = await self._deliver("/cgi-bin/message/send", payload, limit_key=key)
        return result

    async def user_id_of_code(self, code: str) -> str | None:
        """The member's userid behind an OAuth2 code (snsapi_base, the web board's workbench entry); None when
        WeCom refuses the code or cannot be reached."""
        try:
            token = await self.access_token()
            resp = await self._http.get(f"{self.api_base_url}/cgi-bin/auth/getuserinfo",
                                        params={"access_token": token, "code": code})
            data = resp.json()
        except (TokenUnavailable, httpx.TransportError, ValueError) as exc:
            log.warning("wecom getuserinfo: %s", type(exc).__name__)
            return None
        if int(data.get("errcode", 0)) != 0:
            log.warning("wecom getuserinfo refused: %s %s", data.get("errcode"), data.get("errmsg", ""))
            return None
        return data.get("userid") or data.get("UserId") or None

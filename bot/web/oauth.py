"""Opening the board from the WeCom workbench: OAuth2 snsapi_base → code → userid → the bound leader or unit.

The workbench entry points at /web/wecom. WeCom sends the member back to /web/wecom/back with a code; the
composition root hands in `userid_of_code` (the WeCom client's call), so this package never imports a channel.
The member then lands on a fresh personal link, as if they had typed /web.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

from aiohttp import web

from bot.services.weblinks import make_token, viewer_of_wecom_user, web_key
from bot.web.routes import Board

AUTHORIZE = "https://open.weixin.qq.com/connect/oauth2/authorize"


class WeComLogin:
    """The two OAuth2 steps; `userid_of_code` answers None when WeCom refuses the code."""

    def __init__(self, board: Board, *, corp_id: str, agent_id: int,
                 userid_of_code: Callable[[str], Awaitable[str | None]]) -> None:
        self.board, self.corp_id, self.agent_id, self.userid_of_code = board, corp_id, agent_id, userid_of_code

    async def start(self, request: web.Request) -> web.Response:
        base = self.board.settings.web.base_url or f"{request.scheme}://{request.host}"
        query = urlencode({"appid": self.corp_id, "redirect_uri": f"{base}/web/wecom/back", "response_type": "code",
                           "scope": "snsapi_base", "state": "duban", "agentid": self.agent_id},
                          quote_via=lambda v, *_: quote(v, safe=""))  # WeCom wants redirect_uri fully encoded
        # Set as written: HTTPFound would pass it through yarl, which unquotes the redirect_uri's slashes.
        return web.Response(status=302, headers={"Location": f"{AUTHORIZE}?{query}#wechat_redirect"})

    async def back(self, request: web.Request) -> web.Response:
        code = request.query.get("code", "")
        user_id = await self.userid_of_code(code) if code else None
        if not user_id:
            return self.board.refuse("oauth")
        days = self.board.settings.web.link_days

        def work(scope):
            viewer = viewer_of_wecom_user(session=scope.session, settings=self.board.settings, user_id=user_id)
            if viewer is None:
                return None
            return make_token(web_key(session=scope.session, now=scope.now), viewer, now=scope.now, days=days)
        token = await self.board.run(work)
        if token is None:
            return self.board.refuse("unbound")
        raise web.HTTPFound(f"../{token}/")  # relative: a proxy's path prefix is kept


def add_wecom_login(app: web.Application, login: WeComLogin) -> None:
    app.router.add_get("/web/wecom", login.start)
    app.router.add_get("/web/wecom/back", login.back)

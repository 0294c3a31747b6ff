"""The leaders' read-only web board: a channel-like adapter over the core, mounted by bot/app (channels.py)."""

from bot.web.routes import Board, add_web_routes

__all__ = ["Board", "add_web_routes", "mount_board"]


def mount_board(app, *, engine, settings, calendar, clock, userid_of_code=None) -> None:
    """The board's routes on `app`; with WeCom (`userid_of_code`), its workbench login too."""
    from bot.web.oauth import WeComLogin, add_wecom_login

    board = Board(engine=engine, settings=settings, calendar=calendar, clock=clock)
    add_web_routes(app, board)
    if userid_of_code is not None:
        add_wecom_login(app, WeComLogin(board, corp_id=settings.wecom.corp_id, agent_id=settings.wecom.agent_id,
                                        userid_of_code=userid_of_code))

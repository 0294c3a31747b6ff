"""The typer app, shared options and the one place user errors become a clean exit."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from bot.config import ConfigError, load_settings
from bot.services.errors import UserError
from storage.db import StoreUnavailable

if TYPE_CHECKING:
    from bot.app import App

class DubanGroup(TyperGroup):
    """The top-level group: `duban task add …` is the item command `task-add` (`task` itself takes a ref)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args[:2] == ["task", "add"]:
            args = ["task-add", *args[2:]]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=DubanGroup,
    name="duban",
    help="督办：把年度工作要点变成按时提醒与进度台账。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOpt = Annotated[str | None, typer.Option("--config", "-c", help="配置文件（默认 config.toml，没有则用内置默认值）")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]
OfficeOpt = Annotated[str | None, typer.Option("--office", help="办公室名称（库中只有一个办公室时可省略）")]
NowOpt = Annotated[str | None, typer.Option("--now", help="把此刻当作 ISO 时间（如 2021-06-01T09:00+08:00）")]


def runtime(config: str | None, now: str | None = None, **kw) -> App:
    """The app for one command: settings loaded once, `--now` applied, the store opened on first use."""
    from bot.app import App  # the composition root: imported when a command runs, not at CLI import

    settings = load_settings(config)
    return App(settings, now_override=parse_now(now, settings.app.tz) if now else None, **kw)


def office_id(session, rt: App, name: str | None) -> int:
    """The office `--office` names, else the store's only one (made from `[app] office` on first use)."""
    from bot.services.offices import ensure_office

    return ensure_office(session=session, name=name, default_name=rt.settings.app.office, now=rt.now()).id


def parse_now(text: str, tz) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"无法识别的时间 {text!r}，请用 ISO 格式，如 2021-06-01T09:00+08:00") from exc
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _plain(value):
    """Typed records print through their `to_dict()`; lists of them too."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(_plain(data), ensure_ascii=False, indent=2, default=str) + "\n")


def fail_cleanly(typer_app: typer.Typer) -> int:
    """Run the app; a user mistake prints one line on stderr and exits non-zero, never a traceback."""
    try:
        typer_app()  # standalone: typer reports usage errors itself and exits
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except (UserError, ConfigError, StoreUnavailable) as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    return 0

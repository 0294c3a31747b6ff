"""签收 from the command line: `duban receipts [--unsigned]`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, OfficeOpt, emit_json, office_id, runtime
from bot.render import receipt_text
from bot.services import receipts
from storage import events
from storage.db import session_scope


def register(app: typer.Typer) -> None:
    app.command("receipts")(cmd_receipts)


def cmd_receipts(unsigned: Annotated[bool, typer.Option("--unsigned", help="只列未签收的")] = False,
                 office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None,
                 json: JsonOpt = False) -> None:
    """列出要求签收的事项：牵头单位、交办时间、签收时间（--unsigned 只列未签收的）。"""
    rt = runtime(config, now)
    tz = rt.settings.app.tz
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        rows = [(a, s) for a, s in events.receipts(session=session, office_id=oid) if not (unsigned and s)]
        names = receipts.unit_names(session=session, unit_ids=[a.unit_id for a, _s in rows])
        refs = receipts.refs_titles(session=session, task_ids=[a.task_id for a, _s in rows])
        items = [{"ref": refs[a.task_id][0], "title": refs[a.task_id][1], "unit": names.get(a.unit_id, ""),
                  "asked_at": a.at.astimezone(tz).isoformat(), "signed_at": s.at.astimezone(tz).isoformat() if s else None}
                 for a, s in rows]
    if json:
        emit_json(items)
        return
    lines = [f"第{i['ref']}项「{i['title']}」　{i['unit']}　交办 {i['asked_at'][:16].replace('T', ' ')}　"
             + (f"签收 {i['signed_at'][:16].replace('T', ' ')}" if i["signed_at"] else "未签收") for i in items]
    Console(highlight=False).print("\n".join(lines) if lines else receipt_text.NONE_UNSIGNED)

"""`duban score FILE.xlsx [--period 2021 | 2021-Q3] [--office O]`: the year's 效能考核 points per unit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.app import ConfigOpt, NowOpt, OfficeOpt, office_id, runtime
from bot.render.score_xlsx import score_xlsx
from bot.services.bulletin import parse_period
from bot.services.scores import plan_units, score_plan, score_points, unit_scores
from storage.db import session_scope


def register(app: typer.Typer) -> None:
    app.command("score")(cmd_score)


def cmd_score(file: Annotated[Path, typer.Argument(help="输出的 Excel 文件，如 score-2021.xlsx")],
              period: Annotated[str | None, typer.Option("--period", help="2021（年，默认今年）或 2021-Q3（季度）")] = None,
              office: OfficeOpt = None, config: ConfigOpt = None, now: NowOpt = None) -> None:
    """按配置的计分表给各单位计分（效能考核）：每个单位一行，第二张表列出每一分的来源。"""
    rt = runtime(config, now)
    the_period = parse_period(period or str(rt.now().astimezone(rt.settings.app.tz).year))
    with session_scope(rt.engine) as session:
        oid = office_id(session, rt, office)
        plan = score_plan(session=session, period=the_period, office_id=oid)
        points = score_points(session=session, period=the_period, now=rt.now(), settings=rt.settings,
                              calendar=rt.calendar, office_id=oid)
        rows = unit_scores(points, plan_units(session=session, plan=plan))
        heading = f"《{plan.title}》{the_period.label}效能考核得分"
    file.write_bytes(score_xlsx(rows, points, heading=heading))
    Console(highlight=False).print(f"已写入 {file}：{len(rows)} 个单位，{len(points)} 条计分明细。")

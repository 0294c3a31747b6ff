"""`duban score`: per-unit points from the record, every point traceable; the points table's keys are checked."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from bot.config import ConfigError, Settings, load_settings
from bot.render.score_xlsx import score_xlsx
from bot.services.binding import bind_directly
from bot.services.bulletin import parse_period
from bot.services.scores import plan_units, score_plan, score_points, unit_scores
from bot.workdays import WorkCalendar
from storage.db import session_scope
from tests.chat_harness import Chat

pytestmark = pytest.mark.review


@pytest.fixture
def chat(memory_engine, seed_path):
    c = Chat(memory_engine, seed_path, settings=Settings(telegram={"admins": [1]},
                                                         supervision={"points": {"returned": -3}}))
    with session_scope(memory_engine) as s:
        bind_directly(session=s, unit_name="督导室", platform="telegram", address="-300", now=c.now, actor="t",
                      is_group=True)
    return c


async def test_closed_item_and_return_score_each_unit_with_its_items(chat):
    await chat.say("/report 25 已完成 第一次")
    chat.now += timedelta(days=1)
    await chat.say("/review return 25 缺少佐证", chat="-300")
    chat.now += timedelta(days=1)
    await chat.say("/report 25 已完成 补齐")
    await chat.say("/review pass 25", chat="-300")
    with session_scope(chat.engine) as s:
        period = parse_period("2021-Q3")
        points = score_points(session=s, period=period, now=chat.now, settings=chat.service.settings,
                              calendar=WorkCalendar())
        rows = {r.unit: r for r in unit_scores(points, plan_units(session=s, plan=score_plan(
            session=s, period=period, office_id=None)))}
    safe = rows["安全办"]
    assert (safe.counts["lead_on_time"], safe.points["lead_on_time"]) == (1, 2.0)
    assert (safe.counts["returned"], safe.points["returned"]) == (1, -3.0)  # the configured value
    assert rows["信访办"].points["co_on_time"] == 1.0  # a co-unit of the closed item
    mine = [p for p in points if p.unit == "安全办" and p.ref == "25"]
    assert {p.component for p in mine} == {"lead_on_time", "returned"}
    assert any("缺少佐证" in p.detail for p in mine)
    wb = load_workbook(io.BytesIO(score_xlsx(list(rows.values()), points, heading="考核")))
    assert wb.sheetnames == ["得分", "得分明细"]
    header = [c.value for c in wb["得分"][2]]
    row = next(dict(zip(header, r, strict=True)) for r in wb["得分"].iter_rows(min_row=3, values_only=True)
               if r[0] == "安全办")
    assert row["牵头按时办结（次）"] == 1 and row["办结退回（分）"] == -3 and row["合计"] == safe.total
    assert any(r[0] == "安全办" and r[1] == "办结退回" and r[2] == "25"
               for r in wb["得分明细"].iter_rows(min_row=2, values_only=True))


def test_a_bad_points_key_is_one_clear_line(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[supervision.points]\nlogins = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert "supervision.points.logins" in str(err.value) and "没有这个配置项" in str(err.value)


def test_cli_writes_the_score_sheet(cli, seed_path, tmp_path):
    cli("plan", "import", str(seed_path))
    target = tmp_path / "score.xlsx"
    code, out, _ = cli("score", str(target), "--period", "2021", "--now", "2021-12-31T10:00+08:00")
    assert code == 0 and "个单位" in out
    wb = load_workbook(target)
    rows = list(wb["得分"].iter_rows(min_row=3, values_only=True))
    assert len(rows) > 10 and any(r[0] == "安全办" for r in rows)
    code, _, err = cli("score", str(target), "--period", "2021-13")
    assert code == 1 and "月份" in err

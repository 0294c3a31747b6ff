"""`duban run` as a real process: Telegram through a fake Bot API on loopback, answers and reports."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fake_bot_api import TOKEN, FakeBotApi, text_update

DUBAN = Path(sys.executable).with_name("duban")
SAFETY_CHAT = 4242


async def _wait_for(predicate, what: str, limit: float = 20.0):
    """Poll the fake server until the process has done `what` (bounded; the process runs on real time)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while loop.time() < end:
        found = predicate()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"duban run did not {what} within {limit}s")


@pytest.mark.skipif(not DUBAN.exists(), reason="the duban console script is not installed in this venv")
async def test_duban_run_answers_on_telegram_and_records_reports(tmp_path, seed_path, cli):
    api = await FakeBotApi().start()
    config = tmp_path / "run.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "duban.db"}"\n'
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\nbase_file_url = "{api.base_file_url}"\n'
        f"admins = [1]\n"
        f"[server]\nport = 0\n",
        encoding="utf-8",
    )
    try:
        # The set-up and the last look are the same commands in-process (one process start each saved): the
        # process under test is `duban run`.
        assert cli("plan", "import", str(seed_path), config_file=config)[0] == 0
        assert cli("bind", "安全办", f"telegram:{SAFETY_CHAT}", config_file=config)[0] == 0
        proc = await asyncio.create_subprocess_exec(
            str(DUBAN),
            "run",
            "--config",
            str(config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            await _wait_for(lambda: api.requests("getUpdates"), "start polling")
            api.add_update(text_update("安全办负责什么", chat_id=SAFETY_CHAT, user_id=SAFETY_CHAT))

            def answer():
                return [p for p in api.requests("sendMessage") if "安全办牵头" in p.get("text", "")]

            (reply,) = await _wait_for(answer, "answer 安全办负责什么")
            assert reply["chat_id"] == SAFETY_CHAT
            lead, _, co = reply["text"].partition("安全办配合")
            assert "第25项 守牢教育安全稳定底线" in lead and "第7项" in co
            api.add_update(
                text_update("/report 25 推进中 60% 已完成隐患排查", chat_id=SAFETY_CHAT, user_id=SAFETY_CHAT)
            )
            await _wait_for(
                lambda: [p for p in api.requests("sendMessage") if "已记录" in p.get("text", "")],
                "confirm the report",
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err.decode()[-2000:]
        assert "Traceback" not in err.decode()
        code, out, _ = cli("task", "25", "--json", config_file=config)
        assert code == 0
        latest = json.loads(out)["latest"]
        assert (latest["status"], latest["percent"], latest["note"]) == ("in_progress", 60, "已完成隐患排查")
    finally:
        await api.stop()

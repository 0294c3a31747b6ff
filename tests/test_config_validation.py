"""A bad config value stops `duban` with one Chinese line naming the key, never a traceback."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

DUBAN = Path(sys.executable).with_name("duban")
GOOD_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters
WECOM_ON = 'corp_id = "ww1234567890abcdef"\nagent_id = 1000002\nsecret = "app-secret"\n'


def write(tmp_path: Path, body: str) -> Path:
    config = tmp_path / "bad.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "duban.db"}"\n{body}', encoding="utf-8")
    return config


def problem(tmp_path: Path, body: str) -> str:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, body))
    message = str(err.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = "abc123"\n',
            "配置项 wecom.encoding_aes_key 无效：应为 43 个字符的 Base64 串（企业微信后台“接收消息”页生成），"
            "现在是 6 个字符",
        ),
        (
            f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = "{GOOD_KEY[:20]}!{GOOD_KEY[21:]}"\n',
            "配置项 wecom.encoding_aes_key 无效：应为 43 个字符的 Base64 串（企业微信后台“接收消息”页生成），"
            "第 21 个字符不是 Base64 字符",
        ),
        (f'[wecom]\n{WECOM_ON}encoding_aes_key = "{GOOD_KEY}"\n', "配置项 wecom.token 无效：未填写"),
        (f'[wecom]\n{WECOM_ON}token = "t"\n', "配置项 wecom.encoding_aes_key 无效：未填写"),
        (f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = "{GOOD_KEY}"\ncallback_path = "wecom"\n',
         "配置项 wecom.callback_path 无效：应以 / 开头"),
        ('[telegram]\ntoken = "abc"\n', "配置项 telegram.token 无效：应为 BotFather 给出的令牌"),
        ('[telegram]\ntoken = "changeme"\n', "telegram.token 仍是占位值"),
        ('[telegram]\ntoken = "123:abc"\nmode = "webhook"\n', "配置项 telegram.webhook_secret 无效：未填写"),
        ('[telegram]\ntoken = "123:abc"\nwebhook_path = "tg"\n', "配置项 telegram.webhook_path 无效：应以 / 开头"),
        ('[telegram]\nmode = "hook"\n', "配置项 telegram.mode 无效：应为 'polling'、'webhook' 之一"),
        ("[server]\nport = 70000\n", "配置项 server.port 无效：端口应在 0–65535 之间"),
        ("[reminders]\nsweep_minutes = 0\n", "配置项 reminders.sweep_minutes 无效：应不小于 1，现在是 0"),
        ('[reminders]\nsweep_minutes = "ten"\n', "配置项 reminders.sweep_minutes 无效：应为整数"),
        ('[app]\ntimezone = "Asia/Shanghia"\n', "配置项 app.timezone 无效：未知时区"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(tmp_path, body, expected):
    assert expected in problem(tmp_path, body)


def test_the_aes_key_itself_is_never_echoed(tmp_path):
    wrong = GOOD_KEY[:40]
    message = problem(tmp_path, f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = "{wrong}"\n')
    assert "现在是 40 个字符" in message and wrong not in message


def test_good_wecom_settings_load(tmp_path):
    settings = load_settings(write(tmp_path, f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = " {GOOD_KEY}\\n"\n'))
    assert settings.wecom.enabled and settings.wecom.encoding_aes_key == GOOD_KEY  # pasted whitespace dropped
    assert base64.b64decode(settings.wecom.encoding_aes_key + "=") == bytes(range(32))
    # Without corp_id and secret WeCom is off, and token and key may stay empty.
    assert not Settings(wecom={"agent_id": 1000002}).wecom.enabled


def test_an_environment_override_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_WECOM__ENCODING_AES_KEY", "abc123")
    message = problem(tmp_path, f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = "{GOOD_KEY}"\n')
    assert "wecom.encoding_aes_key" in message and "现在是 6 个字符" in message


@pytest.mark.skipif(not DUBAN.exists(), reason="the duban console script is not installed in this venv")
@pytest.mark.parametrize(
    ("body", "key"),
    [
        (f'[wecom]\n{WECOM_ON}token = "t"\nencoding_aes_key = "abc123"\n', "wecom.encoding_aes_key"),
        (f"[wecom]\n{WECOM_ON}", "wecom.token"),
        ('[telegram]\ntoken = "abc"\n', "telegram.token"),
    ],
)
def test_duban_run_with_a_bad_config_prints_one_line(tmp_path, body, key):
    config = write(tmp_path, body)
    proc = subprocess.run(
        [str(DUBAN), "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("错误：") and f"配置项 {key} 无效" in line
    assert not (tmp_path / "duban.db").exists()  # refused before anything was opened

"""`duban run`, `duban console`, `duban sweep`, `duban simulate`."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.app import App
from bot.cli.app import ConfigOpt, JsonOpt, NowOpt, emit_json, runtime
from bot.console import ConsoleSender, run_console
from bot.render import plan_text
from bot.services import planfile
from bot.services.errors import UserError
from jobs.simulate import simulate, simulate_store, timeline
from jobs.simulate_script import parse_script
from storage import console as console_numbers
from storage.db import session_scope

SAMPLE_NOTE = ("提示：库是空的，已载入内置示例计划（2021年工作要点，仅作演示）。它早已到期，不会发出提醒；"
               "用 duban console --now 2021-08-23T09:30+08:00 可按当时情形试用。导入自己的计划：duban plan import 文件")


def register(app: typer.Typer) -> None:
    app.command("run")(cmd_run)
    app.command("console")(cmd_console)
    app.command("sweep")(cmd_sweep)
    app.command("worker")(cmd_worker)
    app.command("simulate")(cmd_simulate)


def _service(config: str | None, now: str | None, console: ConsoleSender | None = None) -> App:
    return runtime(config, now, extra_senders=[console] if console else None)


def cmd_run(config: ConfigOpt = None) -> None:
    """运行督办服务：定时扫描并发送提醒，启用配置中的渠道；没有配置渠道时进入控制台。"""
    probe = runtime(config)
    s = probe.settings
    has_channel = s.telegram.enabled or s.wecom.enabled or bool(s.robots)
    console = None if has_channel else ConsoleSender()
    service = App(s, extra_senders=[console] if console else None)

    async def main() -> None:
        await service.start()
        try:
            if console is not None:
                _numbered(console, service)
                if service.sample_loaded:
                    console.out.write(SAMPLE_NOTE + "\n")
                await run_console(service.chat, console)
            else:
                stop = asyncio.Event()
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGINT, signal.SIGTERM):
                    with contextlib.suppress(NotImplementedError):
                        loop.add_signal_handler(sig, stop.set)
                where = f"http://{s.server.host}:{s.server.port}" if service.web_runner else "（无需 HTTP 服务）"
                Console(stderr=True).print(f"督办服务已启动 {where}，渠道：{', '.join(service.notifier.platforms)}")
                if service.sample_loaded:
                    Console(stderr=True).print(SAMPLE_NOTE)
                await stop.wait()
        finally:
            await service.stop()

    asyncio.run(main())


def cmd_worker(config: ConfigOpt = None) -> None:
    """只扫描和发送提醒的工作进程（不接收聊天消息）；多个进程可共用一个 PostgreSQL 库分担发送。"""
    service = App(runtime(config).settings)

    async def main() -> None:
        await service.start_worker()
        try:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            Console(stderr=True).print(f"督办发送进程已启动，渠道：{', '.join(service.notifier.platforms) or '（无）'}")
            await stop.wait()
        finally:
            await service.stop()

    asyncio.run(main())


def _numbered(console: ConsoleSender, service: App) -> None:
    """Number the console's messages after every number shown before (stored), and store each new one."""
    with session_scope(service.engine) as session:
        console.resume_after(console_numbers.last_number(session=session))
    console.on_number = lambda n: console_numbers.save_number(service.engine, n, now=service.now())


def cmd_console(config: ConfigOpt = None, now: NowOpt = None) -> None:
    """打开终端聊天：与 Telegram、企业微信相同的命令，无需任何账号。"""
    console = ConsoleSender()
    service = _service(config, now, console)
    if service.load_sample_if_empty():
        console.out.write(SAMPLE_NOTE + "\n")
    _numbered(console, service)

    async def sweep() -> None:
        # The console is the office's own channel: what is owed at --now (or now) shows up here to tap.
        result = service.sweep()
        if result.written:
            await service.dispatch()

    async def main() -> None:
        try:
            await run_console(service.chat, console, after_each=sweep)
        finally:
            await service.stop()

    asyncio.run(main())


def cmd_sweep(config: ConfigOpt = None, now: NowOpt = None, json: JsonOpt = False) -> None:
    """在给定时刻执行一次扫描和发送后退出（适合 cron 部署和检查）。"""
    console = ConsoleSender()
    service = _service(config, now, console)

    async def main():
        try:
            await service.open_senders()
            return await service.sweep_and_dispatch()
        finally:
            await service.stop()

    result, stats = asyncio.run(main())
    data = {
        "day": result.day.isoformat() if result.day else None,
        "skipped": result.skipped,
        "written": result.written,
        "missed_days": [d.isoformat() for d in result.missed_days],
        "undeliverable_units": result.undeliverable,
        "sent": stats.sent, "retry": stats.retry, "failed": stats.failed, "unknown": stats.unknown,
        "inactive": stats.inactive,
        "warnings": result.warnings,
        "unreachable": service.notifier.down, "held": stats.held,  # a channel down: its rows wait for it
    }
    if json:
        emit_json(data)
        return
    out = Console(highlight=False)
    if result.skipped:
        out.print(result.skipped)
    else:
        out.print(f"{data['day']}：新写入 {result.written} 条提醒，发送成功 {stats.sent} 条，待重试 {stats.retry} 条，"
                  f"失败 {stats.failed} 条，送达未知 {stats.unknown} 条。")
    if result.undeliverable:
        out.print("尚未绑定聊天、无法送达的单位：" + "、".join(result.undeliverable))
    if service.notifier.down:
        out.print(f"无法连接的渠道：{'、'.join(service.notifier.down)}，{stats.held} 条消息留待其恢复后发送（不算失败）。")
    for w in result.warnings:
        out.print(f"提示：{w}")


def _day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{flag} 的日期 {text!r} 无效，请写成 2021-01-01") from exc


def cmd_simulate(
    start: Annotated[str, typer.Option("--from", help="开始日期 YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="结束日期 YYYY-MM-DD")],
    plan: Annotated[Path | None, typer.Argument(help="计划文件；省略时预演库中现有的计划和督办事项（在副本上，不改动库）")] = None,
    script: Annotated[Path | None, typer.Option("--script", help="脚本：每行“日期 编号 状态 [说明]”，如 2021-09-01 25 已完成")] = None,
    json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """在临时存储上预演一段时间内会发出的全部提醒（给出计划文件，或省略以预演库中的计划和督办事项）。"""
    rt = runtime(config)
    a, b = _day(start, "--from"), _day(end, "--to")
    if b < a:
        raise UserError("--to 不能早于 --from")
    steps = parse_script(script.read_text(encoding="utf-8")) if script else None
    if plan is None:  # the store as it is, copied: its plans and 督办 items
        result = simulate_store(rt.engine, start=a, end=b, settings=rt.settings, script=steps)
    else:
        parsed = planfile.parse(plan, aliases=rt.settings.aliases)
        result = simulate(parsed, start=a, end=b, settings=rt.settings, script=steps)
    if json:
        emit_json(result)
    else:
        if plan is not None:
            Console(highlight=False).print(plan_text.parsed_summary(parsed).split("\n")[0])
        Console(highlight=False).print(timeline(result))

"""The report statuses' Chinese names: one table, for the wording layer (bot.render.task_text) and the one
notice a service words itself (a leader's answer to a report, bot.services.instructions)."""

from __future__ import annotations

STATUS_CN = {"done": "已完成", "in_progress": "推进中", "blocked": "有困难", "not_started": "未开始", "note": "进展说明"}

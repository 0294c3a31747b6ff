"""Benchmark the language layer: understanding + selection of one message on a synthetic plan.

    .venv/bin/python bench/nlu.py [--tasks 1000] [--units 300] [--messages 400]

Builds a store of 1,000 tasks and 300 units in memory, then times understand() + select() per message
(p50/p95/max), next to two baselines run on the same messages in the same process: a bare dict lookup
and a loop over the old whole-sentence regexes (bot/chat/intents.py style). Not a test: prints figures.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.nlu import Status, TaskRecord, UnitRecord, Vocabulary, select, understand  # noqa: E402

SUFFIXES = ["股", "室", "办", "站", "馆", "中心", "局", "处", "委员会", "支队"]
STEMS = ["教研", "人事", "督导", "基教", "体卫艺", "仪器", "安全", "财务", "勤管", "电教", "法宣", "信访", "扶贫", "资助",
         "营养", "审计", "职教", "秘书", "农业", "交通", "规划", "海事", "林业", "商务", "科技", "文旅", "卫健", "民政"]
TOPICS = ["学前教育", "义务教育均衡", "职业教育", "师德师风", "控辍保学", "学生资助", "营养改善", "防溺水", "消防安全",
          "网络安全", "疫情防控", "教育经费", "校舍建设", "课后服务", "教师培训", "语言文字", "心理健康", "劳动教育",
          "体育美育", "信息化", "招生入学", "民办教育", "校外培训", "食品安全", "校车管理", "法治宣传", "党史学习",
          "模范机关", "巡察整改", "干部队伍", "随迁子女", "特殊教育", "高中普及", "集团化办学", "智慧校园"]
VERBS = ["加强", "推进", "完善", "落实", "深化", "开展", "提升", "健全", "巩固", "强化"]


def synthetic(n_tasks: int, n_units: int, seed: int = 7) -> tuple[list[UnitRecord], list[TaskRecord]]:
    """A plan of n_tasks tasks and n_units units with realistic names and text."""
    rng = random.Random(seed)
    units, names = [], set()
    while len(units) < n_units:
        name = rng.choice(["", "区", "县"]) + rng.choice(STEMS) + rng.choice(["", "二", "综合", "管理"])
        name += rng.choice(SUFFIXES)
        if name in names:
            name = f"{name[:-1]}{len(units)}{name[-1]}"
        names.add(name)
        units.append(UnitRecord(len(units) + 1, name))
    tasks = []
    start = date(2024, 1, 1)
    for i in range(n_tasks):
        topic = rng.choice(TOPICS)
        other = rng.sample(TOPICS, 3)
        title = f"{rng.choice(VERBS)}{topic}{rng.choice(['工作', '建设', '管理', '体系'])}"
        measures = "。".join(f"{rng.choice(VERBS)}{t}，{rng.choice(VERBS)}{topic}相关制度" for t in other)
        lead = (rng.randint(1, n_units),)
        co = tuple(sorted(set(rng.sample(range(1, n_units + 1), rng.randint(0, 6))) - set(lead)))
        tasks.append(TaskRecord(
            id=i + 1, ref=str(i + 1), title=title, objective=f"{topic}取得明显成效", measures=measures,
            section=f"{i // 40 + 1}、聚焦{topic}", lead_unit_ids=lead, co_unit_ids=co,
            deadlines=(start + timedelta(days=rng.randint(0, 365)),),
            status=rng.choice([None, *Status]), last_report=start + timedelta(days=rng.randint(0, 160)),
            position=i))
    return units, tasks


def messages(units: list[UnitRecord], n: int, seed: int = 11) -> list[str]:
    """Varied everyday messages over the synthetic plan."""
    rng = random.Random(seed)
    forms = [
        lambda u, t, k: f"{u}负责什么", lambda u, t, k: f"{u}牵头哪些", lambda u, t, k: f"{u}还有哪些没完成",
        lambda u, t, k: f"第{k}项谁牵头", lambda u, t, k: f"第{k}项进展如何", lambda u, t, k: f"{k}号",
        lambda u, t, k: f"{t}归谁管", lambda u, t, k: f"{t}是哪个股室的", lambda u, t, k: f"有没有关于{t}的任务",
        lambda u, t, k: "哪些逾期了没报", lambda u, t, k: "本周到期的", lambda u, t, k: "下个月到期的有哪些",
        lambda u, t, k: f"{u}牵头多少项", lambda u, t, k: "一共多少项任务", lambda u, t, k: f"{u[:-1]}的任务",
        lambda u, t, k: f"/report {k} 完成了", lambda u, t, k: f"第{k}项正在推进 50%", lambda u, t, k: "看板",
        lambda u, t, k: f"who is in charge of task {k}", lambda u, t, k: f"tasks of {u}",
        lambda u, t, k: f"{u}和{rng.choice(units).name}都参与的", lambda u, t, k: "哪些单位还没报进度",
        lambda u, t, k: f"牽頭單位是誰 第{k}項", lambda u, t, k: f"{t}进展怎么样", lambda u, t, k: "10天内到期",
    ]
    out = []
    for _ in range(n):
        u = rng.choice(units).name
        out.append(rng.choice(forms)(u, rng.choice(TOPICS), rng.randint(1, 1000)))
    return out


OLD_PATTERNS = [re.compile(p) for p in (
    r"^第?\s*([0-9]+|[零〇一二两三四五六七八九十]+)\s*(?:项|条|号)?(?:是)?(?:谁|哪个单位)(?:负责|牵头|管)?[?？]?$",
    r"^第?\s*([0-9]+)\s*(?:项|条|号)?(?:的)?(?:进展|进度|情况)(?:如何|怎么样)?[?？]?$",
    r"^(?:本月|这个月)(?:要)?(?:到期|截止)(?:的)?(?:任务)?[?？]?$", r"^(?:哪些)?(?:逾期|超期)(?:了)?(?:的)?[?？]?$",
    r"^(.+?)(?:牵头)(?:哪些|什么|的任务)?[?？]?$", r"^(.+?)(?:配合|参与)(?:哪些|什么)?(?:任务)?[?？]?$",
    r"^(.+?)(?:负责|管|有)(?:什么|哪些|啥)(?:任务|工作)?[?？]?$", r"^(.+?)的任务(?:有哪些)?[?？]?$",
    r"^(?:红黄绿|看板|总体情况)[?？]?$", r"^(?:帮助|help|怎么用)$",
)]


def _time(fn, items) -> list[float]:
    out = []
    for m in items:
        t0 = time.perf_counter()
        fn(m)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--messages", type=int, default=400)
    args = ap.parse_args()

    units, tasks = synthetic(args.tasks, args.units)
    t0 = time.perf_counter()
    Vocabulary.build(units[:2], tasks[:2])  # loads jieba's dictionary once per process
    t1 = time.perf_counter()
    vocab = Vocabulary.build(units, tasks)
    t2 = time.perf_counter()
    msgs = messages(units, args.messages)
    now = date(2024, 6, 12)
    for m in msgs[:20]:  # warm caches
        select(understand(m, vocab, now=now), vocab)

    nlu = _time(lambda m: select(understand(m, vocab, now=now, own_unit_id=1), vocab), msgs)
    names = {u.name: u.id for u in units}
    dict_ms = _time(lambda m: names.get(m), msgs)
    regex_ms = _time(lambda m: next((p.match(m) for p in OLD_PATTERNS if p.match(m)), None), msgs)

    print(f"store: {len(tasks)} tasks, {len(units)} units; {len(msgs)} messages")
    print(f"vocabulary build: {(t2 - t1) * 1000:.0f} ms "
          f"(first jieba dictionary load {(t1 - t0) * 1000:.0f} ms)")
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'mean ms':>10}")
    rows = (("understand+select", nlu), ("baseline dict lookup", dict_ms), ("baseline regex loop", regex_ms))
    for label, xs in rows:
        p50, p95, top, mean = _pct(xs, .5), _pct(xs, .95), max(xs), statistics.fmean(xs)
        print(f"{label:24}{p50:10.3f}{p95:10.3f}{top:10.3f}{mean:10.3f}")
    p95 = _pct(nlu, .95)
    print(f"ratio p50 vs regex loop: {_pct(nlu, .5) / max(_pct(regex_ms, .5), 1e-9):.0f}x; "
          f"vs dict lookup: {_pct(nlu, .5) / max(_pct(dict_ms, .5), 1e-9):.0f}x")
    print(f"goal p95 < 20 ms: {'met' if p95 < 20 else 'NOT met'} ({p95:.2f} ms)")


if __name__ == "__main__":
    main()

"""Time plan parsing: a 100 KB plan and a 5,000-item numbering file (the worst case we know).

    .venv/bin/python bench/parse.py [--repeat 3]

Both inputs are generated here (no files needed): a county work plan of numbered items with owner
brackets and deadlines, grown to 100 KB, and a 5,000-item list numbered 1.–5000. with sub-items.
Prints the best of --repeat runs for each; the targets are < 1 s and < 10 s. Not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.plan import parse_bytes  # noqa: E402

UNITS = ["县教育局", "县财政局", "县卫生健康局", "县农业农村局", "县交通运输局", "县水利局", "各乡镇人民政府"]


def plan_100kb() -> str:
    """A plan of sections and items with brackets, labels and deadlines, about 100 KB of UTF-8."""
    lines = ["XX县2024年重点工作任务分工方案"]
    k, sec = 0, 0
    while len("\n".join(lines).encode("utf-8")) < 100_000:
        sec += 1
        lines.append(f"{'一二三四五六七八九十'[(sec - 1) % 10]}、第{sec}部分重点工作")
        for _ in range(8):
            k += 1
            lead, co = UNITS[k % len(UNITS)], UNITS[(k + 3) % len(UNITS)]
            lines.append(f"{k}.推进第{k}项重点工作，完善工作机制，{k % 12 + 1}月底前完成阶段目标。"
                         f"（牵头单位：{lead}；配合单位：{co}）")
    return "\n".join(lines)


def numbering_5000() -> str:
    """5,000 numbered items, one line each, with sub-items and an owner bracket."""
    lines = ["XX县2024年工作要点"]
    for k in range(1, 5001):
        lines.append(f"{k}.做好第{k}项工作：（1）细化措施；（2）落实责任。（责任单位：{UNITS[k % len(UNITS)]}）")
    return "\n".join(lines)


def best(text: str, repeat: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        n = len(parse_bytes(text.encode("utf-8"), "plan.txt").tasks)
        times.append(time.perf_counter() - start)
    return min(times), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    # The last two: 9,999 empty items, one a line, and 10,000 run into one line (the reader's line cap is 10,000):
    # what the suite once timed, now printed here (tests/test_parse_families.py checks what they read as).
    cases = (("100 KB plan", plan_100kb(), 1.0), ("5,000-item numbering", numbering_5000(), 10.0),
             ("9,999 empty items", "XX局2023年工作要点\n" + "\n".join("一、" for _ in range(9999)), 5.0),
             ("10,000 items on one line", "XX局2023年工作要点 " + "一、加强工作。" * 10000, 5.0))
    for name, text, target in cases:
        secs, n = best(text, args.repeat)
        size = len(text.encode("utf-8")) // 1024
        print(f"{name}: {size} KB, {n} tasks, best {secs:.2f} s (target < {target:g} s)")


if __name__ == "__main__":
    main()

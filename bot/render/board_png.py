"""The lights per unit as a PNG for chat: one bar per unit, red first, read in two seconds.

Drawn with Pillow (a small, maintained imaging library with wheels everywhere) rather than matplotlib, which
is twenty times the size and slow to import, for a picture of rectangles and labels. The Chinese text needs a
font with the glyphs on any machine, so duban ships one: fonts/DubanSans.ttf, 1.2 MB, the GB2312 characters
(every common simplified character), ASCII and punctuation subset from WenQuanYi Micro Hei (Apache-2.0, see
fonts/LICENSE.txt); no PyPI package bundles a CJK font that is kept up. The web board serves the same file.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.render.web_text import STATES, state
from bot.services.board import TaskLight

FONT = Path(__file__).parent / "fonts" / "DubanSans.ttf"
WIDTH, ROW, TOP, NAME_W, MAX_UNITS = 800, 34, 120, 190, 20


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def unit_counts(lights: list[TaskLight]) -> list[tuple[str, Counter]]:
    """Per lead unit, the lights of the items it leads; the units with most overdue first."""
    per: dict[str, Counter] = {}
    for t in lights:
        for name in t.lead:
            per.setdefault(name, Counter())[t.light] += 1
    return sorted(per.items(), key=lambda kv: (-kv[1]["red"], -kv[1]["yellow"], -sum(kv[1].values()), kv[0]))


def board_png(lights: list[TaskLight], today: date, *, title: str = "") -> bytes:
    """The board as a picture: the totals on top, then one stacked bar per unit."""
    units = unit_counts(lights)
    shown = units[:MAX_UNITS]
    height = TOP + ROW * max(len(shown), 1) + (40 if len(units) > len(shown) else 16)
    img = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((20, 14), f"{title or '红黄绿看板'}  {today.year}年{today.month}月{today.day}日", fill="#202124",
              font=_font(26))
    totals = Counter(t.light for t in lights)
    x = 20
    for s in STATES:
        label = f"{s.label} {totals.get(s.key, 0)}"
        draw.rectangle((x, 66, x + 16, 82), fill=s.colour)
        draw.text((x + 22, 62), label, fill="#202124", font=_font(20))
        x += 40 + int(draw.textlength(label, font=_font(20)))
    most = max((sum(c.values()) for _, c in shown), default=1) or 1
    for i, (name, counts) in enumerate(shown):
        y = TOP + i * ROW
        short = name if len(name) <= 8 else name[:7] + "…"
        draw.text((NAME_W - 10, y + 4), short, fill="#202124", font=_font(20), anchor="ra")
        x = NAME_W
        for key in [s.key for s in STATES] + sorted(set(counts) - {s.key for s in STATES}):
            w = (WIDTH - NAME_W - 70) * counts.get(key, 0) / most
            if w:
                draw.rectangle((x, y + 5, x + w, y + ROW - 5), fill=state(key).colour)
                x += w
        draw.text((x + 8, y + 4), str(sum(counts.values())), fill="#5f6368", font=_font(18))
    if not shown:
        draw.text((20, TOP), "没有牵头单位的任务", fill="#5f6368", font=_font(20))
    if len(units) > len(shown):
        draw.text((20, height - 32), f"另有 {len(units) - len(shown)} 个单位未列出", fill="#5f6368", font=_font(18))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()

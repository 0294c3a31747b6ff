"""Charts drawn on the server as inline SVG: no script, no library, nothing fetched; the page's font sets the text.

Hand-written SVG rather than a plotting library: the three charts are rectangles and labels, a few dozen lines,
and a leader's phone draws them at any width from the viewBox.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from bot.render.web_text import STATES, state

W = 360  # the viewBox width every chart is drawn at; CSS scales it to the column


def _svg(height: int, body: list[str], label: str, *, bar: bool = False) -> Markup:
    # A bar stretches to the column at a fixed height; a chart with text keeps its proportions.
    shape = ' class="chart bar" preserveAspectRatio="none"' if bar else ' class="chart"'
    return Markup(f'<svg{shape} viewBox="0 0 {W} {height}" role="img" aria-label="{escape(label)}" '
                  f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>')


def _segments(counts: dict[str, int], x0: float, y: float, width: float, height: float) -> list[str]:
    total = sum(counts.values())
    out, x = [], x0
    for key in [s.key for s in STATES] + sorted(set(counts) - {s.key for s in STATES}):
        n = counts.get(key, 0)
        if not n or not total:
            continue
        w = width * n / total
        out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{height}" fill="{state(key).colour}">'
                   f'<title>{escape(state(key).label)} {n}</title></rect>')
        x += w
    return out


def lights_bar(counts: dict[str, int]) -> Markup:
    """The office's lights as one bar split by state."""
    body = _segments(counts, 0, 0, W, 22) or [f'<rect x="0" y="0" width="{W}" height="22" fill="#eee"/>']
    return _svg(22, body, "、".join(f"{s.label}{counts.get(s.key, 0)}" for s in STATES), bar=True)


def units_chart(rows: list[tuple[str, dict[str, int]]]) -> Markup:
    """One bar per unit (the lights of the items it leads), longest bar the largest load."""
    row_h, name_w = 22, 96
    most = max((sum(c.values()) for _, c in rows), default=0) or 1
    body = []
    for i, (name, counts) in enumerate(rows):
        y = i * row_h
        short = name if len(name) <= 6 else name[:5] + "…"
        body.append(f'<text x="{name_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(short)}</text>')
        width = (W - name_w - 30) * sum(counts.values()) / most
        body += _segments(counts, name_w, y + 3, width, row_h - 6)
        body.append(f'<text x="{name_w + width + 4:.1f}" y="{y + 15}" font-size="11">{sum(counts.values())}</text>')
    return _svg(max(row_h * len(rows), row_h), body, "各单位牵头事项的红黄绿分布")


def trend_chart(trend: list[tuple[date, int, int]]) -> Markup:
    """Reports per week (grey) and reports saying done (blue), the last weeks left to right."""
    h, base = 120, 100
    most = max((r for _, r, _ in trend), default=0) or 1
    step = W / max(len(trend), 1)
    body = [f'<line x1="0" y1="{base}" x2="{W}" y2="{base}" stroke="#bbb"/>']
    for i, (monday, reports, done) in enumerate(trend):
        x = i * step + step * 0.2
        for n, colour, dx in ((reports, "#9aa0a6", 0), (done, state("done").colour, step * 0.3)):
            bh = (base - 14) * n / most
            body.append(f'<rect x="{x + dx:.1f}" y="{base - bh:.1f}" width="{step * 0.3:.1f}" height="{bh:.1f}" '
                        f'fill="{colour}"><title>{monday:%m-%d} 起一周 {n}</title></rect>')
        body.append(f'<text x="{x + step * 0.3:.1f}" y="{base - (base - 14) * reports / most - 3:.1f}" '
                    f'font-size="10" text-anchor="middle">{reports}</text>')
        body.append(f'<text x="{x + step * 0.3:.1f}" y="{base + 14}" font-size="10" '
                    f'text-anchor="middle">{monday.month}/{monday.day}</text>')
    return _svg(h, body, "近几周每周反馈次数与报告完成次数")

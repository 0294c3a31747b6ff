"""Find the plan's own title line and the year the plan is for."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from .numbering import parse_number

_KEYWORD = re.compile(
    r"(工作要点|要点|工作计划|计划|实施方案|方案|意见|通知|任务分工|分工|任务清单|清单|工作安排|安排|"
    r"台账|分解表|责任分解|重点工作|任务书|责任书|规划|一览表|统计表|任务表)$"
)
_SITE_YEAR = re.compile(r"^(19|20)\d{2}(?=[^\d年\-—至到~～])")  # "2022县委…": a content farm's prefix
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")
_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-—–~～至到]\s*((?:19|20)?\d{2,4})\s*年")


def title_span(title: str) -> tuple[int, int] | None:
    """(first year, last year) of a period a title states ("2016—2018年", "2021-23年"), or None."""
    m = _SPAN.search(title)
    if not m:
        return None
    start, end = int(m.group(1)), m.group(2)
    end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end[-2:])
    return (start, end_year) if start <= end_year <= start + 10 else None


def _is_body(line: str) -> bool:
    return bool(parse_number(line)) or len(line) > 60 or line.rstrip().endswith(("。", "：", ":"))


def _candidate(line: str) -> str:
    line = _SITE_YEAR.sub("", line.strip())
    return re.sub(r"[_|｜—-]\s*[^_|｜—-]{2,20}(网|网站|门户|政府)$", "", line).strip()


def find_title(lines: list[str]) -> str:
    """Return the plan's title: the last title-like line before the first item, unwrapped.

    "关于印发XX市2023年重点工作任务分工方案的通知" is the covering notice; the plan is the
    document it prints, so the store files it under the inner title.
    """
    title = _find_title(lines)
    m = re.search(r"关于印发[《“\"]?(.{4,60}?)[》”\"]?的通知$", title)
    return m.group(1) if m and _KEYWORD.search(m.group(1)) else title


def _find_title(lines: list[str]) -> str:
    segs: list[str] = []
    for line in lines[:60]:
        if parse_number(line):
            break
        # a crawler may glue the title and the first paragraph with a space: look at each piece
        segs += [_candidate(s) for s in line.split()] if _is_body(line) else [_candidate(line)]
    for i in range(len(segs) - 1, -1, -1):
        seg = segs[i]
        if _KEYWORD.search(seg) and len(seg) <= 60 and not _is_body(seg):
            prev = segs[i - 1] if i else ""
            # a long title is often broken over two lines: 国务院关于促进…／…的若干意见
            if (
                prev
                and len(prev) <= 30
                and not _KEYWORD.search(prev)
                and not re.search(r"\d|[〔\[：:。，,]", prev)
                and not re.fullmatch(r"附[件表录]?", prev)  # the "附件" label above an annexed table
            ):
                return prev + seg
            return seg
    first = segs[0] if segs else (lines[0] if lines else "")
    # text flattened without spaces: the title is the head of the first run, up to its keyword
    m = re.match(
        r"^[^。，,：:；;]{4,60}?(工作要点|工作计划|实施方案|若干意见|意见|方案|清单|安排|要点|计划)"
        # a trailing period or batch stays part of the title: "（2021—2023年）", "（第二批）", "（修订稿）"
        r"(?:[（(][^（）()。，,：:；;]{1,20}[）)])?",
        first,
    )
    return m.group(0) if m else first[:60]


YEAR_MIN, YEAR_MAX = 2000, 2100  # a plan year outside this is a misreading, never a plan
_ISSUED = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*年\s*(1[0-2]|0?[1-9])\s*月\s*(3[01]|[12]\d|0?[1-9])\s*日"
    r"|(?:发布时间|发布日期|成文日期|印发日期)[:：]?\s*((?:19|20)\d{2})[-/.年](1[0-2]|0?[1-9])[-/.月](3[01]|[12]\d|0?[1-9])"
)
# years that are not the plan's: a cited document number (〔2018〕3号), a target (到2025年, 2035年远景),
# a look back (截至2020年, 2019年以来)
_NOT_PLAN_YEAR = re.compile(
    r"[〔\[［【(（](?:19|20)\d{2}[〕\]］】)）]\s*\d+\s*号"
    r"|(?:到|至|截至|截止|截止到)\s*(?:19|20)\d{2}\s*年"
    r"|(?:19|20)\d{2}\s*年(?:以来|起|远景|前后)"
)


def _bounded(y: int | None) -> int | None:
    return y if y is not None and YEAR_MIN <= y <= YEAR_MAX else None


def find_issued(lines: list[str]) -> dt.date | None:
    """Return the plan's issue date: the page's 发布时间/成文日期, else the signature date.

    The signature (机关名称 2016年4月15日) is the first full date of the document in most plans;
    a full date inside an item is an event, but items come after the signature, so the first
    full date before the first numbered item wins, then the first anywhere. Bounded: the search
    stops at the first hit.
    """
    first_item = next((i for i, ln in enumerate(lines) if parse_number(ln)), len(lines))
    for chunk in (lines[:first_item], lines[first_item:]):
        for line in chunk:
            m = _ISSUED.search(line)
            if m:
                g = [x for x in m.groups() if x is not None]
                try:
                    d = dt.date(int(g[0]), int(g[1]), int(g[2]))
                except ValueError:
                    continue
                if _bounded(d.year):
                    return d
    return None


def find_year(title: str, lines: list[str], warnings: list[str] | None = None) -> int | None:
    """Read the plan year from the title, then the issue date, then the years the body states.

    Never from a cited document number (〔2018〕3号) or a target year (到2025年). A year outside
    2000–2100 is refused with a Chinese warning (appended to `warnings` when given).
    """
    warn = warnings if warnings is not None else []
    span = _SPAN.search(title)
    if span and _bounded(int(span.group(1))):
        return int(span.group(1))  # a period "2021—2023年": the plan starts in its first year
    m = _YEAR.search(_NOT_PLAN_YEAR.sub("", title))
    if m:
        y = int(m.group(1))
        if _bounded(y):
            return y
        warn.append(f"标题中的年份 {y} 不在 {YEAR_MIN}–{YEAR_MAX} 年之间，未作为计划年度")
    issued = find_issued(lines)
    if issued is not None:
        return issued.year
    text = _NOT_PLAN_YEAR.sub("", "\n".join(lines))
    counts = Counter(y for y in (int(x) for x in _YEAR.findall(text)) if _bounded(y))
    if counts:
        return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", title)
    if m and _bounded(int(m.group(1))):
        return int(m.group(1))
    warn.append("未能确定计划年度：标题、印发日期和正文中都没有可用的年份")
    return None

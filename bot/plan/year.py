"""Find the plan's own title line and the year the plan is for."""

from __future__ import annotations

import re
from collections import Counter

from .numbering import parse_number

_KEYWORD = re.compile(
    r"(工作要点|要点|工作计划|计划|实施方案|方案|意见|通知|任务分工|分工|任务清单|清单|工作安排|安排|"
    r"台账|分解表|责任分解|重点工作|任务书|责任书|规划|一览表|统计表|任务表)$"
)
_SITE_YEAR = re.compile(r"^(19|20)\d{2}(?=[^\d年\-—至到~～])")  # "2022县委…": a content farm's prefix
_WENHAO = re.compile(r"[〔\[［【(（]((?:19|20)\d{2})[〕\]］】)）]\s*\d+\s*号")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


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
        r"^[^。，,：:；;]{4,60}?(工作要点|工作计划|实施方案|若干意见|意见|方案|清单|安排|要点|计划)", first
    )
    return m.group(0) if m else first[:60]


def find_year(title: str, lines: list[str]) -> int | None:
    """Read the plan year from the title, then a document number (〔2019〕3号), then the body."""
    m = _YEAR.search(title)
    if m:
        return int(m.group(1))
    text = "\n".join(lines)
    m = _WENHAO.search(text)
    if m:
        return int(m.group(1))
    counts = Counter(int(y) for y in _YEAR.findall(text))
    if counts:
        return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", title)
    return int(m.group(1)) if m else None

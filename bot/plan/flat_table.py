"""Recover a task table that a page or a PDF flattened onto one line of text.

The header row gives the columns ("序号 工作任务 工作要求 牵头单位 配合单位 完成时限", spaced or glued);
rows start at the ascending 序号; cells are cut by the space pattern (one space between cells, an extra
space for an empty cell) or, when glued, by the sentence end of the text cell, unit-name suffixes and a
trailing time limit. The rows go to tables.parse_table like any other table.
"""

from __future__ import annotations

import re

from .tables import _header, _role_of
from .units import ACTION

_WORD = (
    r"序号|编号|(?:工作|重点|主要|具体|目标)(?:任务|要求|内容|措施|举措|标准|目标)|任务(?:名称|内容)|名称|类型|类别|"
    r"(?:牵头|配合|责任|协办|主办|承办|配合/责任|配合或责任)(?:单位|部门|股室|科室|处室)|完成(?:时限|时间|期限)|"
    r"时间节点|时限要求|时限|责任领导|备注"
)
_HEAD = re.compile(rf"(?:序号|编号)(?:\s?(?:{_WORD})){{3,}}")
_SECTION = re.compile(r"^[一二三四五六七八九十]{1,3}、")
# a time-limit cell at the end of a row
_LIMIT = re.compile(
    r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:底|上旬|中旬|下旬|末)?前?(?:完成)?$|[^\s。，；]{0,8}(?:前|内|底|末)$|"
    r"持续推进|长期坚持|长期推进|常态化(?:推进)?|全年$"
)
# where two unit names meet with nothing between them: "县交通运输局县公安局"
_GLUE = re.compile(r"(?<=[局办委部院队站所社心府室股])(?=(?:县|市|区|镇|乡|各(?!成员|有关|相关))[^\s，、]{1,14}?[局办委部院队站所社心府室股会位门])")


def split_glued_units(text: str) -> list[str]:
    """Cut "县交通运输局县公安局" into its two names; punctuation-separated names stay as they are."""
    return [p for p in _GLUE.split(text) if p]


def flat_tables(lines: list[str]) -> list:
    """Replace each line holding a flattened table by (text before it, the table's rows)."""
    out: list = []
    for line in lines:
        m = _HEAD.search(line)
        rows = _rows(line[m.start():]) if m else None
        if not rows:
            out.append(line)
            continue
        if line[: m.start()].strip():
            out.append(line[: m.start()].strip())
        out.append(rows)
    return out


def _rows(text: str) -> list[list[str]] | None:
    head = _HEAD.match(text)
    names = re.findall(_WORD, head.group(0))
    if not _header([names]):
        return None
    body = _END.split(text[head.end():], maxsplit=1)[0]
    starts = _row_starts(body)
    if len(starts) < 2:
        return None
    rows: list[list[str]] = [names]
    glued = " " not in head.group(0).strip()
    section = ""
    for k, (pos, n) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(body)
        chunk = body[pos + len(str(n)):end]
        lead_section, chunk = _section(chunk, glued)
        before = _SECTION_TAIL.search(body[:pos]) if k == 0 or not glued else None
        section = lead_section or (before.group(1) if before else section)
        if k + 1 < len(starts):
            chunk = _SECTION_TAIL.sub("", chunk)  # the next row's section row, cut off this row
        cells = _glued_cells(chunk, names) if glued else _spaced_cells(chunk, names)
        rows.append(_place(names, str(n), section, cells))
    return rows


_END = re.compile(r"\s(?:备注|注)[：:]|\s附件\d")
_SECTION_TAIL = re.compile(r"\s([一二三四五六七八九十]{1,3}、[^\s]{2,30})\s*$")


def _place(names: list[str], ref: str, section: str, cells: list[str]) -> list[str]:
    """Lay the row out in header order; a section column gets the section every row it covers."""
    row = [ref]
    it = iter(cells)
    for j, _name in enumerate(names[1:], 1):
        row.append(section if j == _section_col(names) else next(it, ""))
    return row


def _section_col(names: list[str]) -> int:
    """Index of a 重点任务/类别 column that only groups rows: the first of two task-like columns."""
    text_cols = [j for j, n in enumerate(names) if j and _ROLE_TEXT.search(n)]
    return text_cols[0] if len(text_cols) >= 2 and _GROUPING.search(names[text_cols[0]]) else -1


_ROLE_TEXT = re.compile(r"任务|内容|要求|措施|举措|标准|名称|类别|类型")
_GROUPING = re.compile(r"^(重点任务|类别|类型|重点工作|工作类别|主要任务)$")


def _row_starts(body: str) -> list[tuple[int, int]]:
    """Find 1, 2, 3 … in order, each at a cell boundary (after a space, a sentence end or a time limit)."""
    starts: list[tuple[int, int]] = []
    pos, n = 0, 1
    while True:
        rx = re.compile(rf"(?:(?<=^)|(?<=[\s。）)前内底%％责合{_UNIT_CHAR}])|(?<=推进)|(?<=坚持)){n}(?![\d.．%％年月日个项])(?=\s?\S)")
        m = rx.search(body, pos)
        if not m:
            return starts
        starts.append((m.start(), n))
        pos, n = m.end(), n + 1


def _section(chunk: str, glued: bool) -> tuple[str, str]:
    """Take a section cell glued after the number ("1一、压实…健全…") off the front of a row."""
    text = chunk.lstrip()
    if not glued or not _SECTION.match(text):
        return "", chunk
    m = ACTION.search(text, 5)
    cut = m.start() if m else min(len(text), 12)
    return text[:cut], text[cut:]


def _spaced_cells(chunk: str, names: list[str]) -> list[str]:
    """Cells joined by one space; two spaces in a row hold an empty cell."""
    want = len(names) - 1 - (1 if _section_col(names) > 0 else 0)
    cells = chunk.strip(" ").split(" ")
    if len(cells) > want:
        # spaces inside the text cell: the right-hand cells keep their places
        extra = len(cells) - want
        cells = [" ".join(cells[: extra + 1]), *cells[extra + 1:]]
    cells += [""] * (want - len(cells))
    return [_units_cell(c) for c in cells]


def _units_cell(cell: str) -> str:
    parts = split_glued_units(cell)
    return "、".join(parts) if len(parts) > 1 and len(cell) <= 40 else cell


_UNIT_CHAR = "局办委部院队站所社心府室股位门会"
_NOT_LIMIT = re.compile(r"局|办|委|政府|中心|单位|部门")


def _glued_cells(chunk: str, names: list[str]) -> list[str]:
    """Cut a glued row: text up to its last sentence end, then the owner cells and a trailing time limit.

    The header says which columns follow the text: one owner column takes every unit, two split
    into lead (the names before the first run of separated names) and co.
    """
    roles = [_role_of(n) for n in names[1:] if names.index(n) != _section_col(names)]
    tail = 0
    while tail < len(roles) and roles[len(roles) - 1 - tail] in _RIGHT:
        tail += 1
    right = roles[len(roles) - tail:]
    chunk = chunk.strip(" ") if not chunk.startswith(" ") else chunk[1:]
    cut = chunk.rfind("。") + 1
    text, rest = chunk[:cut], chunk[cut:]
    deadline = ""
    if right and right[-1] == "deadline":
        deadline, rest = _peel_limit(rest)
    owner_cells = _owner_cells(rest.rstrip(), sum(r != "deadline" for r in right))
    cells = [text, *[""] * (len(roles) - tail - 1), *owner_cells]
    return cells + ([deadline] if right and right[-1] == "deadline" else [])


_RIGHT = ("lead", "co", "resp", "deadline", "leaders")


def _peel_limit(rest: str) -> tuple[str, str]:
    """Split a trailing time limit off the owner text: "…县食安委各成员单位2025年12月底前"."""
    for i in range(1, len(rest)):
        tail = rest[i:].strip()
        if rest[i - 1] in _UNIT_CHAR and tail and _LIMIT.search(tail) and len(tail) <= 16 \
                and not _NOT_LIMIT.search(tail):
            return tail, rest[:i]
    return "", rest


def _owner_cells(rest: str, count: int) -> list[str]:
    """Split glued owner text into `count` cells; a single space marks an empty first cell."""
    if count <= 1:
        return ["、".join(split_glued_units(rest.strip()))] if count else []
    if rest.startswith(" "):
        lead, co = "", rest.strip()
    elif " " in rest:
        lead, _, co = rest.partition(" ")
    else:
        parts = split_glued_units(rest)
        lead = "、".join(parts[:-1]) if len(parts) > 1 else (parts[0] if parts else "")
        co = parts[-1] if len(parts) > 1 else ""
    return [lead, co] + [""] * (count - 2)

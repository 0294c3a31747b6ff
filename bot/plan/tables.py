"""Read task tables (docx, xlsx, csv, HTML, or pasted into text) into tasks."""

from __future__ import annotations

import re

from .model import ParsedTask
from .owners import parse_owner_text

# header words -> column role; checked in this order, first match wins
_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("ref", re.compile(r"^(序号|编号|序)$")),
    ("leaders", re.compile(r"(责任|牵头|分管|联系|包保)领导|责任人")),
    ("lead", re.compile(r"牵头(单位|部门|股室|处室|科室)?|主办单位|主责单位")),
    # "配合/责任单位": cooperating or responsible; with no 牵头 in the row its first unit leads
    ("resp", re.compile(r"配合\W?(或)?责任|责任\W?(或)?配合")),
    ("co", re.compile(r"(配合|协办|协助|参与|协同)(单位|部门|股室|处室)?")),
    ("resp", re.compile(r"责任(单位|部门|股室|处室|科室)|承办单位|实施单位")),
    ("deadline", re.compile(r"完成时限|完成时间|时间节点|时限|完成期限|时间安排|进度安排")),
    ("section", re.compile(r"类别|类型|领域|板块|分类|重点工作$|工作类别|项目类别|所属")),
    # 目标任务 holds a task's target, not its name: a 任务分解表 (工作任务 | 目标任务 | 工作措施) names
    # the task in 工作任务
    ("measures", re.compile(r"^(目标任务|任务目标|预期目标)$")),
    ("title", re.compile(r"任务|事项|工作项目|项目名称|重点工作|^名称$")),
    ("measures", re.compile(r"具体内容|工作内容|措施|目标|内容|要求|举措|标准")),
]


def _role_of(cell: str) -> str | None:
    cell = re.sub(r"\s+", "", cell)
    if not cell or len(cell) > 16:
        return None
    for role, rx in _ROLES:
        if rx.search(cell):
            return role
    return None


def _columns(row: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, cell in enumerate(row):
        role = _role_of(cell)
        if role == "title" and "title" in cols:
            # two task-like columns: the first (usually merged) groups, the second names the task
            cols.setdefault("section", cols["title"])
            cols["title"] = j
        elif role == "measures" and "title" not in cols and "任务" in cell:
            cols["title"] = j
        elif role and role not in cols:
            cols[role] = j
    if "title" not in cols and "measures" in cols:
        cols["title"] = cols.pop("measures")
    return cols


def _sub_header(top: list[str], below: list[str]) -> list[str] | None:
    """Combine a header with the row under it when that row splits merged headings (牵头单位 | 配合单位).

    Each cell of the lower row must be blank, repeat the cell above (a vertical merge) or be a
    column heading itself, and at least one must be a new heading; a data row never passes.
    """
    if len({_role_of(c) for c in top} - {None}) < 2:
        return None  # a title row over the header is not a header
    new = False
    for j, cell in enumerate(below):
        above = top[j] if j < len(top) else ""
        if not cell.strip() or cell == above:
            continue
        if not _role_of(cell):
            return None
        new = True
    if not new:
        return None
    combined = []
    for j in range(max(len(top), len(below))):
        above = top[j] if j < len(top) else ""
        cell = below[j] if j < len(below) else ""
        if not cell.strip() or cell == above or _role_of(cell):
            combined.append(cell if cell.strip() else above)
        else:
            combined.append(above + cell)
    return combined


def _header(rows: list[list[str]]) -> tuple[int, int, dict[str, int]] | None:
    """Find the header: (its first row, the first data row, column roles)."""
    for i, row in enumerate(rows[:15]):
        combined = _sub_header(row, rows[i + 1]) if i + 1 < len(rows) else None
        cols = _columns(combined or row)
        owners = {"lead", "co", "resp"} & cols.keys()
        if "title" in cols and (owners or "deadline" in cols):
            return i, i + (2 if combined else 1), cols
    return None


def _task_name_column(rows: list[list[str]], start: int, body: int, cols: dict[str, int]) -> dict[str, int]:
    """Two task-like columns (重点工作 | 具体任务): the first groups rows when it is merged or repeats,
    but when every row has its own value it names the task and the second column is its measures."""
    j = cols.get("section")
    if (
        j is None
        or "measures" in cols
        or dict(_ROLES)["title"].search(rows[start][j] if j < len(rows[start]) else "") is None
    ):
        return cols
    values = [r[j].strip() if j < len(r) else "" for r in rows[body:] if any(c.strip() for c in r)]
    if len(values) < 2 or not all(values) or len(set(values)) != len(values):
        return cols
    out = dict(cols)
    out["measures"], out["title"] = out["title"], out.pop("section")
    return out


def parse_table(rows: list[list[str]]) -> tuple[list[ParsedTask], list[str]] | None:
    """Return (tasks, lines above the header) when `rows` is a task table, else None."""
    found = _header(rows)
    if not found:
        return None
    start, body, cols = found
    cols = _task_name_column(rows, start, body, cols)
    above = [" ".join(dict.fromkeys(c for c in r if c)) for r in rows[:start]]
    tasks: list[ParsedTask] = []
    section = ""

    def cell(row: list[str], role: str) -> str:
        j = cols.get(role)
        return row[j].strip() if j is not None and j < len(row) else ""

    for row in rows[body:]:
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        if len(set(filled)) == 1 and (len(filled) > 1 or cell(row, "title") == "" or len(row) == 1):
            section = filled[0]  # a merged row across the table: a section heading
            continue
        if "section" in cols and cell(row, "section"):
            section = cell(row, "section")
        title = cell(row, "title")
        if not title or _role_of(title) == "title" and title == cell(rows[start], "title"):
            continue
        ref = cell(row, "ref") or str(len(tasks) + 1)
        task = ParsedTask(
            ref=re.sub(r"[.．、\s]+$", "", ref),
            section=section,
            title=title.split("\n")[0].strip(),
            measures=cell(row, "measures"),
            stated_deadline=cell(row, "deadline"),
        )
        owners = parse_owner_text(cell(row, "resp"), "resp")
        owners.merge(parse_owner_text(cell(row, "lead"), "lead"))
        owners.merge(parse_owner_text(cell(row, "co"), "co"))
        task.lead, task.co = owners.resolve(owners.rule or "first")
        leaders = cell(row, "leaders")
        if leaders:
            task.leaders = [p for p in re.split(r"[、,，;；\s]+", leaders) if p]
        tasks.append(task)
    return tasks, [a for a in above if a]


_SEP = re.compile(r"\t|\s*[|｜]\s*|\s{2,}")


def _cells(line: str) -> list[str] | None:
    if not _SEP.search(line.strip()):
        return None
    cells = [c.strip() for c in _SEP.split(line.strip().strip("|｜"))]
    if set("".join(cells)) <= set("-:— "):
        return []  # a markdown rule line: keep the run going, add no row
    return cells if len(cells) >= 3 else None


def find_text_tables(lines: list[str]) -> list:
    """Pull tables pasted into text (tab, multi-space or | separated) out as row lists."""
    out: list = []
    i = 0
    while i < len(lines):
        first = _cells(lines[i])
        if first and _header([first]):
            rows = [first]
            j = i + 1
            while j < len(lines):
                cells = _cells(lines[j])
                if cells is None:
                    # a short line between rows (一、… as its own line) is a section row
                    nxt = _cells(lines[j + 1]) if j + 1 < len(lines) else None
                    if len(rows) > 1 and len(lines[j]) <= 40 and nxt:
                        rows.append([lines[j].strip()])
                        j += 1
                        continue
                    break
                if cells:
                    rows.append(cells)
                j += 1
            out.append(rows)
            i = j
            continue
        out.append(lines[i])
        i += 1
    return out

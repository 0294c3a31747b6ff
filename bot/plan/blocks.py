"""What a plan file is read into (text lines and tables), the bounds on it, and the error refusing a file."""

from __future__ import annotations

from .model import PlanReadError

Table = list[list[str]]
Block = str | Table

# Bounds on the work one file may cause: a plan is a few hundred lines, so anything far past
# these is refused with one line before it reaches the parser (every file up to MAX_BYTES is
# read or refused in seconds).
MAX_BYTES = 20 * 1024 * 1024  # the file itself
MAX_UNPACKED = 100 * 1024 * 1024  # what a .docx/.xlsx zip unpacks to
MAX_LINES = 10_000  # text lines / paragraphs handed to the parser
MAX_CHARS = 1_000_000  # characters handed to the parser
MAX_HTML = 8_000_000  # characters of markup
MAX_ROWS = 5_000  # non-empty rows of all tables together
MAX_COLS = 100  # cells beyond this column are ignored
MAX_CELLS = 300_000  # cells a spreadsheet may hold, filled or merely styled
MAX_MERGES = 10_000  # merged ranges per sheet
MAX_SHEETS = 50


def fail(name: str, why: str) -> PlanReadError:
    """Build the one-line Chinese error for an unreadable file."""
    return PlanReadError(f"无法读取文件 {name}：{why}")


def bounded(blocks: list[Block], name: str) -> list[Block]:
    """Refuse more lines, rows or characters than any plan has, before the parser sees them."""
    lines = rows = chars = 0
    for b in blocks:
        if isinstance(b, str):
            lines += 1
            chars += len(b)
        else:
            rows += len(b)
            chars += sum(len(c) for r in b for c in r)
    if lines > MAX_LINES:
        raise fail(name, f"内容过多（{lines} 行，上限 {MAX_LINES} 行），不像一份工作计划")
    if rows > MAX_ROWS:
        raise fail(name, f"表格行数过多（{rows} 行，上限 {MAX_ROWS} 行），不像一份工作计划")
    if chars > MAX_CHARS:
        raise fail(name, f"内容过多（{chars} 字，上限 {MAX_CHARS} 字），不像一份工作计划")
    return blocks

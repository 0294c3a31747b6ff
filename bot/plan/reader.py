"""Turn a plan file's bytes into blocks, choosing the reader by extension; review sheets read back."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

# fail, decode and xlsx_sheets stay importable from here: bot.plan, bot.plan.exports and the tests use them.
from .blocks import MAX_BYTES, MAX_HTML, Block, Table, bounded, fail
from .decoding import decode
from .model import ParsedPlan, PlanReadError
from .office import docx_blocks, xlsx_blocks, xlsx_sheets

SUPPORTED = (".txt", ".text", ".md", ".html", ".htm", ".docx", ".xlsx", ".xlsm", ".csv")
_FORMATS_HINT = "支持 .txt .html .docx .xlsx .csv"


def read_path(path: str | Path) -> list[Block]:
    """Read a file on disk into blocks."""
    p = Path(path)
    return read_bytes(load_path(p), p.name)


def load_path(path: str | Path) -> bytes:
    """A plan file's bytes, or one line saying why it cannot be opened."""
    p = Path(path)
    name = _short(p.name)
    _check_ext(p.name)
    try:
        if not p.exists():
            raise fail(name, "文件不存在")
        if not p.is_file():
            raise fail(name, "不是文件")
        if p.stat().st_size > MAX_BYTES:
            raise fail(name, f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB）")
        return p.read_bytes()
    except OSError as exc:
        raise fail(name, f"无法打开（{exc.strerror or exc}）") from exc


def _short(name: str) -> str:
    return name if len(name) <= 60 else name[:40] + "…" + name[-12:]


def read_bytes(data: bytes, filename: str) -> list[Block]:
    """Read uploaded bytes into blocks, choosing the reader by extension."""
    name = _short(Path(filename).name or filename)
    ext = _check_ext(name)
    if not data or not data.strip():
        raise fail(name, "文件为空")
    if len(data) > MAX_BYTES:
        raise fail(name, f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB）")
    try:
        if ext == ".docx":
            blocks = docx_blocks(data, name)
        elif ext in (".xlsx", ".xlsm"):
            blocks = xlsx_blocks(data, name)
        else:
            text = decode(data, name)
            if ext == ".csv":
                blocks = [_read_csv(text)]
            elif ext in (".html", ".htm") or _looks_like_html(text):
                if len(text) > MAX_HTML:
                    raise fail(name, "网页过大，不像一份工作计划")
                from .html import html_blocks

                blocks = html_blocks(text)
            else:
                blocks = text.splitlines()
    except PlanReadError:
        raise
    except RecursionError as exc:
        raise fail(name, "内容嵌套层数过多，无法读取") from exc
    except Exception as exc:  # a reader library's failure is "unreadable" for the user, never a traceback
        raise fail(name, f"文件已损坏或格式无法识别（{type(exc).__name__}）") from exc
    return bounded(blocks, name)


def review_plan(data: bytes, filename: str) -> ParsedPlan | None:
    """A clerk's review sheet (`duban plan parse --xlsx`) read back exactly; None for any other file.

    The layout is told by its marker cell; it bypasses the generic table parser.
    """
    name = _short(Path(filename).name or filename)
    if Path(name).suffix.lower() not in (".xlsx", ".xlsm") or not data.startswith(b"PK"):
        return None
    from .review import is_review, read_review

    try:
        sheets = xlsx_sheets(data, name)
    except PlanReadError:
        return None  # the ordinary reader says what is wrong with it
    if not is_review(sheets):
        return None
    try:
        return read_review(sheets)
    except PlanReadError as exc:
        raise fail(name, exc.message) from exc
    except Exception as exc:  # never a traceback for a hand-edited sheet
        raise fail(name, f"核对表格式有误（{type(exc).__name__}）") from exc


def _check_ext(name: str) -> str:
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        hint = "，请另存为 .docx 或 .xlsx" if ext in (".doc", ".xls", ".wps", ".et") else ""
        raise fail(name, f"不支持的格式（{_FORMATS_HINT}）{hint}")
    return ext


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return head.startswith("<") and bool(re.search(r"<(html|body|p|div|table|!doctype)\b", head))


def _read_csv(text: str) -> Table:
    sample = text[:4000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|，")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]

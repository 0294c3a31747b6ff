"""Turn a plan file's bytes into blocks: text lines and tables (lists of rows)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from .model import PlanReadError

Table = list[list[str]]
Block = str | Table

SUPPORTED = (".txt", ".text", ".md", ".html", ".htm", ".docx", ".xlsx", ".xlsm", ".csv")
_FORMATS_HINT = "支持 .txt .html .docx .xlsx .csv"


def fail(name: str, why: str) -> PlanReadError:
    """Build the one-line Chinese error for an unreadable file."""
    return PlanReadError(f"无法读取文件 {name}：{why}")


def read_path(path: str | Path) -> list[Block]:
    """Read a file on disk into blocks."""
    p = Path(path)
    _check_ext(p.name)
    if not p.exists():
        raise fail(p.name, "文件不存在")
    if not p.is_file():
        raise fail(p.name, "不是文件")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise fail(p.name, f"无法打开（{exc.strerror or exc}）") from exc
    return read_bytes(data, p.name)


def read_bytes(data: bytes, filename: str) -> list[Block]:
    """Read uploaded bytes into blocks, choosing the reader by extension."""
    name = Path(filename).name or filename
    ext = _check_ext(name)
    if not data or not data.strip():
        raise fail(name, "文件为空")
    if ext == ".docx":
        return _read_docx(data, name)
    if ext in (".xlsx", ".xlsm"):
        return _read_xlsx(data, name)
    text = decode(data, name)
    if ext == ".csv":
        return [_read_csv(text)]
    if ext in (".html", ".htm") or _looks_like_html(text):
        from .html import html_blocks

        return html_blocks(text)
    return text.splitlines()


def _check_ext(name: str) -> str:
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        hint = "，请另存为 .docx 或 .xlsx" if ext in (".doc", ".xls", ".wps", ".et") else ""
        raise fail(name, f"不支持的格式（{_FORMATS_HINT}）{hint}")
    return ext


def _plausible(text: str) -> bool:
    """Tell real text from binary decoded by luck: few control characters, mostly CJK/ASCII."""
    if not text.strip():
        return False
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\r\n\t\f") or c == "\ufffd")
    if bad > max(2, len(text) // 200):
        return False
    good = sum(1 for c in text if c.isascii() or "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f")
    good += sum(1 for c in text if "\uff00" <= c <= "\uffef" or c in "“”‘’—…·")
    return good >= 0.9 * len(text)


def decode(data: bytes, name: str) -> str:
    """Decode text: UTF-8 first, then GB18030, then whatever charset-normalizer finds plausible."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise fail(name, "不是文本文件（可能是二进制文件）")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(data):
            text = str(match)
            if _plausible(text):
                return text
    except Exception:  # a detector failure is just "not decodable" for the user
        pass
    raise fail(name, "无法识别文件编码或不是文本文件")


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


def _read_docx(data: bytes, name: str) -> list[Block]:
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, Exception) as exc:
        raise fail(name, "文件已损坏或不是有效的 .docx 文件") from exc
    from docx.table import Table as DocxTable

    from .docx_numbering import join_number, numbered_texts

    try:
        numbers = numbered_texts(document)
    except Exception:  # malformed numbering.xml: read the text without its list numbers
        numbers = {}

    def text(paragraph) -> str:
        # Word's list numbering is not in the text; put the printed number back in front
        return join_number(numbers.get(paragraph._p, ""), paragraph.text)

    blocks: list[Block] = []
    # body order matters: a task table often follows the title paragraphs
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            rows = [
                ["\n".join(text(p) for p in cell.paragraphs).strip() for cell in row.cells]
                for row in item.rows
            ]
            blocks.append(rows)
        else:
            blocks.extend(text(item).split("\n"))
    return blocks


def _read_xlsx(data: bytes, name: str) -> list[Block]:
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise fail(name, "文件已损坏或不是有效的 .xlsx 文件") from exc
    blocks: list[Block] = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
        # a merged range only stores its top-left value; copy it so section columns read as filled
        for rng in ws.merged_cells.ranges:
            top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else ""
            for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
                for c in range(rng.min_col - 1, min(rng.max_col, len(rows[r]))):
                    rows[r][c] = top
        rows = [r for r in rows if any(r)]
        if rows:
            blocks.append(rows)
    wb.close()
    return blocks

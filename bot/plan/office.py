"""Read Office zips: a .docx's paragraphs and tables, an .xlsx's sheets, within the bounds on a plan."""

from __future__ import annotations

import io
import zipfile

from .blocks import (
    MAX_CELLS,
    MAX_COLS,
    MAX_LINES,
    MAX_MERGES,
    MAX_ROWS,
    MAX_SHEETS,
    MAX_UNPACKED,
    Block,
    fail,
)
from .model import PlanReadError


def _zip_check(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """Open an Office zip, refusing a damaged one or one that unpacks to far more than a plan."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise fail(name, f"文件已损坏或不是有效的 {kind} 文件") from exc
    if total > MAX_UNPACKED or len(z.infolist()) > 10_000:
        raise fail(name, f"文件解压后过大（超过 {MAX_UNPACKED // 1024 // 1024} MB），不像一份工作计划")
    return z


def docx_blocks(data: bytes, name: str) -> list[Block]:
    """A .docx's paragraphs (list numbers put back) and tables as blocks, in body order."""
    _zip_check(data, name, ".docx")
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise fail(name, "文件已损坏或不是有效的 .docx 文件") from exc
    from docx.table import Table as DocxTable

    from .docx_numbering import join_number, numbered_texts

    body = document.element.body
    if len(body) > MAX_LINES:  # count the body's paragraphs and tables before any real work
        raise fail(name, f"内容过多（{len(body)} 段，上限 {MAX_LINES} 段），不像一份工作计划")
    try:
        numbers = numbered_texts(document)
    except Exception:  # malformed numbering.xml: read the text without its list numbers
        numbers = {}

    def text(paragraph) -> str:
        # Word's list numbering is not in the text; put the printed number back in front
        return join_number(numbers.get(paragraph._p, ""), paragraph.text)

    blocks: list[Block] = []
    rows_seen = 0
    # body order matters: a task table often follows the title paragraphs
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            rows = []
            for row in item.rows:
                rows_seen += 1
                if rows_seen > MAX_ROWS:
                    raise fail(name, f"表格行数过多（上限 {MAX_ROWS} 行），不像一份工作计划")
                cells = row.cells[:MAX_COLS]
                rows.append(["\n".join(text(p) for p in cell.paragraphs).strip() for cell in cells])
            blocks.append(rows)
        else:
            blocks.extend(text(item).split("\n"))
    return blocks


def xlsx_sheets(data: bytes, name: str) -> list[tuple[str, list[list]]]:
    """Each sheet's non-empty rows as raw cell values (None for empty), merged ranges not filled.

    Bounded: cells are streamed from the sheet XML (no grid is built), only rows holding a value
    are kept, columns past MAX_COLS are ignored, and a sheet with more rows or cells than a plan
    ever has is refused.
    """
    z = _zip_check(data, name, ".xlsx")
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise fail(name, "文件已损坏或不是有效的 .xlsx 文件") from exc
    from openpyxl.worksheet._reader import WorkSheetParser

    out: list[tuple[str, list[list]]] = []
    try:
        for ws in wb.worksheets[:MAX_SHEETS]:
            if not hasattr(ws, "_get_source"):  # a chart sheet
                continue
            src = ws._get_source()
            parser = WorkSheetParser(
                src, wb.shared_strings, data_only=True, epoch=wb.epoch,
                date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats,
            )
            kept: list[tuple[int, dict[int, object]]] = []
            cells = 0
            for idx, row in parser.parse():
                cells += len(row)
                if cells > MAX_CELLS:
                    raise fail(name, f"表格单元格过多（上限 {MAX_CELLS} 个），不像一份工作计划")
                values = {c["column"]: c["value"] for c in row if c["column"] <= MAX_COLS}
                values = {k: v for k, v in values.items() if v is not None and str(v).strip()}
                if values:
                    kept.append((idx, values))
                    if len(kept) > MAX_ROWS:
                        raise fail(name, f"表格行数过多（上限 {MAX_ROWS} 行），不像一份工作计划")
            src.close()
            merges = parser.merged_cells.mergeCell if parser.merged_cells else []
            if len(merges) > MAX_MERGES:
                raise fail(name, f"合并单元格过多（上限 {MAX_MERGES} 处），不像一份工作计划")
            try:
                out.append((ws.title, _fill(kept, [m.ref for m in merges])))
            except PlanReadError as exc:
                raise fail(name, exc.message) from exc
    finally:
        wb.close()
        z.close()
    return out


def _fill(kept: list[tuple[int, dict[int, object]]], merges: list[str]) -> list[list]:
    """Rows as lists; a merged range's top-left value copied over the range, clipped to the data."""
    from openpyxl.utils.cell import range_boundaries

    if not kept:
        return []
    by_row = dict(kept)
    last_row = kept[-1][0]
    width = max(max(v) for _, v in kept)
    budget = MAX_CELLS
    for ref in merges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        top = by_row.get(min_row, {}).get(min_col)
        if top is None or min_col > width:
            continue
        # a merged section cell spans rows of the table: fill those up to the last used row/column
        max_row, max_col = min(max_row, last_row), min(max_col, width)
        budget -= (max_row - min_row + 1) * (max_col - min_col + 1)
        if budget < 0:
            raise PlanReadError("表格的合并单元格范围过大，不像一份工作计划")
        for r in range(min_row, max_row + 1):
            row = by_row.setdefault(r, {})
            for c in range(min_col, max_col + 1):
                row[c] = top
    if len(by_row) > MAX_ROWS:
        raise PlanReadError(f"表格行数过多（上限 {MAX_ROWS} 行），不像一份工作计划")
    return [[by_row[r].get(c) for c in range(1, width + 1)] for r in sorted(by_row)]


def xlsx_blocks(data: bytes, name: str) -> list[Block]:
    """Each sheet's non-empty rows as one table of stripped strings."""
    blocks: list[Block] = []
    for _title, rows in xlsx_sheets(data, name):
        table = [["" if v is None else str(v).strip() for v in row] for row in rows]
        table = [r for r in table if any(r)]
        if table:
            blocks.append(table)
    return blocks

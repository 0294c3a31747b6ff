"""Turn a plan file's bytes into blocks: text lines and tables (lists of rows)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from .model import ParsedPlan, PlanReadError

Table = list[list[str]]
Block = str | Table

SUPPORTED = (".txt", ".text", ".md", ".html", ".htm", ".docx", ".xlsx", ".xlsm", ".csv")
_FORMATS_HINT = "支持 .txt .html .docx .xlsx .csv"

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
            blocks = _read_docx(data, name)
        elif ext in (".xlsx", ".xlsm"):
            blocks = _read_xlsx(data, name)
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


def _check_ext(name: str) -> str:
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        hint = "，请另存为 .docx 或 .xlsx" if ext in (".doc", ".xls", ".wps", ".et") else ""
        raise fail(name, f"不支持的格式（{_FORMATS_HINT}）{hint}")
    return ext


def _sample(text: str, size: int = 60_000) -> str:
    """Judge a long text by its beginning, middle and end: enough, and bounded work."""
    if len(text) <= 3 * size:
        return text
    mid = len(text) // 2
    return text[:size] + text[mid : mid + size] + text[-size:]


_BAD = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_GOOD = re.compile(r"[\x09-\x0d\x20-\x7e\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—…·]")


def _plausible(text: str) -> bool:
    """Tell real text from binary decoded by luck: few control characters, mostly CJK/ASCII."""
    text = _sample(text)
    if not text.strip():
        return False
    if len(_BAD.findall(text)) > max(2, len(text) // 200):
        return False
    return len(_GOOD.findall(text)) >= 0.9 * len(text)


# The commonest characters of Chinese official writing, simplified and traditional: text decoded
# with the right codec is full of them, the same bytes read with the wrong one are not.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
    "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金"
    "增争济阶油思术极交受联认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八"
    "离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验"
    "连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯"
    "院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严责任牵头配合落推股室县街镇乡"
    "們為會對個這說時來發國學動過種產進經門問間體當無東車書長開關見現線點麼電從應樣頭實兩員總機氣議農區強與將軍結務設"
    "團際黨計術報導縣單責任牽頭配合落實推進加強聯組織區鄉鎮"
)


def _common_share(text: str) -> float:
    text = _sample(text, 20_000)
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    return sum(c in _COMMON for c in han) / len(han)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode(data: bytes, name: str) -> str:
    """Decode text: a BOM first, then UTF-8, then GB18030 or Big5 by which reads as Chinese.

    UTF-8 that reads as mojibake (Chinese once misread as Latin-1) is repaired when that gives
    real text; charset-normalizer has the last word on the rest.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                break
            if _plausible(text):
                return text
            break
    if b"\x00" in data[:4096]:  # UTF-16/32 without a BOM, or a binary file
        for enc in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausible(text) and _common_share(text) > 0.2:
                return text
        raise fail(name, "不是文本文件（可能是二进制文件）")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if _plausible(text):
            return text
        repaired = _unmojibake(text)
        if repaired is not None:
            return repaired
        raise fail(name, "文字是乱码（可能被错误地转换过编码），请用原文件重新导出")
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            candidates.append((_common_share(text), -len(candidates), text))
    if candidates:
        return max(candidates)[2]
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(data[:200_000]):
            text = data.decode(match.encoding, errors="strict")
            if _plausible(text):
                return text
    except Exception:  # a detector failure is just "not decodable" for the user
        pass
    raise fail(name, "无法识别文件编码或不是文本文件")


def _unmojibake(text: str) -> str | None:
    """Chinese UTF-8 (or GBK) bytes once decoded as Latin-1/cp1252 and saved again as UTF-8."""
    for wrong in ("latin-1", "cp1252"):
        try:
            raw = text.encode(wrong)
        except UnicodeEncodeError:
            continue
        for right in ("utf-8", "gb18030"):
            try:
                fixed = raw.decode(right)
            except UnicodeDecodeError:
                continue
            if _plausible(fixed) and _common_share(fixed) > 0.2:
                return fixed
    return None


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


def _read_docx(data: bytes, name: str) -> list[Block]:
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


def _read_xlsx(data: bytes, name: str) -> list[Block]:
    blocks: list[Block] = []
    for _title, rows in xlsx_sheets(data, name):
        table = [["" if v is None else str(v).strip() for v in row] for row in rows]
        table = [r for r in table if any(r)]
        if table:
            blocks.append(table)
    return blocks

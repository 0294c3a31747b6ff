"""Flatten an HTML page into text lines and data tables."""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag

_DROP = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "select", "button")
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "tr",
    "td",
    "th",
    "table",
    "tbody",
    "thead",
    "dd",
    "dt",
    "dl",
    "blockquote",
    "pre",
    "center",
    "hr",
}


def _is_data_table(tag: Tag) -> bool:
    # old government sites lay whole pages out in tables; only a table without nested tables
    # and with several multi-cell rows is treated as a data table
    if tag.find("table"):
        return False
    rows = tag.find_all("tr")
    wide = [r for r in rows if len(r.find_all(["td", "th"])) >= 2]
    return len(wide) >= 2


def _span(cell: Tag, name: str) -> int:
    try:
        return max(1, min(int(str(cell.get(name, 1) or 1).strip()), 500))
    except ValueError:
        return 1


def _cell_text(cell: Tag) -> str:
    # two units on two lines (<br>, two <p>) stay apart; Word splits runs inside a word, so the
    # pieces of one paragraph join without a space
    parts = []
    for block in [b for b in cell.find_all(["p", "div"]) if not b.find(["p", "div"])] or [cell]:
        for br in block.find_all("br"):
            br.replace_with("\n")
        parts.append(block.get_text(""))
    lines = [" ".join(ln.split()) for part in parts for ln in part.split("\n")]
    return "、".join(ln for ln in lines if ln and ln != "\xa0") if len(lines) > 1 else (lines[0] if lines else "")


def _table_rows(tag: Tag) -> list[list[str]]:
    """Lay the table out as a grid: a cell spanning rows or columns fills every slot it covers."""
    rows: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered)
    for tr in tag.find_all("tr"):
        cells: list[str] = []
        col = 0
        for cell in tr.find_all(["td", "th"]):
            while col in pending:
                col = _take(pending, col, cells)
            text = _cell_text(cell)
            for _ in range(_span(cell, "colspan")):
                cells.append(text)
                if _span(cell, "rowspan") > 1:
                    pending[col] = (text, _span(cell, "rowspan") - 1)
                col += 1
        while col in pending:
            col = _take(pending, col, cells)
        if any(c.strip() for c in cells):
            rows.append(cells)
    return rows


def _take(pending: dict[int, tuple[str, int]], col: int, cells: list[str]) -> int:
    """Fill one slot from a cell spanning down from above; return the next column."""
    text, left = pending[col]
    cells.append(text)
    if left > 1:
        pending[col] = (text, left - 1)
    else:
        del pending[col]
    return col + 1


def html_blocks(text: str) -> list:
    """Return one line per block element, and each data table as a list of rows."""
    soup = BeautifulSoup(text, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    root = soup.body or soup
    blocks: list = []
    buf: list[str] = []

    def flush() -> None:
        line = "".join(buf).strip()
        buf.clear()
        if line:
            blocks.append(line)

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    buf.append(" ".join(str(child).split()) if str(child).strip() else "")
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "table" and _is_data_table(child):
                flush()
                blocks.append(_table_rows(child))
                continue
            block = child.name in _BLOCK
            if block:
                flush()
            walk(child)
            if block:
                flush()

    walk(root)
    flush()
    return blocks

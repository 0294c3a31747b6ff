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


def _table_rows(tag: Tag) -> list[list[str]]:
    rows = []
    for tr in tag.find_all("tr"):
        cells = []
        for cell in tr.find_all(["td", "th"]):
            text = " ".join(cell.get_text(" ").split())
            cells.extend([text] * max(1, int(cell.get("colspan", 1) or 1)))
        if any(cells):
            rows.append(cells)
    return rows


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

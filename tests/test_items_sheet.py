"""督办单 and 催办单: `duban sheet REF FILE.docx [--kind 催办]`, read back with python-docx and rendered by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docx import Document

NOW = "2021-09-01T09:00+08:00"
LATER = "2021-09-20T09:00+08:00"  # 批示1 (急件, due 9月8日) is 8 working days late


@pytest.fixture
def store(cli, seed_path):
    assert cli("plan", "import", str(seed_path), "--now", NOW)[0] == 0
    code, _, err = cli("task", "add", "食堂专项检查", "--source", "领导批示", "--lead", "安全办", "--co", "财务股",
                       "--urgent", "--leader", "张副局长", "--from", "局长", "--note", "立即组织检查", "--now", NOW)
    assert code == 0, err
    return cli


def _cells(path) -> dict[str, str]:
    table = Document(str(path)).tables[0]
    return {row.cells[0].text.replace(" ", ""): row.cells[1].text for row in table.rows}


def test_the_sheet_holds_the_items_facts(store, tmp_path):
    out = tmp_path / "督办单.docx"
    code, text, err = store("sheet", "批示1", str(out), "--now", "2021-09-03T09:00+08:00")
    assert code == 0 and "督办单（批示1）已写入" in text, err
    doc = Document(str(out))
    assert doc.paragraphs[0].text == "督办单" and doc.paragraphs[1].text == "编号：批示1"
    cells = _cells(out)
    assert cells["督办事项"] == "食堂专项检查" and cells["来源"] == "领导批示\n局长：立即组织检查"
    assert cells["交办日期"] == "2021年9月1日" and cells["办理时限"] == "2021年9月8日"
    assert cells["牵头单位"] == "安全办" and cells["配合单位"] == "财务股" and cells["牵头领导"] == "张副局长"
    assert cells["当前状态"].startswith("办理中，距办理时限还有3个工作日")
    assert cells["办理情况"] == "暂无"


def test_the_reminder_sheet_says_how_late(store, tmp_path):
    out = tmp_path / "催办单.docx"
    assert store("sheet", "批示1", str(out), "--kind", "催办", "--now", LATER)[0] == 0
    assert Document(str(out)).paragraphs[0].text == "催办单"
    assert _cells(out)["当前状态"] == "已逾期8个工作日（12天），最新进展：尚未反馈"
    assert any("逾期原因" in p.text for p in Document(str(out)).paragraphs)


@pytest.mark.parametrize("args, line", [
    (("批示9", "x.docx"), "没有第9项任务"),
    (("批示1", "x.txt"), "只能写成 .docx"),
    (("批示1", "x.docx", "--kind", "通知"), "--kind 只能是"),
])
def test_sheet_mistakes_get_one_line(store, tmp_path, args, line):
    code, _, err = store("sheet", *[str(tmp_path / a) if a.endswith((".docx", ".txt")) else a for a in args])
    assert code == 1 and line in err and not list(tmp_path.glob("x.*"))


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                    reason="LibreOffice (soffice) and poppler (pdftoppm) are needed to render the sheet")
@pytest.mark.parametrize("kind", ["督办", "催办"])
def test_libreoffice_opens_and_renders_the_sheet(store, tmp_path, kind):
    out = tmp_path / f"{kind}.docx"
    assert store("sheet", "批示1", str(out), "--kind", kind, "--now", LATER)[0] == 0
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / f"{kind}.pdf"), str(tmp_path / kind)], check=True,
                   timeout=60)
    (png,) = tmp_path.glob(f"{kind}-*.png")  # one page
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000

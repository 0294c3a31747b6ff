"""Bad input is refused with one Chinese line, nothing is stored, and the work is bounded.

Every mangled file is generated here in tmp_path; none is committed.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import datetime

import pytest
from sqlmodel import select

from bot.plan import ParsedPlan
from bot.plan.reader import decode
from bot.services import planfile
from bot.services.errors import UserError
from bot.services.importer import NeedsConfirmation, apply_plan, diff_plan
from storage.db import open_store, session_scope
from storage.models import Plan, Task, Unit
from tests.conftest import SAMPLE, SH
from tests.helpers import plan, task

NOW = datetime(2021, 3, 1, 9, 0, tzinfo=SH)
SEED = SAMPLE.read_text(encoding="utf-8")




def store_state(cli) -> str:
    code, out, _ = cli("units", "--json")
    return out if code == 0 else ""


def refused(cli, path, message: str = "") -> str:
    """`duban plan import path` exits 1 with one Chinese line on stderr and changes nothing."""
    before = store_state(cli)
    code, out, err = cli("plan", "import", str(path))
    assert code == 1, (path.name, out)
    assert err.startswith("错误：") and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert message in err, err
    assert store_state(cli) == before
    return err


# --- files -----------------------------------------------------------------------------------------


def xlsx(build) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    build(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _zip(parts: dict[str, str | list[str]]) -> bytes:
    """Write a zip; a part given as a list of chunks is streamed (a big part costs no memory)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            if isinstance(text, str):
                z.writestr(name, text)
                continue
            with z.open(name, "w") as f:
                for chunk in text:
                    f.write(chunk.encode("utf-8"))
    return buf.getvalue()


_CT = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
_CT += '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
_CT += '<Default Extension="xml" ContentType="application/xml"/>'
_RELS = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
_REL = '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{}" Target="{}"/>'


def docx_with_body(body_xml: str | list[str]) -> bytes:
    """A minimal .docx whose body is raw XML (for files python-docx would take long to build)."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>'
    chunks = [head, *([body_xml] if isinstance(body_xml, str) else body_xml), "</w:body></w:document>"]
    return _zip({
        "[Content_Types].xml": _CT + '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": _RELS + _REL.format("officeDocument", "word/document.xml") + "</Relationships>",
        "word/document.xml": chunks,
    })


def raw_xlsx(cells: dict[str, str], merges: list[str] = ()) -> bytes:
    """A minimal .xlsx with inline-string cells ({"A1": "text"}) and merged ranges, written as XML.

    openpyxl itself would create every cell of a merged range A1:ZZ60000 in memory.
    """
    from openpyxl.utils.cell import coordinate_from_string

    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        rows.setdefault(coordinate_from_string(ref)[1], []).append(
            f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    data = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    merged = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
    merged = merged + "</mergeCells>" if merges else ""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    return _zip({
        "[Content_Types].xml": _CT + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": _RELS + _REL.format("officeDocument", "xl/workbook.xml") + "</Relationships>",
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rns}><sheets><sheet '
        'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": _RELS + _REL.format("worksheet", "worksheets/sheet1.xml") + "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{data}'
        f"</sheetData>{merged}</worksheet>",
    })


def random_chinese(n: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    return "".join(chr(rnd.randint(0x4E00, 0x9FA5)) for _ in range(n))


NOT_A_PLAN = "没有找到带责任单位的任务"

CASES = {
    "hello.txt": lambda: b"hello\nworld\n",
    "empty.xlsx": lambda: xlsx(lambda ws: None),
    "header-only.xlsx": lambda: xlsx(lambda ws: ws.append(["序号", "工作任务", "牵头单位", "配合单位", "完成时限"])),
    "header-only.csv": lambda: "序号,工作任务,牵头单位,配合单位,完成时限\n".encode(),
    "script-only.html": lambda: b"<html><head><script>var a = '1.\xe5\xae\x89\xe5\x85\xa8';</script></head><body></body></html>",
    "plan.txt": lambda: json.dumps({"plan": {"title": "x", "year": 2021}, "tasks": []}).encode(),
    "random.docx": lambda: docx([random_chinese(80, seed=i) for i in range(30)]),
    "headings-only.txt": lambda: "县教育局2021年工作要点\n一、党的建设\n二、教育教学\n三、安全稳定\n".encode(),
    "latin1-garbage.txt": lambda: "".join(chr(random.Random(3).randint(0xC0, 0xFF)) for _ in range(3000)).encode("latin-1"),
    "truncated.txt": lambda: SEED[: len(SEED) // 100].encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_not_a_plan_is_refused_and_nothing_created(cli, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CASES[name]())
    refused(cli, path)
    engine = open_store(f"sqlite:///{tmp_path / 'duban.db'}")  # nothing was created: no plan, no unit
    try:
        with session_scope(engine) as s:
            assert s.exec(select(Plan)).all() == [] and s.exec(select(Unit)).all() == []
    finally:
        engine.dispose()


def test_a_plain_text_file_says_why(cli, tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello\nworld\n")
    refused(cli, path, NOT_A_PLAN)


@pytest.mark.parametrize("encoding", ["utf-32", "utf-16", "gb18030"])
def test_other_encodings_of_the_seed_read_the_same(encoding, tmp_path):
    path = tmp_path / f"seed-{encoding}.txt"
    path.write_bytes(SEED.encode(encoding))
    assert planfile.parse(path).to_dict() == planfile.parse(SAMPLE).to_dict()


def test_big5_and_latin1_mojibake_are_decoded(tmp_path):
    trad = "縣教育局2021年工作要點\n一、黨的建設\n1.加強組織建設\n工作措施:6月底前完成。\n責任單位:辦公室、人事股\n"
    (tmp_path / "big5.txt").write_bytes(trad.encode("big5"))
    assert decode(trad.encode("big5"), "big5.txt") == trad
    assert planfile.parse(tmp_path / "big5.txt").title.startswith("縣教育局")
    (tmp_path / "moji.txt").write_bytes(SEED.encode("utf-8").decode("latin-1").encode("utf-8"))
    assert planfile.parse(tmp_path / "moji.txt").to_dict() == planfile.parse(SAMPLE).to_dict()


def test_big5_of_the_simplified_seed_is_read_or_refused_cleanly(cli, tmp_path):
    path = tmp_path / "seed-big5.txt"
    path.write_bytes(SEED.encode("big5", errors="replace"))
    code, _, err = cli("plan", "import", str(path))
    assert code == 0 or (code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err)


# --- bounds: small files that used to hang or crash ------------------------------------------------


BOUNDED = {
    "far-cell.xlsx": lambda: raw_xlsx({"GR200000": "1"}),
    "huge-merge.xlsx": lambda: raw_xlsx({"A1": "县教育局2021年工作要点"}, ["A1:ZZ60000"]),
    "huge-merge-table.xlsx": lambda: raw_xlsx(
        {"A1": "序号", "B1": "工作任务", "C1": "牵头单位", "A2": "1", "B2": "校园安全", "C2": "安全办", "A9000": "x"},
        ["A2:ZZ60000"],
    ),
    "many-merges.xlsx": lambda: raw_xlsx({"A1": "x"}, [f"A{i}:B{i}" for i in range(2, 20_002)]),
    "many-headings.docx": lambda: docx_with_body(["<w:p><w:r><w:t>一、</w:t></w:r></w:p>"] * 400_000),
    "many-lines.txt": lambda: ("一、\n" * 400_000).encode("utf-8"),
    "nested.html": lambda: ("<html><body>" + "<div>" * 10_000 + "1.安全 责任单位:安全办" + "</div>" * 10_000
                            + "</body></html>").encode("utf-8"),
    "zip-bomb.docx": lambda: docx_with_body(["<w:p><w:r><w:t>", *(["a" * 1_000_000] * 110), "</w:t></w:r></w:p>"]),
}


@pytest.mark.parametrize("name", sorted(BOUNDED))
def test_pathological_files_are_refused_quickly(cli, tmp_path, name):
    path = tmp_path / name
    data = BOUNDED[name]()
    assert len(data) < 5_000_000  # small files: the work they cause must be bounded by the caps
    path.write_bytes(data)
    refused(cli, path)


def test_a_very_long_file_name_is_one_line(cli, tmp_path):
    refused(cli, tmp_path / ("计" * 300 + ".txt"))


# --- bounds on what a plan may say -----------------------------------------------------------------


@pytest.mark.parametrize("year", [0, 9999, 1800])
def test_implausible_years_are_refused(memory_engine, year):
    with session_scope(memory_engine) as s:
        with pytest.raises(UserError, match="年份"):
            apply_plan(session=s, parsed=plan(task("1", ["安全办"]), year=year), now=NOW)
    with session_scope(memory_engine) as s:
        assert s.exec(select(Plan)).all() == []


def test_year_0000_in_a_file_is_refused(cli, tmp_path):
    path = tmp_path / "y.txt"
    path.write_text("县教育局0000年工作要点\n一、安全\n1.校园安全排查\n责任单位:安全办\n", encoding="utf-8")
    refused(cli, path)


def test_a_huge_unit_name_is_refused(memory_engine):
    with session_scope(memory_engine) as s:
        with pytest.raises(UserError, match="单位名称过长"):
            apply_plan(session=s, parsed=plan(task("1", ["安" * 10_000])), now=NOW)
    with session_scope(memory_engine) as s:
        assert s.exec(select(Unit)).all() == []


# --- a truncated revision does not wipe the plan ---------------------------------------------------


def test_truncated_revision_needs_confirmation(cli, tmp_path):
    assert cli("plan", "import", str(SAMPLE))[0] == 0
    before = cli("tasks", "--json")[1]
    head = tmp_path / "head.txt"
    head.write_text(SEED[: len(SEED) * 3 // 10], encoding="utf-8")
    code, out, err = cli("plan", "import", str(head))
    assert code == 1 and "--yes" in err and len(err.strip().splitlines()) == 1
    assert "将删除" in err and "26 项任务中的" in err
    assert cli("tasks", "--json")[1] == before
    code, out, _ = cli("plan", "diff", str(head), "--json")
    diff = json.loads(out)
    assert diff["needs_confirmation"] and diff["tasks_before"] == 26 and len(diff["removed"]) > 26 / 3
    code, out, _ = cli("plan", "import", str(head), "--yes")
    assert code == 0 and "已应用以上变化" in out
    assert len(json.loads(cli("tasks", "--json")[1])["tasks"]) < 26


def test_service_exposes_the_check(memory_engine):
    full = plan(*[task(str(i), ["安全办"]) for i in range(1, 7)])
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=full, now=NOW)
    small = ParsedPlan.from_dict(plan(*[task(str(i), ["安全办"]) for i in range(1, 4)]))
    with session_scope(memory_engine) as s:
        diff = diff_plan(session=s, parsed=small)
        assert diff.needs_confirmation and "6 项任务中的 3 项" in diff.confirmation_text
        with pytest.raises(NeedsConfirmation) as err:
            apply_plan(session=s, parsed=small, now=NOW)
        assert err.value.diff.removed == diff.removed
    with session_scope(memory_engine) as s:
        assert len([t for t in s.exec(select(Task)).all() if not t.removed]) == 6
        apply_plan(session=s, parsed=small, now=NOW, confirmed=True)
    keep_most = plan(*[task(str(i), ["安全办"]) for i in range(1, 4)], task("9", ["安全办"]))
    with session_scope(memory_engine) as s:  # removing 0 of 3 tasks (adds one): no question
        assert not diff_plan(session=s, parsed=keep_most).needs_confirmation


def test_our_own_ledger_and_a_score_sheet_are_named_not_offered_as_a_revision():
    import io as _io

    from openpyxl import Workbook

    from bot.render.ledger_xlsx import ledger_xlsx
    from tests.conftest import SH

    with pytest.raises(UserError) as exc:
        planfile.parse_upload(ledger_xlsx([], tz=SH), "台账.xlsx")
    assert "督办台账" in str(exc.value) and "不是工作计划" in str(exc.value) and "\n" not in str(exc.value)
    wb = Workbook()
    wb.active.append(["序号", "单位", "得分", "扣分原因"])
    wb.active.append([1, "安全办", 95, ""])
    buf = _io.BytesIO()
    wb.save(buf)
    with pytest.raises(UserError) as exc:
        planfile.parse_upload(buf.getvalue(), "评分.xlsx")
    assert "评分表" in str(exc.value)

"""督办通报: the period's figures agree with the board; overdue tasks, rankings and commendations read back."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import date, datetime

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from bot.config import Settings
from bot.render.bulletin_docx import bulletin_docx
from bot.services.board import board
from bot.services.bulletin import build_bulletin, parse_period
from bot.services.errors import UserError
from bot.services.reports import record_report
from bot.workdays import WorkCalendar
from storage import repo
from storage.db import session_scope
from storage.models import ReportStatus
from tests.chat_harness import Chat
from tests.conftest import SH
from tests.helpers import at, load, plan, task

SETTINGS = Settings()
JUNE = parse_period("2021-06")


def _report(s, ref: str, unit: str, status: str, when: datetime, note: str = "") -> None:
    p = repo.current_plan(session=s)
    t = repo.task_by_ref(session=s, plan_id=p.id, ref=ref)
    record_report(session=s, task=t, unit_id=repo.units_by_name(session=s)[unit].id, status=ReportStatus(status),
                  percent=None, note=note, reporter="telegram:7", now=when)


@pytest.fixture
def store(memory_engine):
    load(memory_engine, plan(
        task("1", ["职教办"], ["人事股"], date(2021, 6, 10)),  # red; the lead reported after the date
        task("2", ["安全办"], [], date(2021, 6, 25)),  # done on time
        task("3", ["基教股"], ["职教办"], date(2021, 5, 20)),  # red since May; nothing owed in June
        task("4", ["基教股"], [], date(2021, 6, 18)),  # red; never reported in June
        task("5", ["教研室"], [], date(2021, 12, 31)),  # green; reported anyway
        task("6", [], [], date(2021, 6, 1)),  # unowned
    ), at(2021, 3, 1))
    with session_scope(memory_engine) as s:
        _report(s, "1", "人事股", "note", at(2021, 6, 4), "已报送配合材料")  # co date 06-07: on time
        _report(s, "1", "职教办", "in_progress", at(2021, 6, 15))  # after 06-10: late
        _report(s, "2", "安全办", "done", at(2021, 6, 24))
        _report(s, "5", "教研室", "in_progress", at(2021, 6, 10))
        _report(s, "4", "基教股", "note", at(2021, 7, 2), "七月才报")  # after the period: does not count
    return memory_engine


def _bulletin(engine, period=JUNE, now=None):
    with session_scope(engine) as s:
        return build_bulletin(session=s, period=period, now=now or at(2021, 7, 5), settings=SETTINGS,
                              calendar=WorkCalendar())


def test_periods():
    assert (JUNE.start, JUNE.end, JUNE.label, JUNE.code) == (date(2021, 6, 1), date(2021, 6, 30), "2021年6月", "2021-06")
    q = parse_period("2021-Q2")
    assert (q.start, q.end, q.label) == (date(2021, 4, 1), date(2021, 6, 30), "2021年第二季度")
    y = parse_period("2021")
    assert (y.start, y.end, y.label) == (date(2021, 1, 1), date(2021, 12, 31), "2021年")
    for bad in ("2021-13", "June", "2021-Q5", "21-06"):
        with pytest.raises(UserError):
            parse_period(bad)


def test_figures_agree_with_the_board_at_the_periods_end(store):
    b = _bulletin(store)
    assert b.as_of == date(2021, 6, 30) and b.plan_title == "2021年工作要点"
    with session_scope(store) as s:
        lights = board(session=s, now=datetime(2021, 6, 30, 23, 59, tzinfo=SH), settings=SETTINGS,
                       calendar=WorkCalendar())
    f = b.figures
    assert (f.tasks, f.red, f.done, f.green, f.unowned) == (
        len(lights), *(sum(t.light == k for t in lights) for k in ("red", "done", "green", "unowned")))
    assert (f.red, f.done, f.green, f.unowned) == (3, 1, 1, 1)
    assert f.reports == 4 and f.reporting_units == 4 and f.units == 5  # the July note is not June's


def test_overdue_rankings_and_commended(store):
    b = _bulletin(store)
    assert [(o.ref, o.lead, o.co, o.due) for o in b.overdue] == [
        ("3", ["基教股"], ["职教办"], date(2021, 5, 20)), ("1", ["职教办"], ["人事股"], date(2021, 6, 10)),
        ("4", ["基教股"], [], date(2021, 6, 18))]
    assert b.overdue[1].days_late == 20 and b.overdue[1].workdays_late == WorkCalendar().workdays_between(
        date(2021, 6, 10), date(2021, 6, 30))
    assert [(s.unit, s.overdue, s.overdue_co) for s in b.by_overdue] == [("基教股", 2, 0), ("职教办", 1, 1)]
    assert [(s.unit, s.owed, s.late, s.missing) for s in b.by_reports] == [("基教股", 1, 0, 1), ("职教办", 1, 1, 0)]
    # 人事股 supports an overdue task but sent its part on time: commended, as are the on-time leads.
    assert b.commended == ["人事股", "安全办", "教研室"]


def test_as_of_now_when_the_period_is_not_over(store):
    b = _bulletin(store, now=at(2021, 6, 16, 10, 0))
    assert b.as_of == date(2021, 6, 16) and [o.ref for o in b.overdue] == ["3", "1"]
    with pytest.raises(UserError, match="尚未开始"):
        _bulletin(store, period=parse_period("2021-08"), now=at(2021, 7, 5))


def _texts(data: bytes) -> tuple[docx.document.Document, list[str]]:
    d = docx.Document(io.BytesIO(data))
    return d, [p.text for p in d.paragraphs]


def test_docx_reads_back_in_official_layout(store):
    d, texts = _texts(bulletin_docx(_bulletin(store)))
    assert texts[0] == "督办通报" and texts[1] == "（2021年6月）"
    heads = [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert heads == ["一、总体情况", "二、逾期任务", "三、各单位情况", "四、通报表扬", "五、下步要求"]
    overdue = texts[texts.index("二、逾期任务") + 2:texts.index("三、各单位情况")]
    assert [t.split("“")[0] for t in overdue] == ["1. 第3项", "2. 第1项", "3. 第4项"]
    assert "牵头单位：职教办；配合单位：人事股" in overdue[1] and "已逾期" in overdue[1] and "（20天）" in overdue[1]
    ranks = texts[texts.index("（一）逾期任务排名") + 1:texts.index("（二）迟报、未报排名")]
    assert ranks == ["1. 基教股：牵头逾期任务2项。", "2. 职教办：牵头逾期任务1项（另配合逾期任务1项）。"]
    reports = texts[texts.index("（二）迟报、未报排名") + 1:texts.index("四、通报表扬")]
    assert reports == ["1. 基教股：应报1次，未报1次。", "2. 职教办：应报1次，迟报1次。"]
    assert "人事股、安全办、教研室" in texts[texts.index("四、通报表扬") + 1]
    assert "共列任务6项" in texts[texts.index("一、总体情况") + 1] and "逾期3项" in texts[texts.index("一、总体情况") + 1]
    # Fonts: East Asian faces through w:eastAsia; 二号 title, 三号 text; GB/T 9704 margins.
    title, body, head = d.paragraphs[0].runs[0], d.paragraphs[3].runs[0], d.paragraphs[4].runs[0]
    assert title.font.size == Pt(22) and body.font.size == Pt(16) and head.font.size == Pt(16)
    assert body._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert head._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert d.paragraphs[3].paragraph_format.first_line_indent == Pt(32)
    s = d.sections[0]
    assert [round(m.mm) for m in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    assert texts[-2:] == ["督导室", "2021年7月5日"]


def test_converts_to_pdf_with_libreoffice(store, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed here; the .docx is checked by reading it back instead")
    src = tmp_path / "通报.docx"
    src.write_bytes(bulletin_docx(_bulletin(store)))
    # A profile of its own: LibreOffice hands a conversion to any instance running on the same profile, and
    # other test processes on this machine may be converting at the same moment.
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, timeout=120, capture_output=True)
    assert (tmp_path / "通报.pdf").stat().st_size > 1000


async def test_bulletin_in_chat_is_for_admins(memory_engine, seed_path):
    chat = Chat(memory_engine, seed_path)
    chat.now = at(2021, 9, 6)
    assert "只有管理员" in await chat.say("/bulletin 2021-08")
    (msg,) = await chat.send("/bulletin 2021-08", user="1", chat="1", group=False)
    assert msg.document[0] == "督办通报_2021-08.docx" and "2021年8月督办通报" in msg.text
    _, texts = _texts(msg.document[1])
    assert texts[1] == "（2021年8月）" and "截至2021年8月31日" in texts[3]
    assert "2021-13" in await chat.say("/bulletin 2021-13", user="1", chat="1", group=False)
    (msg,) = await chat.send("/bulletin", user="1", chat="1", group=False)  # this month so far
    assert msg.document[0] == "督办通报_2021-09.docx"


def test_cli_writes_the_bulletin(tmp_path, seed_path, monkeypatch, capsys):
    from bot.cli import main

    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "duban.db"}"\n', encoding="utf-8")

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["duban", *args, "--config", str(config)])
        with pytest.raises(SystemExit) as exit_:
            main()
        out = capsys.readouterr()
        return exit_.value.code, out.out, out.err

    run("plan", "import", str(seed_path))
    target = tmp_path / "通报.docx"
    code, out, err = run("bulletin", "--period", "2021-Q3", str(target), "--now", "2021-10-12T10:00+08:00")
    assert code == 0, err
    assert "2021年第三季度督办通报已写入" in out and "截至2021-09-30" in out
    _, texts = _texts(target.read_bytes())
    overdue = texts[texts.index("二、逾期任务") + 2:texts.index("三、各单位情况")]
    assert len(overdue) == 1 and overdue[0].startswith("1. 第12项“大力发展职业教育”。牵头单位：职教办")
    code, _, err = run("bulletin", "--period", "2021-Q7", str(target))
    assert code == 1 and "无法识别的时段" in err
    code, _, err = run("bulletin", str(tmp_path / "x.pdf"))
    assert code == 1 and ".docx" in err

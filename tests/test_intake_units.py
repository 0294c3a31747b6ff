"""Import never merges two units: a name that resembles another is asked about, not merged."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlmodel import select

from bot.plan import ParsedPlan, parse_bytes
from bot.services import planfile
from bot.services.errors import UserError
from bot.services.importer import apply_plan, diff_plan
from storage.db import session_scope
from storage.models import Task, TaskUnit, Unit, UnitAlias
from tests.conftest import SAMPLE, SH

NOW = datetime(2021, 3, 1, 9, 0, tzinfo=SH)
SEED_LINE = "责任股室(单位):安全办、信访办、"  # task 25's owners in the bundled sample


def revised_text() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count(SEED_LINE) == 1
    return text.replace(SEED_LINE, "责任股室(单位):安全办公室、信访办、")


def owners(session) -> dict[str, set[tuple[str, str]]]:
    """unit name -> {(task ref, role)} for the active tasks."""
    out: dict[str, set[tuple[str, str]]] = {}
    rows = session.exec(select(TaskUnit, Unit, Task).where(TaskUnit.unit_id == Unit.id, TaskUnit.task_id == Task.id))
    for tu, unit, task in rows:
        if not task.removed:
            out.setdefault(unit.name, set()).add((task.ref, tu.role))
    return out


def merged_by_parser(parsed: ParsedPlan) -> ParsedPlan:
    """What a parser that merges by resemblance reports: 办公室 and 安全办 both aliases of 安全办公室."""
    data = parsed.to_dict()
    data["units"] = [u for u in data["units"] if u["name"] not in ("办公室", "安全办", "安全办公室")]
    data["units"].append({"name": "安全办公室", "aliases": ["办公室", "安全办"]})
    return ParsedPlan.from_dict(data)


@pytest.fixture
def seeded(memory_engine):
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=planfile.parse(SAMPLE), now=NOW, source_name=SAMPLE.name)
    with session_scope(memory_engine) as s:
        before = owners(s)
    assert ("25", "lead") in before["安全办"] and len(before["办公室"]) > 5
    return memory_engine, before


@pytest.mark.parametrize("parser_merges", [False, True], ids=["parser-keeps-apart", "parser-merges"])
def test_similar_new_name_is_a_question_and_a_separate_unit(seeded, parser_merges):
    engine, before = seeded
    revised = parse_bytes(revised_text().encode("utf-8"), "revised.txt")
    if parser_merges:
        revised = merged_by_parser(revised)
    with session_scope(engine) as s:
        diff = diff_plan(session=s, parsed=revised)
        s.rollback()
    [question] = diff.unit_questions
    assert question.text == "新单位“安全办公室”：是否为“安全办”的别称？"
    assert question.candidates[0] == "安全办" and question.refs == ("25",)
    assert diff.to_dict()["unit_questions"][0]["question"] == question.text
    # nothing else looks changed: 办公室's tasks are not handed to anyone
    assert not any(u == "办公室" for _, u, _ in diff.owners_lost + diff.owners_gained)
    assert diff.owners_gained == [("25", "安全办公室", "lead")] and diff.owners_lost == [("25", "安全办", "lead")]
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=revised, now=NOW.replace(day=2))
    with session_scope(engine) as s:
        after = owners(s)
        assert after["办公室"] == before["办公室"]
        assert after["安全办"] == before["安全办"] - {("25", "lead")}
        assert after["安全办公室"] == {("25", "lead")}
        assert s.exec(select(UnitAlias).where(UnitAlias.alias.in_(["办公室", "安全办"]))).all() == []


@pytest.mark.parametrize("parser_merges", [False, True], ids=["parser-keeps-apart", "parser-merges"])
def test_an_answer_maps_the_new_name(seeded, parser_merges):
    engine, before = seeded
    revised = parse_bytes(revised_text().encode("utf-8"), "revised.txt")
    if parser_merges:
        revised = merged_by_parser(revised)
    answers = {"安全办公室": "安全办"}
    with session_scope(engine) as s:
        diff = diff_plan(session=s, parsed=revised, answers=answers)
        s.rollback()
    assert diff.unit_questions == [] and diff.new_aliases == [("安全办公室", "安全办")]
    assert not (diff.owners_gained or diff.owners_lost)
    with session_scope(engine) as s:
        apply_plan(session=s, parsed=revised, now=NOW.replace(day=2), answers=answers)
    with session_scope(engine) as s:
        assert owners(s) == before
        alias = s.exec(select(UnitAlias).where(UnitAlias.alias == "安全办公室")).one()
        assert s.get(Unit, alias.unit_id).name == "安全办"
    # the stored alias is remembered: the same file again changes nothing and asks nothing
    with session_scope(engine) as s:
        diff = diff_plan(session=s, parsed=revised)
        assert diff.unit_questions == [] and not (diff.owners_gained or diff.owners_lost)


def test_a_fresh_store_never_joins_two_names_into_one(memory_engine):
    parsed = merged_by_parser(parse_bytes(revised_text().encode("utf-8"), "revised.txt"))
    with session_scope(memory_engine) as s:
        result = apply_plan(session=s, parsed=parsed, now=NOW)
        assert [q.name for q in result.diff.unit_questions] == ["安全办公室"]
    with session_scope(memory_engine) as s:
        got = owners(s)
        assert {"办公室", "安全办", "安全办公室"} <= set(got) and got["安全办公室"] == {("25", "lead")}
        assert not s.exec(select(UnitAlias).where(UnitAlias.alias.in_(["办公室", "安全办"]))).all()


def test_an_unambiguous_merge_between_new_names_still_applies(memory_engine):
    parsed = planfile.parse(SAMPLE).to_dict()
    parsed["units"] = [u for u in parsed["units"] if u["name"] not in ("进修学校", "教师进修学校")]
    parsed["units"].append({"name": "教师进修学校", "aliases": ["进修学校"]})
    with session_scope(memory_engine) as s:
        result = apply_plan(session=s, parsed=ParsedPlan.from_dict(parsed), now=NOW)
        assert result.merges == ["进修学校 → 教师进修学校"] and result.diff.unit_questions == []


def test_an_answer_must_name_a_known_unit(seeded):
    engine, _ = seeded
    revised = parse_bytes(revised_text().encode("utf-8"), "revised.txt")
    with session_scope(engine) as s:
        with pytest.raises(UserError, match="不存在"):
            diff_plan(session=s, parsed=revised, answers={"安全办公室": "安全科"})


def test_stashed_dict_and_typed_plan_import_alike(memory_engine):
    parsed = planfile.parse(SAMPLE)
    assert isinstance(parsed, ParsedPlan)
    stashed = json.loads(json.dumps(parsed.to_dict(), ensure_ascii=False))
    with session_scope(memory_engine) as s:
        apply_plan(session=s, parsed=stashed, now=NOW)
    with session_scope(memory_engine) as s:
        assert apply_plan(session=s, parsed=parsed, now=NOW).diff.empty


# --- the command line ----------------------------------------------------------------------------




def test_cli_asks_and_alias_answers(cli, tmp_path):
    assert cli("plan", "import", str(SAMPLE))[0] == 0
    revised = tmp_path / "revised.txt"
    revised.write_text(revised_text(), encoding="utf-8")
    code, out, _ = cli("plan", "diff", str(revised))
    assert code == 0 and "新单位“安全办公室”：是否为“安全办”的别称？" in out
    code, out, _ = cli("plan", "diff", str(revised), "--json")
    assert json.loads(out)["unit_questions"][0]["candidates"][0] == "安全办"
    code, out, _ = cli("plan", "import", str(revised), "--alias", "安全办公室=安全办")
    assert code == 0
    code, out, _ = cli("tasks", "--unit", "安全办", "--role", "lead", "--json")
    assert [t["ref"] for t in json.loads(out)["tasks"]] == ["25"]
    code, _, err = cli("plan", "import", str(revised), "--alias", "安全办公室")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "新名称=已有单位" in err


async def test_chat_upload_sends_the_review_sheet_and_asks_unit_questions_as_buttons(memory_engine, seed_path):
    import io

    from openpyxl import load_workbook
    from sqlmodel import select as _select

    from storage.models import Unit as _Unit
    from tests.chat_harness import Chat, button

    chat = Chat(memory_engine, seed_path)
    admin = {"user": "1", "chat": "1", "group": False}
    revised = seed_path.read_text(encoding="utf-8").replace("安全办", "安全办公室", 1)
    replies = await chat.send(**admin, file_name="修订.txt", file_bytes=revised.encode())
    sheet = next(m for m in replies if m.document)
    assert sheet.document[0].endswith(".xlsx") and load_workbook(io.BytesIO(sheet.document[1]))
    asked = replies[0]
    assert "安全办公室" in asked.text
    answered = await chat.tap(button([asked], "“安全办公室”是安全办"), **admin, message_id="5")
    assert "已确认的别称：安全办公室=安全办" in answered[0].text
    done = await chat.tap(button(answered, "确认导入"), **admin, message_id="5")
    assert "导入" in done[0].text
    with session_scope(memory_engine) as s:
        assert "安全办公室" not in {u.name for u in s.exec(_select(_Unit)).all()}

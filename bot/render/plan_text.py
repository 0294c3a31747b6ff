"""Wording for plan parsing, import and diff results."""

from __future__ import annotations

from bot.plan.model import ParsedPlan
from bot.render.task_text import ROLE_CN
from bot.services.importer import ImportResult, PlanDiff
from bot.services.revision import MatchQuestion

FIELD_CN = {"title": "标题", "objective": "目标任务", "measures": "工作措施"}


def parsed_summary(parsed: ParsedPlan | dict) -> str:
    parsed = ParsedPlan.coerce(parsed)
    year = parsed.year if parsed.year is not None else "（未识别）"
    lines = [f"《{parsed.title}》 {year}年，共 {len(parsed.tasks)} 项任务"]
    for t in parsed.tasks:
        owners = "、".join(t.lead) or "（未列责任单位）"
        if t.co:
            owners += "；配合：" + "、".join(t.co)
        dl = "；".join(f"{d.get('date') or '—'}（{d.get('text')}）" for d in t.deadlines)
        lines.append(f"{t.ref}. {t.title} — 牵头：{owners}" + (f" — 时限：{dl}" if dl else "")
                     + (f" — 待核：{'；'.join(t.doubts)}" if t.confidence < 0.75 and t.doubts else ""))
    if parsed.tasks:
        lines.append(confidence_line(parsed))
    lines += [f"提示：{w}" for w in parsed.warnings]
    return "\n".join(lines)


def confidence_line(parsed: ParsedPlan | dict) -> str:
    """How sure the reading is, and how many tasks a clerk should check ("解析把握 92%，2 项待核（见核对表）"); "" for none."""
    parsed = ParsedPlan.coerce(parsed)
    if not parsed.tasks:
        return ""
    check = sum(t.confidence < 0.75 for t in parsed.tasks)
    return f"解析把握 {round(parsed.confidence * 100)}%" + (f"，{check} 项待核（见核对表）" if check else "")


def question_lines(diff: PlanDiff, *, applied: bool = False) -> list[str]:
    """Each new unit name that resembles another, asked; unanswered it stays a separate unit."""
    out = []
    for q in diff.unit_questions:
        where = "、".join(f"第{r}项" for r in q.refs[:5]) + ("等" if len(q.refs) > 5 else "")
        then = "已按新单位导入" if applied else "不回答则按新单位导入"
        out.append(f"  ? {q.text}（见{where}）如是，请加 --alias {q.answer()} 重新导入；{then}。")
    return out


def match_lines(diff: PlanDiff) -> list[str]:
    """Each task of the revision that matches a stored one only uncertainly, asked."""
    return [f"  ? {q.text}（最可能是原第{q.choices[0][0]}项）" for q in diff.match_questions]


def match_prompt(q: MatchQuestion) -> str:
    """One uncertain task as a numbered choice, asked at the terminal."""
    lines = [f"修订版第{q.ref}项“{q.title}”对应原计划哪一项？"]
    lines += [f"  {i}) 原第{r}项：{t}" for i, (r, t) in enumerate(q.choices, 1)]
    lines.append("  0) 都不是，这是新增任务")
    return "\n".join(lines)


def match_answers(matches: dict[str, str]) -> str:
    """What an admin answered about the revision's uncertain tasks."""
    said = "、".join(f"第{r}项是原第{o}项" if o else f"第{r}项是新增任务" for r, o in matches.items())
    return f"已确认的对应：{said}"


def diff_lines(diff: PlanDiff) -> str:
    if diff.plan_id is None:
        head = f"新计划《{diff.title}》（{diff.year}年）：将新增 {len(diff.added)} 项任务。"
        return "\n".join([head, *question_lines(diff)])
    if diff.empty:
        return f"《{diff.title}》与已导入的版本相同，没有变化。"
    lines = [f"《{diff.title}》相对已导入版本的变化："]
    lines += [f"  + 新增第{r}项：{t}" for r, t in diff.added]
    lines += [f"  - 删除第{r}项：{t}" for r, t in diff.removed]
    lines += [f"  ~ 原第{a}项 → 第{b}项：{t}" for a, b, t in diff.renumbered]
    lines += [f"  ~ 第{r}项改写了{'、'.join(FIELD_CN.get(f, f) for f in fs)}" for r, fs in diff.reworded]
    lines += [f"  + 第{r}项增加{_who(ro)}：{u}" for r, u, ro in diff.owners_gained]
    lines += [f"  - 第{r}项去掉{_who(ro)}：{u}" for r, u, ro in diff.owners_lost]
    lines += [f"  ~ 第{r}项时限：{a} → {b}" for r, a, b in diff.deadlines_moved]
    lines += [f"  = 确认别称：{a} 即 {u}" for a, u in diff.new_aliases]
    lines += question_lines(diff)
    lines += match_lines(diff)
    if diff.needs_confirmation:
        lines.append(f"  ! {diff.confirmation_text}")
    return "\n".join(lines)


def import_summary(result: ImportResult) -> str:
    diff = result.diff
    if diff.empty:
        head = f"《{diff.title}》已导入过，内容没有变化，未做任何修改。"
    elif diff.plan_id is None:
        head = "\n".join([f"已导入新计划《{diff.title}》（{diff.year}年）。", *question_lines(diff, applied=True)])
    else:
        head = diff_lines(diff) + "\n已应用以上变化。"
    lines = [
        head,
        f"任务 {result.tasks} 项，涉及单位 {result.units} 个，牵头 {result.lead} 处，配合 {result.co} 处。",
    ]
    lines += [f"已停用较早的计划{r}：不再发送其提醒，记录仍保留。" for r in result.retired]
    lines += [f"单位合并：{m}" for m in result.merges]
    lines += [f"提示：{w}" for w in result.warnings if not w.startswith("单位合并")]
    return "\n".join(lines)


def _who(role: str) -> str:
    return "牵头领导" if role == "leader" else f"{ROLE_CN[role]}单位"

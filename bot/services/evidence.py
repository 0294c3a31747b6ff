"""佐证材料: photos and files a unit sends for a task, kept by content hash and tied to its latest report."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from sqlmodel import Session

from bot.services.errors import UserError
from bot.services.reports import ReportInput, parse_report_args, record_report
from storage import repo
from storage.models import Evidence, ReportStatus, Task

# What an office accepts as evidence: pictures, scans, office documents and archives of them.
ALLOWED = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".bmp", ".pdf", ".doc", ".docx", ".xls", ".xlsx",
           ".ppt", ".pptx", ".wps", ".et", ".txt", ".ofd", ".zip", ".rar", ".7z", ".mp4", ".mov"}


@dataclass(frozen=True)
class EvidenceLine:
    """One piece of evidence as people read it."""

    name: str
    size: int
    at: datetime
    path: str

    def to_dict(self) -> dict:
        return {"name": self.name, "size": self.size, "at": self.at.isoformat(), "path": self.path}


def _suffix(name: str, mime: str | None) -> str:
    suffix = PurePath(name).suffix.lower()
    if not suffix and mime:
        suffix = mimetypes.guess_extension(mime) or ""
    return suffix


def attach(*, session: Session, task: Task, unit_id: int | None, reporter: str, name: str, data: bytes,
           mime: str | None, now: datetime, data_dir: Path, max_bytes: int, note: str = "") -> Evidence:
    """Keep `data` as evidence for `task`, tied to the unit's latest report (a note report when none).

    The same bytes sent twice are stored once on disk (the file name is the SHA-256); each sending is
    still recorded, since it may back a different report.
    """
    if not data:
        raise UserError("没有收到文件内容（文件过大或下载失败），请重新发送。")
    if len(data) > max_bytes:
        raise UserError(f"文件“{name}”有 {len(data) / 1048576:.1f} MB，超过 {max_bytes // 1048576} MB 的上限，"
                        "请压缩后再发送。")
    suffix = _suffix(name, mime)
    if suffix not in ALLOWED:
        raise UserError(f"不支持把“{name}”作为佐证材料。可以发送照片、PDF、Word/Excel/PPT 文档或压缩包。")
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("evidence") / digest[:2] / f"{digest}{suffix}"
    target = data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)  # never a half-written file under the final name
    report = repo.latest_report_of(session=session, task_id=task.id, unit_id=unit_id)
    if report is None or note:
        report = record_report(session=session, task=task, unit_id=unit_id, status=ReportStatus.NOTE, percent=None,
                               note=note or f"提交佐证材料：{name}", reporter=reporter, now=now)
        session.flush()
    row = Evidence(task_id=task.id, report_id=report.id, unit_id=unit_id, sha256=digest, name=name[:200],
                   mime=mime or mimetypes.guess_type(name)[0] or "", size=len(data), path=str(relative),
                   reporter=reporter, created_at=now)
    session.add(row)
    return row


def evidence_lines(*, session: Session, task_id: int) -> list[EvidenceLine]:
    return [EvidenceLine(e.name, e.size, e.created_at, e.path) for e in repo.evidence_of(session=session, task_id=task_id)]


_REPORT = re.compile(r"^/report(?:@\w+)?(?:\s+|$)", re.IGNORECASE)
_RUN_IN = re.compile(r"^(第\s*[0-9〇零一二三四五六七八九十百]+\s*项)[\s:：，,、]*(\S.*)?$")


def read_caption(text: str) -> tuple[list[str], bool]:
    """A file's caption as words with the task it names first, and whether it is a /report.

    "/report 25 推进中 60% 已排查" → (["25", "推进中", "60%", "已排查"], True); "第12项验收照片" →
    (["第12项", "验收照片"], False): the number run into the words is split off them.
    """
    text = text.strip()
    command = _REPORT.match(text)
    if command:
        text = text[command.end():]
    run_in = _RUN_IN.match(text)
    if run_in and run_in.group(2):
        text = f"{run_in.group(1)} {run_in.group(2)}"
    return text.split(), command is not None


def caption_report(text: str, rest: str) -> ReportInput | None:
    """The report a /report caption carries (`rest`: the words after its task), else None."""
    if not read_caption(text)[1]:
        return None
    return parse_report_args(rest.split())

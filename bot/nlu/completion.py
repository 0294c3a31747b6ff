"""Whether words that say 完成 mean the task is done: negation, hedges and partial completion say it is not.

Pure: text in, verdict out. "不算完成", "基本完成", "大部分完成", "完成了一半" never make a report 已完成; the
report says 推进中 and keeps the words as its note, so a leader reads what the unit wrote.
"""

from __future__ import annotations

import enum
import re

from bot.nlu.model import Status


class Completion(enum.StrEnum):
    """What the 完成 in a message says."""

    DONE = "done"  # plainly done, or no 完成 word at all
    DENIED = "denied"  # 不算完成, 没有全部完成
    HEDGED = "hedged"  # 基本完成, 快完成了, 应该完成了
    PARTIAL = "partial"  # 大部分完成, 完成了一半


# The words a whole task is done with (their negated "can't" forms are BLOCKED in the lexicon, before this).
_DONE_WORD = r"(?:完成|办结|办完|做完|弄完|完工|落实|搞定|办好|做好|结项)"
# Said just before the 完成 word (adverbs may stack: "还没有全部完成", "已基本完成"):
_DENY = r"(?:不能算|不太算|算不上|谈不上|不算|不是|并没有|并没|并未|还没有|还没|还未|尚未|没有|没|未|不)"
_HEDGE = (r"(?:基本上|基本|差不多|几乎|快要|快|即将|将要|接近|马上就|马上|初步|大体上|大体|大致|大概|估计|应该|应当|"
          r"可能|也许|争取|力争|计划|预计|有望|准备|打算|将)")
_PART = r"(?:大部分|一部分|大部|部分|大半|多半|一半|过半)"
_FILL = r"(?:已经|已|都|还|也|就|能|可以|会|要|全部|完全|全面|彻底|基本|才|只|仅)*"

_DENIED = re.compile(rf"{_DENY}{_FILL}{_DONE_WORD}")
_HEDGED = re.compile(rf"{_HEDGE}{_FILL}{_DONE_WORD}")
_PARTIAL_BEFORE = re.compile(rf"{_PART}{_FILL}{_DONE_WORD}")
# After the word: "完成了一半", "完成大部分", "完成过半", "完成了七成", "完成了三分之二", "只完成了一部分"
_PARTIAL_AFTER = re.compile(rf"{_DONE_WORD}(?:了|得)?(?:{_PART}|[一二两三四五六七八九几]成|[一二三四五六七八九十几]+分之)")
# A time still ahead: "预计10月底完成", "年底前完成" — the work is planned, not done.
_AHEAD = re.compile(rf"(?:前|内|之前|以前|底|中旬|上旬|下旬)\s*{_DONE_WORD}")


def classify(text: str) -> Completion:
    """What the completion words of a (normalised) message say; DONE when nothing takes it back."""
    if _DENIED.search(text):
        return Completion.DENIED
    if _PARTIAL_BEFORE.search(text) or _PARTIAL_AFTER.search(text):
        return Completion.PARTIAL
    ahead = _AHEAD.search(text)
    if _HEDGED.search(text) or (ahead and "已" not in text[:ahead.start()]):  # "已于9月底前完成" is done
        return Completion.HEDGED
    return Completion.DONE


def phrase(text: str) -> str:
    """The words from the first qualified 完成 on: the note a 推进中 report keeps."""
    starts = [m.start() for rx in (_DENIED, _PARTIAL_BEFORE, _PARTIAL_AFTER, _HEDGED, _AHEAD)
              if (m := rx.search(text))]
    return text[min(starts):].strip(" ,.:;、-~!。") if starts else ""


def settle(stated: Status | None, text: str, note: str) -> tuple[Status | None, str]:
    """A report's status and note once its words are read whole: a 已完成 the words take back is 推进中."""
    if stated is not Status.DONE or classify(text) is Completion.DONE:
        return stated, note
    words = phrase(text)
    return Status.IN_PROGRESS, (words if note and note in words else " ".join(filter(None, (words, note))))


_WHOLE_TASK = re.compile(r"(?:全部|所有|各项|整体|全面|本项|该项|任务|工作|目标)")
_JOINED = re.compile(r"[\u3400-\u9fff]")
_TAIL = frozenset("了的啦啊呀吧喽哦")


def sub_step(t: str, end: int, spaced: str) -> bool:
    """Whether a 完成 word ending at `end` has its object written on ("已完成招标"): a step, not the whole task.
    A space (as typed: `spaced`), punctuation, a particle or a whole-task word after it ("已完成 验收已交",
    "已完成全部工作") leaves it done."""
    rest = t[end:]
    if not rest or rest[0] in _TAIL or not _JOINED.match(rest) or _WHOLE_TASK.match(rest):
        return False
    word = t[:end].rsplit(" ", 1)[-1][-4:]  # the status word's tail, enough to find it in the typed text
    return not re.search(re.escape(word) + " ", spaced)

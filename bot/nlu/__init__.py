"""The language layer: what a chat message means, from plain plan data, with no I/O.

    vocab = Vocabulary.build(units, tasks)          # once per plan import
    u = understand("人事股还有哪些没完成", vocab, now=now, own_unit_id=chat_unit_id)
    sel = select(u, vocab)                           # task ids best first, unit ids, count, description
"""

from bot.nlu.lexicon import STATUS_WORDS
from bot.nlu.model import (
    FILTER_LABEL,
    STATUS_LABEL,
    Choice,
    Combine,
    Filter,
    Focus,
    Kind,
    PlanRecord,
    Report,
    Role,
    Selection,
    Status,
    TaskRecord,
    TopicHit,
    Understanding,
    UnitMention,
    UnitRecord,
    Window,
)
from bot.nlu.normalise import normalise
from bot.nlu.plain import records_from_plan
from bot.nlu.select import describe, select
from bot.nlu.understand import RULES, Rule, understand
from bot.nlu.vocab import Vocabulary

__all__ = [
    "FILTER_LABEL", "RULES", "STATUS_LABEL", "STATUS_WORDS", "Choice", "Combine", "Filter", "Focus", "Kind", "PlanRecord", "Report", "Role",
    "Rule", "Selection", "Status", "TaskRecord", "TopicHit", "Understanding", "UnitMention", "UnitRecord",
    "Vocabulary", "Window", "describe", "normalise", "records_from_plan", "select", "understand",
]

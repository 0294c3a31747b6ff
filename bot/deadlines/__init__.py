"""Parse the deadline language of Chinese government work plans (工作要点).

No library handles this genre well (dateparser, jionlp and friends target news and chat text, not
"力争秋季开学投入使用" or "每季度末报送"), so this is our own small table-driven rule layer.
"""

from .extract import extract_deadlines, parse_deadline, read_deadline_phrase
from .model import Deadline, Recurrence

__all__ = ["Deadline", "Recurrence", "extract_deadlines", "parse_deadline", "read_deadline_phrase"]

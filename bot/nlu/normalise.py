"""Bring the forms of the same words together: NFKC, traditional → simplified, case and spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_SPACES = re.compile(r"\s+")
# A space between two CJK characters is noise ("教 研 室"); one next to Latin or digits is kept.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PUNCT = str.maketrans({"，": ",", "。": ".", "？": "?", "！": "!", "：": ":", "；": ";", "、": "、",
                        "（": "(", "）": ")", "“": '"', "”": '"', "‘": "'", "’": "'", "＃": "#",
                        "〇": "〇"})


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (牽頭單位 → 牵头单位); other text unchanged."""
    try:
        return _converter().convert(text)
    except Exception:  # the converter must never take a message down
        return text


def normalise(text: str, *, gaps: bool = False) -> str:
    """One canonical form of a message: NFKC, simplified, lower case, single spaces, no CJK gaps (kept with
    `gaps`, for where a space is meant: "12 已完成 验收已交")."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n ")
    text = to_simplified(text).translate(_PUNCT).lower()
    text = _SPACES.sub(" ", text).strip()
    return text if gaps else _CJK_GAP.sub("", text)


def key(text: str) -> str:
    """A matching key for names: normalised, without spaces and brackets' surrounding punctuation."""
    return normalise(text).replace(" ", "")

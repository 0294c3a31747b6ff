"""Read the numerals of plan text: Arabic, full-width and Chinese (十二, 二〇三五, 二0三五)."""

from __future__ import annotations

_DIGITS = {
    "〇": 0, "零": 0, "○": 0, "O": 0, "o": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_DIGITS.update({str(i): i for i in range(10)})

# Full-width digits map one-to-one, so a translated copy keeps every character position.
FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def cn_int(s: str) -> int:
    """Return the value of a numeral such as "25", "二十五", "十二", "一百", "百" or "二〇三五"."""
    if s.isascii() and s.isdigit():
        return int(s)
    if "十" not in s and "百" not in s:
        # Positional, digit by digit: "二〇三五", "二0三五", "一〇〇".
        value = 0
        for ch in s:
            value = value * 10 + _DIGITS[ch]
        return value
    value, current = 0, 0
    for ch in s:
        if ch == "百":
            value += (current or 1) * 100
            current = 0
        elif ch == "十":
            value += (current or 1) * 10
            current = 0
        else:
            current = _DIGITS[ch]
    return value + current


def cn_digit(n: int) -> str:
    """Return a small number (1–12) in Chinese, for labels such as "第三季度"."""
    names = "〇一二三四五六七八九十"
    return names[n] if n <= 10 else "十" + names[n - 10]

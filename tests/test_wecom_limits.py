from bot.textsplit import split_lines as split_utf8
from bot.textsplit import utf8_len


def test_short_text_is_one_part():
    assert split_utf8("你好", 2048) == ["你好"]
    assert split_utf8("", 2048) == [""]


def test_long_text_splits_on_lines_and_loses_nothing():
    lines = [f"第{i}项：推进乡村振兴重点任务，责任单位按月报送进展。" for i in range(120)]
    text = "\n".join(lines)
    assert utf8_len(text) > 2048 * 3
    parts = split_utf8(text, 2048)
    assert len(parts) >= 4
    assert all(utf8_len(p) <= 2048 for p in parts)
    assert "\n".join(parts) == text
    # No line is cut in two.
    assert all(line in lines for p in parts for line in p.split("\n"))


def test_overlong_line_is_cut_between_characters():
    line = "督" * 1500  # 4500 bytes, no newline
    text = f"标题\n{line}\n结尾"
    parts = split_utf8(text, 2048)
    assert all(utf8_len(p) <= 2048 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert parts[0] == "标题"
    assert parts[-1].endswith("\n结尾")


def test_empty_lines_are_kept():
    text = ("a" * 1000 + "\n\n") * 5
    parts = split_utf8(text, 2048)
    assert "\n".join(parts) == text

"""Decode a text file's bytes: BOMs, UTF-8/16/32, GB18030 and Big5, repaired mojibake."""

from __future__ import annotations

import re

from .blocks import fail


def _sample(text: str, size: int = 60_000) -> str:
    """Judge a long text by its beginning, middle and end: enough, and bounded work."""
    if len(text) <= 3 * size:
        return text
    mid = len(text) // 2
    return text[:size] + text[mid : mid + size] + text[-size:]


_BAD = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_GOOD = re.compile(r"[\x09-\x0d\x20-\x7e\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’—…·]")


def _plausible(text: str) -> bool:
    """Tell real text from binary decoded by luck: few control characters, mostly CJK/ASCII."""
    text = _sample(text)
    if not text.strip():
        return False
    if len(_BAD.findall(text)) > max(2, len(text) // 200):
        return False
    return len(_GOOD.findall(text)) >= 0.9 * len(text)


# The commonest characters of Chinese official writing, simplified and traditional: text decoded
# with the right codec is full of them, the same bytes read with the wrong one are not.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
    "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些"
    "然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公"
    "无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将"
    "组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金"
    "增争济阶油思术极交受联认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八"
    "离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验"
    "连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯"
    "院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严责任牵头配合落推股室县街镇乡"
    "們為會對個這說時來發國學動過種產進經門問間體當無東車書長開關見現線點麼電從應樣頭實兩員總機氣議農區強與將軍結務設"
    "團際黨計術報導縣單責任牽頭配合落實推進加強聯組織區鄉鎮"
)


def _common_share(text: str) -> float:
    text = _sample(text, 20_000)
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    return sum(c in _COMMON for c in han) / len(han)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode(data: bytes, name: str) -> str:
    """Decode text: a BOM first, then UTF-8, then GB18030 or Big5 by which reads as Chinese.

    UTF-8 that reads as mojibake (Chinese once misread as Latin-1) is repaired when that gives
    real text; charset-normalizer has the last word on the rest.
    """
    text = _with_bom(data)
    if text is not None:
        return text
    if b"\x00" in data[:4096]:  # UTF-16/32 without a BOM, or a binary file
        return _wide(data, name)
    text = _utf8(data, name)
    if text is not None:
        return text
    text = _chinese_legacy(data)
    if text is None:
        text = _detected(data)
    if text is None:
        raise fail(name, "无法识别文件编码或不是文本文件")
    return text


def _with_bom(data: bytes) -> str | None:
    """The text its byte-order mark names, or None when there is none or it does not read as text."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                return None
            # a BOM on bytes that are not that encoding: fall through to the other guesses
            return text if _plausible(text) else None
    return None


def _reads_as_chinese(data: bytes, encodings: tuple[str, ...]) -> str | None:
    """The first decoding of `data` among `encodings` that reads as Chinese text, or None."""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text) and _common_share(text) > 0.2:
            return text
    return None


def _wide(data: bytes, name: str) -> str:
    """UTF-16/32 without a BOM, told by reading as Chinese; anything else with NULs is binary."""
    text = _reads_as_chinese(data, ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
    if text is None:
        raise fail(name, "不是文本文件（可能是二进制文件）")
    return text


def _utf8(data: bytes, name: str) -> str | None:
    """Valid UTF-8 as text (mojibake repaired or refused); None when the bytes are not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _plausible(text):
        return text
    repaired = _unmojibake(text)
    if repaired is not None:
        return repaired
    raise fail(name, "文字是乱码（可能被错误地转换过编码），请用原文件重新导出")


def _chinese_legacy(data: bytes) -> str | None:
    """GB18030 or Big5, whichever reads more like Chinese (GB18030 on a tie); None if neither reads."""
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            candidates.append((_common_share(text), -len(candidates), text))
    return max(candidates)[2] if candidates else None


def _detected(data: bytes) -> str | None:
    """The first encoding charset-normalizer proposes that gives plausible text, else None."""
    try:
        from charset_normalizer import from_bytes

        for match in from_bytes(data[:200_000]):
            text = data.decode(match.encoding, errors="strict")
            if _plausible(text):
                return text
    except Exception:  # a detector failure is just "not decodable" for the user
        pass
    return None


def _unmojibake(text: str) -> str | None:
    """Chinese UTF-8 (or GBK) bytes once decoded as Latin-1/cp1252 and saved again as UTF-8."""
    for wrong in ("latin-1", "cp1252"):
        try:
            raw = text.encode(wrong)
        except UnicodeEncodeError:
            continue
        fixed = _reads_as_chinese(raw, ("utf-8", "gb18030"))
        if fixed is not None:
            return fixed
    return None

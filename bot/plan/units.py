"""Split owner text into unit names as written, and build the plan's unit list.

Names are never merged by similarity: "区社会事业局" and "社会事业局" may be one office or two, and a
wrong merge silently reassigns tasks. Only configured aliases map one name onto another; names
that look alike are reported as a suggestion (a Chinese warning) and stay separate units.
"""

from __future__ import annotations

import re

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# invisible characters that web pages and Word leave inside names: zero-width space/joiners, BOM,
# word joiner. They are dropped so "教育局" and "教\u200b育局" are the same name as written.
for _c in (0x200B, 0x200C, 0x200D, 0xFEFF, 0x2060):
    _FULLWIDTH[_c] = None

# what a unit name usually ends with; used to decide whether "A和B" is two units
UNIT_END = re.compile(
    r"(局|委|办|部|厅|署|室|股|站|中心|院|校|所|队|会|处|科|馆|园|团|社|公司|集团|政府|街道|镇|乡|"
    r"村|区|县|市|省|行|台|组|机构|单位|部门|党委|支部|中学|小学|银行|协会|学会|联合会|法院|检察院|企业|海关|联)$"
)
_GROUP = re.compile(r"^(各|有关|相关|全县|全市|全区|县直|市直|区直|其他|其它)")
_ROLE_TAIL = re.compile(
    r"(等(?:有关部门|相关部门)?)?(按职责分工|按照职责分工|按职责|根据职责|分别|共同|具体)?"
    r"(负责|牵头|配合|参与|协助|协办|协同|落实|实施|承办|主办)$"
)
_GROUP_TAIL = ("有关部门", "相关部门", "有关单位", "相关单位", "有关处室", "相关处室", "有关股室", "相关股室")
_NAME_TRIM = " \t.。:：;；,，、\"“”'‘’"


def norm_punct(text: str) -> str:
    """Map full-width ASCII punctuation, letters and digits to half-width, drop invisible
    characters; leave CJK alone."""
    return text.translate(_FULLWIDTH)


# A unit name is a noun phrase: words that act (加强, 推进…) or oblige (要, 须…) mark running text
# that a flattened page glued onto the end of an owner list.
ACTION = re.compile(
    r"加强|推进|推动|开展|完善|加快|大力|积极|深入|强化|构建|提升|建立|健全|做好|抓好|认真|全面|"
    r"严格|持续|广泛|进一步|实现|确保|探索|鼓励|支持|引导|营造|夯实|打造|深化|压实|切实|要|应当|必须|须|"
    r"通过|按照|根据|对|将"
)
MAX_UNIT_LEN = 40  # a longer phrase is prose, never a unit name


def looks_like_unit(name: str) -> bool:
    """Tell whether a short phrase reads like an office name or a group of offices."""
    base = re.sub(r"\([^()]{1,4}\)$", "", name)
    if not 2 <= len(name) <= 24 or re.search(r"[。！？!?]", name):
        return False
    return bool(UNIT_END.search(base) or _GROUP.match(name) or name.endswith(_GROUP_TAIL))


# A bracket with no role word names owners only if every item reads as an office. This suffix
# list is stricter than UNIT_END (no 市/县/区/行/园) so that （试行）（含民办）（2021—2025年）
# stay ordinary parentheticals.
_PLAIN_END = re.compile(
    r"(科|室|股|处|局|办|委|厅|部|署|中心|学校|中学|小学|大学|站|馆|所|院|会|队|组|政府|单位|联|公司|"
    r"银行|街道)$"
)
_NOT_UNIT = re.compile(r"^(含|包括|不含|除|即|如|简称|下称|以下|其中|详见|见|注|试|暂|另|主要|全部|部分)")


def plain_unit(name: str, known: frozenset[str] | set[str] = frozenset()) -> bool:
    """Tell whether a bracket item is an office name even without a role word (负责/牵头)."""
    if name in known:
        return True
    if not 2 <= len(name) <= 20 or _NOT_UNIT.match(name) or re.search(r"[\d年月日《》“”\"%。]", name):
        return False
    if _GROUP.match(name) and len(name) >= 3:
        return True
    m = _PLAIN_END.search(name)
    return bool(m) and len(name) > len(m.group(1))


def strip_role(text: str) -> str:
    """Drop trailing role words such as 负责 / 牵头 / 等按职责分工负责."""
    text = text.strip(_NAME_TRIM)
    prev = None
    while prev != text:
        prev = text
        text = _ROLE_TAIL.sub("", text).strip(_NAME_TRIM)
    return re.sub(r"^(由|请|责成)", "", text)


def split_units(text: str) -> list[str]:
    """Split a list of owners into unit names as written (punctuation normalised)."""
    text = norm_punct(text)
    text = re.sub(r"\s*([()])\s*", r"\1", text)
    out: list[str] = []
    tail = re.search(r"等(有关部门|相关部门)(按职责分工)?(负责|牵头|配合)?[。.]?$", text)
    for part in re.split(r"[、,，;；/\s]+", text):
        part = strip_role(part)
        if not part:
            continue
        if "等" in part:
            left, _, right = part.partition("等")
            if right in _GROUP_TAIL or not right:
                if left:
                    out.append(left)
                if right.startswith(("有关", "相关")):
                    out.append(right)
                continue
        out.extend(_split_conj(part))
    if tail and tail.group(1) not in out:
        out.append(tail.group(1))
    seen: set[str] = set()
    # a phrase longer than MAX_UNIT_LEN is prose that slipped into an owner list, never a unit
    return [u for u in out if u and len(u) <= MAX_UNIT_LEN and not (u in seen or seen.add(u))]


def _split_conj(part: str) -> list[str]:
    # "文化和旅游部" stays whole: split on 和/及/与 only when every piece reads as a unit
    for sep in ("及", "和", "与"):
        if sep in part:
            pieces = [p for p in part.split(sep) if p]
            if len(pieces) > 1 and all(looks_like_unit(p) for p in pieces):
                return [q for p in pieces for q in _split_conj(p)]
    return [part]


def _key(name: str) -> str:
    return re.sub(r"委员会$", "委", re.sub(r"办公室$", "办", name))


def _is_subsequence(short: str, long_: str) -> bool:
    it = iter(long_)
    return all(ch in it for ch in short)


def _similar(short: str, long_: str) -> bool:
    """Tell whether `short` may be another way of writing `long_` (for a suggestion only).

    A suffix with a qualifier in front (县教育局 / 教育局), 办公室/办 or 委员会/委 endings, or an
    abbreviation keeping first and last character in order (发改委 / 发展改革委). Groups (各…,
    县直…) are never suggested: they are many units by design.
    """
    if short == long_ or _GROUP.match(short) or _GROUP.match(long_):
        return False
    ks, kl = _key(short), _key(long_)
    if ks == kl:
        return True
    if len(short) >= 3 and long_.endswith(short):
        prefix = long_[: -len(short)]
        return prefix in ("县", "市", "区", "省", "州", "旗") or (len(prefix) <= 4 and not UNIT_END.search(prefix))
    return len(ks) >= 3 and ks[0] == kl[0] and ks[-1] == kl[-1] and _is_subsequence(ks, kl) and short not in long_


_MAX_SUGGEST = 400  # units; beyond that the pairwise look for similar names is skipped (bounded work)


def build_units(names: list[str], aliases: dict[str, str] | None = None):
    """Return (units, name->canonical, warnings) for the names in document order.

    A name maps to another only through the configured `aliases`; everything else is kept
    exactly as written. Names that look like one another are reported, not merged.
    """
    table = {norm_punct(k).strip(): norm_punct(v).strip() for k, v in (aliases or {}).items()}
    order = list(dict.fromkeys(norm_punct(n) for n in names))
    canon: dict[str, str] = {n: table.get(n, n) for n in order}
    units: list[dict] = []
    index: dict[str, dict] = {}
    warnings: list[str] = []
    for n in order:
        c = canon[n]
        if c not in index:
            index[c] = {"name": c, "aliases": []}
            units.append(index[c])
        if n != c:
            index[c]["aliases"].append(n)
            warnings.append(f"单位合并：{n} → {c}（按配置的别名）")
    targets = [u["name"] for u in units]
    if len(targets) <= _MAX_SUGGEST:
        for short in targets:
            for long_ in targets:
                if len(long_) > len(short) and _similar(short, long_):
                    warnings.append(
                        f"单位名称相近：“{short}”与“{long_}”，已按两个单位处理；如为同一单位，请在配置中设置别名"
                    )
    return units, canon, warnings

"""Unit splitting, owner clauses and conservative alias merging."""

import pytest

from bot.plan.owners import parse_owner_text
from bot.plan.units import build_units, split_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "秘书股、机关党委，各乡镇中心校、县直学校(园)。",
            ["秘书股", "机关党委", "各乡镇中心校", "县直学校(园)"],
        ),
        ("县直学校（园）", ["县直学校(园)"]),
        ("海关总署、商务部等有关部门负责", ["海关总署", "商务部", "有关部门"]),
        ("海关总署、文化和旅游部、文物局负责", ["海关总署", "文化和旅游部", "文物局"]),
        ("工业和信息化部", ["工业和信息化部"]),
        ("县卫健委和县教育局", ["县卫健委", "县教育局"]),
        ("县财政局及各乡镇人民政府", ["县财政局", "各乡镇人民政府"]),
        ("各乡镇等按职责分工负责", ["各乡镇"]),
        ("中等职业学校", ["中等职业学校"]),
        ("县发改委 县财政局", ["县发改委", "县财政局"]),
    ],
)
def test_split_units(text, expected):
    assert split_units(text) == expected


def test_owner_clause_roles_and_rules():
    o = parse_owner_text("县发改委牵头，县财政局、县统计局配合")
    assert o.resolve("first") == (["县发改委"], ["县财政局", "县统计局"])
    o = parse_owner_text("税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同")
    assert (o.rule, o.sticky) == ("first", True)
    assert o.resolve(o.rule) == (["税务总局"], ["财政部", "海关总署"])
    o = parse_owner_text("秘书股、人事股。(排名第一为牵头股室,下同)")
    assert o.resolve("first") == (["秘书股"], ["人事股"]) and o.sticky
    o = parse_owner_text("县委办、县政府办负责（排名不分先后）")
    assert o.resolve(o.rule) == (["县委办", "县政府办"], [])
    o = parse_owner_text("牵头单位：县住建局；配合单位：县城管局；责任领导：李明")
    assert o.resolve("first") == (["县住建局"], ["县城管局"]) and o.leaders == ["李明"]


def test_names_stay_as_written_only_configured_aliases_map():
    units, canon, warnings = build_units(
        ["进修学校", "教师进修学校", "安全办公室", "教育局", "县教育局"], {"安全办公室": "安全办"}
    )
    assert {u["name"]: u["aliases"] for u in units} == {
        "进修学校": [],
        "教师进修学校": [],
        "安全办": ["安全办公室"],
        "教育局": [],
        "县教育局": [],
    }
    assert canon["进修学校"] == "进修学校"
    assert "单位合并：安全办公室 → 安全办（按配置的别名）" in warnings
    # look-alikes are suggested, in Chinese, never merged
    assert any("单位名称相近" in w and "进修学校" in w and "教师进修学校" in w for w in warnings)
    assert any("单位名称相近" in w and "“教育局”与“县教育局”" in w for w in warnings)


def test_abbreviations_are_suggested_not_merged():
    units, _, warnings = build_units(["发改委", "发展改革委", "市场监管局", "市场监督管理局"])
    assert [u["aliases"] for u in units] == [[], [], [], []]
    assert len(warnings) == 2 and all(w.startswith("单位名称相近") for w in warnings)


def test_invisible_characters_are_dropped_from_names():
    units, _, _ = build_units(["教\u200b育局", "教育局\ufeff", "教\u2060育局"])
    assert [u["name"] for u in units] == ["教育局"]
    assert split_units("县财政局\u200d、县\u200c统计局") == ["县财政局", "县统计局"]


@pytest.mark.parametrize(
    "names",
    [
        ["办公室", "关工委办公室"],
        ["县直学校", "县直学校(园)", "县直幼儿园"],
        ["人事股", "人事科"],
        ["各股室", "股室"],
    ],
)
def test_no_merge_where_meaning_differs(names):
    units, _, warnings = build_units(names)
    assert [u["aliases"] for u in units] == [[]] * len(names) and warnings == []


def test_similar_names_with_a_place_prefix_are_only_suggested():
    units, _, warnings = build_units(["财政局", "县财政局", "市财政局"])
    assert [u["aliases"] for u in units] == [[], [], []]
    assert len(warnings) == 2


@pytest.mark.parametrize("text, lead, co, rest", [
    ("会议同意启动绩效考核，由医政股牵头，县人民医院、县中医院配合，4月30日前拿出方案。",
     ["医政股"], ["县人民医院", "县中医院"], "会议同意启动绩效考核，4月30日前拿出方案。"),
    ("加快人才招引，由人事股牵头。", ["人事股"], [], "加快人才招引。"),
    ("开展专项督查。由疾控中心牵头，公卫股配合。", ["疾控中心"], ["公卫股"], "开展专项督查。"),
])
def test_a_lead_clause_between_commas_names_the_owners(text, lead, co, rest):
    from bot.plan.owners import running_owners

    owners, left = running_owners(text)
    assert (owners.lead, owners.co, left) == (lead, co, rest)


def test_a_clause_that_names_no_unit_is_left_alone():
    from bot.plan.owners import running_owners

    text = "会议强调，由点到面逐步推开，各校要抓好落实。"
    assert running_owners(text) == (None, text)

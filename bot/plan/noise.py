"""Strip web-page furniture (breadcrumbs, counters, ads, footers) from plan text."""

from __future__ import annotations

import re

# phrases that content farms inject into running text; removed with the spaces around them
_INJECTED = re.compile(
    r"\s*(当前隐藏内容免费查看|隐藏内容免费查看|点击查看全文|查看全文|免费下载|本文来源于网络|"
    r"内容来自网络|文章来源于网络|原创不易，请勿转载|附件下载|【打印本页】|【关闭窗口】)\s*"
)
# a line starting with one of these is page furniture
_NOISE_LINE = re.compile(
    r"^\s*(当前位置|您的位置|您现在的位置|所在位置|首页\s*[>›»]|网站首页|时间[:：]\s*\d{4}|发布时间|"
    r"发布日期|来源[:：]|作者[:：]|浏览次数|阅读次数|点击[数量次]|字[体号][:：]|【字[体号]|打印本页|"
    r"关闭窗口|分享到|扫一扫|上一篇|下一篇|返回顶部|责任编辑|编辑[:：]|版权所有|Copyright|"
    r"下面是小编|以下是小编|小编为大家|本文由|相关热词|相关文章|热门文章|推荐阅读)",
    re.IGNORECASE,
)
# site-footer markers anywhere in a short line: "主办单位：XX县政府办 版权所有 网站标识码…" must
# not read as an owner label (主办单位 is also a plan label)
_FURNITURE = re.compile(r"网站标识码|ICP备|ICP证|公网安备|版权所有|技术支持[:：]|网站地图|联系我们")
# everything after a footer like these is site navigation, not the plan
_FOOTER = re.compile(
    r"^\s*(推荐访问|猜你喜欢|相关推荐|相关阅读|热门推荐|延伸阅读|相关热词搜索|上一篇[:：]|下一篇[:：])"
)
# markers to cut a crawler's single line before (so the line rules above can see them)
_CUT = re.compile(
    r"(?=(当前位置[:：]|时间[:：]\s*\d{4}-|浏览次数[:：]|下面是小编|推荐访问[:：]|猜你喜欢|相关热词搜索))"
)
_PREAMBLE = re.compile(r"(下面|以下)是小编.*?(参考|阅读|帮助|借鉴|收藏)[。.!！]?")


def clean(lines: list[str]) -> list[str]:
    """Drop noise lines, cut the page footer and remove injected phrases."""
    out: list[str] = []
    for raw in _split_markers(lines):
        line = _INJECTED.sub("", raw.replace("\u3000", " ").replace("\xa0", " ")).strip()
        if not line:
            continue
        if _FOOTER.match(line):
            break
        line = _PREAMBLE.sub("", line).strip() if _PREAMBLE.search(line) else line
        if not line or ((_NOISE_LINE.match(line) or _FURNITURE.search(line)) and len(line) < 200):
            continue
        out.append(line)
    return out


def _split_markers(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line) > 200:
            out.extend(p for p in _CUT.split(line) if p)
        else:
            out.append(line)
    return out

"""The words the layer listens for, as plain tables: status words, role words, question words, fillers.

All entries are in normalised form (simplified, lower case). One regex is built from every phrase, longest
first, so "还没完成" wins over "完成" and "总体情况" over "情况".
"""

from __future__ import annotations

import re

from bot.nlu.model import Filter, Status

# phrase → the report status it states
STATUS_WORDS: dict[Status, tuple[str, ...]] = {
    Status.DONE: ("已完成", "完成了", "已经完成", "全部完成", "完成的", "完成", "已办结", "办结了", "办结", "办完了",
                  "已办完", "已经办结", "已经办完", "办好了", "已办好", "做好了", "已做好", "弄好了", "弄完了",
                  "搞定了", "搞定", "做完了", "已做完", "完工", "已落实", "落实到位", "已结束", "结项", "done",
                  "finished", "completed", "complete"),
    Status.IN_PROGRESS: ("正在推进", "推进中", "在推进", "进行中", "正在进行", "在办", "正在办", "正在办理", "办理中",
                         "在做", "正在做", "正在落实", "落实中", "实施中", "正在实施", "有进展", "in progress",
                         "ongoing", "doing", "wip"),
    Status.BLOCKED: ("遇到困难", "有困难", "遇到问题", "有问题", "卡住了", "卡住", "卡壳", "受阻", "推不动", "困难重重",
                     # a negated 完成 is no completion: listed whole so each wins over the status word 完成
                     "完成不了", "完不成", "无法完成", "不能完成", "难以完成", "没法完成", "没办法完成", "不能按时完成",
                     "无法按时完成", "难以按时完成", "不能按期完成", "无法按期完成", "难以按期完成", "办不了", "做不完",
                     "办不完",
                     "blocked", "stuck"),
    Status.NOT_STARTED: ("还没开始", "没开始", "未开始", "尚未开始", "还未开始", "未启动", "没启动", "还没启动",
                         "尚未启动", "没动", "还没动", "not started", "not yet started"),
}

# phrase → a filter only (these never state a report)
FILTER_WORDS: dict[Filter, tuple[str, ...]] = {
    Filter.OPEN: ("没完成", "未完成", "没有完成", "还没完成", "尚未完成", "还未完成", "没办完", "没做完", "未办结",
                  "没办结", "没结", "没搞定", "未落实", "在办的", "unfinished", "not done", "incomplete", "open"),
    Filter.OVERDUE: ("逾期", "超期", "过期", "超时", "延误", "拖期", "误期", "过了期限", "过了截止", "晚了", "过期限",
                     "overdue", "late"),
    Filter.UNREPORTED: ("没报", "未报", "没有报", "没上报", "未上报", "没有上报", "没反馈", "未反馈", "没有反馈",
                        "没汇报", "未汇报", "没有汇报", "没填报", "未填报", "没报送", "未报送", "没有报送", "没交",
                        "没更新", "未更新", "没动静", "没人报", "没人反馈", "没人汇报", "无人报送", "没有人报", "没回复", "未回复", "no report", "not reported",
                        "unreported", "silent", "no update", "no updates"),
}

# tag → phrases; tags are read by understand()
PHRASES: dict[str, tuple[str, ...]] = {
    "ask_progress": ("完成了吗", "完成了没", "完成没有", "完成没", "完成吗", "办完了吗", "办结了吗", "办完没", "做完了吗",
                     "办好了吗", "做好了吗", "弄好了吗", "弄完了吗", "办好没", "做好没",
                     "完成得怎么样", "搞定了吗", "搞定没", "落实了吗", "done yet", "完成情况", "完成进度", "完成度",
                     "完成率", "完成得", "办得怎么样", "落实情况", "推进情况", "进展情况"),
    "progress": ("进展", "进度", "情况", "怎么样", "怎么样了", "咋样", "怎样", "如何", "到哪了", "到哪一步",
                 "推进得", "报了什么", "报了啥", "报了哪些", "报的什么", "反馈了什么", "反馈了啥", "反馈了哪些",
                 "汇报了什么", "上报了什么", "报送了什么", "progress", "status", "how is", "how's", "going"),
    "board": ("看板", "红黄绿", "红绿灯", "总体情况", "整体情况", "总体进展", "整体进展", "总览", "全局", "大盘",
              "概况", "总体进度", "整体进度", "全盘", "board", "dashboard", "overview", "summary"),
    "units_list": ("所有单位", "全部单位", "单位列表", "单位名单", "都有哪些单位", "有哪些单位", "哪些股室",
                   "list units", "all units"),
    "co_focus": ("还有谁", "还有哪些单位", "还有哪个单位", "其他单位", "其它单位", "别的单位", "另外还有谁",
                 "配合单位", "协办单位", "配合的单位", "配合的是", "参与单位", "还有谁参与", "谁配合", "谁协办",
                 "co-owners", "co-owner", "who supports", "who else", "supporting"),
    "lead_focus": ("谁牵头", "牵头单位", "哪个单位牵头", "牵头的是", "牵头股室", "主责单位", "主办单位", "谁主抓",
                   "谁是牵头", "who leads", "lead unit", "leader", "who is the lead"),
    "who": ("谁", "哪个单位", "哪些单位", "哪个股室", "哪个部门", "哪个科室", "哪个处室", "哪家", "什么单位",
            "哪个口", "责任单位", "责任股室", "负责单位", "承办单位", "负责的单位", "负责股室",
            "哪位", "归谁", "谁管", "谁负责", "谁来抓", "谁抓", "who",
            "in charge", "responsible", "owner", "owners", "who owns"),
    "content": ("讲什么", "讲的什么", "讲的是什么", "讲啥", "内容", "是什么", "是啥", "说什么", "说的什么", "说的是",
                "干什么", "干啥", "做什么", "要做什么", "要干什么", "要求", "具体", "详情", "详细", "全文", "原文",
                "目标任务", "工作措施", "措施", "目标", "查看", "看看", "看一下", "看下", "show", "detail", "details",
                "describe", "what is", "open task"),
    # "完成时间" is asked, never reported: listed whole so it wins over the status word 完成.
    "deadline": ("什么时候", "何时", "期限", "时限", "截止时间", "截止日期", "到期时间", "啥时候", "几号", "完成时间",
                 "完成日期", "完成时限", "完成期限", "完成节点", "完成时间节点", "时间节点", "多久完成", "几时完成",
                 "deadline", "when"),
    # the office chasing a unit now (催办), besides the scheduled reminders
    "nudge": ("催一下", "催办", "催促", "催一催", "催下", "催催", "督促一下", "发提醒", "发个提醒", "发一下提醒", "发条提醒",
              "提醒一下", "去提醒", "nudge", "chase"),
    "remind_word": ("提醒", "remind"),  # a nudge only with a task or unit named and no 我 ("提醒我明天再说" is not)
    # an admin's verdict on a request ("批准第12项延期", "驳回12项的延期申请")
    "verdict_yes": ("批准", "同意", "准予", "准了", "通过", "approve", "approved"),
    "verdict_no": ("驳回", "不同意", "不批准", "拒绝", "不予", "不准", "退回", "refuse", "reject", "rejected"),
    # a new date for a task ("第12项改到10月31日"): counted only when a date follows (see understand)
    "change": ("改为", "改到", "改成", "调整为", "调整到", "调到", "改期到", "改期至", "设为", "定为", "变更为", "换成",
               "move to", "change to"),
    # asking for a later deadline (申请延期): the request itself, not a question about deferred tasks
    "defer": ("申请延期", "延期", "推迟", "延后", "缓办", "延长时限", "延长期限", "放宽时限", "宽限",
              "往后推", "往后延", "postpone", "defer", "extension", "more time"),
    "due": ("到期", "截止", "要完成", "需完成", "需要完成", "要交", "due"),
    "count": ("多少", "几项", "几个", "几条", "几件", "几家", "数量", "总数", "多少项", "how many", "count",
              "number of"),
    "all_of": ("都", "同时", "共同", "一起", "均", "both"),
    "any_of": ("或者", "或", "either"),
    "lead": ("牵头", "主抓", "主办", "主责", "牵总", "lead", "leads", "led by"),
    "co": ("配合", "协办", "协助", "协同", "协作", "co-own", "co-owns", "supports", "support", "assist"),
    "any_role": ("参与", "负责", "承担", "涉及", "有份", "管", "管的", "own", "owns", "handle", "handles"),
    "own": ("本单位", "我单位", "我们单位", "我们股室", "我们科室", "我们部门", "本股室", "本科室", "本部门", "我部门",
            "我们的", "我们", "咱们", "咱单位", "咱们单位", "我的", "我负责", "我牵头", "自己的", "my", "mine",
            "our", "ours", "we"),
    "report_word": ("汇报", "报告", "上报", "报一下", "更新进度", "report", "update"),
    "task_word": ("任务", "工作", "事项", "事情", "项目", "task", "tasks", "item", "items"),
    "filler": ("哪几项", "哪几个", "哪几条", "哪几件", "请问", "麻烦", "帮我", "给我", "帮忙",
               "我想知道", "我想看看", "我想看", "我想问", "想问一下", "想问",
               "问一下", "查一下", "查查", "查询", "列一下", "列出来", "列出", "告诉我", "说说", "一下", "有哪些",
               "有什么", "哪些", "都有", "一共", "总共", "共有", "目前", "现在", "当前", "还有", "的话", "这些",
               "那些", "所有", "全部", "please", "show me", "list", "tell me", "what", "which", "are", "is",
               "the", "of", "for", "me", "all", "does", "do", "has", "have", "any", "there", "about", "on",
               "in", "to", "a", "an", "and", "or", "with"),
}

# Tokens that never carry a topic or a unit name.
TOKEN_STOP = frozenset(
    "的 了 是 吗 呢 啊 吧 呀 嘛 么 谁 什么 啥 哪 哪个 哪些 个 项 条 件 有 在 和 与 及 跟 或 都 还 由 被 把 来 去 抓 "
    "做 干 办 要 需要 应该 给 对 这 那 一 里 中 上 下 又 也 就 再 呗 哦 嗯 请 能 会 可以 吗? 好 号 第 其中 里面 "
    "一项 哪项 哪一项 些 多 少 几 为 以 之 其 已 已经 没 没有 未 不 很 最 更 该 把 让 着 过 得 地 并 且 等 每 各 "
    "有没有 是不是 有无 能不能 可不可以 手上 手里 活儿 活 这块 那块 方面 关于 有关 一块 块 事儿 东西 "
    "单位 股室 科室 处室 部门 分别 具体 归 负责 参与 , . ? ! : ; 、 \" ' ( ) [ ] - ~ # /".split()
) | frozenset(" ")

ENGLISH_STOP = frozenset(
    "a an the of for to in on is are was be by me my our what which who whom how many much does do did "
    "task tasks show list tell please any there about and or with it its this that units unit".split()
)

QUESTION_MARK = re.compile(r"[?]|吗|么|谁|哪|什么|啥|几|多少|如何|怎么|怎样|咋|是否|有没有|了没|没有$|\bwho\b|\bwhat\b"
                           r"|\bhow\b|\bwhich\b|\bwhen\b")


def _alternation(phrases: list[str]) -> str:
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        esc = re.escape(p)
        parts.append(rf"\b{esc}\b" if p.isascii() and p[:1].isalnum() else esc)
    return "|".join(parts)


def _single(p: str) -> bool:
    return len(p) == 1 and not p.isascii() and p != "谁"


# One-character words ("都", "均", "管", "或") are only read as whole jieba tokens, never inside a word (均衡).
TOKEN_TAGS: dict[str, str] = {p: tag for tag, phrases in PHRASES.items() for p in phrases if _single(p)}


def build_phrase_regex() -> tuple[re.Pattern, dict[str, tuple[str, object]]]:
    """One regex over every phrase and a map phrase → (group, value)."""
    table: dict[str, tuple[str, object]] = {}
    for tag, phrases in PHRASES.items():
        for p in phrases:
            if not _single(p):
                table.setdefault(p, ("tag", tag))
    for status, phrases in STATUS_WORDS.items():
        for p in phrases:
            table[p] = ("status", status)
    for filt, phrases in FILTER_WORDS.items():
        for p in phrases:
            table[p] = ("filter", filt)
    for p in PHRASES["ask_progress"]:
        table[p] = ("tag", "ask_progress")
    return re.compile(_alternation(list(table))), table


PHRASE_RX, PHRASE_TABLE = build_phrase_regex()

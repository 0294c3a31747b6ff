"""The label vocabulary of plans (牵头单位：… 完成时限：…) and the patterns that find labels."""

from __future__ import annotations

import re

# An owner label is a role word plus an office word; offices call themselves 单位, 部门, 科室,
# 处室, 股室… depending on their level, so the table is a product rather than a word list.
_OFFICE = ("单位", "部门", "科室", "处室", "股室", "机构", "科", "处", "股")
_OWNER_PREFIX = {
    "牵头": "lead",
    "主责": "lead",
    # an event's sponsor: the owner only when no 承办/责任/牵头 unit is named (see Owners.resolve)
    "主办": "sponsor",
    "牵头负责": "lead",
    "责任": "resp",
    "承办": "resp",
    "实施": "resp",
    "落实": "resp",
    "配合": "co",
    "协办": "co",
    "协助": "co",
    "参与": "co",
    "协同": "co",
    "协作": "co",
    # pilot and participant lists attached to a measure: the units take part, they do not lead
    "试点": "co",
}
_OTHER = {
    "objective": ("目标任务", "工作目标", "任务目标", "预期目标", "工作任务"),
    "measures": ("工作措施", "主要措施", "具体措施", "工作举措", "推进措施", "主要内容", "具体内容"),
    # people are not units: they travel beside lead/co and never reach the unit list
    "leaders": ("牵头领导", "责任领导", "分管领导", "联系领导", "包保领导", "牵头市领导", "责任人"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限要求", "进度安排", "完成期限", "时间要求", "活动时间"),
    # an event's other fields: kept with the task's text, never owners
    "place": ("活动地点", "活动内容", "活动形式", "参加人员", "参加对象"),
    # "（牵头：A；配合：B）": the bare role word is a label too; only ever matched before a colon
    "lead": ("牵头", "主责", "牵头责任单位", "责任主体"),
    "sponsor": ("主办",),
    "co": ("配合", "协办", "参与"),
}
LABELS: dict[str, str] = {p + o: role for p, role in _OWNER_PREFIX.items() for o in _OFFICE}
LABELS.update({word: role for role, words in _OTHER.items() for word in words})
OWNER_ROLES = ("resp", "lead", "co", "sponsor")

_LABEL_ALT = "|".join(sorted(LABELS, key=len, reverse=True))
# an optional short note may sit between label and colon: 责任单位（排名第一为牵头）：
_TAIL = r"[】\]]?\s*(?:[（(][^）)]{1,12}[）)])?\s*[:：]"
LABEL_RE = re.compile(rf"^\s*[【\[]?(?P<label>{_LABEL_ALT}){_TAIL}\s*(?P<value>.*)$")
LABEL_INLINE = re.compile(rf"[【\[]?(?:{_LABEL_ALT}){_TAIL}")

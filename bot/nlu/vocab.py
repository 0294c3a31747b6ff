"""The vocabulary of one plan: unit names for the tokenizer and the matcher, and a topic index over tasks.

Built from plain records once per plan import (about a second for 1,000 tasks, mostly jieba cutting the
measures); querying is pure dictionary work. No I/O beyond jieba reading its bundled word list once.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import warnings
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.nlu.model import PlanRecord, TaskRecord, TopicHit, UnitRecord
from bot.nlu.normalise import key, normalise

with warnings.catch_warnings():  # jieba 0.42 has invalid escapes and imports pkg_resources
    warnings.simplefilter("ignore")
    import jieba

    jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[\u3400-\u9fff]|[a-z0-9]")
# Words too common in plan text to say anything about a topic.
TOPIC_STOP = frozenset(
    "工作 任务 开展 加强 推进 推动 落实 完善 建立 健全 深化 提升 提高 实施 进一步 全面 持续 积极 不断 各项 有关 相关 "
    "强化 做好 抓好 确保 切实 深入 大力 加快 全县 全区 教育系统 系统 机制 体系 建设 要求 活动 情况 单位 部门 组织 "
    "管理 重点 主要 一批 以上 以及 我们 这个 那个 哪个 哪些 什么 谁 的 了 是 和 与 及 等 在 对 为".split()
)

_lock = threading.Lock()
_base: jieba.Tokenizer | None = None


def _base_tokenizer() -> jieba.Tokenizer:
    """The process-wide loaded dictionary that every vocabulary copies (never jieba's global one)."""
    global _base
    with _lock:
        if _base is None:
            tk = jieba.Tokenizer()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tk.initialize()
            _base = tk
        return _base


# Tokenizers by the words added, while a vocabulary holds one: each is a 15 MB copy of jieba's dictionary, and
# the vocabularies of one office (a chat per current plan) add the same unit names. Never changed once made.
_made: weakref.WeakValueDictionary[tuple, jieba.Tokenizer] = weakref.WeakValueDictionary()


def new_tokenizer(words: Iterable[str]) -> jieba.Tokenizer:
    """A private jieba Tokenizer with the given words added (shared with any vocabulary adding the same words,
    in the same order); the global jieba.dt is left alone."""
    wanted = tuple(w for w in words if len(w) >= 2)
    with _lock:
        tk = _made.get(wanted)
    if tk is not None:
        return tk
    base = _base_tokenizer()
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total, tk.initialized = dict(base.FREQ), base.total, True
    for w in wanted:
        tk.add_word(w, freq=max(tk.FREQ.get(w, 0), 200_000))
    with _lock:
        return _made.setdefault(wanted, tk)


def features(tk: jieba.Tokenizer, text: str) -> list[str]:
    """Index terms of a text: jieba search-mode words plus CJK character bigrams.

    Words give precision ("义务教育"); bigrams recover when the asker's segmentation differs from the
    plan's ("营养餐" vs "营养改善计划", "均衡" inside "均衡发展") — the usual mix in Chinese retrieval.
    """
    out: list[str] = []
    for w in tk.cut_for_search(text, HMM=False):
        w = w.strip()
        if len(w) >= 2 and w not in TOPIC_STOP and _WORD.match(w):
            out.append(w)
    for run in _CJK_RUN.findall(text):
        out.extend("#" + run[i:i + 2] for i in range(len(run) - 1) if run[i:i + 2] not in TOPIC_STOP)
    return out


@dataclass
class TopicIndex:
    """BM25 over task fields (title ×3, objective ×2, measures ×1, section ×0.5), in-memory postings.

    Chosen over a library: 1,000 short documents fit in a dict of postings, scoring touches only the few
    query terms, and field weights matter more here than anything a generic ranker adds.
    """

    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    lengths: dict[int, float] = field(default_factory=dict)
    avg_len: float = 1.0
    k1: float = 1.2
    b: float = 0.5

    @classmethod
    def build(cls, tk: jieba.Tokenizer, tasks: Iterable[TaskRecord]) -> TopicIndex:
        """Index every task's title, objective, measures and section."""
        post: dict[str, list[tuple[int, float]]] = defaultdict(list)
        lengths: dict[int, float] = {}
        for t in tasks:
            tf: Counter[str] = Counter()
            for text, weight in ((t.title, 3.0), (t.objective, 2.0), (t.measures, 1.0), (t.section, 0.5)):
                for f in features(tk, normalise(text)):
                    tf[f] += weight
            lengths[t.id] = sum(tf.values()) or 1.0
            for term, w in tf.items():
                post[term].append((t.id, w))
        avg = sum(lengths.values()) / len(lengths) if lengths else 1.0
        return cls(dict(post), lengths, avg)

    def idf(self, term: str) -> float:
        """Robertson–Spärck Jones idf; an unseen term gets the highest value."""
        n = len(self.lengths)
        df = len(self.postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, terms: list[str], *, limit: int = 10) -> tuple[list[TopicHit], float]:
        """Ranked tasks for the query terms, and the share of the query's idf mass the best task covers."""
        uniq = list(dict.fromkeys(terms))
        if not uniq or not self.lengths:
            return [], 0.0
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        total = 0.0
        for term in uniq:
            idf = self.idf(term)
            weight = 0.5 if term.startswith("#") else 1.0
            total += idf * weight
            for tid, tf in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[tid] / self.avg_len)
                scores[tid] += weight * idf * tf * (self.k1 + 1) / (tf + norm)
                matched[tid] += idf * weight
        if not scores:
            return [], 0.0
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        best = ranked[0][0]
        return [TopicHit(tid, round(s, 4)) for tid, s in ranked], matched[best] / total if total else 0.0


@dataclass
class Vocabulary:
    """Everything the language layer knows about one plan, built from plain records."""

    units: dict[int, UnitRecord]
    tasks: dict[int, TaskRecord]
    surfaces: dict[str, tuple[int, ...]]  # normalised name or alias → unit ids
    surface_lengths: tuple[int, ...]  # distinct lengths, longest first
    surface_list: list[str]  # the surfaces, for fuzzy matching
    by_ref: dict[str, int]  # normalised ref → task id
    order: dict[int, int]  # task id → display order
    tokenizer: jieba.Tokenizer
    topics: TopicIndex
    unit_tasks: dict[int, tuple[set[int], set[int]]]  # unit id → (led task ids, co task ids)
    plans: tuple[PlanRecord, ...] = ()  # the office's plans: the open ones the tasks come from, and closed ones
    current_plan: int | None = None  # the plan whose tasks keep their plain refs ("12"); the others' are "p3.12"
    plan_surfaces: dict[str, int] = field(default_factory=dict)  # a plan's name as written → plan id
    item_pattern: re.Pattern[str] | None = None  # how the office's 督办 items are written ("会议1"); None: no items
    item_plans: dict[str, int] = field(default_factory=dict)  # an item plan's short name → plan id

    @classmethod
    def build(cls, units: Iterable[UnitRecord], tasks: Iterable[TaskRecord], *, plans: Iterable[PlanRecord] = (),
              current_plan: int | None = None) -> Vocabulary:
        """Index units (names, aliases, bracket-less forms), tasks (refs, topics, roles) and plans (names)."""
        from bot.nlu.plans import item_ref_pattern, plan_surfaces

        units = {u.id: u for u in units}
        plans = tuple(plans)
        tasks_list = sorted(tasks, key=lambda t: (t.position, t.id))
        surfaces: dict[str, set[int]] = defaultdict(set)
        for u in units.values():
            for s in (u.name, *u.aliases):
                k = key(s)
                if len(k) >= 2:
                    surfaces[k].add(u.id)
        for u in units.values():  # "县直学校(园)" is also reachable as "县直学校园" and, if free, "县直学校"
            k = key(u.name)
            for variant in (re.sub(r"[()\[\]]", "", k), re.sub(r"\(.*?\)", "", k)):
                if len(variant) >= 2 and variant not in surfaces:
                    surfaces[variant].add(u.id)
        frozen = {s: tuple(sorted(ids)) for s, ids in surfaces.items()}
        lengths = tuple(sorted({len(s) for s in frozen}, reverse=True))
        words = [s for s in frozen if not s.isascii()]
        tk = new_tokenizer(words + ["股室", "科室", "处室", "单位", "牵头", "配合", "本单位", "督办"])
        unit_tasks: dict[int, tuple[set[int], set[int]]] = {uid: (set(), set()) for uid in units}
        for t in tasks_list:
            for uid in t.lead_unit_ids:
                unit_tasks.setdefault(uid, (set(), set()))[0].add(t.id)
            for uid in t.co_unit_ids:
                unit_tasks.setdefault(uid, (set(), set()))[1].add(t.id)
            for uid in t.leader_ids:  # a leader's tasks are what "张副局长负责什么" asks for
                unit_tasks.setdefault(uid, (set(), set()))[0].add(t.id)
        item_pattern, item_plans = item_ref_pattern(plans)
        return cls(
            units=units,
            tasks={t.id: t for t in tasks_list},
            surfaces=frozen,
            surface_lengths=lengths,
            surface_list=list(frozen),
            by_ref={normalise_ref(t.ref): t.id for t in tasks_list},
            order={t.id: i for i, t in enumerate(tasks_list)},
            tokenizer=tk,
            topics=TopicIndex.build(tk, tasks_list),
            unit_tasks=unit_tasks,
            plans=plans,
            current_plan=current_plan,
            plan_surfaces=plan_surfaces(plans),
            item_pattern=item_pattern,
            item_plans=item_plans,
        )

    def holds(self, plan_id: int | None) -> bool:
        """Whether the plan's tasks are in this vocabulary (an open plan of the office)."""
        return any(p.id == plan_id and p.open for p in self.plans)

    def task_ref(self, plan_id: int | None, ref: str) -> str:
        """The key `by_ref` knows a plan's task ref under."""
        return ref if plan_id is None or plan_id == self.current_plan else f"p{plan_id}.{ref}"

    def cut(self, text: str) -> list[str]:
        """Words of a message, unit names kept whole."""
        return [w for w in self.tokenizer.cut(text, HMM=True) if w.strip()]

    def tasks_of(self, unit_id: int, role: str = "any") -> set[int]:
        """Task ids the unit leads ("lead"), supports ("co") or either ("any")."""
        led, co = self.unit_tasks.get(unit_id, (set(), set()))
        return set(led) if role == "lead" else set(co) if role == "co" else led | co


def normalise_ref(ref: str) -> str:
    """One form of a task ref: "12", "3.2", "1-2" (full-width, spaces and a leading 第 removed)."""
    r = normalise(ref).replace(" ", "").removeprefix("第")
    r = re.sub(r"(项|条|号)$", "", r)
    return r.replace("—", "-").replace("－", "-")

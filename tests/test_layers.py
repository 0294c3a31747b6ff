"""The floor plan, checked from the imports: storage ← core ← jobs; channels are siblings; one root wires them."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The web board (bot.web) sits with the channels: it reads the core and never another channel (the WeCom login's
# one call into the WeCom client is handed to it by the composition root).
CHANNELS = {"bot.tg", "bot.wecom", "bot.console", "bot.robots", "bot.web"}
COMPOSITION = {"bot.app", "bot.cli"}  # the composition root and the command line that builds it
PLATFORM_LIBS = {"telegram", "wechatpy", "aiohttp", "httpx"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Module → every module it imports, function-level and TYPE_CHECKING imports included."""
    out: dict[str, set[str]] = {}
    for top in ("bot", "jobs", "storage"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = _module_name(path)
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module)
                    found |= {f"{node.module}.{a.name}" for a in node.names}
            out[name] = found
    return out


IMPORTS = _imports()


def _area(module: str) -> str:
    """The package a module belongs to, at the grain the rules speak of (bot.chat, bot.tg, jobs, …)."""
    parts = module.split(".")
    if parts[0] != "bot":
        return parts[0]
    return ".".join(parts[:2]) if len(parts) > 1 else "bot"


def _ours(target: str) -> str | None:
    top = target.split(".")[0]
    if top not in ("bot", "jobs", "storage"):
        return None
    known = [m for m in IMPORTS if target == m or target.startswith(m + ".")]
    return max(known, key=len) if known else None  # "bot.notify.Recipient" → "bot.notify"


def _edges() -> list[tuple[str, str]]:
    edges = []
    for module, targets in IMPORTS.items():
        for t in targets:
            ours = _ours(t)
            if ours is not None and ours != module:
                edges.append((module, ours))
    return edges


EDGES = _edges()


def _core(area: str) -> bool:
    return area.startswith("bot") and area not in CHANNELS | COMPOSITION


def test_the_scan_sees_the_packages():
    areas = {_area(m) for m in IMPORTS}
    assert {"storage", "jobs", "bot.chat", "bot.services", "bot.render", "bot.tg", "bot.wecom", "bot.console",
            "bot.robots", "bot.app", "bot.cli", "bot.reminders", "bot.web"} <= areas


def test_storage_imports_nothing_of_ours():
    bad = [(a, b) for a, b in EDGES if _area(a) == "storage" and _area(b) != "storage"]
    assert bad == []


def test_no_upward_import():
    """The core never imports jobs, channels or the root; jobs never import channels, the root or chat."""
    bad = []
    for a, b in EDGES:
        src, dst = _area(a), _area(b)
        if _core(src) and (dst == "jobs" or dst in CHANNELS | COMPOSITION):
            bad.append((a, b))
        if src == "jobs" and (dst in CHANNELS | COMPOSITION or dst == "bot.chat"):
            bad.append((a, b))
        if src in CHANNELS and (dst == "jobs" or dst in COMPOSITION):
            bad.append((a, b))
    assert bad == []


def test_services_never_import_wording_or_chat():
    bad = [(a, b) for a, b in EDGES if _area(a) == "bot.services" and _area(b) in ("bot.render", "bot.chat")]
    assert bad == []


def test_channels_never_import_each_other():
    bad = [(a, b) for a, b in EDGES if _area(a) in CHANNELS and _area(b) in CHANNELS and _area(a) != _area(b)]
    assert bad == []


@pytest.mark.parametrize("lib", sorted(PLATFORM_LIBS))
def test_domain_imports_no_platform_library(lib):
    bad = [m for m, targets in IMPORTS.items()
           if (_core(_area(m)) or _area(m) in ("jobs", "storage"))
           and any(t == lib or t.startswith(lib + ".") for t in targets)]
    assert bad == []


def test_no_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in EDGES:
        if _area(a) != _area(b):
            graph[_area(a)].add(_area(b))
    seen: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, path: list[str]) -> list[str] | None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                return path + [node, nxt]
            if nxt not in seen and (cycle := visit(nxt, path + [node])):
                return cycle
        seen[node] = 2
        return None

    for start in sorted(graph):
        if start not in seen:
            cycle = visit(start, [])
            assert cycle is None, " → ".join(cycle)


# Outside storage/, a module may name the store's types (Session, Engine, a pool) but build no statement and run
# none: these are SQLAlchemy's statement builders and expression helpers, whatever name they are imported under.
QUERY_BUILDERS = {
    "select", "insert", "update", "delete", "text", "func", "exists", "and_", "or_", "not_", "col", "literal",
    "literal_column", "bindparam", "case", "cast", "union", "union_all", "any_", "all_", "tuple_", "null", "true",
    "false", "column", "table", "join", "outerjoin", "distinct", "desc", "asc", "values", "lambda_stmt",
    "between", "over", "within_group", "extract", "collate", "type_coerce",
}
QUERY_RUNNERS = {"exec", "execute", "scalars", "scalar", "scalar_one", "scalar_one_or_none", "query"}
QUERY_LIBS = ("sqlalchemy", "sqlmodel")
# Modules outside storage/ that still run a statement of their own, each with the reason; none may be added.
QUERY_ALLOWED = {
    "jobs/dispatch.py": "the dispatcher's wait for the next row due (issue 26 moves it into storage/outbox.py)",
}


def _query_uses(tree: ast.AST) -> list[str]:
    """What in one module builds or runs a statement: builders imported from SQLAlchemy or SQLModel (by their
    own name, not the local one), attributes of those libraries' modules, and calls of a session's runners."""
    found, lib_aliases = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in QUERY_LIBS:
            found += [f"imports {node.module}.{a.name}" for a in node.names if a.name in QUERY_BUILDERS | {"*"}]
        elif isinstance(node, ast.Import):
            lib_aliases |= {a.asname or a.name.split(".")[0] for a in node.names
                            if a.name.split(".")[0] in QUERY_LIBS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in QUERY_BUILDERS:
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in lib_aliases:
                found.append(f"uses {base.id}….{node.attr} (line {node.lineno})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_RUNNERS:
            found.append(f"calls .{node.func.attr}() (line {node.lineno})")
    return found


def test_queries_live_in_storage():
    """Nothing outside storage/ builds or runs a statement: it asks the repository (found from the syntax tree)."""
    offenders = {}
    for top in ("bot", "jobs"):
        for path in (ROOT / top).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if rel in QUERY_ALLOWED:
                continue
            if uses := _query_uses(ast.parse(path.read_text(encoding="utf-8"))):
                offenders[rel] = uses
    assert offenders == {}


@pytest.mark.parametrize("source", [
    "from sqlmodel import select as pick\npick(1)",
    "from sqlalchemy import func\n",
    "import sqlalchemy as sa\nsa.update(1)",
    "import sqlalchemy.sql\nsqlalchemy.sql.expression.text('x')",
    "def f(session):\n    return session.exec(1)",
    "def f(s):\n    s.execute(1)",
])
def test_the_query_check_sees_through_renames(source):
    assert _query_uses(ast.parse(source))


def test_the_query_check_lets_types_through():
    source = "from sqlmodel import Session\nfrom sqlalchemy.engine import Engine\nfrom sqlalchemy.pool import StaticPool\n"
    assert _query_uses(ast.parse(source)) == []


def test_allowed_query_modules_exist():
    """An allowance outlives nothing: each names a module that is there and still needs it."""
    for rel in QUERY_ALLOWED:
        path = ROOT / rel
        assert path.exists() and _query_uses(ast.parse(path.read_text(encoding="utf-8"))), rel


def test_jobs_reach_the_reminder_engine_through_its_facade():
    """The sweep asks the engine what is due and to move a batch on; the schedule's shapes stay inside it."""
    bad = [(a, b) for a, b in EDGES if _area(a) == "jobs" and b in ("bot.reminders.schedule", "bot.reminders.candidates")]
    assert bad == []


# Who may touch the cyclic collector: the root's control only (bot.heap; the dispatcher takes a hook).
GC_OWNERS = {"bot.heap"}


def test_only_the_root_controls_the_garbage_collector():
    bad = sorted(m for m, targets in IMPORTS.items() if "gc" in targets and m not in GC_OWNERS)
    assert bad == []

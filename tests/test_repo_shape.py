"""The repository package: every query keyword-only with the session first, each aggregate's module small."""

from __future__ import annotations

import inspect
from pathlib import Path

from storage import repo

ROOT = Path(__file__).resolve().parent.parent


def test_every_query_is_keyword_only_with_the_session_first():
    loose = []
    for name in repo.__all__:
        fn = getattr(repo, name)
        if not inspect.isfunction(fn):
            continue
        params = list(inspect.signature(fn).parameters.values())
        if not params or params[0].name != "session" or any(p.kind is not p.KEYWORD_ONLY for p in params):
            loose.append(name)
    assert loose == []


def test_the_package_reexports_every_public_query_of_its_modules():
    """`repo.fn(...)` reaches every public function, so callers need not know which module holds it."""
    missing = []
    for path in (ROOT / "storage" / "repo").glob("*.py"):
        if path.name == "__init__.py":
            continue
        module = getattr(repo, path.stem)
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_") \
                    and name != "awaiting_terms" and getattr(repo, name, None) is not fn:
                missing.append(f"{path.stem}.{name}")
    assert missing == []


def test_no_module_of_the_package_is_over_300_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "storage" / "repo").glob("*.py")}
    assert max(sizes.values()) <= 300, sizes

"""The `duban` command line: one typer app, commands grouped by what they touch."""

from __future__ import annotations

import sys

# Command modules add themselves to `app` through their register() function, in this order, so the
# help lists plan commands first, then queries and the ledger, then the engine and admin commands.
from bot.cli import (
    admin,
    assignment,
    engine,
    items,
    ledger,
    office,
    plan,
    query,
    receipts,
    report,
    review,
    score,
    web,
)
from bot.cli.app import app, fail_cleanly

for module in (plan, office, query, items, ledger, engine, admin, review, receipts, assignment, score, report, web):
    module.register(app)


def main() -> None:
    """Console entry point."""
    if sys.argv[1:3] == ["task", "reassign"]:  # `duban task REF` takes any word as REF: route this one by hand
        sys.argv[1:3] = ["reassign"]
    sys.exit(fail_cleanly(app))

"""Hold the parsed-plan records and the error raised for unreadable input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class PlanReadError(Exception):
    """Raise when a file cannot be read at all; the message is one Chinese line for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ParsedTask:
    """One task of the plan, with owners as the document writes them."""

    ref: str
    section: str
    title: str
    objective: str = ""
    measures: str = ""
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    stated_deadline: str = ""
    confidence: float = 1.0  # how sure the reading is, 0–1 (see confidence.py)
    doubts: list[str] = field(default_factory=list)  # what was guessed, for the clerk to check

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ref": self.ref,
            "section": self.section,
            "title": self.title,
            "objective": self.objective,
            "measures": self.measures,
            "lead": list(self.lead),
            "co": list(self.co),
            "deadlines": [dict(d) for d in self.deadlines],
            "warnings": list(self.warnings),
            "confidence": self.confidence,
            "doubts": list(self.doubts),
        }
        # people are not units: the contract allows extra keys, so they travel beside lead/co
        if self.leaders:
            out["leaders"] = list(self.leaders)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedTask:
        """Rebuild a task from its `to_dict()` form (the plan-JSON contract)."""
        return cls(
            ref=str(data.get("ref") or ""),
            section=data.get("section") or "",
            title=data.get("title") or "",
            objective=data.get("objective") or "",
            measures=data.get("measures") or "",
            lead=list(data.get("lead") or []),
            co=list(data.get("co") or []),
            deadlines=[dict(d) for d in data.get("deadlines") or []],
            warnings=list(data.get("warnings") or []),
            leaders=list(data.get("leaders") or []),
            confidence=float(data.get("confidence", 1.0)),
            doubts=list(data.get("doubts") or []),
        )


@dataclass
class ParsedPlan:
    """A whole parsed plan: title, year, tasks, canonical units and problems found."""

    title: str
    year: int | None
    tasks: list[ParsedTask] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    needs_review: bool = False  # nothing sure enough to import: the clerk checks the review sheet first

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": {"title": self.title, "year": self.year, "confidence": self.confidence,
                     "unsure": sum(t.confidence < 0.75 for t in self.tasks), "needs_review": self.needs_review},
            "tasks": [t.to_dict() for t in self.tasks],
            "units": [{"name": u["name"], "aliases": list(u["aliases"])} for u in self.units],
            "warnings": list(self.warnings),
        }

    @property
    def confidence(self) -> float:
        """The plan's score: the mean of its tasks' (0 when no task was found)."""
        return round(sum(t.confidence for t in self.tasks) / len(self.tasks), 2) if self.tasks else 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedPlan:
        """Rebuild a plan from its `to_dict()` form, e.g. an upload stashed as JSON."""
        meta = data.get("plan") or {}
        year = meta.get("year")
        return cls(
            title=meta.get("title") or "",
            year=int(year) if year not in (None, "") else None,
            tasks=[ParsedTask.from_dict(t) for t in data.get("tasks") or []],
            units=[
                {"name": u["name"], "aliases": list(u.get("aliases") or [])} for u in data.get("units") or []
            ],
            warnings=list(data.get("warnings") or []),
            needs_review=bool(meta.get("needs_review", False)),
        )

    @classmethod
    def coerce(cls, parsed: ParsedPlan | dict[str, Any]) -> ParsedPlan:
        """Accept a ParsedPlan or its dict form (older callers and stashed uploads pass dicts)."""
        return parsed if isinstance(parsed, cls) else cls.from_dict(parsed)

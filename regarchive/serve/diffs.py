"""An item's history for its page: each step from one version to the next, as lines a template
can colour (added, removed, context), paragraph by paragraph."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

LineKind = Literal["added", "removed", "context", "gap"]

# Unchanged paragraphs shown around each change: enough to see where it is.
CONTEXT = 1


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str


@dataclass(frozen=True)
class Step:
    """What changed from ``before`` (seen until ``seen_until``) to ``after``."""

    before: str
    after: str
    seen_until: str | None
    changes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    lines: list[DiffLine] = field(default_factory=list)


def history_steps(versions: list[Mapping[str, Any]], current: Mapping[str, Any]) -> list[Step]:
    """The steps from the oldest stored version to the current state, newest step first."""
    states = [*versions, current]
    names = [f"version {number}" for number in range(1, len(versions) + 1)] + ["actuelle"]
    steps = []
    for index, (before, after) in enumerate(itertools.pairwise(states)):
        changes = [
            (label, before.get(key), after.get(key))
            for key, label in (
                ("title", "titre"),
                ("published", "publié"),
                ("updated", "mis à jour"),
            )
            if before.get(key) != after.get(key)
        ]
        steps.append(
            Step(
                before=names[index],
                after=names[index + 1],
                seen_until=before.get("seen_at"),
                changes=changes,
                lines=text_diff(before.get("text") or "", after.get("text") or ""),
            )
        )
    return steps[::-1]


def text_diff(before: str, after: str) -> list[DiffLine]:
    """Paragraphs removed and added, with :data:`CONTEXT` unchanged ones around each change."""
    old, new = _paragraphs(before), _paragraphs(after)
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_grouped_opcodes(CONTEXT):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("context", text) for text in old[i1:i2]]
                continue
            lines += [DiffLine("removed", text) for text in old[i1:i2]]
            lines += [DiffLine("added", text) for text in new[j1:j2]]
    return lines


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]

"""People-to-event roles against hand-written gold: precision and recall of the
(article, person, role) triples, the event being the one the gold names for the article."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..answers.lexicon import norm
from .model import ArticleFacts

Triple = tuple[str, str, str]  # file, normalized name, role


@dataclass(frozen=True)
class RoleScores:
    precision: float
    recall: float
    missing: tuple[Triple, ...]  # in the gold, not extracted
    extra: tuple[Triple, ...]  # extracted, not in the gold


def _key(name: str) -> str:
    return " ".join(norm(w) for w in name.split())


def extracted_triples(facts: Sequence[ArticleFacts],
                      gold: Mapping[str, Any]) -> set[Triple]:
    """Roles tied to the gold's event of each gold article (by a substring of its name)."""
    out: set[Triple] = set()
    for article in facts:
        if article.file not in gold:
            continue
        what = _key(gold[article.file]["event"]["what"])
        events = {e.index for e in article.events if what in _key(e.what)}
        for m in article.mentions:
            if m.event in events:
                out |= {(article.file, m.key, role) for role in m.roles}
    return out


def gold_triples(gold: Mapping[str, Any]) -> set[Triple]:
    return {(file, _key(name), role)
            for file, item in gold.items() if not file.startswith("_")
            for name, roles in item["people"].items() for role in roles}


def role_scores(facts: Sequence[ArticleFacts], gold: Mapping[str, Any]) -> RoleScores:
    found = extracted_triples(facts, gold)
    wanted = gold_triples(gold)
    hits = found & wanted
    return RoleScores(len(hits) / len(found) if found else 0.0,
                      len(hits) / len(wanted) if wanted else 0.0,
                      tuple(sorted(wanted - found)), tuple(sorted(found - wanted)))


@dataclass(frozen=True)
class ReverseScores:
    exact: int  # questions answered with exactly the gold events
    total: int
    failures: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # q, wanted, got


def reverse_scores(answer_files: Callable[[str], tuple[str, ...] | None],
                   rows: Sequence[Mapping[str, Any]]) -> ReverseScores:
    """Reverse questions (``q`` and the gold ``files`` of the person's events in the role
    asked) against ``answer_files`` (a question -> the files of the events answered, None
    when it gave no events answer)."""
    failures = []
    for row in rows:
        got = answer_files(row["q"])
        wanted = tuple(sorted(row["files"]))
        if got is None or tuple(sorted(got)) != wanted:
            failures.append((row["q"], wanted, tuple(sorted(got or ()))))
    return ReverseScores(len(rows) - len(failures), len(rows), tuple(failures))

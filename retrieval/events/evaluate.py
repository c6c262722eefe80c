"""People-to-event roles against hand-written gold: precision and recall of the
(article, person, role) triples, the event being the one the gold names for the article."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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

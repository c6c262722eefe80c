"""The JSON shape of an answer, shared by `newsqa ask --json` and the REPL's `:json`."""

from __future__ import annotations

import math
from typing import Any

from retrieval import Answer, Person, PersonEvent, SearchResponse, Source


def response_to_dict(response: SearchResponse) -> dict[str, Any]:
    data: dict[str, Any] = {
        "question": response.question,
        "results": [
            {
                "rank": hit.rank,
                "score": hit.score if math.isfinite(hit.score) else None,
                "text": hit.text,
                "source": {"file": hit.source.file, "title": hit.source.title,
                           "date": hit.source.date, "url": hit.source.url},
                "highlights": [[start, end] for start, end in hit.highlights],
            }
            for hit in response.results
        ],
        "answer": answer_to_dict(response.answer),
        "answered": response.answered,
        "english": response.english,
    }
    if response.notices:
        data["notices"] = list(response.notices)
    return data


def answer_to_dict(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    if answer.kind == "people":
        return {
            "kind": "people",
            "role": answer.role,
            "holders": answer.holders,
            "named": answer.named,
            "people": [
                {"name": p.name, "title": p.title, "rank_of_passage": p.rank_of_passage,
                 "attended": p.attended, "roles": list(p.roles)}
                for p in answer.people
            ],
        }
    if answer.kind == "events":
        return {
            "kind": "events", "person": answer.person, "role": answer.role,
            "filtered": answer.filtered,
            "events": [
                {"what": e.what, "date": e.date, "place": e.place, "roles": list(e.roles),
                 "title": e.title, "chunk": e.chunk, "evidence": e.evidence,
                 "source": {"file": e.source.file, "title": e.source.title,
                            "date": e.source.date}}
                for e in answer.events
            ],
        }
    return {"kind": answer.kind, "value": answer.value, "rank_of_passage": answer.rank_of_passage,
            "from_article_date": answer.from_article_date}


def answer_from_dict(data: dict[str, Any] | None) -> Answer | None:
    """The inverse of ``answer_to_dict``, so the plain renderer shows what the core decides."""
    if data is None:
        return None
    if data["kind"] == "people":
        people = tuple(Person(p["name"], p["title"], p["rank_of_passage"], p["attended"],
                              tuple(p.get("roles", ())))
                       for p in data["people"])
        return Answer(kind="people", role=data.get("role"), people=people,
                      holders=data.get("holders"), named=bool(data.get("named")))
    if data["kind"] == "events":
        return Answer(kind="events", person=data["person"], role=data.get("role"),
                      filtered=bool(data.get("filtered")), events=tuple(
            PersonEvent(e["what"], e["date"], e["place"], tuple(e["roles"]), e["title"],
                        Source(e["source"]["file"], e["source"]["title"], e["source"]["date"]),
                        e["chunk"], e["evidence"])
            for e in data["events"]))
    return Answer(kind=data["kind"], value=data.get("value"),
                  rank_of_passage=data.get("rank_of_passage"),
                  from_article_date=bool(data.get("from_article_date")))


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float made ``None``: `--json` output is JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value

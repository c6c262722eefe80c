"""`newsqa ask` on a 2,000-article collection: wall time and peak memory of the process.

The collection comes from bench.synth. Its passages are embedded by the stand-in
`common.HashEmbedder` under the bundled model's identity (the model would need hours here),
so the index has the real layout and size, and `newsqa ask` runs unchanged: it loads the
bundled model, embeds the question with it and searches the 2,000 articles. The same is
measured on the seed index for comparison. Peak memory is the process's VmHWM at exit.

    python -m bench.ask_memory [--articles 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from retrieval import RetrievalSettings, build_index

from .common import (
    DEFAULT_WORK,
    REPO,
    HashEmbedder,
    bundled_identity,
    child_env,
    fit_token_estimate,
    seed_index,
)
from .synth import ensure_collection, questions


def standin_index(work: Path, articles: int) -> tuple[Path, Path, str]:
    collection = ensure_collection(work, articles)
    index_dir = work / f"ask-memory-index-{articles}"
    started = time.perf_counter()
    embedder = HashEmbedder(bundled_identity(), count_tokens=fit_token_estimate(collection))
    report = build_index(RetrievalSettings(articles_dir=collection, index_dir=index_dir,
                                           _env_file=None),  # type: ignore[call-arg]
                         embedder=embedder)
    print(f"{report.summary()} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return collection, index_dir, report.summary()


def measure(index_dir: Path, articles: Path, runs: int, batch: int) -> dict[str, Any]:
    asked = questions(runs + batch, seed=7)
    single = [run_ask_peak(index_dir, articles, [q]) for q in asked[:runs]]
    batch_seconds, batch_peak = run_ask_peak(index_dir, articles, [],
                                             "\n".join(asked[runs:]) + "\n")
    return {"single ask s (median)": round(statistics.median(s for s, _ in single), 2),
            "single ask peak RSS MB (max)": round(max(p for _, p in single), 1),
            f"ask < {batch} questions s": round(batch_seconds, 2),
            f"ask < {batch} questions peak RSS MB": round(batch_peak, 1)}


# Runs `newsqa ask` and reports its VmHWM at exit: the child's own mm, whereas ru_maxrss
# would count the (large) bench process it was forked from.
_WRAPPER = """
import atexit, runpy, sys
def peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            sys.stderr.write('PEAK-KB ' + line.split()[1] + chr(10))
atexit.register(peak)
sys.argv = ['newsqa', *sys.argv[1:]]
runpy.run_module('bot.cli', run_name='__main__', alter_sys=True)
"""


def run_ask_peak(index_dir: Path, articles: Path, arguments: list[str],
                 stdin: str | None = None) -> tuple[float, float]:
    """Seconds to exit and peak resident MB (VmHWM) of one `newsqa ask` process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, "ask", *arguments, "--index", str(index_dir),
         "--articles", str(articles)], input=stdin or "", capture_output=True, text=True,
        env=child_env(), cwd=REPO, check=False)
    seconds = time.perf_counter() - started
    peaks = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("PEAK-KB")]
    if done.returncode != 0 or not peaks:
        raise SystemExit(f"newsqa ask failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds, int(peaks[-1]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5, help="single-question processes")
    parser.add_argument("--batch", type=int, default=100, help="questions read from stdin")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    collection, index_dir, summary = standin_index(args.work, args.articles)
    seeds = seed_index(args.work)
    results = {f"{args.articles} articles": measure(index_dir, collection, args.runs,
                                                    args.batch),
               "seeds (5 articles)": measure(seeds, REPO / "seeds", args.runs, args.batch)}
    print(f"index: {summary}")
    for name, result in results.items():
        print(name)
        for key, value in result.items():
            print(f"  {key:>34}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

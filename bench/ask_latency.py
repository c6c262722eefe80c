"""`newsqa ask` on the seeds: one question, process start to printed answer; and a batch.

- single: `python -m bot.cli ask QUESTION` as a new process, timed to its exit (the answer
  is printed just before), for several distinct questions; the floor is the same
  interpreter importing the CLI (`python -m bot.cli --help`).
- batch: 100 distinct questions; in one process after loading (`answer_lines`, what
  `newsqa ask` does with stdin, output to a buffer), and as `newsqa ask < questions` whose
  rate once loaded is (100 - 1) / (T(100 questions) - T(1 question)).

    python -m bench.ask_latency [--runs 10] [--batch 100]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import (
    DEFAULT_WORK,
    REPO,
    child_env,
    load_average,
    machine,
    save_result,
    seed_index,
    summarize,
)
from .synth import questions

# Questions about the seeds themselves (the bot's examples), then generated ones.
SEED_QUESTIONS = (
    "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cần Thơ?",
    "Đại tướng Tô Lâm dự ngày hội ở đâu?",
    "Ngày hội ở thị trấn Rừng Thông diễn ra khi nào?",
    "Tội phạm về trật tự xã hội ở Ninh Kiều giảm bao nhiêu?",
    "ai chu tri hoi nghi tong ket ngay hoi nam 2022?",
)


def question_list(count: int, seed: int) -> list[str]:
    generated = questions(count, seed=seed)
    return (list(SEED_QUESTIONS) + generated)[:count]


def run_cli(arguments: list[str], stdin: str | None = None,
            env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", *arguments], input=stdin,
                          capture_output=True, text=True, cwd=REPO, env=env or child_env(),
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"newsqa {arguments[0]} failed ({done.returncode}): {done.stderr}")
    return seconds, done.stdout


def single(index_dir: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    floor = [run_cli(["--help"], env=env)[0] for _ in range(max(runs // 3, 2))]
    walls: list[float] = []
    answered = 0
    for question in question_list(runs, seed=11):
        seconds, output = run_cli(["ask", question, "--index", str(index_dir),
                                   "--articles", str(REPO / "seeds")], env=env)
        walls.append(seconds)
        answered += output.count("[1] ") > 0
    return {"wall": summarize(walls), "samples_s": [round(w, 3) for w in walls],
            "answered_with_passages": answered, "python_and_cli_imports": summarize(floor)}


def batch_in_process(index_dir: Path, count: int) -> dict[str, Any]:
    from bot.frontend import answer_lines
    from retrieval import RetrievalSettings, Searcher

    settings = RetrievalSettings(index_dir=index_dir, articles_dir=REPO / "seeds",
                                 _env_file=None)  # type: ignore[call-arg]
    started = time.perf_counter()
    searcher = Searcher.open(settings)
    searcher.search("khởi động")
    loaded = time.perf_counter() - started
    asked = question_list(count, seed=23)
    sink = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        answer_lines(searcher, [q + "\n" for q in asked], settings.top_k, as_json=False)
    seconds = time.perf_counter() - started
    return {"questions": count, "seconds": seconds, "questions_per_s": count / seconds,
            "open_and_first_search_seconds": loaded}


def batch_subprocess(index_dir: Path, count: int, env: dict[str, str]) -> dict[str, Any]:
    common = ["ask", "--index", str(index_dir), "--articles", str(REPO / "seeds")]
    asked = question_list(count, seed=31)
    one, _ = run_cli(common, stdin=asked[0] + "\n", env=env)
    many, output = run_cli(common, stdin="\n".join(asked) + "\n", env=env)
    return {"questions": count, "one_question_seconds": one, "all_seconds": many,
            "questions_per_s_once_loaded": (count - 1) / max(many - one, 1e-9),
            "answers_printed": output.count("[1] ")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="single-question processes")
    parser.add_argument("--batch", type=int, default=100, help="questions in the batch")
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE for the newsqa processes (e.g. OMP_NUM_THREADS=1)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    env = child_env(**dict(item.split("=", 1) for item in args.env))
    index_dir = seed_index(args.work)
    result: dict[str, Any] = {"benchmark": "ask_latency", "argv": sys.argv[1:],
                              "machine": machine(), "child_env_extra": args.env}
    result["single"] = single(index_dir, args.runs, env)
    print(f"single question: p50 {result['single']['wall']['p50_ms'] / 1e3:.2f} s, p95 "
          f"{result['single']['wall']['p95_ms'] / 1e3:.2f} s (imports alone "
          f"{result['single']['python_and_cli_imports']['p50_ms'] / 1e3:.2f} s)")
    result["batch_in_process"] = batch_in_process(index_dir, args.batch)
    result["batch_subprocess"] = batch_subprocess(index_dir, args.batch, env)
    print(f"batch of {args.batch}: in process "
          f"{result['batch_in_process']['questions_per_s']:.1f} q/s; `newsqa ask < file` "
          f"{result['batch_subprocess']['questions_per_s_once_loaded']:.1f} q/s once loaded")
    result["machine"]["load_average_end"] = load_average()
    save_result(args.out or args.work / "results" / "ask_latency.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

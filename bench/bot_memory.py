"""Memory of the real `newsqa bot` process under floods, through the fake Bot API on 127.0.0.1.

    python -m bench.bot_memory strangers --users 100000   # distinct chats not allowed
    python -m bench.bot_memory burst --updates 10000       # a mix of updates, distinct users
    python -m bench.bot_memory forged --updates 1000       # edits and forged button presses
    python -m bench.bot_memory limiter --users 100000      # the per-user structures alone

Updates go in rounds; after each round (every reply in) the bot's resident memory (VmRSS of
its process) is read, so growth per user shows as a slope. Outgoing flood limits are off:
this measures memory, not Telegram's pacing. `--code DIR` runs the bot from another checkout
(e.g. a worktree of an older commit) to compare. Prints a table and the bot's log size.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import DEFAULT_WORK, REPO, memory, seed_index

sys.path.insert(0, str(REPO))
from tests.support.fake_bot_api import (
    BOT_USER,
    BotProcess,
    FakeBotApi,
    group_chat,
    private_chat,
    user,
)

QUESTIONS = ("Cần Thơ", "Rừng Thông", "Cà Mau", "Tô Lâm dự ngày hội ở đâu?", "Ninh Kiều",
             "Ai tham dự ngày hội ở Cà Mau?")
Round = Callable[[FakeBotApi, range], int]  # sends updates for these user ids; replies due


def strangers(fake: FakeBotApi, users: range) -> int:
    for uid in users:
        fake.ask(uid, "Xin chào")
    return len(users)  # one refusal each


def mixed(fake: FakeBotApi, users: range) -> int:
    """Questions, /start, /help, stickers, and group chatter not for the bot, 1/5 each."""
    due = 0
    for uid in users:
        kind = uid % 5
        if kind == 0:
            fake.ask(uid, QUESTIONS[uid // 5 % len(QUESTIONS)])
        elif kind in (1, 2):
            fake.ask(uid, "/start" if kind == 1 else "/help")
        elif kind == 3:
            fake.push_message({"message_id": 1, "date": 0, "chat": private_chat(uid),
                               "from": user(uid), "sticker": {
                                   "file_id": "s", "file_unique_id": "s", "type": "regular",
                                   "width": 1, "height": 1, "is_animated": False,
                                   "is_video": False}})
        else:
            fake.send_text("chào cả nhà", chat=group_chat(-1_000_000_000_000 - uid),
                           sender=user(uid))
            continue
        due += 1
    return due


def forged(fake: FakeBotApi, users: range) -> int:
    """An edited message and a press with forged data per user; each press gets a toast."""
    for uid in users:
        fake.send_text("Cần Thơ", chat=private_chat(uid), kind="edited_message")
        old = {"message_id": 1, "date": 0, "chat": private_chat(uid), "from": BOT_USER,
               "text": "cũ"}
        data = (f"p:r:4:{uid:012x}", "x:99", f"forged-{uid}", "p:e1:0:0123456789ab")[uid % 4]
        fake.press(old, data, as_stored=False)
    return len(users)


def _wait_count(fake: FakeBotApi, method: str, count: int) -> None:
    fake.wait_for(lambda: fake.count(method, 200) >= count, 1800, f"{count} {method} calls")


def run(scenario: Round, total: int, rounds: int, allow: str | None, code: Path | None,
        index: Path, reply_method: str) -> dict[str, Any]:
    env = {"TELEGRAM_FLOOD_MESSAGES_PER_SECOND": "0",
           "TELEGRAM_FLOOD_GROUP_MESSAGES_PER_MINUTE": "0"}
    if allow is not None:
        env["TELEGRAM_ALLOWED_CHAT_IDS"] = allow
    if code is not None:
        env["PYTHONPATH"] = str(code)
    ids = itertools.count(10_000_000)
    per_round = total // rounds
    samples: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory() as work, FakeBotApi() as fake:
        bot = BotProcess(fake, index, Path(work), env=env).start(ready_timeout=300)
        try:
            assert bot.process is not None
            due = fake.count(reply_method, 200)
            started = time.monotonic()
            done = 0
            for round_ in range(rounds + 1):  # round 0 warms up (not counted)
                size = min(per_round, 1000) if round_ == 0 else per_round
                first = next(ids)
                users = range(first, first + size)
                for _ in range(size - 1):
                    next(ids)
                for batch in range(0, size, 2000):  # the fake polls a short queue faster
                    due += scenario(fake, users[batch:batch + 2000])
                    _wait_count(fake, reply_method, due)
                fake.quiet(0.5)
                fake.forget()
                if round_ == 0:
                    started = time.monotonic()
                else:
                    done += size
                rss = memory(bot.process.pid)
                samples.append((done, rss["rss"] / 2**20, rss["anon"] / 2**20))
                print(f"{done:>8} users  RSS {samples[-1][1]:7.1f} MB  anon "
                      f"{samples[-1][2]:7.1f} MB", file=sys.stderr)
            seconds = time.monotonic() - started
        finally:
            bot.stop()
        log = bot.output().splitlines()
    base, last = samples[0], samples[-1]
    return {"users after warm-up": done, "seconds": round(seconds, 1),
            "updates/s": round(done / seconds, 1),
            "RSS after warm-up MB": round(base[1], 1), "RSS at the end MB": round(last[1], 1),
            "growth per 1,000 users kB": round(1024 * (last[1] - base[1]) / (done / 1000), 1),
            "log lines": len(log), "samples": samples}


def limiter(users: int) -> dict[str, Any]:
    """The rate limiter and refused set alone, 100 new users a second on a simulated clock."""
    from bot.limits import RateLimiter, RecentSet

    now = [0.0]
    tracemalloc.start()
    limits, refused = RateLimiter(20, clock=lambda: now[0]), RecentSet()
    peak_keys = 0
    for key in range(users):
        now[0] = key / 100
        limits.check(key)
        refused.add(key)
        peak_keys = max(peak_keys, len(limits))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"users": users, "limiter keys at the end": len(limits),
            "limiter keys at most": peak_keys, "refused chats kept": len(refused),
            "traced MB at the end": round(current / 2**20, 2),
            "traced MB at most": round(peak / 2**20, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["strangers", "burst", "forged", "limiter"])
    parser.add_argument("--users", "--updates", type=int, default=None, dest="count")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--code", type=Path, help="run the bot from this checkout")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    if args.scenario == "limiter":
        result = limiter(args.count or 100_000)
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        index = seed_index(args.work)
        count = args.count or {"strangers": 100_000, "burst": 10_000, "forged": 1_000}[
            args.scenario]
        if args.scenario == "strangers":
            result = run(strangers, count, args.rounds, "1", args.code, index, "sendMessage")
        elif args.scenario == "burst":
            result = run(mixed, count, args.rounds, None, args.code, index, "sendMessage")
        else:
            result = run(forged, count, args.rounds, None, args.code, index,
                         "answerCallbackQuery")
    for key, value in result.items():
        if key != "samples":
            print(f"{key:>28}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Load test of `newsqa bot`: many chats ask at once through the fake Bot API on 127.0.0.1.

    python bench/bot_load.py --index .index                 # 200 chats x 3 questions
    python bench/bot_load.py --index .index --flood off     # without outgoing flood limits

Every question must be answered exactly once; prints wall time and reply latency percentiles
(from the moment the update is queued to the moment the reply reaches the server).
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval import RetrievalSettings, build_index  # noqa: E402
from tests.support.fake_bot_api import BotProcess, FakeBotApi  # noqa: E402

NAMES = ["Tô Lâm", "Nguyễn Duy Ngọc", "Lê Quang Mạnh", "Trần Việt Trường", "Đặng Mạnh Trung",
         "Nguyễn Ngọc Tiến", "Nguyễn Tiến Hải", "Cần Thơ", "Cà Mau", "Rừng Thông", "Ninh Kiều",
         "Hưng Mỹ", "Cái Nước", "Đông Sơn", "Bộ Công an", "Thanh Hóa"]
TEMPLATES = ["{a} và {b} cùng dự ngày hội ở đâu?", "Ngày hội có {a} và {b} diễn ra khi nào?",
             "Ai phát biểu khi {a} gặp {b}?"]


def questions(count: int) -> list[str]:
    """``count`` different questions about the seed articles."""
    pairs = itertools.permutations(NAMES, 2)
    made = [t.format(a=a, b=b) for (a, b), t in itertools.product(pairs, TEMPLATES)]
    if count > len(made):
        raise SystemExit(f"at most {len(made)} different questions")
    return made[:count]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(index: Path, chats: int, per_chat: int, flood: str, timeout: float) -> dict[str, Any]:
    env = {"TELEGRAM_LOG_LEVEL": "WARNING"}
    if flood == "off":
        env.update(TELEGRAM_FLOOD_MESSAGES_PER_SECOND="0",
                   TELEGRAM_FLOOD_GROUP_MESSAGES_PER_MINUTE="0")
    texts = questions(chats * per_chat)
    with tempfile.TemporaryDirectory() as work, FakeBotApi() as fake, \
            BotProcess(fake, index, Path(work), env=env) as bot:
        asked: list[tuple[int, int, int]] = []  # chat, message id, update id
        started = time.monotonic()
        for round_ in range(per_chat):
            for chat in range(chats):
                message = fake.ask(100_000 + chat, texts[round_ * chats + chat])
                asked.append((message["chat"]["id"], message["message_id"],
                              fake.last_update_id))
        queued = time.monotonic() - started

        def replies() -> dict[tuple[int, int], list[tuple[float, str]]]:
            """(chat, question message id) -> (time, text) of each message answering it."""
            found: dict[tuple[int, int], list[tuple[float, str]]] = defaultdict(list)
            for call in fake.calls("sendMessage"):
                if call.status == 200 and "reply_to_message" in call.result:
                    key = (call.result["chat"]["id"],
                           call.result["reply_to_message"]["message_id"])
                    found[key].append((call.at, call.result["text"]))
            return found

        # A cheap check while waiting: the server and this loop share one interpreter.
        fake.wait_for(lambda: fake.count("sendMessage", 200) >= len(asked), timeout,
                      "every answer")
        fake.wait_for(lambda: len(replies()) >= len(asked), timeout, "every answer")
        fake.quiet(2.0)
        found = replies()
        wall = max(parts[0][0] for parts in found.values()) - started
        latencies = [found[(chat, mid)][0][0] - fake.pushed_at[update]
                     for chat, mid, update in asked]
        # A long answer comes in several messages: a repeat is the same text twice.
        answers = [found[(chat, mid)] for chat, mid, _ in asked]
        counts = [0 if not parts else 1 + len(parts) - len({text for _, text in parts})
                  for parts in answers]
        split = sum(len(parts) > 1 for parts in answers)
        log = bot.output()
        errors = log.count("error while handling update")
        retries = sum("retry" in line and "Bot API" in line for line in log.splitlines())
        if any(c != 1 for c in counts) or errors:
            print("\n".join(log.splitlines()[-80:]), file=sys.stderr)
    return {
        "questions": len(asked), "answered once": sum(c == 1 for c in counts),
        "answered twice or more": sum(c > 1 for c in counts), "not answered": counts.count(0),
        "answers in 2+ messages": split, "handler errors": errors,
        "queued in s": round(queued, 2), "wall s": round(wall, 2),
        "answers/s": round(len(asked) / wall, 1),
        "p50 ms": round(1000 * statistics.median(latencies)),
        "p95 ms": round(1000 * percentile(latencies, 0.95)),
        "max ms": round(1000 * max(latencies)),
        "typing actions": len(fake.calls("sendChatAction")),
        "calls retried": retries,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="index folder (default: build one of seeds/)")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=3, help="questions per chat")
    parser.add_argument("--flood", choices=["default", "off"], default="default",
                        help="outgoing flood limits: python-telegram-bot's defaults or none")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        index = Path(scratch) / "index"
        if args.index is None:
            print("building an index of seeds/ ...", file=sys.stderr)
            build_index(RetrievalSettings(articles_dir=REPO / "seeds", index_dir=index,
                                          _env_file=None))  # type: ignore[call-arg]
        else:
            shutil.copytree(args.index, index)  # the bot never touches the original
        result = run(index, args.chats, args.questions, args.flood, args.timeout)
    print(f"flood limits: {args.flood}; cpus: {os.cpu_count()}")
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    ok = result["answered once"] == result["questions"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

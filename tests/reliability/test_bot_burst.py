"""A burst of 1,000 updates through the fake Bot API into the real `newsqa bot`, with faults.

Valid questions from many chats, duplicated update ids, updates with missing fields or the
wrong shape, forged button presses and strangers outside the allow-list arrive at once while
the server drops connections, answers 429 / 5xx and sends bodies that are not JSON. Every
valid question must be answered exactly once, everything else logged, the bot still running.

The questions are a handful of distinct texts asked from many chats, so after the first
asking the core's query-embedding cache answers for the model (a search is then ~15-50 ms
here instead of ~100 ms); the test measures delivery, not the model.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import formatting as fmt
from tests.support.fake_bot_api import (
    BOT_USER,
    JSON,
    BotProcess,
    FakeBotApi,
    Fault,
    group_chat,
    private_chat,
    user,
)

from ..bot.conftest import button, copy_index

pytestmark = pytest.mark.slow

USERS = range(300_001, 300_121)  # 120 allowed private chats
GROUPS = [-1_000_000_300_000 - n for n in range(4)]
STRANGERS = range(300_501, 300_511)
WARM_UP_USER = 300_999
QUESTIONS = (
    "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cà Mau?",
    "Đại tướng Tô Lâm dự ngày hội ở đâu?",
    "Ngày hội ở thị trấn Rừng Thông diễn ra khi nào?",
    "Trung tướng Nguyễn Duy Ngọc",
    "ai tham du ngay hoi o can tho",
    "<b>Cần Thơ</b> %s %(x)s {0} ../../etc/passwd $(touch PWNED) `touch PWNED2`; ls",
)
FORGED_DATA = ("p:r:3:000000000000", "p:e7:0:0123456789ab", "x:9", "x:99", "hello", "p:r:3:",
               "p:r:99999:abcdefabcdef", "p:r:-3:abcdefabcdef", "%s{0}", "x" * 64)


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake_api: FakeBotApi, seed_index_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    allowed = [*USERS, *GROUPS, WARM_UP_USER]
    env = {"TELEGRAM_ALLOWED_CHAT_IDS": ",".join(map(str, allowed))}
    index = copy_index(seed_index_dir, tmp_path_factory)
    with BotProcess(fake_api, index, tmp_path_factory.mktemp("burst"), env=env) as process:
        yield process


def no_id_update(n: int, chat: JSON) -> JSON:
    """An update whose id is missing or not an integer (it cannot be confirmed)."""
    message = {"message_id": 10**6 + n, "date": 0, "chat": chat, "from": user(chat["id"]),
               "text": "Cà Mau"}
    variants: list[JSON] = [{"message": message}, {"update_id": str(n), "message": message},
                            {"update_id": None, "message": message},
                            {"update_id": n + 0.5, "message": message}]
    return variants[n % 4]


def broken_update(n: int, update_id: int, chat: JSON) -> JSON:
    """An update with an id but a field missing or of the wrong shape."""
    sender = user(chat["id"])
    message = {"message_id": 10**6 + n, "date": 0, "chat": chat, "from": sender, "text": "x"}
    shapes: list[JSON] = [
        {}, {"message": "not an object"}, {"message": []},
        {"message": {"message_id": 1, "date": 0, "text": "no chat"}},
        {"message": {"message_id": 1, "chat": chat, "text": "no date"}},
        {"message": {"date": 0, "chat": chat, "text": "no message id"}},
        {"message": {"message_id": 1, "date": 0, "chat": {"id": chat["id"]}, "text": "x"}},
        {"message": {**message, "from": {"first_name": "no id"}}},
        {"callback_query": {"id": "cq", "from": sender}},
        {"brand_new_kind": {"a": 1}}, {"edited_message": None},
    ]
    return {"update_id": update_id, **shapes[n % len(shapes)]}


def stale_bot_message(n: int, chat_id: int) -> JSON:
    return {"message_id": 3 * 10**6 + n, "date": 0, "chat": private_chat(chat_id),
            "from": BOT_USER, "text": "cũ"}


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Polls every 0.5 s (cheaper than re-checking on each of thousands of calls)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.5)


def test_a_burst_of_1000_updates_with_faults_answers_every_question_exactly_once(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    fake = fake_api
    # The answer each question must get, asked once before the burst.
    expected: dict[str, list[str]] = {}
    warm_up: dict[str, list[JSON]] = {}
    for question in QUESTIONS:
        asked = fake.ask(WARM_UP_USER, question)
        fake.wait_reply(asked, timeout=60)
        fake.quiet(0.5)
        warm_up[question] = fake.replies_to(asked)
        expected[question] = [m["text"] for m in warm_up[question]]
        assert expected[question][0] not in (fmt.APOLOGY, fmt.BAD_QUESTION)
    # A genuine paging button, copied into other chats: worthless there.
    genuine = button(warm_up[QUESTIONS[0]][-1], fmt.MORE_LABEL)
    forged = (*FORGED_DATA, genuine)

    rng = random.Random(1000)
    actions: list[tuple[str, int, str]] = []
    actions += [("ask", uid, rng.choice(QUESTIONS)) for uid in USERS for _ in range(4)]
    actions += [("group", n, rng.choice(QUESTIONS)) for n in range(20)]
    actions += [("command", USERS[n], ("/start", "/help", "/sources")[n % 3])
                for n in range(40)]
    actions += [("no text", USERS[n], "") for n in range(20)]
    actions += [("press", USERS[n], forged[n % len(forged)]) for n in range(100)]
    actions += [("stranger", uid, text) for uid in STRANGERS
                for text in ("Xin chào", "Cần Thơ", "/start", "/ask Cà Mau", "/help", "x:0",
                             genuine)]
    actions += [("no id", n, "") for n in range(40)]
    actions += [("broken", n, "") for n in range(80)]
    rng.shuffle(actions)
    asking = [i for i, action in enumerate(actions) if action[0] in ("ask", "group")]
    to_duplicate = set(rng.sample(asking, 150))

    questions: list[tuple[JSON, str]] = []  # the user's message, the question
    commands: list[JSON] = []
    no_text: list[JSON] = []
    presses: list[str] = []
    stranger_presses: list[str] = []
    broken: list[int] = []
    duplicates: list[int] = []
    fake.inject("sendMessage", Fault(status=502), Fault(drop=True), Fault(bad_json=True),
                Fault(status=429, retry_after=1), Fault(status=500), Fault(drop=True),
                Fault(status=502), Fault(bad_json=True), Fault(status=429, retry_after=1))
    fake.inject("getUpdates", Fault(drop=True), Fault(status=502), Fault(bad_json=True),
                Fault(status=429, retry_after=1))
    fake.inject("sendChatAction", Fault(drop=True), Fault(status=502), Fault(drop=True))
    fake.inject("answerCallbackQuery", Fault(status=502), Fault(drop=True))
    sent_before = fake.count("sendMessage", 200)
    answered_before = fake.count("answerCallbackQuery", 200)
    started = time.monotonic()
    pushed = 0
    for index, (kind, who, text) in enumerate(actions):
        if kind == "ask":
            questions.append((fake.ask(who, text), text))
        elif kind == "group":
            message = fake.send_text(f"/ask {text}", chat=group_chat(GROUPS[who % 4]),
                                     sender=user(USERS[who]))
            questions.append((message, text))
        elif kind == "command":
            commands.append(fake.ask(who, text))
        elif kind == "no text":
            message = {"message_id": 2 * 10**6 + index, "date": 0, "chat": private_chat(who),
                       "from": user(who)}
            fake.push_message(message)
            no_text.append(message)
        elif kind == "press":
            presses.append(fake.press(stale_bot_message(index, who), text, as_stored=False))
        elif kind == "stranger" and text in ("x:0", genuine):
            stranger_presses.append(fake.press(stale_bot_message(index, who), text,
                                               as_stored=False))
        elif kind == "stranger":
            fake.ask(who, text)
        elif kind == "no id":
            fake.push_update(no_id_update(who, private_chat(USERS[who])))
        else:
            broken.append(fake.next_update_id())
            fake.push_update(broken_update(who, broken[-1], private_chat(USERS[who])))
        pushed += 1
        if index in to_duplicate:
            fake.push_update({"update_id": fake.last_update_id, "message": questions[-1][0]})
            duplicates.append(fake.last_update_id)
            pushed += 1
    assert pushed == 1000

    replies_wanted = (sum(len(expected[q]) for _, q in questions) + len(commands)
                      + len(no_text) + len(STRANGERS))
    answers_wanted = len(presses) + len(stranger_presses)
    wait_until(lambda: fake.count("sendMessage", 200) - sent_before >= replies_wanted
               and fake.count("answerCallbackQuery", 200) - answered_before >= answers_wanted,
               120, f"{replies_wanted} replies and {answers_wanted} button answers")
    elapsed = time.monotonic() - started
    fake.quiet(2.0)
    assert fake.count("sendMessage", 200) - sent_before == replies_wanted  # nothing extra

    replies: dict[tuple[int, int], list[str]] = defaultdict(list)
    for message in fake.sent():
        if "reply_to_message" in message:
            replies[message["chat"]["id"], message["reply_to_message"]["message_id"]].append(
                message["text"])

    def reply_texts(message: JSON) -> list[str]:
        return replies[message["chat"]["id"], message["message_id"]]

    lost = [q for m, q in questions if reply_texts(m) != expected[q]]
    assert not lost, f"{len(lost)} of {len(questions)} questions not answered exactly once"
    assert all(len(reply_texts(m)) == 1 for m in commands)
    assert all(reply_texts(m) == [fmt.NOT_TEXT] for m in no_text)
    for query in presses:
        assert [c.params.get("text") for c in fake.answers(query) if c.status == 200] == [
            fmt.EXPIRED]
    for query in stranger_presses:
        assert [c.params.get("text") for c in fake.answers(query) if c.status == 200] == [
            fmt.NOT_ALLOWED]
    for stranger in STRANGERS:
        assert [m["text"] for m in fake.sent(stranger)] == [fmt.NOT_ALLOWED]
    assert not [c for c in fake.calls("sendChatAction") if c.params.get("chat_id") in STRANGERS]
    assert all(fake.pending_faults(method) == 0 for method in
               ("sendMessage", "getUpdates", "sendChatAction", "answerCallbackQuery"))

    # The rest is logged: every update without an id, every broken one, every repeat.
    log = bot.output()
    delivered: Counter[int] = Counter(
        update["update_id"] for call in fake.calls("getUpdates") if call.status == 200
        for update in call.result if isinstance(update.get("update_id"), int))
    repeated = [update_id for update_id in set(duplicates) if delivered[update_id] >= 2]
    assert len(repeated) >= 100  # most duplicates did reach the bot
    for update_id in repeated:
        assert f"update {update_id} delivered twice: ignored" in log
    assert log.count("dropped an update without a usable update_id") == 40
    for update_id in broken:
        assert f"update {update_id} " in log, update_id
    assert "--- Logging error ---" not in log
    # User text is text: the shell-looking question ran nothing.
    assert bot.workdir.exists() and not list(bot.workdir.rglob("PWNED*"))
    assert not list(Path.cwd().rglob("PWNED*")) and not Path("/tmp/PWNED").exists()
    assert fake.token not in log and fake.token.split(":")[1] not in log

    assert bot.process is not None and bot.process.poll() is None
    after = fake.ask(USERS[0], QUESTIONS[0])
    assert [m["text"] for m in fake.wait_reply(after, len(expected[QUESTIONS[0]]), 30)] == \
        expected[QUESTIONS[0]]
    print(f"\nburst: 1000 updates in {elapsed:.1f} s; {len(questions)} questions answered "
          f"exactly once ({replies_wanted} messages), {answers_wanted} presses answered once, "
          f"{len(repeated)} repeats and {40 + len(broken)} malformed updates logged")

"""A bot that converses, in the real bot process against the fake Bot API on 127.0.0.1:
follow-up questions per chat, inline mode and 👍 / 👎 feedback."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import formatting as fmt
from bot.feedback import THANKS, THANKS_EN, UP
from bot.feedback_store import Vote, load_feedback
from bot.followups import NO_EARLIER
from bot.inline import MAX_QUERY, TOO_LONG, TOO_LONG_EN
from retrieval import Searcher
from retrieval.conversation import Reading, read_followup, turn_of
from tests.support.fake_bot_api import (
    JSON,
    ApiCall,
    BotProcess,
    FakeBotApi,
    group_chat,
    parse_html,
    private_chat,
    user,
)

from .conftest import button, buttons, copy_index
from .test_e2e import assert_passages

pytestmark = pytest.mark.slow

FIRST = "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cần Thơ?"
QUESTION = "Đại tướng Tô Lâm dự ngày hội ở đâu?"
ALLOWED = tuple(range(70_001, 70_100))
GROUP = -1_000_000_070_000
STRANGER = 79_999
INLINE_RATE = 5
INLINE_RESULTS = 4
_users = itertools.count()


def someone() -> int:
    """An allowed user no other test of this module uses."""
    return ALLOWED[next(_users)]


@pytest.fixture(scope="module")
def feedback_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "votes" / "feedback.sqlite3"


@pytest.fixture(scope="module")
def bot(fake_api: FakeBotApi, seed_index_dir: Path, feedback_path: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    env = {
        "TELEGRAM_ALLOWED_CHAT_IDS": ",".join(map(str, (*ALLOWED, GROUP))),
        "TELEGRAM_INLINE_RATE_LIMIT_PER_MINUTE": str(INLINE_RATE),
        "TELEGRAM_INLINE_RESULTS": str(INLINE_RESULTS),
        "TELEGRAM_FEEDBACK_PATH": str(feedback_path),
    }
    index = copy_index(seed_index_dir, tmp_path_factory)
    with BotProcess(fake_api, index, tmp_path_factory.mktemp("bot-run"), env=env) as process:
        yield process


def ask(fake_api: FakeBotApi, who: int, text: str) -> JSON:
    [reply] = fake_api.wait_reply(fake_api.ask(who, text))
    return reply


def expected_reading(searcher: Searcher, previous: str, question: str) -> Reading:
    return read_followup(question, turn_of(searcher.search(previous)))


# --- follow-ups ----------------------------------------------------------------------------

def test_follow_ups_are_read_against_the_chats_last_question_and_say_how(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher) -> None:
    who = someone()
    ask(fake_api, who, FIRST)
    pronoun = expected_reading(seed_searcher, FIRST, "ông ấy phát biểu gì?")
    assert pronoun.how is not None and "ông ấy" not in pronoun.question
    reply = ask(fake_api, who, "ông ấy phát biểu gì?")
    assert f"Câu hỏi tiếp theo: {pronoun.how}" in reply["text"]
    assert_passages(reply, seed_searcher, pronoun.question)
    place = expected_reading(seed_searcher, pronoun.question, "còn ở Cà Mau thì sao?")
    assert place.how is not None and "Cà Mau" in place.question
    reply = ask(fake_api, who, "còn ở Cà Mau thì sao?")
    assert f"Câu hỏi tiếp theo: hiểu là: «{place.question}»" in reply["text"]
    assert_passages(reply, seed_searcher, place.question)
    # The More button pages the question as it was read, not the words typed.
    query = fake_api.press(reply, button(reply, fmt.MORE_LABEL))
    fake_api.wait_for(lambda: fake_api.answers(query))
    fake_api.wait_for(lambda: "edit_date" in fake_api.message(who, reply["message_id"]))
    page_size = len(seed_searcher.search(place.question).results)
    assert_passages(fake_api.message(who, reply["message_id"]), seed_searcher, place.question,
                    page_size)


def test_a_follow_up_with_no_earlier_question_is_searched_as_typed_and_says_so(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher) -> None:
    reply = ask(fake_api, someone(), "ông ấy phát biểu gì?")
    assert NO_EARLIER in reply["text"]
    assert_passages(reply, seed_searcher, "ông ấy phát biểu gì?")
    # Another chat's question is not this chat's: per chat.
    other = someone()
    ask(fake_api, other, FIRST)
    assert NO_EARLIER in ask(fake_api, someone(), "còn ở Cà Mau thì sao?")["text"]


def test_in_a_group_the_follow_up_leans_on_the_groups_last_question(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher) -> None:
    group = group_chat(GROUP)
    first = fake_api.send_text(f"/ask {FIRST}", chat=group, sender=user(someone()))
    fake_api.wait_reply(first)
    follow = fake_api.send_text("/ask ông ấy phát biểu gì?", chat=group, sender=user(someone()))
    [reply] = fake_api.wait_reply(follow)
    reading = expected_reading(seed_searcher, FIRST, "ông ấy phát biểu gì?")
    assert f"Câu hỏi tiếp theo: {reading.how}" in reply["text"]


# --- inline mode ---------------------------------------------------------------------------

def inline_answer(fake_api: FakeBotApi, query_id: str) -> ApiCall:
    [call] = fake_api.wait_for(lambda: fake_api.inline_answers(query_id),
                               what=f"the answer to inline query {query_id}")
    assert call.status == 200, call.result
    return call


def result_texts(call: ApiCall) -> list[str]:
    return [parse_html(r["input_message_content"]["message_text"])[0]
            for r in call.params["results"]]


def test_an_inline_query_lists_the_best_passages_with_their_sources(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher) -> None:
    call = inline_answer(fake_api, fake_api.inline(someone(), QUESTION))
    expected = seed_searcher.search(QUESTION, top_k=INLINE_RESULTS).results
    results = call.params["results"]
    assert [r["id"] for r in results] == [str(hit.rank) for hit in expected]
    for result, text, hit in zip(results, result_texts(call), expected, strict=True):
        assert result["type"] == "article" and hit.source.title[:40] in result["title"]
        assert result["description"].startswith(fmt.format_date(hit.source.date))
        assert text.startswith(f"❓ {QUESTION}") and f"[{hit.rank}] {hit.text}" in text
        assert hit.source.file in text
    assert call.params["cache_time"] == 300 and call.params["is_personal"] is True


def test_an_inline_query_of_256_plus_characters_gets_one_clear_result(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    long = ("Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cần Thơ có ai tham dự " * 10)
    assert len(long) > MAX_QUERY
    call = inline_answer(fake_api, fake_api.inline(someone(), long))
    assert result_texts(call) == [TOO_LONG]
    # At the limit it is a question like any other.
    at_limit = long[:MAX_QUERY].rsplit(" ", 1)[0]
    texts = result_texts(inline_answer(fake_api, fake_api.inline(someone(), at_limit)))
    assert texts and TOO_LONG not in texts and texts[0].startswith(f"❓ {at_limit}")


def test_an_empty_inline_query_and_a_stranger_get_a_clear_answer(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    assert inline_answer(fake_api, fake_api.inline(someone(), "   ")).params["results"] == []
    refused = inline_answer(fake_api, fake_api.inline(STRANGER, QUESTION))
    assert result_texts(refused) == [fmt.NOT_ALLOWED] and refused.params["is_personal"]


def test_a_flood_of_inline_queries_is_rate_limited_and_every_query_answered(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher) -> None:
    flooder, others = someone(), [someone() for _ in range(10)]
    typed = [QUESTION[:length] for length in range(8, len(QUESTION) + 1)]
    ids = [fake_api.inline(flooder, text) for text in typed]
    ids += [fake_api.inline(other, QUESTION) for other in others]  # meanwhile, other users
    fake_api.wait_for(lambda: all(fake_api.inline_answers(i) for i in ids), 90,
                      "an answer to every inline query")
    calls = [inline_answer(fake_api, i) for i in ids]
    flood, rest = calls[:len(typed)], calls[len(typed):]
    limited = fmt.rate_limited(INLINE_RATE)
    over = [c for c in flood if result_texts(c) == [limited]]
    assert len(over) == len(typed) - INLINE_RATE
    assert all(c.params["cache_time"] == 10 and c.params["is_personal"] for c in over)
    best = len(seed_searcher.search(QUESTION, top_k=INLINE_RESULTS).results)
    assert all(len(c.params["results"]) == best for c in rest)
    # The flooder's questions in the chat are not affected, and the bot is fine.
    assert_passages(ask(fake_api, flooder, QUESTION), seed_searcher, QUESTION)
    assert bot.process is not None and bot.process.poll() is None
    assert "error while handling" not in bot.output()


# --- feedback ------------------------------------------------------------------------------

def press(fake_api: FakeBotApi, message: JSON, data: str) -> str:
    query = fake_api.press(message, data)
    [answer] = fake_api.wait_for(lambda: fake_api.answers(query), what="the press answered")
    assert answer.status == 200
    return str(answer.params.get("text"))


def test_a_press_on_thumbs_up_or_down_is_stored_and_becomes_an_eval_question(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher,
        feedback_path: Path) -> None:
    who = someone()
    liked = ask(fake_api, who, QUESTION)
    assert {fmt.MORE_LABEL, "👍", "👎"} <= set(buttons(liked))
    assert press(fake_api, liked, button(liked, UP)) == THANKS[Vote.RECORDED]
    assert press(fake_api, liked, button(liked, UP)) == THANKS[Vote.SAME]
    disliked = ask(fake_api, who, "Rừng Thông")
    assert press(fake_api, disliked, button(disliked, "👎")) == THANKS[Vote.RECORDED]
    found = load_feedback(feedback_path)
    best = seed_searcher.search(QUESTION).results[0].source.file
    assert (found.up, found.down) == (1, 1)
    assert [(q.text, q.gold_file) for q in found.questions] == [(QUESTION, best)]
    # The file keeps the chat id hashed only.
    assert str(who).encode() not in feedback_path.read_bytes()
    # A page turned is a new answer with its own buttons; More still works.
    query = fake_api.press(liked, button(liked, fmt.MORE_LABEL))
    fake_api.wait_for(lambda: fake_api.answers(query))
    page = fake_api.wait_for(lambda: (m := fake_api.message(who, liked["message_id"]))
                             .get("edit_date") and m)
    assert button(page, UP) != button(liked, UP)
    assert press(fake_api, page, button(page, "👎")) == THANKS[Vote.RECORDED]


def test_feedback_on_an_expired_unknown_or_foreign_message_says_it_expired(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    who, other = someone(), someone()
    reply = ask(fake_api, who, QUESTION)
    foreign = ask(fake_api, other, QUESTION)
    for data in ("v:999999999:u", "v:abc:u", "v:1", button(foreign, UP)):
        assert press(fake_api, reply, data) == fmt.EXPIRED, data
    # A press on a bot message sent before this run (its answer is not in the file).
    old = {"message_id": 9, "date": 0, "chat": private_chat(who), "text": "cũ",
           "from": fake_api.bot}
    query = fake_api.press(old, "v:123456:d", as_stored=False)
    fake_api.wait_for(lambda: fake_api.answers(query))
    assert fake_api.answers(query)[0].params["text"] == fmt.EXPIRED
    assert bot.process is not None and bot.process.poll() is None


def test_a_user_whose_telegram_speaks_english_is_told_in_english(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    who = someone()
    long = "Who attended the national security festival in Can Tho city? " * 5
    call = inline_answer(fake_api, fake_api.inline(who, long, language_code="en"))
    assert result_texts(call) == [TOO_LONG_EN]
    reply = ask(fake_api, who, QUESTION)
    query = fake_api.press(reply, button(reply, UP), sender=user(who, language_code="en"))
    [answer] = fake_api.wait_for(lambda: fake_api.answers(query), what="the press answered")
    # Last in the module: the vote it stores would change the counts the tests above check.
    assert answer.params["text"] == THANKS_EN[Vote.RECORDED]

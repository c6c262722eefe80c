"""The real `newsqa bot` (a subprocess) long-polling the fake Bot API on 127.0.0.1.

One bot process serves the whole module; each test talks from its own chats.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import formatting as fmt
from retrieval import Searcher
from tests.support.fake_bot_api import (
    JSON,
    BotProcess,
    FakeBotApi,
    Fault,
    entity_texts,
    group_chat,
    private_chat,
    user,
)

from .conftest import button, buttons, copy_index

pytestmark = pytest.mark.slow

EXAMPLES = ["Ai tham dự ngày hội ở Cần Thơ? <i>&amp;", "Đại tướng Tô Lâm dự ngày hội ở đâu?"]
QUESTION = "Đại tướng Tô Lâm dự ngày hội ở đâu?"


@pytest.fixture(scope="module")
def bot(fake_api: FakeBotApi, seed_index_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    index = copy_index(seed_index_dir, tmp_path_factory)
    env = {"TELEGRAM_LOG_LEVEL": "DEBUG", "TELEGRAM_EXAMPLE_QUESTIONS": json.dumps(EXAMPLES)}
    with BotProcess(fake_api, index, tmp_path_factory.mktemp("bot-run"), env=env) as process:
        yield process


def ranks(message: JSON) -> list[int]:
    """The passage numbers shown in a message, in order."""
    return [int(label[1:-1]) for label in entity_texts(message, "bold")
            if label.startswith("[") and label.endswith("]") and label[1:-1].isdigit()]


def assert_passages(message: JSON, searcher: Searcher, question: str, offset: int = 0) -> None:
    """The message shows exactly the core's passages for this page, with sources and bold."""
    expected = searcher.search(question, offset=offset)
    assert expected.results
    text = message["text"]
    assert ranks(message) == [hit.rank for hit in expected.results]
    positions = []
    bold = entity_texts(message, "bold")
    for hit in expected.results:
        positions.append(text.index(f"[{hit.rank}] {hit.text}"))
        source = hit.source
        assert f"{source.title} · {fmt.format_date(source.date)} · {source.file}" in text
        for start, end in hit.highlights:
            assert any(hit.text[start:end] in run for run in bold), hit.text[start:end]
    assert positions == sorted(positions)


def test_question_gets_the_best_passages_with_sources(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher, user_id: int) -> None:
    asked = fake_api.ask(user_id, QUESTION)
    [reply] = fake_api.wait_reply(asked)
    assert_passages(reply, seed_searcher, QUESTION)
    assert fmt.MORE_LABEL in buttons(reply)
    # 'typing…' was shown in this chat before the answer went out.
    typing = [c for c in fake_api.calls("sendChatAction") if c.params["chat_id"] == user_id]
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].at <= fake_api.call_of(reply).at
    fake_api.quiet(0.5)
    assert len(fake_api.sent(user_id)) == 1


def test_more_button_pages_through_every_result_in_place(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher, user_id: int) -> None:
    asked = fake_api.ask(user_id, QUESTION)
    [reply] = fake_api.wait_reply(asked)
    total = seed_searcher.search(QUESTION).total
    seen = ranks(reply)
    offset = 0
    while fmt.MORE_LABEL in buttons(reply):
        edits = len(fake_api.calls("editMessageText"))
        query = fake_api.press(reply, button(reply, fmt.MORE_LABEL))
        fake_api.wait_calls("editMessageText", edits + 1)
        offset += len(ranks(reply))
        reply = fake_api.message(user_id, reply["message_id"])
        assert_passages(reply, seed_searcher, QUESTION, offset)
        answered = fake_api.wait_for(lambda pressed=query: fake_api.answers(pressed),
                                     what="the answer to the press")
        assert [c.status for c in answered] == [200]
        seen += ranks(reply)
    assert seen == list(range(1, total + 1))
    # Back to the first page, in the same message.
    fake_api.press(reply, button(reply, fmt.BACK_LABEL))
    fake_api.wait_for(lambda: ranks(fake_api.message(user_id, reply["message_id"]))[-1]
                      < seen[-1], what="the previous page")
    fake_api.quiet(0.5)
    assert len(fake_api.sent(user_id)) == 1


def test_an_english_question_is_answered_in_english_around_the_passages(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher, user_id: int) -> None:
    question = "Who attended the festival for national security protection in Ca Mau?"
    expected = seed_searcher.search(question)
    assert expected.english and expected.total > len(expected.results)
    asked = fake_api.ask(user_id, question)
    [reply] = fake_api.wait_reply(asked)
    text = reply["text"]
    assert text.startswith("⚠️ Filtered: in Ca Mau") and "\n👥 Attended\n• Tô Lâm" in text
    assert expected.results[0].text in text and "Người tham dự" not in text
    assert "More ▸" in buttons(reply) and fmt.MORE_LABEL not in buttons(reply)
    fake_api.press(reply, button(reply, "More ▸"))
    fake_api.wait_for(lambda: "Passages 4–" in fake_api.message(user_id, reply["message_id"])
                      ["text"], what="the second page, in English")
    page = fake_api.message(user_id, reply["message_id"])
    assert ranks(page)[0] == 4 and "◂ Previous" in buttons(page)
    # The same question in Vietnamese is answered in Vietnamese.
    asked = fake_api.ask(user_id, "Ai tham dự ngày hội bảo vệ an ninh Tổ quốc ở Cà Mau?")
    [reply] = fake_api.wait_reply(asked)
    assert "👥 Người tham dự\n• Tô Lâm" in reply["text"] and fmt.MORE_LABEL in buttons(reply)


def test_forged_or_foreign_button_data_says_the_search_expired(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    asked = fake_api.ask(user_id, QUESTION)
    [reply] = fake_api.wait_reply(asked)
    other = fake_api.ask(user_id + 100_000, "Rừng Thông")
    [other_reply] = fake_api.wait_reply(other)
    genuine = button(reply, fmt.MORE_LABEL)
    forged = [genuine[:-1] + ("0" if genuine[-1] != "0" else "1"),  # MAC off by one digit
              genuine.replace(":3:", ":6:"),  # another page, old MAC
              "p:e7:0:" + genuine[-12:], "hello", "p:r:99999:abc"]
    queries = [fake_api.press(reply, data) for data in forged]
    fake_api.wait_for(lambda: all(fake_api.answers(q) for q in queries),
                      what="the callback answers")
    for query in queries:
        [answer] = fake_api.answers(query)
        assert answer.params["text"] == fmt.EXPIRED
    # A genuine button of another chat is worthless here.
    query = fake_api.press(reply, button(other_reply, fmt.MORE_LABEL))
    fake_api.wait_for(lambda: fake_api.answers(query))
    assert fake_api.answers(query)[0].params["text"] == fmt.EXPIRED
    fake_api.quiet(0.5)
    assert "edit_date" not in fake_api.message(user_id, reply["message_id"])


def test_button_of_a_deleted_question_says_the_search_expired(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    asked = fake_api.ask(user_id, QUESTION)
    [reply] = fake_api.wait_reply(asked)
    orphan = {k: v for k, v in reply.items() if k != "reply_to_message"}
    query = fake_api.press(orphan, button(reply, fmt.MORE_LABEL), as_stored=False)
    fake_api.wait_for(lambda: fake_api.answers(query))
    assert fake_api.answers(query)[0].params["text"] == fmt.EXPIRED


def test_start_offers_examples_that_answer_and_page(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher, user_id: int) -> None:
    start = fake_api.ask(user_id, "/start")
    [greeting] = fake_api.wait_reply(start)
    assert "Xin chào" in greeting["text"]
    examples = buttons(greeting)
    assert list(examples) == EXAMPLES  # shown as typed: the '<i>&amp;' is text, not markup
    fake_api.press(greeting, examples[EXAMPLES[0]])
    answer = fake_api.wait_for(lambda: [m for m in fake_api.sent(user_id)
                                        if m["text"].startswith("❓")], what="the answer")[0]
    assert answer["text"].startswith(f"❓ {EXAMPLES[0]}")
    assert_passages(answer, seed_searcher, EXAMPLES[0])
    fake_api.press(answer, button(answer, fmt.MORE_LABEL))
    fake_api.wait_for(lambda: ranks(fake_api.message(user_id, answer["message_id"]))[0] > 1,
                      what="page 2 of the example")
    page = fake_api.message(user_id, answer["message_id"])
    assert page["text"].startswith(f"❓ {EXAMPLES[0]}")
    assert_passages(page, seed_searcher, EXAMPLES[0], offset=ranks(answer)[-1])


def test_help_sources_and_the_command_menu(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher, user_id: int) -> None:
    assert [c["command"] for c in fake_api.commands] == [
        "start", "help", "sources", "ask", "people", "events"]
    help_reply = fake_api.wait_reply(fake_api.ask(user_id, "/help"))[0]
    assert "/ask" in help_reply["text"] and "@newsqa_test_bot" in help_reply["text"]
    assert EXAMPLES[0] in help_reply["text"]
    sources = fake_api.wait_reply(fake_api.ask(user_id, "/sources"))[0]["text"]
    articles = seed_searcher.articles()
    assert f"{len(articles)} bài" in sources
    for article in articles:
        assert article.title in sources and article.file in sources
        assert f"{fmt.format_date(article.date)} · {article.chunks} đoạn" in sources
    unknown = fake_api.wait_reply(fake_api.ask(user_id, "/frobnicate"))[0]
    assert unknown["text"] == fmt.UNKNOWN_COMMAND


def test_a_user_whose_telegram_speaks_english_is_greeted_and_helped_in_english(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    assert [(c["command"], c["description"]) for c in fake_api.commands_by_language["en"]] \
        == list(fmt.COMMANDS_EN)
    english = user(user_id, language_code="en")
    start = fake_api.send_text("/start", chat=private_chat(user_id), sender=english)
    [greeting] = fake_api.wait_reply(start)
    assert greeting["text"].startswith("Hello! 👋") and list(buttons(greeting)) == EXAMPLES
    help_reply = fake_api.wait_reply(
        fake_api.send_text("/help", chat=private_chat(user_id), sender=english))[0]
    assert help_reply["text"].startswith("How to use") and "Cách dùng" not in help_reply["text"]
    assert "/sources – The news articles searched" in help_reply["text"]
    # What the bot says outside an answer, in English too.
    chat = private_chat(user_id)
    sticker = fake_api.push_message({
        "message_id": 700, "date": 0, "chat": chat, "from": english,
        "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                    "is_animated": False, "is_video": False, "type": "regular"}})
    fake_api.wait_for(lambda: any(m["text"] == fmt.say("not_text", True)
                                  for m in fake_api.sent(user_id)), what=f"reply to {sticker}")
    for text, key in (("/frobnicate", "unknown_command"), ("???", "bad_question")):
        sent = fake_api.send_text(text, chat=chat, sender=english)
        assert fake_api.wait_reply(sent)[0]["text"] == fmt.say(key, True)
    empty = fake_api.send_text("/ask", chat=chat, sender=english)
    assert fake_api.wait_reply(empty)[0]["text"].startswith("Write your question right after")
    query = fake_api.press(greeting, "hello", sender=english)
    fake_api.wait_for(lambda: fake_api.answers(query), what="the answer to a forged press")
    assert fake_api.answers(query)[0].params["text"] == fmt.say("expired", True)
    # Vietnamese, or no language given: Vietnamese.
    for sender in (user(user_id), {k: v for k, v in english.items() if k != "language_code"}):
        start = fake_api.send_text("/start", chat=private_chat(user_id), sender=sender)
        assert fake_api.wait_reply(start)[0]["text"].startswith("Xin chào")


def test_in_groups_only_ask_mentions_and_replies_are_answered(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher, user_id: int) -> None:
    group = group_chat(-1_000_000_000_000 - user_id)
    member = user(user_id)

    def say(text: str, reply_to: JSON | None = None) -> JSON:
        return fake_api.send_text(text, chat=group, sender=member, reply_to=reply_to)

    chatter = say("Chào cả nhà, tối nay đi ăn ở Cần Thơ không?")
    ask = say(f"/ask {QUESTION}")
    [answer] = fake_api.wait_reply(ask)
    assert_passages(answer, seed_searcher, QUESTION)
    mention = say("@newsqa_test_bot Rừng Thông")
    [by_mention] = fake_api.wait_reply(mention)
    assert_passages(by_mention, seed_searcher, "Rừng Thông")
    follow_up = say("Còn Cà Mau thì sao?", reply_to=answer)
    fake_api.wait_reply(follow_up)
    other_bot = say("/ask@some_other_bot Cần Thơ")
    empty = say("/ask@newsqa_test_bot")
    [hint] = fake_api.wait_reply(empty)
    assert hint["text"].startswith("Bạn hãy viết câu hỏi")
    fake_api.push_message({"message_id": 999, "date": 0, "chat": group, "from": member,
                           "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1,
                                       "height": 1, "is_animated": False,
                                       "is_video": False, "type": "regular"}})
    fake_api.quiet(1.0)
    replied = {m["reply_to_message"]["message_id"] for m in fake_api.sent(group["id"])}
    assert replied == {ask["message_id"], mention["message_id"], follow_up["message_id"],
                       empty["message_id"]}
    assert chatter["message_id"] not in replied and other_bot["message_id"] not in replied
    # Paging works in groups too, from the /ask command's text.
    fake_api.press(answer, button(answer, fmt.MORE_LABEL), sender=member)
    fake_api.wait_for(lambda: ranks(fake_api.message(group["id"], answer["message_id"]))[0] > 1)


def test_non_text_edits_channel_posts_and_malformed_updates_never_crash(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    chat = private_chat(user_id)
    sticker = fake_api.push_message({
        "message_id": 500, "date": 0, "chat": chat, "from": user(user_id),
        "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                    "is_animated": False, "is_video": False, "type": "regular"}})
    fake_api.push_message({"message_id": 501, "date": 0, "chat": chat, "from": user(user_id),
                           "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1,
                                      "height": 1}]})
    fake_api.send_text("Cần Thơ (sửa lại)", chat=chat, kind="edited_message")
    fake_api.send_text("Tin mới", chat={"id": -1001, "type": "channel", "title": "Kênh"},
                       kind="channel_post")
    for broken in ({"message": {"text": "no id, no chat"}},
                   {"update_id": fake_api.next_update_id(), "message": {"text": "no chat"}},
                   {"update_id": fake_api.next_update_id(), "message": "not an object"},
                   {"update_id": fake_api.next_update_id(),
                    "callback_query": {"id": "x1", "from": user(user_id)}},
                   {"update_id": fake_api.next_update_id(), "brand_new_kind": {"a": 1}}):
        fake_api.push_update(broken)
    question = fake_api.ask(user_id, "Rừng Thông")
    # The same update delivered twice is answered once.
    duplicate = {"update_id": fake_api.last_update_id, "message": question}
    fake_api.push_update(duplicate)
    fake_api.wait_reply(question)
    fake_api.quiet(1.0)
    texts = [m["text"] for m in fake_api.sent(user_id)]
    assert texts.count(fmt.NOT_TEXT) == 2
    assert len(fake_api.replies_to(question)) == 1
    assert len(texts) == 3
    assert bot.process is not None and bot.process.poll() is None
    assert f"error while handling update {sticker}" not in bot.output()


def test_long_question_is_cut_with_a_notice_and_still_pages(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    question = "Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cần Thơ có ai tham dự? " * 30
    asked = fake_api.ask(user_id, question.strip())
    first = fake_api.wait_reply(asked)[0]
    assert "cắt bớt" in first["text"]
    # A long first page may be sent as two messages: the buttons go under the last one.
    reply = fake_api.wait_for(lambda: [m for m in fake_api.replies_to(asked) if buttons(m)],
                              what="the page with the buttons")[0]
    fake_api.press(reply, button(reply, fmt.MORE_LABEL))
    fake_api.wait_for(lambda: ranks(fake_api.message(user_id, reply["message_id"]))[0] > 1)
    assert "cắt bớt" not in fake_api.message(user_id, reply["message_id"])["text"]


def test_a_question_with_markup_characters_is_answered(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    asked = fake_api.ask(user_id, "<b>Cần Thơ</b> & <script>alert(1)</script> &amp;")
    [reply] = fake_api.wait_reply(asked)  # the fake refuses broken HTML with a 400
    assert ranks(reply)[0] == 1


@pytest.mark.parametrize("faults", [
    [Fault(status=429, retry_after=1)],
    [Fault(status=502), Fault(status=500)],
    [Fault(drop=True)],
    [Fault(bad_json=True)],
], ids=["429", "5xx", "dropped", "bad-json"])
def test_send_faults_are_retried_and_the_reply_goes_out_once(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int, faults: list[Fault]) -> None:
    fake_api.inject("sendMessage", *faults)
    asked = fake_api.ask(user_id, "Cà Mau")
    fake_api.wait_reply(asked, timeout=20)
    fake_api.quiet(1.0)
    assert len(fake_api.replies_to(asked)) == 1
    assert len(fake_api.sent(user_id)) == 1
    assert fake_api.pending_faults("sendMessage") == 0


def test_handler_error_is_logged_with_the_update_id_and_apologised_for(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    fake_api.inject("sendMessage", Fault(status=400, description="Bad Request: odd failure"))
    asked = fake_api.ask(user_id, "Cần Thơ")
    update_id = fake_api.last_update_id
    [apology] = fake_api.wait_reply(asked)
    assert apology["text"] == fmt.APOLOGY
    fake_api.wait_for(lambda: f"error while handling update {update_id}" in bot.output(),
                      what="the error in the log")
    again = fake_api.ask(user_id, "Cần Thơ")
    assert ranks(fake_api.wait_reply(again)[0])[0] == 1


def test_polling_recovers_from_get_updates_faults(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    fake_api.inject("getUpdates", Fault(drop=True), Fault(status=500), Fault(bad_json=True),
                    Fault(status=429, retry_after=1))
    fake_api.wait_for(lambda: fake_api.pending_faults("getUpdates") == 0, timeout=40,
                      what="the bot to poll through the faults")
    asked = fake_api.ask(user_id, "Rừng Thông")
    fake_api.wait_reply(asked, timeout=20)
    fake_api.quiet(1.0)
    assert len(fake_api.replies_to(asked)) == 1


def test_the_token_never_reaches_the_log(bot: BotProcess, fake_api: FakeBotApi) -> None:
    log = bot.output()
    assert "Bot API" in log  # DEBUG logging was on, URLs were logged...
    assert "<TELEGRAM_BOT_TOKEN>" in log  # ...and redacted
    assert fake_api.token not in log
    assert fake_api.token.split(":")[1] not in log

"""Handler helpers: reading the question, who a group message is for, limits, duplicates."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import Chat, Message, MessageEntity, User

from bot.handlers import RateLimiter, RecentIds, Verdict, addressed_to_bot, question_text

BOT_ID, BOT_NAME = 4242, "newsqa_test_bot"
BOT = User(BOT_ID, "Tin tức QA", is_bot=True, username=BOT_NAME)
PERSON = User(7, "Lan", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP, title="Nhóm")


def message(text: str, chat: Chat = GROUP, reply_to: Message | None = None,
            entities: tuple[MessageEntity, ...] = ()) -> Message:
    return Message(1, dtm.datetime.now(dtm.UTC), chat, from_user=PERSON, text=text,
                   reply_to_message=reply_to, entities=entities)


@pytest.mark.parametrize(("text", "question"), [
    ("Ai dự ngày hội?", "Ai dự ngày hội?"),
    ("/ask Ai dự ngày hội?", "Ai dự ngày hội?"),
    ("/ask@newsqa_test_bot   Ai dự?\nỞ đâu?", "Ai dự?\nỞ đâu?"),
    ("/ASK Cần Thơ", "Cần Thơ"),
    ("@newsqa_test_bot Cần Thơ", "Cần Thơ"),
    ("Cần Thơ @NewsQA_Test_Bot", "Cần Thơ"),
    ("@newsqa_test_bot2 Cần Thơ", "@newsqa_test_bot2 Cần Thơ"),
    ("/asking Cần Thơ", "/asking Cần Thơ"),
    ("/ask", ""),
    ("@newsqa_test_bot", ""),
])
def test_question_text(text: str, question: str) -> None:
    assert question_text(text, BOT_NAME) == question


def test_who_a_group_message_is_for() -> None:
    ours = Message(5, dtm.datetime.now(dtm.UTC), GROUP, from_user=BOT, text="[1] ...")
    theirs = Message(6, dtm.datetime.now(dtm.UTC), GROUP, from_user=PERSON, text="hi")
    assert addressed_to_bot(message("Cần Thơ?", chat=Chat(7, Chat.PRIVATE)), BOT_ID, BOT_NAME)
    assert not addressed_to_bot(message("Chào cả nhà"), BOT_ID, BOT_NAME)
    assert addressed_to_bot(message("/ask Cần Thơ"), BOT_ID, BOT_NAME)
    assert addressed_to_bot(message("/help@newsqa_test_bot"), BOT_ID, BOT_NAME)
    assert not addressed_to_bot(message("/ask@other_bot Cần Thơ"), BOT_ID, BOT_NAME)
    assert not addressed_to_bot(message("/weather"), BOT_ID, BOT_NAME)
    assert addressed_to_bot(message("hỏi @newsqa_test_bot nhé"), BOT_ID, BOT_NAME)
    assert not addressed_to_bot(message("@newsqa_test_bot_fan chào"), BOT_ID, BOT_NAME)
    assert addressed_to_bot(message("thế còn Cà Mau?", reply_to=ours), BOT_ID, BOT_NAME)
    assert not addressed_to_bot(message("đồng ý", reply_to=theirs), BOT_ID, BOT_NAME)
    by_name = MessageEntity(MessageEntity.TEXT_MENTION, 0, 3, user=BOT)
    assert addressed_to_bot(message("Bot ơi, Cần Thơ?", entities=(by_name,)), BOT_ID, BOT_NAME)


def test_rate_limiter_window_and_one_notice_per_window() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    verdicts = []
    for moment in (0.0, 10.0, 20.0, 30.0, 40.0):
        now[0] = moment
        verdicts.append(limiter.check(1))
    assert verdicts == [Verdict.OK] * 3 + [Verdict.NOTIFY, Verdict.DROP]
    assert limiter.check(2) is Verdict.OK  # per user
    now[0] = 59.9
    assert limiter.check(1) is Verdict.DROP
    now[0] = 60.1  # the first question left the window, and only it
    assert limiter.check(1) is Verdict.OK
    assert limiter.check(1) is Verdict.NOTIFY  # a new window, a new notice
    assert all(RateLimiter(0).check(9) is Verdict.OK for _ in range(100))


def test_recent_ids_spot_repeats_within_their_memory() -> None:
    seen = RecentIds(size=3)
    assert [seen.seen(i) for i in (1, 2, 1, 3, 4)] == [False, False, True, False, False]
    assert seen.seen(1) is False  # forgotten after 3 newer ids

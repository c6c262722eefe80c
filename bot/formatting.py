"""Pure formatting for Telegram: answers as HTML pages of at most 4,096 characters, buttons, texts.

Every piece of article or user text goes through ``escape`` (HTML, and control characters
made visible; names also keep to one line); markup is only ever produced
from ``Span`` runs, so a message can be split between runs or words but never inside a tag.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from retrieval import (
    Answer,
    ArticleInfo,
    SearchHit,
    SearchResponse,
    Source,
    answer_value,
    event_line,
    events_heading,
    people_groups,
)
from retrieval.answers.shown import answer_words

from .visible import visible_name, visible_text

MAX_MESSAGE = int(MessageLimit.MAX_TEXT_LENGTH)
MAX_CALLBACK_DATA = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
# The Bot API sets no limit on a button's label (telegram.constants has none), but clients
# show long labels cut short on a phone; 64 UTF-16 units keep the default examples whole.
MAX_BUTTON_LABEL = 64
ELLIPSIS = "…"
BLOCK_SEPARATOR = "\n\n"

# --- texts people read ---------------------------------------------------------------------

COMMANDS = (
    ("start", "Lời chào và câu hỏi mẫu"),
    ("help", "Cách dùng"),
    ("sources", "Các bài báo đang được tra cứu"),
    ("ask", "Đặt câu hỏi (dùng trong nhóm)"),
    ("people", "Những người được nhắc đến, hoặc sự kiện của một người"),
    ("events", "Các sự kiện, mới nhất trước"),
)
# The menu for a user whose Telegram speaks English (registered for language code 'en').
COMMANDS_EN = (
    ("start", "Greeting and example questions"),
    ("help", "How to use the bot"),
    ("sources", "The news articles searched"),
    ("ask", "Ask a question (in groups)"),
    ("people", "The people mentioned, or one person's events"),
    ("events", "The events, newest first"),
)
MORE_LABEL = "Xem thêm ▸"
BACK_LABEL = "◂ Trang trước"
NO_RESULTS = ("Mình không tìm thấy đoạn báo nào phù hợp. Bạn thử hỏi cách khác, chẳng hạn thêm "
              "tên người, địa danh hoặc thời gian.")
NO_MORE = "Không còn đoạn nào khác cho câu hỏi này."


@dataclass(frozen=True)
class PageWords:
    """The words of an answer page: Vietnamese, or English for a question asked in English
    (the passages themselves stay as the articles write them)."""

    more: str
    back: str
    no_results: str
    no_more: str
    passages_of: Callable[[int, int, int], str]  # first, last, total
    date: str
    place: str


PAGE_WORDS = {
    False: PageWords(MORE_LABEL, BACK_LABEL, NO_RESULTS, NO_MORE,
                     lambda first, last, total: f"Đoạn {first}–{last} trong {total} đoạn tìm thấy",
                     "📅 Thời gian: ", "📍 Địa điểm: "),
    True: PageWords("More ▸", "◂ Previous", "I found no matching news passage. Try asking "
                    "another way, for example with a person's name, a place or a time.",
                    "No more passages for this question.",
                    lambda first, last, total: f"Passages {first}–{last} of {total} found",
                    "📅 When: ", "📍 Where: "),
}
BAD_QUESTION = ("Câu hỏi chưa có từ nào để tìm. Bạn hãy gõ vài từ, ví dụ tên người, địa danh "
                "hoặc sự kiện.")
NOT_TEXT = "Mình chỉ đọc được câu hỏi bằng chữ. Bạn hãy gõ câu hỏi nhé."
UNKNOWN_COMMAND = "Mình chưa hiểu lệnh này. Gõ /help để xem cách dùng."
NOT_ALLOWED = ("Xin lỗi, mình chỉ trả lời trong các cuộc trò chuyện đã được cho phép, nên không "
               "thể giúp bạn ở đây.")
EXPIRED = "Lượt tìm kiếm này đã hết hạn. Bạn hãy gửi lại câu hỏi nhé."
APOLOGY = "Xin lỗi, mình vừa gặp trục trặc khi xử lý tin nhắn này. Bạn thử lại sau ít phút nhé."
UNAVAILABLE = ("Xin lỗi, kho bài báo tạm thời không truy cập được (temporarily unavailable). "
               "Bạn thử lại sau ít phút nhé.")
EMPTY_INDEX = "Hiện chưa có bài báo nào được lập chỉ mục."


# What the bot says outside an answer: (Vietnamese, English). English for a user whose
# Telegram app is set to another language (``speaks_english``).
SAID: dict[str, tuple[str, str]] = {
    "bad_question": (BAD_QUESTION, "Your question has no word to search for. Type a few "
                     "words, e.g. a person's name, a place or an event."),
    "not_text": (NOT_TEXT, "I can only read questions typed as text. Please type your "
                 "question."),
    "unknown_command": (UNKNOWN_COMMAND, "I don't know this command. Type /help to see how "
                        "to use me."),
    "not_allowed": (NOT_ALLOWED, "Sorry, I only answer in the chats I am allowed in, so I "
                    "cannot help here."),
    "expired": (EXPIRED, "This search has expired. Please send your question again."),
    "apology": (APOLOGY, "Sorry, something went wrong with this message. Please try again in "
                "a few minutes."),
    "unavailable": (UNAVAILABLE, "Sorry, the news collection is temporarily unavailable. "
                    "Please try again in a few minutes."),
}


def say(key: str, english: bool) -> str:
    return SAID[key][english]


def rate_limited(per_minute: int, *, english: bool = False) -> str:
    if english:
        return (f"You are asking a little fast: at most {per_minute} questions a minute each. "
                "Wait a moment, then ask again.")
    return (f"Bạn hỏi hơi nhanh rồi: mỗi người được hỏi tối đa {per_minute} câu mỗi phút. "
            "Đợi một chút rồi hỏi tiếp nhé.")


def empty_ask(example: str, *, english: bool = False) -> str:
    lead = ("Write your question right after the command, e.g." if english
            else "Bạn hãy viết câu hỏi ngay sau lệnh, ví dụ:")
    return f"{lead} /ask {escape(visible_name(example))}"


def speaks_english(language_code: str | None) -> bool:
    """Whether to greet a Telegram user in English: their app is set to a language other
    than Vietnamese (unknown: Vietnamese, the bot's language)."""
    return bool(language_code) and not str(language_code).lower().startswith("vi")


def english_user(update: object) -> bool:
    """Whether to speak English to the user an update comes from (``speaks_english``)."""
    user = getattr(update, "effective_user", None)
    return speaks_english(getattr(user, "language_code", None))


def greeting(examples: Sequence[str], *, english: bool = False
             ) -> tuple[str, InlineKeyboardMarkup]:
    """The /start message and its example-question buttons."""
    text = ("Xin chào! 👋 Mình là trợ lý tra cứu tin tức. Bạn cứ hỏi bằng tiếng Việt, mình sẽ "
            "tìm những đoạn báo phù hợp nhất và ghi rõ nguồn của từng đoạn.\n\n"
            "Bạn có thể bắt đầu bằng một câu hỏi mẫu:")
    if english:
        text = ("Hello! 👋 I search Vietnamese news. Ask in English or in Vietnamese (with or "
                "without diacritics): I answer with the passages that fit best, each with its "
                "source.\n\nYou can start with an example question:")
    buttons = [[InlineKeyboardButton(button_label(question), callback_data=example_data(i))]
               for i, question in enumerate(examples)]
    return text, InlineKeyboardMarkup(buttons)


def button_label(text: str, limit: int = MAX_BUTTON_LABEL) -> str:
    """``text`` as a button label: whole if it fits, else cut between words with '…'."""
    text = visible_name(" ".join(text.split()))
    if tg_len(text) <= limit:
        return text
    room = limit - tg_len(ELLIPSIS)
    cut = ""
    for word in text.split(" "):
        longer = f"{cut} {word}" if cut else word
        if tg_len(longer) > room:
            break
        cut = longer
    if not cut:  # a first word longer than a label: cut it by characters
        for char in text:
            if tg_len(cut + char) > room:
                break
            cut += char
    return cut.rstrip(" ,;:–-") + ELLIPSIS


def help_text(bot_username: str, example: str, *, english: bool = False) -> str:
    if english:
        return _help_text_english(bot_username, example)
    mention = html.escape(f"@{bot_username}", quote=False) if bot_username else "tên mình"
    return (
        "<b>Cách dùng</b>\n"
        "• Gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được, ví dụ: "
        f"<i>{escape(visible_name(example))}</i>\n"
        "• Hỏi bằng tiếng Anh cũng được (ask in English and the answer is worded in "
        "English).\n"
        "• Mình trả lời bằng những đoạn báo liên quan nhất. Chữ in đậm là các từ khớp với câu "
        "hỏi; dưới mỗi đoạn là tên bài, ngày đăng và tệp nguồn.\n"
        f"• Bấm <b>{MORE_LABEL}</b> để xem các đoạn tiếp theo.\n\n"
        "<b>Trong nhóm</b>\n"
        f"Dùng /ask kèm câu hỏi, nhắc {mention} trong tin nhắn, hoặc trả lời một tin nhắn "
        "của mình.\n\n"
        "<b>Các lệnh</b>\n"
        + "\n".join(f"/{name} – {description}" for name, description in COMMANDS)
    )


def _help_text_english(bot_username: str, example: str) -> str:
    mention = html.escape(f"@{bot_username}", quote=False) if bot_username else "my name"
    more = PAGE_WORDS[True].more
    return (
        "<b>How to use</b>\n"
        "• Type a question in English, or in Vietnamese with or without diacritics, e.g. "
        f"<i>{escape(visible_name(example))}</i>\n"
        "• I answer with the most relevant news passages (in Vietnamese, as the articles "
        "write them). Bold words match your question; under each passage are the article's "
        "title, date and file.\n"
        f"• Press <b>{more}</b> for the next passages.\n\n"
        "<b>In groups</b>\n"
        f"Use /ask with a question, mention {mention} in a message, or reply to one of my "
        "messages.\n\n"
        "<b>Commands</b>\n"
        + "\n".join(f"/{name} – {description}" for name, description in COMMANDS_EN)
    )


# --- markup runs and splitting -------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A run of text with one style; rendering escapes it."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None  # an http(s) URL the text links to

    def tags(self) -> tuple[str, str]:
        names = [name for name, on in (("b", self.bold), ("i", self.italic),
                                       ("code", self.code)) if on]
        opening = "".join(f"<{n}>" for n in names)
        closing = "".join(f"</{n}>" for n in reversed(names))
        if self.link:
            return (f'<a href="{html.escape(self.link, quote=True)}">{opening}',
                    f"{closing}</a>")
        return opening, closing

    def restyled(self, text: str) -> Span:
        return Span(text, self.bold, self.italic, self.code, self.link)


Block = tuple[Span, ...]


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(visible_text(text), quote=False)


def render(spans: Iterable[Span]) -> str:
    out: list[str] = []
    for span in spans:
        if span.text:
            opening, closing = span.tags()
            out.append(f"{opening}{escape(span.text)}{closing}")
    return "".join(out)


def pack_blocks(blocks: Sequence[Block], limit: int = MAX_MESSAGE) -> list[str]:
    """Blocks joined into messages of at most ``limit``; only an oversized block is split."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        rendered = render(block)
        if not rendered.strip():
            continue
        if tg_len(rendered) > limit:
            if current:
                messages.append(current)
            parts = split_block(block, limit)
            messages.extend(parts[:-1])
            current = parts[-1]
            continue
        joined = f"{current}{BLOCK_SEPARATOR}{rendered}" if current else rendered
        if tg_len(joined) <= limit:
            current = joined
        else:
            messages.append(current)
            current = rendered
    if current:
        messages.append(current)
    return messages


def split_block(block: Block, limit: int) -> list[str]:
    """Split one oversized block between words (inside a word only if it alone is too long)."""
    messages: list[str] = []
    pieces: list[Span] = []
    size = 0
    for piece in _pieces(block, limit):
        cost = _cost(pieces[-1] if pieces else None, piece)
        if pieces and size + cost > limit:
            messages.append(render(_merge(pieces)).rstrip())
            pieces, size = [], 0
            if not piece.text.strip():
                continue
            cost = _cost(None, piece)
        pieces.append(piece)
        size += cost
    if pieces:
        messages.append(render(_merge(pieces)).rstrip())
    return [m for m in messages if m]


def _pieces(block: Block, limit: int) -> Iterable[Span]:
    for span in block:
        opening, closing = span.tags()
        room = limit - tg_len(opening + closing)
        for word in re.findall(r"\S+\s*|\s+", span.text):
            if tg_len(escape(word)) <= room:
                yield span.restyled(word)
                continue
            chunk = ""
            for char in word:  # a 'word' longer than a message: cut by characters
                if tg_len(escape(chunk + char)) > room:
                    yield span.restyled(chunk)
                    chunk = ""
                chunk += char
            if chunk:
                yield span.restyled(chunk)


def _same_style(a: Span, b: Span) -> bool:
    return (a.bold, a.italic, a.code, a.link) == (b.bold, b.italic, b.code, b.link)


def _cost(previous: Span | None, piece: Span) -> int:
    """Characters ``piece`` adds after ``previous`` once equal styles are merged."""
    text = tg_len(escape(piece.text))
    if previous is not None and _same_style(previous, piece):
        return text
    opening, closing = piece.tags()
    return text + tg_len(opening + closing)


def _merge(pieces: Sequence[Span]) -> list[Span]:
    merged: list[Span] = []
    for piece in pieces:
        if merged and _same_style(merged[-1], piece):
            merged[-1] = merged[-1].restyled(merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


# --- answers -------------------------------------------------------------------------------

def format_page(response: SearchResponse, offset: int, *, question_echo: str | None = None,
                limit: int = MAX_MESSAGE) -> list[str]:
    """One page of results (the passages after ``offset``) as HTML messages, worded in the
    question's language."""
    english = response.english
    said = PAGE_WORDS[english]
    blocks: list[Block] = []
    if question_echo:
        blocks.append((Span("❓ "), Span(visible_name(question_echo), bold=True)))
    if offset == 0:
        blocks.extend((Span(f"⚠️ {notice}", italic=True),) for notice in response.notices)
    if not response.results:
        blocks.append((Span(said.no_results if offset == 0 else said.no_more),))
        return pack_blocks(blocks, limit)
    answer = answer_block(response.answer, english=english)
    if answer:
        blocks.append(answer)
    first, last = response.results[0].rank, response.results[-1].rank
    if offset > 0 or response.total > len(response.results):
        blocks.append((Span(said.passages_of(first, last, response.total), italic=True),))
    blocks.extend(passage_block(hit, english=english) for hit in response.results)
    return pack_blocks(blocks, limit)


def answer_block(answer: Answer | None, *, english: bool = False) -> Block | None:
    """The short answer above the passages; names point at their passage number."""
    if answer is None:
        return None
    if answer.kind == "people":
        spans: list[Span] = []
        for group in people_groups(answer, english=english):
            spans.append(Span("\n" if spans else "👥 "))
            spans.append(Span(group.heading, bold=True))
            for person in group.people:
                spans.append(Span("\n• "))
                spans.append(Span(visible_name(person.name), bold=True))
                if person.title:
                    spans.append(Span(f", {visible_name(person.title)}"))
                spans.append(Span(f" [{person.rank_of_passage}]"))
        return tuple(spans) or None
    if answer.kind == "events":
        spans = [Span("🗓 "), Span(events_heading(answer, english=english), bold=True)]
        for event in answer.events:
            spans += [Span("\n• "), Span(event_line(event, english=english), bold=True),
                      Span(f"\n“{event.evidence}”\n"),
                      *source_line(event.source, english=english)]
        return tuple(spans)
    if not answer.value:
        return None
    said = PAGE_WORDS[english]
    label = said.date if answer.kind == "date" else said.place
    reference = f" [{answer.rank_of_passage}]" if answer.rank_of_passage else ""
    return (Span(label), Span(visible_name(answer_value(answer, english=english)), bold=True),
            Span(reference))


def passage_block(hit: SearchHit, *, english: bool = False) -> Block:
    """'[n] passage' with matched words in bold, then 'title · date · file'."""
    return (Span(f"[{hit.rank}]", bold=True), Span(" "), *highlighted(hit.text, hit.highlights),
            Span("\n"), *source_line(hit.source, english=english))


def highlighted(text: str, highlights: Iterable[tuple[int, int]]) -> list[Span]:
    spans: list[Span] = []
    position = 0
    for start, end in _merged_ranges(text, highlights):
        if start > position:
            spans.append(Span(text[position:start]))
        spans.append(Span(text[start:end], bold=True))
        position = end
    if position < len(text):
        spans.append(Span(text[position:]))
    return spans


def _merged_ranges(text: str, highlights: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Clamped, sorted, non-overlapping ranges; ranges apart only by spaces become one."""
    ranges = sorted((max(0, s), min(len(text), e)) for s, e in highlights)
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if end <= start:
            continue
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip(" ")):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def source_line(source: Source, *, english: bool = False) -> list[Span]:
    """'📰 title · date · file', the title linked to the article's page when it has one."""
    link = source.url if source.url and _WEB_LINK.match(source.url) else None
    return [Span("📰 "), Span(visible_name(source.title), italic=True, link=link),
            Span(f" · {format_date(source.date, english=english)} · "),
            Span(visible_name(source.file), code=True)]


_WEB_LINK = re.compile(r"https?://[^\s<>\"]+$", re.IGNORECASE)


def format_date(date: str | None, *, english: bool = False) -> str:
    """'2022-08-11' -> '11/08/2022'; '2022-08' -> 'tháng 08/2022' ('08/2022' in English)."""
    said = answer_words(english)
    if not date:
        return said.no_date
    parts = date.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{said.month}{parts[1]}/{parts[0]}"
    return date


def format_sources(articles: Sequence[ArticleInfo], limit: int = MAX_MESSAGE, *,
                   english: bool = False) -> list[str]:
    """The indexed articles: title, date and passage count, one block each."""
    if not articles:
        return ["No article is indexed yet." if english else EMPTY_INDEX]
    passages = sum(a.chunks for a in articles)

    def counted(count: int, vietnamese: str, noun: str) -> str:
        if not english:
            return f"{count} {vietnamese}"
        return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

    heading = "The news articles searched" if english else "Các bài báo đang được tra cứu"
    blocks: list[Block] = [(Span("📚 "), Span(heading, bold=True),
                            Span(f" ({counted(len(articles), 'bài', 'article')}, "
                                 f"{counted(passages, 'đoạn', 'passage')})"))]
    for number, article in enumerate(articles, 1):
        blocks.append((Span(f"{number}. "), Span(visible_name(article.title), bold=True),
                       Span(f"\n{format_date(article.date, english=english)} · "
                            f"{counted(article.chunks, 'đoạn', 'passage')} · "),
                       Span(visible_name(article.file), code=True)))
    return pack_blocks(blocks, limit)


# --- buttons -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageRef:
    """What a paging button points at: the question's origin and the first result wanted."""

    # 'r': the message the answer replies to; 'f': the question that message was read as
    # (a follow-up); 'e<i>': example question i
    origin: str
    offset: int
    mac: str


_PAGE_DATA = re.compile(r"p:(r|f|e\d{1,2}):(\d{1,4}):([0-9a-f]{12})")
_EXAMPLE_DATA = re.compile(r"x:(\d{1,2})")
MAX_OFFSET = 9999


def page_mac(key: bytes, chat_id: int, origin: str, offset: int, question: str) -> str:
    """Binds a button to its chat, question and offset, so forged or stale data is refused."""
    # 'surrogatepass': a question may carry a lone surrogate (a JSON '\ud800' escape).
    message = f"{chat_id}\x1f{origin}\x1f{offset}\x1f{question}".encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:12]


def page_data(key: bytes, chat_id: int, origin: str, offset: int, question: str) -> str:
    data = f"p:{origin}:{offset}:{page_mac(key, chat_id, origin, offset, question)}"
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    return data


def parse_page_data(data: str) -> PageRef | None:
    match = _PAGE_DATA.fullmatch(data)
    if match is None:
        return None
    return PageRef(match[1], int(match[2]), match[3])


def example_data(index: int) -> str:
    return f"x:{index}"


def parse_example_data(data: str) -> int | None:
    match = _EXAMPLE_DATA.fullmatch(data)
    return int(match[1]) if match else None


def paging_keyboard(key: bytes, chat_id: int, origin: str, question: str, offset: int,
                    page_size: int, total: int, *, english: bool = False
                    ) -> InlineKeyboardMarkup | None:
    """'Previous' / 'More' buttons for the page starting at ``offset`` (None if one page)."""
    said = PAGE_WORDS[english]
    row: list[InlineKeyboardButton] = []
    if offset > 0:
        back = max(0, offset - page_size)
        row.append(InlineKeyboardButton(
            said.back, callback_data=page_data(key, chat_id, origin, back, question)))
    following = offset + page_size
    if following < total and following <= MAX_OFFSET:
        row.append(InlineKeyboardButton(
            said.more, callback_data=page_data(key, chat_id, origin, following, question)))
    return InlineKeyboardMarkup([row]) if row else None

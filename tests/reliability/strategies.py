"""Hypothesis strategies for hostile text: the pieces people paste, and very long strings."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

# Every kind of trouble the issue lists, as short pieces to mix with random text.
NASTY_PIECES = (
    "Cà Mau", "Người đã tham dự Ngày hội", unicodedata.normalize("NFD", "Tô Lâm tham dự"),
    "e\u0301\u0302\u0323", "\u0301\u0300\u0303\u0309", "a\u200b\u0301",  # stray / split marks
    "\u200b\u200c\u200d\u2060\ufeff", "\x00\x07\x1b[31m\x7f\x85\x9f", "\r\n", "\r", "\u2028\u2029",
    "مرحبا بالعالم", "שלום", "\u202eRTL override\u202c", "\u2066isolate\u2069",
    "😀👍🏽👨‍👩‍👧", "🇻🇳", "２０２２", "٠١/٠٨/٢٠٢٢",
    "<b>bold</b> <a href='x'>", "<tg-spoiler>x</tg-spoiler>", "&amp; &lt; &#x1F600; &bogus;",
    "*_`[link](tg://user?id=1)`_*", "||spoiler||", "</pre><script>alert(1)</script>",
    "%s %d %(x)s {0} {question} {}", "'; DROP TABLE;--", "$(touch pwned) `id` ; rm -rf /",
    "../../etc/passwd", "C:\\Windows\\system32", "\ud800", "\udcff lone",
    "31/02/2022", "29/02/2024", "Sáng 3-8 năm 2023", "date 2022-13", "date 2022-08-31 Tin",
    "Thứ Năm, 24/11/2022 - 10:30", "Chủ nhật, 1.1.1899", "9" * 60, "TP. PGS.TS. Nguyễn A.",
    "...", "…", ".\n.\n", "   \t  ",
)
nasty_pieces = st.sampled_from(NASTY_PIECES)
# Any code point, lone surrogates included (a JSON '\ud800' escape or undecodable argv bytes).
any_char = st.one_of(st.characters(), st.characters(categories=["Cs"]))

hostile_text = st.one_of(
    st.text(any_char, max_size=300),
    st.lists(nasty_pieces, max_size=15).map(" ".join),
    st.lists(st.one_of(nasty_pieces, st.text(any_char, max_size=20)), max_size=10).map("".join),
)


def _repeat(parts: tuple[str, int]) -> str:
    piece, length = parts
    piece = piece or "x"
    return (piece * (length // len(piece) + 1))[:length]


# Up to 10^5 characters: a hostile piece repeated (hypothesis cannot draw that much at random).
long_text = st.tuples(
    st.one_of(nasty_pieces, st.text(any_char, min_size=1, max_size=12),
              st.lists(nasty_pieces, min_size=1, max_size=5).map(" ".join)),
    st.integers(1_000, 100_000),
).map(_repeat)

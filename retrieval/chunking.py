"""Articles -> overlapping passages of whole sentences, sized in the model's tokens."""

from __future__ import annotations

import re
from collections.abc import Callable

from .text import sentence_spans
from .types import Article, Chunk

TokenCounter = Callable[[str], int]

_WORD = re.compile(r"\S+")


def chunk_article(
    article: Article, count_tokens: TokenCounter, max_tokens: int, overlap_sentences: int,
    max_sentences: int = 0,
) -> list[Chunk]:
    """Greedy packing of consecutive sentences up to ``max_tokens`` model tokens and, when
    ``max_sentences`` > 0, at most that many sentences.

    Consecutive chunks share ``overlap_sentences`` sentences so a fact split across a
    boundary is whole in one of them. A sentence longer than the budget is cut at spaces.
    Every sentence lands in at least one chunk and each chunk is a slice of the body.
    """
    body = article.body
    overhead = count_tokens("")
    budget = max(max_tokens - overhead, 8)
    units: list[tuple[int, int, int]] = []  # start, end, tokens
    for start, end in sentence_spans(body):
        cost = count_tokens(body[start:end]) - overhead
        if cost <= budget:
            units.append((start, end, cost))
        else:
            units.extend(_split_long(body, start, end, count_tokens, overhead, budget))

    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        total = units[first][2]
        while (last + 1 < len(units) and total + units[last + 1][2] <= budget
               and (max_sentences <= 0 or last + 1 - first < max_sentences)):
            last += 1
            total += units[last][2]
        start, end = units[first][0], units[last][1]
        chunks.append(Chunk(article.file, len(chunks), start, end, body[start:end]))
        if last + 1 >= len(units):
            break
        first = max(first + 1, last + 1 - overlap_sentences)
    return chunks


def _split_long(
    body: str, start: int, end: int, count_tokens: TokenCounter, overhead: int, budget: int
) -> list[tuple[int, int, int]]:
    pieces: list[tuple[int, int, int]] = []
    for match in _WORD.finditer(body, start, end):
        w_start, w_end = match.span()
        cost = max(count_tokens(body[w_start:w_end]) - overhead, 1)
        if cost > budget:
            # One 'word' over the whole budget (a URL, a string without spaces).
            step = max(budget // 2, 1)
            for cut in range(w_start, w_end, step):
                pieces.append((cut, min(cut + step, w_end), budget))
            continue
        pieces.append((w_start, w_end, cost))
    units: list[tuple[int, int, int]] = []
    for p_start, p_end, cost in pieces:
        if units and units[-1][2] + cost <= budget:
            u_start, _, u_cost = units[-1]
            units[-1] = (u_start, p_end, u_cost + cost)
        else:
            units.append((p_start, p_end, cost))
    return units

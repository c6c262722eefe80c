"""Printing answers on stdout: plain text or one JSON object per line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from retrieval import BadQuestionError, Searcher

from ..serialize import finite, response_to_dict
from .messages import t
from .terminal import safe

# Read at most this many characters of one stdin line per max_question_chars: the core cuts
# a question to max_question_chars after cleaning, and cleaning may drop some (markup,
# controls); a 27 MB line is never held whole.
LINE_SLACK = 4
DISCARD_CHUNK = 1 << 16


def bounded_lines(stream: TextIO, limit: int) -> Iterator[str]:
    """The lines of ``stream``, each cut to ``limit`` characters (the rest is skipped
    unread into memory)."""
    while True:
        line = stream.readline(limit)
        if not line:
            return
        if len(line) >= limit and not line.endswith("\n"):
            while True:  # skip the rest of an overlong line in bounded pieces
                rest = stream.readline(DISCARD_CHUNK)
                if not rest or rest.endswith("\n"):
                    break
        yield line


def answer_lines(searcher: Searcher, lines: Iterable[str], top_k: int, *, as_json: bool) -> None:
    """One answer block per input line, numbered, the question shown; a blank line is
    marked as blank and a bad one gets its error, in plain and JSON alike."""
    for number, line in enumerate(lines, 1):
        question = line.rstrip("\r\n")
        if not question.strip():
            if as_json:
                emit({"line": number, "question": question, "blank": True})
            else:
                _write(t("line_header", line=number, question=t("blank_line")) + "\n\n")
            continue
        try:
            response = searcher.search(question, top_k)
        except BadQuestionError as exc:
            if as_json:
                emit({"line": number, "question": question, "error": str(exc)})
            else:
                _write(t("line_header", line=number, question=safe(question)) + "\n"
                       + t("line_error", error=safe(exc)) + "\n\n")
            continue
        data = {"line": number, **response_to_dict(response)}
        if not as_json:
            _write(t("line_header", line=number, question=safe(response.question)) + "\n")
        print_response(data, as_json)


def emit(data: dict[str, Any]) -> None:
    # No NaN or Infinity: they are not JSON (a damaged weight could make scores NaN).
    _write(json.dumps(finite(data), ensure_ascii=False, allow_nan=False) + "\n")


def print_response(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit(data)
        return
    from ..render import render_plain

    _write(render_plain(data))


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()

"""Printing answers on stdout: plain text or one JSON object per line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from retrieval import BadQuestionError, Searcher

from ..serialize import response_to_dict


def answer_lines(searcher: Searcher, lines: Iterable[str], top_k: int, *, as_json: bool) -> None:
    """One answer per input line; a bad line gets an error object and the rest go on."""
    for line in lines:
        question = line.rstrip("\n")
        if not question.strip():
            if as_json:
                emit({"question": question, "error": "empty question"})
            continue
        try:
            response = searcher.search(question, top_k)
        except BadQuestionError as exc:
            if as_json:
                emit({"question": question, "error": str(exc)})
            else:
                print(f"newsqa: {exc}", file=sys.stderr)
            continue
        print_response(response_to_dict(response), as_json)


def emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_response(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit(data)
        return
    from ..render import render_plain

    sys.stdout.write(render_plain(data))
    sys.stdout.flush()

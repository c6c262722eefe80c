"""`newsqa ask`: answer one question, or one per stdin line."""

from __future__ import annotations

import argparse
import sys

from retrieval import BadQuestionError, RetrievalSettings

from ._common import EXIT_OK, EXIT_USAGE, SubParsers, positive_top_k

ORDER = 20


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    ask = sub.add_parser("ask", parents=[common], help="answer a question (or stdin lines)")
    ask.add_argument("question", nargs="?", help="the question; omit to read stdin lines")
    ask.add_argument("-k", "--top-k", type=positive_top_k, help="passages per answer")
    ask.add_argument("--json", action="store_true", help="JSON (JSON Lines for stdin)")
    ask.set_defaults(handler=cmd_ask)


def cmd_ask(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from ..frontend import answer_lines, open_searcher, print_response
    from ..frontend.messages import describe, t
    from ..frontend.output import LINE_SLACK, bounded_lines
    from ..serialize import response_to_dict

    top_k = args.top_k or settings.top_k
    if args.question is not None:
        if not args.question.strip():
            print(f"newsqa: {t('empty_question')}", file=sys.stderr)
            return EXIT_USAGE
        searcher = open_searcher(settings)
        try:
            response = searcher.search(args.question, top_k)
        except BadQuestionError as exc:
            print(f"newsqa: {describe(exc)}", file=sys.stderr)
            return EXIT_USAGE
        print_response(response_to_dict(response), args.json)
        return EXIT_OK
    searcher = open_searcher(settings)
    lines = bounded_lines(sys.stdin, LINE_SLACK * settings.max_question_chars + 1)
    answer_lines(searcher, lines, top_k, as_json=args.json)
    return EXIT_OK

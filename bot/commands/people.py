"""`newsqa people [NAME]` (everyone named, with counts; or one person's events) and
`newsqa events` (every event with its day and place)."""

from __future__ import annotations

import argparse
import sys

from retrieval import RetrievalSettings

from ._common import EXIT_OK, EXIT_USAGE, SubParsers

ORDER = 45


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    people = sub.add_parser("people", parents=[common],
                            help="the people of the collection, or one person's events")
    people.add_argument("name", nargs="*", help="a name ('Tô Lâm', 'to lam'); omit for all")
    people.set_defaults(handler=cmd_people)
    events = sub.add_parser("events", parents=[common],
                            help="the events of the collection, newest first")
    events.set_defaults(handler=cmd_events)


def cmd_people(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.events.lookup import people_report

    from ..frontend import open_searcher
    from ..frontend.messages import language
    from ..people_view import people_plain

    english = language() == "en"
    report = people_report(open_searcher(settings).people(), " ".join(args.name),
                           english=english)
    if report.kind == "bad":
        print(f"newsqa: {report.heading}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(people_plain(report, english=english))
    return EXIT_OK


def cmd_events(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from ..frontend import open_searcher
    from ..frontend.messages import language
    from ..people_view import events_plain

    sys.stdout.write(events_plain(open_searcher(settings).people(),
                                  english=language() == "en"))
    return EXIT_OK

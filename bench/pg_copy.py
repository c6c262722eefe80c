"""Copy a files index (its live generation, vectors included) into the Postgres store.

For comparing the two stores on one collection without embedding it twice (the model
takes about an hour per 10^5 passages here): `newsqa eval` through Postgres then finds
every article unchanged.

    python -m bench.pg_copy --index INDEX_DIR --pg-url postgresql://…
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from retrieval import RetrievalSettings
from retrieval.store import open_store
from retrieval.store.copy import copy_live
from retrieval.store.files import FilesStore


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--pg-url", required=True)
    args = parser.parse_args(argv)
    source = FilesStore(RetrievalSettings(index_dir=args.index,  # type: ignore[call-arg]
                                          _env_file=None))
    target = open_store(RetrievalSettings(  # type: ignore[call-arg]
        store="postgres", pg_url=SecretStr(args.pg_url), _env_file=None))
    started = time.perf_counter()
    try:
        name = copy_live(source, target)
    finally:
        target.close()
        source.close()
    print(f"copied {args.index} into {name} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

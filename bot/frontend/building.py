"""Opening the searcher, building a missing index first, with a progress bar on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

from retrieval import IndexNotFoundError, RetrievalSettings, Searcher, build_index

from ..progress import BuildProgress


def run_build(settings: RetrievalSettings, *, full: bool, stream: TextIO | None = None) -> None:
    """Build with a progress bar on stderr and a summary line at the end."""
    stream = stream or sys.stderr
    with BuildProgress(stream) as progress:
        report = build_index(
            settings, full=full, progress=progress.update,
            on_skip=lambda skipped: print(
                f"warning: skipped {skipped.file}: {skipped.reason}", file=stream),
        )
    print(report.summary(), file=stream)


def open_searcher(settings: RetrievalSettings) -> Searcher:
    """The searcher; a missing index is built first, saying so."""
    try:
        return Searcher.open(settings)
    except IndexNotFoundError:
        print(f"No index in {settings.index_dir} yet: building it from {settings.articles_dir} "
              "first.", file=sys.stderr)
        run_build(settings, full=False)
        return Searcher.open(settings)

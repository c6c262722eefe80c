"""Opening the searcher, building a missing index first, with a progress bar on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

from retrieval import IndexNotFoundError, RetrievalSettings, Searcher, build_index
from retrieval.indexer import BuildReport

from .messages import count, t
from .progress import BuildProgress
from .terminal import safe


def run_build(settings: RetrievalSettings, *, full: bool, stream: TextIO | None = None) -> None:
    """Build with a progress bar on stderr and a summary line at the end."""
    stream = stream or sys.stderr
    if (settings.store == "files" and not settings.index_dir.exists()
            and settings.index_dir.parent.is_dir()):
        # Most often a mistyped --index: say where the new index goes before embedding
        # (a path under a file fails with its own one line).
        print(t("creating_new_index", index_dir=safe(settings.index_dir.absolute())),
              file=stream)
    with BuildProgress(stream) as progress:
        report = build_index(
            settings, full=full, progress=progress.update,
            on_skip=lambda skipped: print(
                t("skipped", file=safe(skipped.file), reason=safe(skipped.reason)),
                file=stream),
        )
    print(summary(report), file=stream)


def summary(report: BuildReport) -> str:
    rate = report.embedded_chunks / report.embed_seconds if report.embed_seconds > 0 else 0.0
    extra = ""
    if report.removed_articles:
        extra += t("summary_removed", count=report.removed_articles)
    if report.skipped:
        extra += t("summary_skipped", files=count("n_files", len(report.skipped)))
    return t("summary", articles=count("n_articles", report.articles),
             passages=count("n_passages", report.chunks), embedded=report.embedded_chunks,
             rate=rate, reused=report.reused_chunks, extra=extra, seconds=report.seconds)


def open_searcher(settings: RetrievalSettings) -> Searcher:
    """The searcher; a missing index is built first, saying so."""
    try:
        return Searcher.open(settings)
    except IndexNotFoundError:
        if settings.index_dir.exists():
            print(t("building_missing", index_dir=safe(settings.index_dir),
                    articles_dir=safe(settings.articles_dir)), file=sys.stderr)
        run_build(settings, full=False)
        return Searcher.open(settings)

"""A build interrupted or failing at any step of writing and committing its generation leaves
an index that loads and answers, the old one or the new one (issue 19.1), and the next build
reuses what is intact instead of embedding again."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from retrieval import NewsQAError, RetrievalSettings, Searcher, build_index
from retrieval.dense import FaissIndex
from retrieval.diacritics import DiacriticRestorer
from retrieval.lexical import LexicalIndex
from retrieval.store import IndexDir, layout, writer

from ..support.fake_embedder import HashingEmbedder

# Every step of a build's write and commit sequence: each file written, each fsync, the
# rename of the pointer, each folder pruned.
STEPS: list[tuple[Any, str]] = [
    (writer, "open"), (writer, "save_array"), (writer, "write_json"), (writer, "write_text"),
    (DiacriticRestorer, "save"), (FaissIndex, "save"), (LexicalIndex, "save"),
    (layout, "open"), (os, "fsync"), (os, "replace"), (shutil, "rmtree"),
]


class Injector:
    """Counts the steps of a build; raises ``error`` at step ``fail_at`` (1-based)."""

    def __init__(self, fail_at: int | None = None,
                 error: Callable[[], BaseException] | None = None) -> None:
        self.fail_at, self.error, self.calls = fail_at, error, 0
        self.failed: str | None = None

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.fail_at and self.error is not None:
                self.failed = label
                raise self.error()
            return function(*args, **kwargs)
        return step

    @contextmanager
    def installed(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        with monkeypatch.context() as patch:
            for owner, name in STEPS:
                label = f"{getattr(owner, '__name__', owner)}.{name}"
                original = getattr(owner, name, None) or open
                patch.setattr(owner, name, self.wrap(label, original), raising=False)
            yield


def write_articles(folder: Path, numbers: range) -> set[str]:
    for number in numbers:
        (folder / f"{number}.txt").write_text(
            f"Bản tin số {number}\n\nNgày hội an ninh ở xã số {number}. Ông Nguyễn Văn "
            f"{number} phát biểu.", "utf-8")
    return {f"{n}.txt" for n in numbers}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[str], set[str]]:
    """(articles, index with two generations, files of the live one, files after the change)."""
    root = tmp_path_factory.mktemp("commit-faults")
    articles = root / "articles"
    articles.mkdir()
    old = write_articles(articles, range(3))
    settings = RetrievalSettings(articles_dir=articles, index_dir=root / "index",
                                 _env_file=None)
    build_index(settings, embedder=HashingEmbedder())
    build_index(settings, embedder=HashingEmbedder(), full=True)  # something to prune
    new = old | write_articles(articles, range(3, 5))
    return articles, root / "index", old, new


def answers(settings: RetrievalSettings, expected: tuple[set[str], ...]) -> None:
    index = IndexDir(settings.index_dir)
    assert index.current() is not None and index.current().is_dir()  # type: ignore[union-attr]
    searcher = Searcher(settings, HashingEmbedder())
    assert {a.file for a in searcher.articles()} in expected
    assert searcher.search("Bản tin số 1").results[0].source.file == "1.txt"


def test_a_clean_build_has_steps_of_every_kind(base: tuple[Path, Path, set[str], set[str]],
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    articles, index, _, new = base
    shutil.copytree(index, tmp_path / "index")
    settings = RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "index",
                                 _env_file=None)
    counter = Injector()
    with counter.installed(monkeypatch):
        build_index(settings, embedder=HashingEmbedder())
    assert counter.calls >= 20
    answers(settings, (new,))


STEP_COUNT = 40  # more than a build takes (the test above counts them): the tail is a no-op


@pytest.mark.slow
@pytest.mark.parametrize("error", [KeyboardInterrupt,
                                   lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))],
                         ids=["interrupt", "oserror"])
def test_a_failure_at_any_step_leaves_an_index_that_answers(
        base: tuple[Path, Path, set[str], set[str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, error: Callable[[], BaseException]) -> None:
    articles, index, old, new = base
    failed_steps: set[str] = set()
    for step in range(1, STEP_COUNT + 1):
        copy = tmp_path / f"index-{step}"
        shutil.copytree(index, copy)
        settings = RetrievalSettings(articles_dir=articles, index_dir=copy, _env_file=None)
        injector = Injector(step, error)
        with injector.installed(monkeypatch):
            try:
                build_index(settings, embedder=HashingEmbedder())
            except (KeyboardInterrupt, NewsQAError):
                assert injector.failed is not None
        if injector.failed is None:
            break  # the build has fewer steps
        failed_steps.add(injector.failed.rsplit(".", 1)[-1])
        answers(settings, (old, new))
        # The next build recovers and reuses the vectors of the articles it had.
        report = build_index(settings, embedder=HashingEmbedder())
        assert report.reused_chunks >= len(old), (step, injector.failed)
        answers(settings, (new,))
        shutil.rmtree(copy)
    assert {"save_array", "fsync", "replace", "rmtree", "open"} <= failed_steps


def test_folders_of_dead_builds_are_removed_before_writing(
        base: tuple[Path, Path, set[str], set[str]], tmp_path: Path) -> None:
    articles, index, _, new = base
    shutil.copytree(index, tmp_path / "index")
    settings = RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "index",
                                 _env_file=None)
    live = IndexDir(settings.index_dir).current_name()
    for number in range(3):  # what killed builds leave: half-written generations
        dead = settings.index_dir / f"gen-20200101T00000{number}-999-000000"
        (dead / "lexical").mkdir(parents=True)
        (dead / "vectors.npy").write_bytes(b"\0" * 1_000_000)
        (dead / "lexical" / "impacts.npy").write_bytes(b"\0" * 500_000)
    (settings.index_dir / ".CURRENT.999.tmp").write_text("gen-x\n", "utf-8")
    report = build_index(settings, embedder=HashingEmbedder())
    assert report.reclaimed_bytes >= 4_500_000
    assert "4.3 MB left by interrupted builds reclaimed" in report.summary()
    names = sorted(p.name for p in settings.index_dir.iterdir())
    assert [n for n in names if n.startswith("gen-")] == sorted([live, report.generation])
    assert ".CURRENT.999.tmp" not in names
    answers(settings, (new,))
    again = build_index(settings, embedder=HashingEmbedder(), full=True)
    assert again.reclaimed_bytes == 0 and "reclaimed" not in again.summary()


def test_an_index_with_nothing_changed_writes_no_new_generation(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    write_articles(articles, range(3))
    settings = RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "index",
                                 _env_file=None)
    first = build_index(settings, embedder=HashingEmbedder())
    generations = sorted(p.name for p in settings.index_dir.iterdir())
    again = build_index(settings, embedder=HashingEmbedder())
    assert again.up_to_date and again.summary().startswith("Index up to date: 3 articles")
    assert sorted(p.name for p in settings.index_dir.iterdir()) == generations
    assert IndexDir(settings.index_dir).current_name() == first.generation
    # A setting that shapes the index, a changed article or a damaged file: built again.
    for change in ("setting", "article", "damage"):
        if change == "setting":
            settings = settings.model_copy(update={"faiss_index": "hnsw"})
        elif change == "article":
            (articles / "1.txt").write_text("Bản tin số 1\n\nTin mới hẳn.", "utf-8")
        else:
            live = IndexDir(settings.index_dir).require_current()
            data = bytearray((live / "people.npy").read_bytes())
            data[-1] ^= 0xFF
            (live / "people.npy").write_bytes(bytes(data))
        report = build_index(settings, embedder=HashingEmbedder())
        assert not report.up_to_date, change
        assert IndexDir(settings.index_dir).current_name() == report.generation
    assert build_index(settings, embedder=HashingEmbedder()).up_to_date
    assert build_index(settings, embedder=HashingEmbedder(), full=True).generation

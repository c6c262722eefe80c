"""Every filesystem error on a path the index touches is one line naming the path (issue
19.2): no traceback, exit 1, and the previous index keeps answering."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval import NewsQAError, RetrievalSettings, Searcher, build_index
from retrieval.dense import FaissIndex
from retrieval.store import layout, writer

from ..conftest import REPO
from ..support.fake_embedder import HashingEmbedder


def articles(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"{number}.txt").write_text(
            f"Bản tin số {number}\n\nNgày hội an ninh ở xã số {number}.", "utf-8")
    return folder


@pytest.fixture()
def built(tmp_path: Path) -> RetrievalSettings:
    settings = RetrievalSettings(articles_dir=articles(tmp_path / "a"),
                                 index_dir=tmp_path / "index", _env_file=None)
    build_index(settings, embedder=HashingEmbedder())
    articles(tmp_path / "a", 5)  # the next build has something to write
    return settings


def still_answers(settings: RetrievalSettings) -> None:
    searcher = Searcher(settings, HashingEmbedder())
    assert len(searcher.articles()) == 3
    assert searcher.search("Bản tin số 1").results


def one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_faiss_running_out_of_disk_names_dense_faiss(built: RetrievalSettings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    save = FaissIndex.save

    def full_disk(self: FaissIndex, path: Path) -> None:
        # faiss's own RuntimeError of a full disk (a write too small for one buffer only
        # prints a warning when closing, so the index written is a big one).
        big = FaissIndex.build(np.ones((4000, 4), dtype=np.float32), "flat")
        save(big, Path("/dev/full"))

    monkeypatch.setattr(FaissIndex, "save", full_disk)
    with pytest.raises(NewsQAError) as caught:
        build_index(built, embedder=HashingEmbedder())
    message = one_line(caught.value)
    assert "dense.faiss: No space left on device" in message
    assert "previous index is unchanged" in message
    still_answers(built)


def test_a_short_write_says_the_disk_is_full_and_names_the_file(
        built: RetrievalSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    def short(path: Path, array: np.ndarray[Any, Any]) -> None:
        raise OSError(f"{array.nbytes} requested and {array.nbytes // 2} written")

    monkeypatch.setattr(writer, "save_array", short)
    with pytest.raises(NewsQAError) as caught:
        build_index(built, embedder=HashingEmbedder())
    message = one_line(caught.value)
    assert "text_offsets.npy: No space left on device (" in message
    assert str(built.index_dir) in message
    still_answers(built)


@pytest.mark.parametrize("failure", [errno.EROFS, errno.EACCES, errno.EIO])
def test_the_lock_file_that_cannot_be_opened_is_named(
        built: RetrievalSettings, monkeypatch: pytest.MonkeyPatch, failure: int) -> None:
    def refuse(path: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError(failure, os.strerror(failure), str(path))

    monkeypatch.setattr(layout, "open", refuse, raising=False)
    monkeypatch.setattr(layout.os, "open", refuse)
    with pytest.raises(NewsQAError) as caught:
        build_index(built, embedder=HashingEmbedder())
    message = one_line(caught.value)
    assert str(built.index_dir) in message and os.strerror(failure) in message


@pytest.fixture()
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only tmpfs needs root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_an_index_on_a_read_only_filesystem_is_one_line(tmp_path: Path,
                                                        read_only_mount: Path) -> None:
    (read_only_mount / "index").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(read_only_mount)], check=True)
    settings = RetrievalSettings(articles_dir=articles(tmp_path / "a"),
                                 index_dir=read_only_mount / "index", _env_file=None)
    with pytest.raises(NewsQAError) as caught:
        build_index(settings, embedder=HashingEmbedder())
    message = one_line(caught.value)
    assert str(read_only_mount / "index") in message and "Read-only file system" in message


def newsqa_index(index: Path, articles_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEWSQA_INDEX_DIR": str(index),
           "NEWSQA_ARTICLES_DIR": str(articles_dir), "NEWSQA_EMBEDDING_MODEL": "bundled"}
    return subprocess.run([sys.executable, "-m", "bot.cli", "index"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["index is a file", "parent is a file"])
def test_odd_index_paths_give_one_line_and_exit_1(tmp_path: Path, shape: str) -> None:
    index = tmp_path / "index"
    if shape == "index is a file":
        index.write_text("not a folder", "utf-8")
        named = index
    else:
        (tmp_path / "file").write_text("x", "utf-8")
        index = named = tmp_path / "file" / "index"
    result = newsqa_index(index, articles(tmp_path / "a"))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(named) in lines[0]

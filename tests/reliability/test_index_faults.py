"""Index faults: builds killed at random points, concurrent builds, every file damaged.

The kill test runs the real `newsqa index` code with the weightless HashingEmbedder
(`tests/reliability/hashing_newsqa.py`) over 2,000 small articles, so reading, writing and
committing take most of each build and the kills land in every phase.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from retrieval import (
    CorruptIndexError,
    NewsQAError,
    RetrievalSettings,
    Searcher,
    build_index,
)
from retrieval.store import FileBytes, FilesGeneration, IndexDir

from ..conftest import REPO, SEEDS
from ..support.fake_embedder import HashingEmbedder
from .helpers import core_settings

ARTICLES = 2_000
KILL_SEEDS = (101, 202, 303)
KILLS_PER_SEED = 6
LOCKED = "Another `newsqa index` is already building"


def write_articles(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"{number:05d}.txt").write_text(
            f"Bản tin số {number} hôm nay\n\nSáng 3-8, tin{number} về ngày hội an ninh ở xã "
            f"{number % 97}. Người dân tham dự đông đủ.", "utf-8")
    return folder


def generations(index: Path) -> set[str]:
    return {p.name for p in index.iterdir() if p.name.startswith("gen-")} if index.exists() \
        else set()


def start_build(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.reliability.hashing_newsqa", "index",
                             "--full"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_for_new_generation(process: subprocess.Popen[bytes], index: Path,
                            before: set[str]) -> None:
    """Returns once the build has started writing its generation (or has exited)."""
    while process.poll() is None and not generations(index) - before:
        time.sleep(0.001)


def assert_index_answers(settings: RetrievalSettings) -> None:
    searcher = Searcher(settings, HashingEmbedder())
    assert len(searcher.articles()) == ARTICLES
    assert searcher.search("tin1234").results[0].source.file == "01234.txt"


def timed_build(env: dict[str, str], index: Path) -> tuple[float, float]:
    """A complete build: (seconds until it starts writing its generation, seconds in all)."""
    before, started = generations(index), time.monotonic()
    process = start_build(env)
    wait_for_new_generation(process, index, before)
    writing_at = time.monotonic() - started
    assert process.wait(120) == 0
    return writing_at, time.monotonic() - started


def test_builds_killed_at_random_points_leave_a_working_index(tmp_path: Path) -> None:
    articles = write_articles(tmp_path / "articles", ARTICLES)
    index = tmp_path / "index"
    settings = core_settings(index, articles)
    env = {**os.environ, "NEWSQA_INDEX_DIR": str(index), "NEWSQA_ARTICLES_DIR": str(articles)}
    # Two complete builds first: the index every kill must leave working, and the timing
    # (the faster one, so that a load spike does not push the kills past the end).
    writing_at, duration = min(timed_build(env, index), timed_build(env, index),
                               key=lambda timing: timing[1])
    assert_index_answers(settings)

    outcomes: Counter[str] = Counter()
    for seed in KILL_SEEDS:
        rng = random.Random(seed)
        for kill in range(KILLS_PER_SEED):
            anywhere = bool(kill % 2)
            delay = rng.uniform(0.0, duration if anywhere else duration - writing_at)
            for _ in range(4):  # a build that finished first is run again, killed sooner
                live, before = IndexDir(index).current_name(), generations(index)
                process = start_build(env)
                if not anywhere:  # while the new generation is written and committed
                    wait_for_new_generation(process, index, before)
                time.sleep(delay)
                process.send_signal(signal.SIGKILL)
                if process.wait(30) == -signal.SIGKILL:
                    break
                outcomes["finished before the kill"] += 1
                delay /= 2
            else:
                pytest.fail("four builds in a row finished before their kill")
            if IndexDir(index).current_name() != live:
                outcomes["killed after the commit"] += 1
            elif generations(index) - before:
                outcomes["killed while writing"] += 1
            else:
                outcomes["killed before writing"] += 1
            assert_index_answers(settings)
        # The next build cleans up after the killed ones and succeeds.
        assert subprocess.run([sys.executable, "-m", "tests.reliability.hashing_newsqa",
                               "index"], cwd=REPO, env=env, capture_output=True,
                              timeout=120).returncode == 0
        assert_index_answers(settings)
        assert len(generations(index)) <= 2
        assert not [p for p in index.iterdir() if p.name.endswith(".tmp")]
    print(f"\nkills: {dict(outcomes)} (build {duration:.2f} s, writing from {writing_at:.2f} s)")
    assert outcomes["killed while writing"] + outcomes["killed after the commit"] >= 3


def lock_holders(lock: Path) -> set[int]:
    """Processes holding a flock on ``lock``, from /proc/locks."""
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return set()
    holders = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5].endswith(f":{inode}"):
            holders.add(int(fields[4]))
    return holders


def with_extra_article(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / "extra.txt").write_text(
        "Đoàn Zanzibar thăm Cần Thơ\n\nSáng 1/5/2024, đoàn Zanzibar đến thăm Cần Thơ.", "utf-8")
    return articles


NEWSQA_INDEX = [sys.executable, "-m", "bot.cli", "index"]


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_a_second_newsqa_index_is_refused_while_the_first_builds(
    seed_settings: RetrievalSettings, tmp_path: Path
) -> None:
    articles = with_extra_article(tmp_path)
    env = {**os.environ, "NEWSQA_INDEX_DIR": str(seed_settings.index_dir),
           "NEWSQA_ARTICLES_DIR": str(articles)}
    first = subprocess.Popen(NEWSQA_INDEX, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while first.pid not in lock_holders(seed_settings.index_dir):
            assert first.poll() is None, "the first build ended before it was seen building"
            assert time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.005)
        # Frozen while it holds the lock, so the second one surely meets it.
        first.send_signal(signal.SIGSTOP)
        try:
            second = subprocess.run(NEWSQA_INDEX, cwd=REPO, env=env, capture_output=True,
                                    text=True, timeout=120)
        finally:
            first.send_signal(signal.SIGCONT)
        assert second.returncode == 1, second.stderr
        assert LOCKED in second.stderr and "Traceback" not in second.stderr
        assert first.wait(120) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        assert first.stderr is not None
        first.stderr.close()
    searcher = Searcher.open(seed_settings)
    assert "extra.txt" in {info.file for info in searcher.articles()}
    assert searcher.search("Zanzibar").results[0].source.file == "extra.txt"


def test_simultaneous_newsqa_index_runs_build_once_and_refuse_clearly(
    seed_settings: RetrievalSettings, tmp_path: Path
) -> None:
    articles = with_extra_article(tmp_path)
    env = {**os.environ, "NEWSQA_INDEX_DIR": str(seed_settings.index_dir),
           "NEWSQA_ARTICLES_DIR": str(articles)}
    processes = [subprocess.Popen(NEWSQA_INDEX, cwd=REPO, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
    results = [(p.wait(180), p.communicate()[1]) for p in processes]
    for code, stderr in results:
        assert code in (0, 1), stderr
        assert "Traceback" not in stderr
        if code == 1:
            assert LOCKED in stderr
    assert any(code == 0 for code, _ in results)
    searcher = Searcher.open(seed_settings)
    assert searcher.search("Zanzibar").results[0].source.file == "extra.txt"
    assert len(generations(seed_settings.index_dir)) <= 2


# The files tests/integration/test_index.py damages, plus the rest of a generation and the
# CURRENT pointer: every file of the index is covered.
# Files the searcher reads on load, and the rest of a generation.
CHECKED_FILES = ["dense.faiss", "chunks.npy", "texts.bin", "text_offsets.npy",
                 "articles.json", "diacritics.json", "lexical/impacts.npy",
                 "lexical/terms.npy", "manifest.json", "people.npy", "people_events.json",
                 "sentence_vectors.f16", "sentence_offsets.npy"]
OTHER_FILES = ["vectors.npy", "lexical/doc_ids.npy", "lexical/indptr.npy",
               "lexical/scales.npy", "lexical/params.json", "lexical/tf.npy",
               "lexical/lengths.npy"]


@pytest.fixture(scope="module")
def hashing_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("hashing-index") / "index"
    build_index(core_settings(index), embedder=HashingEmbedder())
    return index


def test_the_damage_tests_cover_every_file_of_an_index(hashing_index: Path) -> None:
    generation = IndexDir(hashing_index).require_current()
    files = {p.relative_to(generation).as_posix() for p in generation.rglob("*") if p.is_file()}
    assert files == set(CHECKED_FILES) | set(OTHER_FILES)


def damage_file(index: Path, name: str, damage: str) -> None:
    """Truncate ``name`` (of the live generation, or CURRENT) to half, or flip a byte."""
    path = index / name if name == "CURRENT" else IndexDir(index).require_current() / name
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0x5A
    path.write_bytes(bytes(data))


def damaged_copy(hashing_index: Path, tmp_path: Path, name: str, damage: str
                 ) -> RetrievalSettings:
    """Settings over a private copy of the index with ``name`` damaged."""
    index = tmp_path / "index"
    shutil.copytree(hashing_index, index)
    damage_file(index, name, damage)
    return core_settings(index)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
@pytest.mark.parametrize("name", [*CHECKED_FILES, *OTHER_FILES, "CURRENT"])
def test_damaged_file_is_named_with_the_fix_and_the_fix_works(
    hashing_index: Path, tmp_path: Path, name: str, damage: str
) -> None:
    settings = damaged_copy(hashing_index, tmp_path, name, damage)
    with pytest.raises(CorruptIndexError) as caught:
        Searcher(settings, HashingEmbedder())
    assert name.split("/")[-1] in str(caught.value)
    assert "newsqa index --full" in str(caught.value)
    # The fix the message names works.
    build_index(settings, full=True, embedder=HashingEmbedder())
    assert Searcher(settings, HashingEmbedder()).search("Tô Lâm Cà Mau").results


@pytest.mark.parametrize("damage", ["truncate", "flip"])
@pytest.mark.parametrize("name", [*CHECKED_FILES, *OTHER_FILES, "CURRENT"])
def test_an_incremental_build_over_a_damaged_index_recovers(
    hashing_index: Path, tmp_path: Path, name: str, damage: str
) -> None:
    settings = damaged_copy(hashing_index, tmp_path, name, damage)
    try:
        build_index(settings, embedder=HashingEmbedder())
    except NewsQAError as exc:  # refusing is acceptable only with the --full advice
        assert "newsqa index --full" in str(exc)
        build_index(settings, full=True, embedder=HashingEmbedder())
    assert Searcher(settings, HashingEmbedder()).search("Tô Lâm Cà Mau").results
    # Nothing damaged was carried over into the new generation.
    clean = IndexDir(hashing_index).require_current()
    rebuilt = IndexDir(settings.index_dir).require_current()
    for kept in ("vectors.npy", "texts.bin", "articles.json"):
        assert (rebuilt / kept).read_bytes() == (clean / kept).read_bytes(), kept


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(["manifest.json", "manifest.json", "CURRENT", *CHECKED_FILES,
                        *OTHER_FILES]),
       st.floats(0, 1, exclude_max=True), st.integers(1, 255))
def test_any_flipped_byte_loads_or_fails_with_the_fix_and_the_next_build_works(
    hashing_index: Path, tmp_path_factory: pytest.TempPathFactory, name: str, where: float,
    mask: int,
) -> None:
    index = tmp_path_factory.mktemp("flipped") / "index"
    shutil.copytree(hashing_index, index)
    path = index / name if name == "CURRENT" else IndexDir(index).require_current() / name
    data = bytearray(path.read_bytes())
    data[int(where * len(data))] ^= mask
    path.write_bytes(bytes(data))
    settings_ = core_settings(index)
    try:
        Searcher(settings_, HashingEmbedder()).search("Tô Lâm Cà Mau")
        event("harmless flip: loaded")
    except NewsQAError as exc:
        assert "newsqa index" in str(exc)
        event("refused with the fix")
    # Whatever the flip did, the next plain build leaves a sound index.
    build_index(settings_, embedder=HashingEmbedder())
    assert Searcher(settings_, HashingEmbedder()).search("Tô Lâm Cà Mau").results


def test_passage_text_is_read_by_slice_and_a_short_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "texts.bin"
    path.write_bytes("Cà Mau. Rừng Thông.".encode())
    texts = FileBytes(path)
    assert texts.size == len("Cà Mau. Rừng Thông.".encode())
    assert texts[0:len("Cà Mau.".encode())].decode() == "Cà Mau."
    assert texts[0:0] == b""
    path.write_bytes(b"C")  # cut short under a loaded index
    with pytest.raises(CorruptIndexError, match=r"texts\.bin"):
        texts[0:5]
    with pytest.raises(CorruptIndexError, match=r"texts\.bin"):
        texts[-4:2]
    with pytest.raises(CorruptIndexError, match=r"missing\.bin"):
        FileBytes(tmp_path / "missing.bin")


def test_passage_vectors_are_read_by_rows_in_any_order(tmp_path: Path) -> None:
    from retrieval.store.io import npy_rows, save_array

    rng = np.random.default_rng(3)
    stored = rng.normal(size=(40, 6)).astype(np.float32)
    save_array(tmp_path / "vectors.npy", stored)
    rows = npy_rows(tmp_path / "vectors.npy")
    assert len(rows) == 40 and rows.dimension == 6 and rows.dtype == np.float32
    for ids in ([], [7], [3, 4, 5, 9, 10, 39], [39, 0, 5, 5, 6, 1], list(range(40))):
        np.testing.assert_array_equal(rows.take(np.array(ids, dtype=np.int64)),
                                      stored[ids].reshape(len(ids), 6))
    np.testing.assert_array_equal(rows[38:45], stored[38:])
    with pytest.raises(IndexError):
        rows.take(np.array([40]))
    with open(tmp_path / "vectors.npy", "ab") as handle:
        handle.write(b"\0" * 4)  # a partial row
    with pytest.raises(CorruptIndexError, match=r"vectors\.npy"):
        npy_rows(tmp_path / "vectors.npy")
    (tmp_path / "vectors.npy").write_bytes(b"not an array")
    with pytest.raises(CorruptIndexError, match=r"vectors\.npy"):
        npy_rows(tmp_path / "vectors.npy")


def test_passage_offsets_that_do_not_fit_the_text_file_are_named(
        hashing_index: Path, tmp_path: Path) -> None:
    # verify_files catches this for a whole index; the snapshot itself also refuses offsets
    # that would read past (or short of) the text file, as an index over 512 MB is not
    # checksummed.
    shutil.copytree(hashing_index, tmp_path / "index")
    settings = core_settings(tmp_path / "index")
    generation = IndexDir(settings.index_dir).require_current()
    manifest = IndexDir(settings.index_dir).read_manifest(generation)
    FilesGeneration(generation, manifest, settings)  # the copy loads as it is
    with open(generation / "texts.bin", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(CorruptIndexError, match=r"text_offsets\.npy"):
        FilesGeneration(generation, manifest, settings)

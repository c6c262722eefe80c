"""Arbitrary input, odd files and write failures: nothing crashes, nothing is lost."""

from __future__ import annotations

import errno
import os
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import BadQuestionError, NewsQAError, RetrievalSettings, Searcher, build_index
from retrieval.store import IndexDir

from ..support.fake_embedder import HashingEmbedder

nasty_pieces = st.sampled_from([
    "Cà Mau", unicodedata.normalize("NFD", "Tô Lâm tham dự"), "\u200b\u200d\ufeff",
    "\x00\x07\x1b[31m",
    "مرحبا بالعالم", "\u202eRTL override", "😀👍🏽", "<b>bold</b> <a href='x'>", "&amp; &lt;",
    "*_`[link](tg://x)`_*", "%s %d {0} {question}", "'; DROP TABLE;--", "$(rm -rf /)",
    "../../etc/passwd", "\n\r\t", "ai tham du ngay hoi", "\u0301\u0300\u0303", "Ngày hội",
])
questions = st.one_of(
    st.text(max_size=300),
    st.lists(nasty_pieces, max_size=12).map(" ".join),
    st.lists(st.one_of(nasty_pieces, st.text(max_size=20)), max_size=8).map("".join),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questions)
def test_search_survives_any_question(seed_searcher: Searcher, question: str) -> None:
    try:
        response = seed_searcher.search(question)
    except BadQuestionError:
        return
    assert len(response.question) <= seed_searcher.settings.max_question_chars
    for hit in response.results:
        assert hit.text and hit.source.file
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.text)


def test_search_survives_huge_questions(seed_searcher: Searcher) -> None:
    response = seed_searcher.search("Cà Mau " * 20_000)
    assert response.notices and response.results
    with pytest.raises(BadQuestionError):
        seed_searcher.search("\u200b" * 100_000)


def small_settings(tmp_path: Path, articles: Path) -> RetrievalSettings:
    return RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "index",
                             _env_file=None)


def write_articles(folder: Path, count: int, words: int = 30) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        body = " ".join(f"tin{number} ngày hội an ninh" for _ in range(words // 4))
        (folder / f"{number:05d}.txt").write_text(f"Bản tin số {number} hôm nay\n\n{body}.",
                                                  "utf-8")
    return folder


def test_oversized_file_is_skipped_by_name_and_the_rest_indexed(tmp_path: Path) -> None:
    articles = write_articles(tmp_path / "a", 2)
    with open(articles / "huge dump.txt", "w", encoding="utf-8") as handle:
        line = "Ngày hội toàn dân bảo vệ an ninh Tổ quốc. " * 50 + "\n"
        while handle.tell() < 20 * 1024 * 1024:
            handle.write(line)
    report = build_index(small_settings(tmp_path, articles), embedder=HashingEmbedder())
    assert report.articles == 2
    assert [s.file for s in report.skipped] == ["huge dump.txt"]
    assert "NEWSQA_MAX_ARTICLE_BYTES" in report.skipped[0].reason


def test_ten_thousand_tiny_files(tmp_path: Path) -> None:
    articles = write_articles(tmp_path / "a", 10_000, words=8)
    embedder = HashingEmbedder()
    settings = small_settings(tmp_path, articles)
    report = build_index(settings, embedder=embedder)
    assert report.articles == 10_000 and report.chunks == 10_000
    searcher = Searcher(settings, embedder)
    assert searcher.search("tin9876").results[0].source.file == "09876.txt"


def test_write_error_keeps_the_previous_index(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    articles = write_articles(tmp_path / "a", 3)
    settings = small_settings(tmp_path, articles)
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    before = IndexDir(settings.index_dir).current_name()
    write_articles(tmp_path / "a", 5)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("retrieval.store.writer.save_array", disk_full)
    with pytest.raises(NewsQAError, match=r"No space left on device.*previous index is unchanged"):
        build_index(settings, embedder=embedder)
    assert IndexDir(settings.index_dir).current_name() == before
    assert [p.name for p in settings.index_dir.iterdir() if p.name.startswith("gen-")] == [before]
    assert len(Searcher(settings, embedder).articles()) == 3


@pytest.fixture()
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the injected-error test covers the logic)")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs",
                             str(mount_point)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_is_a_clear_error_and_the_old_index_survives(
    tmp_path: Path, tiny_tmpfs: Path
) -> None:
    articles = write_articles(tmp_path / "a", 3)
    settings = RetrievalSettings(articles_dir=articles, index_dir=tiny_tmpfs / "index",
                                 _env_file=None)
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    (articles / "big.txt").write_text("Tin lớn\n\nNội dung rất dài. "
                                      + " ".join(f"từ{i}" for i in range(60_000)), "utf-8")
    with pytest.raises(NewsQAError, match="previous index is unchanged"):
        build_index(settings, embedder=embedder)
    searcher = Searcher(settings, embedder)
    assert len(searcher.articles()) == 3
    assert searcher.search("Bản tin số 1").results


def test_copies_across_articles_collapse_and_similar_ones_do_not(tmp_path: Path) -> None:
    articles = tmp_path / "a"
    articles.mkdir()
    story = ("Tin Cà Mau hôm nay\n\nSáng 11/8, Đại tướng Tô Lâm dự Ngày hội toàn dân bảo vệ an "
             "ninh Tổ quốc tại xã Hưng Mỹ, huyện Cái Nước, tỉnh Cà Mau.")
    (articles / "paper1.txt").write_text(story, "utf-8")
    (articles / "paper2.txt").write_text(story, "utf-8")  # the same wire story
    (articles / "other.txt").write_text(story.replace("Hưng Mỹ, huyện Cái Nước",
                                                      "Tân Hưng, huyện Cái Nước đông vui"),
                                        "utf-8")
    settings = small_settings(tmp_path, articles)
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    files = [h.source.file for h in
             Searcher(settings, embedder).search("Tô Lâm Cà Mau", top_k=5).results]
    assert sorted(files) == ["other.txt", "paper1.txt"]

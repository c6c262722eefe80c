"""`newsqa repl`: the loop and commands with a fake searcher, the rich rendering, and the real
command through a pseudo-terminal (pexpect) and through a pipe."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from rich.console import Console

from bot.frontend.messages import set_language
from bot.repl import (
    CommandCompleter,
    Repl,
    SearcherLike,
    SearcherLoader,
    history_path,
    open_history,
    run_loop,
    waiting_getter,
)
from bot.rich_render import HIGHLIGHT_STYLE, render_hit
from bot.serialize import response_to_dict
from retrieval import (
    Answer,
    ArticleInfo,
    BadQuestionError,
    IndexNotFoundError,
    NewsQAError,
    Person,
    RetrievalSettings,
    Searcher,
    SearchHit,
    SearchResponse,
    Source,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(autouse=True)
def vietnamese(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These tests read the REPL's Vietnamese (the default language)."""
    monkeypatch.setenv("NEWSQA_LANGUAGE", "vi")
    set_language("vi")
    yield
    set_language("en")
CA_MAU_QUESTION = "Ai tham dự ngày hội ở Cà Mau?"
CA_MAU_FILE = "003_4be6f3f6f5d770e8.txt"


# --- a fake searcher and helpers ------------------------------------------------------------

def make_hit(rank: int, text: str = "", highlights: tuple[tuple[int, int], ...] = ()) -> SearchHit:
    return SearchHit(
        rank=rank, score=1.0 / rank, text=text or f"Đoạn số {rank} nói về ngày hội.",
        source=Source(f"{rank:03}_bai.txt", f"Tiêu đề bài {rank}",
                      "2022-08-11" if rank % 2 else None),
        highlights=highlights, chunk_id=rank,
    )


class FakeSearcher:
    """Pages through ``count`` canned hits and records every call."""

    def __init__(self, count: int = 5, answer: Answer | None = None,
                 notices: tuple[str, ...] = (), refreshed: bool = False) -> None:
        self.hits = [make_hit(rank) for rank in range(1, count + 1)]
        self.answer = answer
        self.notices = notices
        self.refreshed = refreshed
        self.calls: list[tuple[str, int | None, int]] = []
        self.refresh_calls = 0
        self.error: BaseException | None = None

    def search(self, question: str, top_k: int | None = None, offset: int = 0) -> SearchResponse:
        self.calls.append((question, top_k, offset))
        if self.error is not None:
            raise self.error
        k = 3 if top_k is None else top_k
        return SearchResponse(
            question=question.strip(), results=tuple(self.hits[offset:offset + k]),
            answer=self.answer if offset == 0 else None, notices=self.notices,
            total=len(self.hits),
        )

    def refresh(self) -> bool:
        self.refresh_calls += 1
        if isinstance(self.error, NewsQAError):
            raise self.error
        return self.refreshed

    def articles(self) -> list[ArticleInfo]:
        return [ArticleInfo("001_a.txt", "Bài [một]", "2022-08-11", 3),
                ArticleInfo("002_b.txt", "Bài hai", None, 4)]


def make_repl(searcher: SearcherLike, top_k: int = 3) -> tuple[Repl, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None, highlight=False, emoji=False)
    return Repl(lambda: searcher, console, top_k), out


def run_lines(repl: Repl, lines: list[str]) -> int:
    pending = iter(lines)

    def read_line() -> str:
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    return run_loop(read_line, repl)


# --- the loop and commands ------------------------------------------------------------------

def test_question_prints_numbered_passages_with_sources() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    assert run_lines(repl, ["  ngày hội ở đâu  "]) == 0
    assert searcher.calls == [("ngày hội ở đâu", 3, 0)]
    text = out.getvalue()
    assert "[1] Đoạn số 1 nói về ngày hội." in text
    assert "    — Tiêu đề bài 1 · 2022-08-11 · 001_bai.txt" in text
    assert "    — Tiêu đề bài 2 · không rõ ngày · 002_bai.txt" in text
    assert text.index("[1] ") < text.index("[2] ") < text.index("[3] ")
    assert "[4] " not in text
    assert "Còn 2 đoạn nữa: gõ :more." in text


def test_more_pages_until_total_then_says_so() -> None:
    searcher = FakeSearcher(count=5)
    repl, out = make_repl(searcher)
    run_lines(repl, ["ngày hội", ":more", ":more"])
    assert searcher.calls == [("ngày hội", 3, 0), ("ngày hội", 3, 3)]
    text = out.getvalue()
    assert "[4] Đoạn số 4" in text and "[5] Đoạn số 5" in text
    assert "Không còn kết quả nào nữa (đã hiện hết 5 đoạn)." in text


def test_more_before_any_question_asks_for_one() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    run_lines(repl, [":more"])
    assert searcher.calls == []
    assert "Chưa có câu hỏi nào để xem thêm" in out.getvalue()


def test_k_sets_results_per_answer_and_more_uses_it() -> None:
    searcher = FakeSearcher(count=5)
    repl, out = make_repl(searcher)
    run_lines(repl, [":k 1", "ngày hội", ":more", ":K 2", ":more"])
    assert searcher.calls == [("ngày hội", 1, 0), ("ngày hội", 1, 1), ("ngày hội", 2, 2)]
    assert "Từ giờ mỗi câu trả lời có 1 đoạn." in out.getvalue()


@pytest.mark.parametrize("argument", ["0", "51", "abc", "-2"])
def test_k_rejects_bad_values(argument: str) -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher, top_k=4)
    run_lines(repl, [f":k {argument}", "ngày hội"])
    assert repl.top_k == 4
    assert searcher.calls == [("ngày hội", 4, 0)]
    assert "Dùng :k N với N từ 1 đến 50 (hiện tại: 4)." in out.getvalue()


def test_k_without_argument_shows_current_value() -> None:
    repl, out = make_repl(FakeSearcher(), top_k=3)
    run_lines(repl, [":k"])
    assert "Mỗi câu trả lời có 3 đoạn." in out.getvalue()


def test_json_toggle_prints_the_serialized_response() -> None:
    searcher = FakeSearcher(answer=Answer(kind="date", value="11/8/2022", rank_of_passage=1))
    repl, out = make_repl(searcher)
    run_lines(repl, [":json"])
    assert "Đã bật JSON thô." in out.getvalue()
    repl.console.file = out = io.StringIO()
    run_lines(repl, ["ngày hội"])
    expected = response_to_dict(searcher.search("ngày hội", 3))
    assert json.loads(out.getvalue()) == expected
    run_lines(repl, [":json"])
    repl.console.file = out = io.StringIO()
    run_lines(repl, ["ngày hội"])
    assert out.getvalue().startswith("Thời gian: 11/8/2022 [1]")


def test_sources_lists_articles() -> None:
    repl, out = make_repl(FakeSearcher())
    run_lines(repl, [":sources"])
    text = out.getvalue()
    assert "2 bài báo đã lập chỉ mục" in text
    assert "001_a.txt" in text and "Bài [một]" in text
    assert "002_b.txt" in text and "—" in text


def test_reload_reports_whether_a_new_index_was_loaded() -> None:
    searcher = FakeSearcher(refreshed=False)
    repl, out = make_repl(searcher)
    run_lines(repl, ["ngày hội", ":reload"])
    assert "Chỉ mục không đổi" in out.getvalue()
    searcher.refreshed = True
    run_lines(repl, [":reload", ":more"])
    assert searcher.refresh_calls == 2
    text = out.getvalue()
    assert "Đã nạp chỉ mục mới: 2 bài báo, 7 đoạn." in text
    # Paging restarts: offsets into the old index mean nothing in the new one.
    assert "Chưa có câu hỏi nào để xem thêm" in text
    assert len(searcher.calls) == 1


def test_reload_failure_is_reported_and_loop_goes_on() -> None:
    searcher = FakeSearcher()
    searcher.error = NewsQAError("Index file x is unreadable")
    repl, out = make_repl(searcher)
    assert run_lines(repl, [":reload", ":help"]) == 0
    text = out.getvalue()
    assert "Không nạp được chỉ mục mới: Index file x is unreadable" in text
    assert ":sources" in text  # :help still ran


def test_unknown_command_hints_at_help() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    run_lines(repl, [":foo bar"])
    assert "Không có lệnh :foo. Gõ :help để xem các lệnh." in out.getvalue()
    assert searcher.calls == []


def test_help_lists_every_command_with_current_settings() -> None:
    repl, out = make_repl(FakeSearcher(), top_k=7)
    run_lines(repl, [":help"])
    text = out.getvalue()
    for name in (":more", ":k N", ":sources", ":json", ":reload", ":help", ":quit"):
        assert name in text
    assert "(hiện tại: 7)" in text


def test_empty_lines_are_ignored() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    assert run_lines(repl, ["", "   ", "\t"]) == 0
    assert searcher.calls == []
    assert out.getvalue() == ""


def test_bad_question_and_core_errors_keep_the_loop_alive() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    searcher.error = BadQuestionError("The question is empty")
    run_lines(repl, ["???"])
    assert "Câu hỏi không có từ nào để tìm" in out.getvalue()
    searcher.error = NewsQAError("top_k must be at least 1")
    run_lines(repl, ["ngày hội"])
    assert "top_k must be at least 1" in out.getvalue()
    searcher.error = None
    run_lines(repl, ["ngày hội"])
    assert "[1] Đoạn số 1" in out.getvalue()


def test_quit_stops_reading_and_exits_zero() -> None:
    searcher = FakeSearcher()
    repl, _ = make_repl(searcher)
    assert run_lines(repl, ["a b", ":quit", "never read"]) == 0
    assert [call[0] for call in searcher.calls] == ["a b"]


def test_ctrl_c_at_prompt_clears_and_ctrl_c_in_a_command_cancels_it() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    events: list[str | BaseException] = [KeyboardInterrupt(), "ngày hội", EOFError()]

    def read_line() -> str:
        event = events.pop(0)
        if isinstance(event, BaseException):
            raise event
        return event

    assert run_loop(read_line, repl) == 0
    assert searcher.calls == [("ngày hội", 3, 0)]

    searcher.error = KeyboardInterrupt()
    assert run_lines(repl, ["ngày hội", ":k 2"]) == 0
    assert "Đã huỷ." in out.getvalue()
    assert repl.top_k == 2


def test_unexpected_error_is_shown_and_loop_goes_on() -> None:
    searcher = FakeSearcher()
    repl, out = make_repl(searcher)
    searcher.error = ZeroDivisionError("boom")
    assert run_lines(repl, ["ngày hội", ":k 2"]) == 0
    assert "ZeroDivisionError" in out.getvalue() and repl.top_k == 2


def test_searcher_that_cannot_open_ends_the_session_with_the_error() -> None:
    def get_searcher() -> SearcherLike:
        raise NewsQAError("The index does not match the current settings")

    out = io.StringIO()
    repl = Repl(get_searcher, Console(file=out, width=100), 3)
    with pytest.raises(NewsQAError, match="does not match"):
        run_lines(repl, ["ngày hội"])


def test_completer_offers_commands_only_after_colon() -> None:
    completer = CommandCompleter([":more", ":k", ":quit"])

    def complete(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert complete(":m") == [":more"]
    assert complete(":") == [":k", ":more", ":quit"]
    assert complete("ngày") == []
    assert complete(":k 2") == []


# --- rendering --------------------------------------------------------------------------------

def test_people_answer_is_listed_above_the_passages_with_passage_numbers() -> None:
    answer = Answer(kind="people", people=(
        Person("Nguyễn Tiến Hải", "Bí thư Tỉnh ủy", 1, True),
        Person("Tô Lâm", "", 2, True),
    ))
    repl, out = make_repl(FakeSearcher(answer=answer))
    run_lines(repl, ["ai tham dự"])
    text = out.getvalue()
    assert text.index("Người tham dự:") < text.index("[1] Đoạn")
    assert "  • Nguyễn Tiến Hải — Bí thư Tỉnh ủy [1]" in text
    assert "  • Tô Lâm [2]" in text


@pytest.mark.parametrize(("kind", "label"), [("date", "Thời gian:"), ("place", "Địa điểm:")])
def test_date_and_place_answers(kind: str, label: str) -> None:
    answer = Answer(kind=kind, value="xã Hưng Mỹ", rank_of_passage=2)  # type: ignore[arg-type]
    repl, out = make_repl(FakeSearcher(answer=answer))
    run_lines(repl, ["ở đâu"])
    text = out.getvalue()
    assert f"{label} xã Hưng Mỹ [2]" in text
    assert text.index(label) < text.index("[1] Đoạn")


def test_answer_is_not_repeated_on_more() -> None:
    answer = Answer(kind="place", value="Cà Mau", rank_of_passage=1)
    repl, out = make_repl(FakeSearcher(answer=answer))
    run_lines(repl, ["ở đâu", ":more"])
    assert out.getvalue().count("Địa điểm:") == 1


def test_notices_and_no_results() -> None:
    searcher = FakeSearcher(count=0, notices=("Câu hỏi dài quá 1000 ký tự nên đã được cắt bớt.",))
    repl, out = make_repl(searcher)
    run_lines(repl, ["x " * 700])
    text = out.getvalue()
    assert "! Câu hỏi dài quá 1000 ký tự nên đã được cắt bớt." in text
    assert "Không tìm thấy đoạn nào phù hợp." in text
    assert ":more" not in text


def test_passage_text_is_not_read_as_markup_or_emoji() -> None:
    searcher = FakeSearcher(count=1)
    searcher.hits = [make_hit(1, text="Giá [bold]100[/bold] đồng :smile: tại [1]")]
    repl, out = make_repl(searcher)
    run_lines(repl, ["giá"])
    assert "[1] Giá [bold]100[/bold] đồng :smile: tại [1]" in out.getvalue()


def test_highlights_style_exactly_the_matched_spans() -> None:
    hit = make_hit(2, text="Ngày hội ở Cà Mau", highlights=((0, 8), (11, 17)))
    rendered = render_hit(hit)
    prefix = len("[2] ")
    spans = sorted((s.start - prefix, s.end - prefix) for s in rendered.spans
                   if s.style == HIGHLIGHT_STYLE)
    assert spans == [(0, 8), (11, 17)]
    assert rendered.plain == "[2] Ngày hội ở Cà Mau"
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="standard", width=80).print(rendered)
    assert "\x1b[1;33mCà Mau\x1b[0m" in out.getvalue()


def test_long_question_gets_the_core_notice(seed_searcher: Searcher) -> None:
    repl, out = make_repl(seed_searcher)
    run_lines(repl, ["ngày hội Cà Mau " * 100])
    text = out.getvalue()
    assert "! Câu hỏi dài quá 1000 ký tự nên đã được cắt bớt." in text
    assert "[1] " in text


# --- the background loader and the history file -----------------------------------------------

def test_loader_builds_a_missing_index_in_the_calling_thread() -> None:
    built: list[str] = []
    fake = FakeSearcher()

    def open_existing() -> SearcherLike:
        raise IndexNotFoundError("/nowhere")

    def open_building() -> SearcherLike:
        built.append(threading.current_thread().name)
        return fake

    loader = SearcherLoader(open_existing, open_building)
    loader.start()
    assert loader.get() is fake
    assert loader.get() is fake
    assert built == [threading.current_thread().name]


def test_loader_hands_other_errors_to_the_caller() -> None:
    def open_existing() -> SearcherLike:
        raise NewsQAError("The index does not match the current settings")

    loader = SearcherLoader(open_existing, FakeSearcher)
    loader.start()
    with pytest.raises(NewsQAError, match="does not match"):
        loader.get()


def blocked_loader() -> tuple[threading.Event, FakeSearcher, SearcherLoader]:
    """A started loader whose searcher opens only once the returned event is set."""
    release = threading.Event()
    fake = FakeSearcher()

    def open_existing() -> SearcherLike:
        release.wait(10)
        return fake

    loader = SearcherLoader(open_existing, FakeSearcher)
    loader.start()
    return release, fake, loader


def test_loader_is_not_ready_until_the_searcher_is_open() -> None:
    release, fake, loader = blocked_loader()
    assert not loader.wait(0.05)
    assert not loader.ready
    release.set()
    assert loader.get() is fake
    assert loader.ready


def test_question_asked_while_loading_waits_and_says_for_what() -> None:
    release, fake, loader = blocked_loader()
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    timer = threading.Timer(0.3, release.set)
    timer.start()
    repl = Repl(waiting_getter(loader, console, "mô hình (bundled)"), console, 3)
    run_lines(repl, ["ngày hội"])
    timer.join()
    assert fake.calls == [("ngày hội", 3, 0)]
    assert "Đang chờ tải xong mô hình (bundled)…" in out.getvalue()


def test_history_path_follows_xdg_state_home(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert history_path() == tmp_path / "state" / "newsqa" / "history"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert history_path() == tmp_path / "home" / ".local" / "state" / "newsqa" / "history"


def test_history_file_is_created_with_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "history"
    history, problem = open_history(path)
    assert problem is None and isinstance(history, FileHistory)
    history.append_string("Ai tham dự?")
    assert "+Ai tham dự?" in path.read_text(encoding="utf-8")


def test_unwritable_history_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "state"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    history, problem = open_history(blocker / "newsqa" / "history")
    assert isinstance(history, InMemoryHistory)
    assert problem is not None and "chỉ được giữ trong phiên này" in problem


def test_history_write_failure_later_does_not_crash(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    history, _ = open_history(folder / "history")
    shutil.rmtree(folder)
    folder.write_text("now a file", encoding="utf-8")
    history.append_string("câu hỏi")  # must not raise
    assert list(history.get_strings()) == ["câu hỏi"]


# --- the real command through a pseudo-terminal ---------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PROMPT = "hỏi>"  # prompt_toolkit draws the trailing space as a cursor move


def plain(raw: str) -> str:
    """Terminal output without escape codes, whitespace collapsed (wrapping adds breaks)."""
    return " ".join(ANSI.sub("", raw).split())


@pytest.fixture()
def repl_child(seed_settings: RetrievalSettings, tmp_path: Path) -> Iterator[pexpect.spawn]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", LANG="C.UTF-8")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot.cli", "repl", "--index", str(seed_settings.index_dir),
         "--articles", str(SEEDS)],
        env=env, cwd=str(tmp_path), encoding="utf-8", codec_errors="replace",
        dimensions=(60, 200), timeout=60,
    )
    try:
        child.expect(r"5 bài báo, \d+ đoạn")
        child.expect(PROMPT)
        yield child
    finally:
        child.close(force=True)


def send(child: pexpect.spawn, line: str, until: str) -> str:
    """Send a line, wait for ``until`` (regex) and the next prompt; the output in between."""
    child.sendline(line)
    child.expect(until)
    before = child.before + child.after
    child.expect(PROMPT)
    return str(before + child.before)


@pytest.mark.slow
def test_pty_question_more_k_sources_and_exit(repl_child: pexpect.spawn,
                                               seed_searcher: Searcher, tmp_path: Path) -> None:
    expected = seed_searcher.search(CA_MAU_QUESTION, 3)
    raw = send(repl_child, CA_MAU_QUESTION, r"gõ :more")
    text = plain(raw)
    # The right passage and source, in the same order as `newsqa ask`.
    assert expected.results[0].source.file == CA_MAU_FILE
    assert "Huỳnh Quốc Việt" in expected.results[0].text
    positions = [text.index(f"[{hit.rank}] " + " ".join(hit.text.split())[:60])
                 for hit in expected.results]
    assert positions == sorted(positions)
    assert f"· {expected.results[0].source.date} · {CA_MAU_FILE}" in text
    assert "[4] " not in text
    # Matched words are highlighted on a colour terminal.
    highlighted = re.findall(r"\x1b\[1;33m(.*?)\x1b\[0m", raw)
    assert highlighted and any("Cà Mau" in h or "ngày hội" in h.lower() for h in highlighted)

    more = plain(send(repl_child, ":more", r"\[6\] |Không còn"))
    page2 = seed_searcher.search(CA_MAU_QUESTION, 3, offset=3)
    assert page2.results and f"[4] {' '.join(page2.results[0].text.split())[:60]}" in more

    assert "Từ giờ mỗi câu trả lời có 1 đoạn." in plain(send(repl_child, ":k 1", r"1 đoạn\."))
    one = plain(send(repl_child, CA_MAU_QUESTION, r"gõ :more"))
    assert "[1] " in one and "[2] " not in one

    sources = plain(send(repl_child, ":sources", r"004_bc4f3269c53976f8\.txt"))
    assert "5 bài báo đã lập chỉ mục" in sources and CA_MAU_FILE in sources

    assert "Gõ :help" in plain(send(repl_child, ":nope", r"Gõ :help để xem các lệnh"))

    # Ctrl-C drops the half-typed line: the command after it runs as a command.
    repl_child.send("nửa câu hỏi")
    repl_child.sendcontrol("c")
    repl_child.expect(PROMPT)
    assert "2 đoạn" in plain(send(repl_child, ":k 2", r"có 2 đoạn\."))

    repl_child.sendcontrol("d")
    repl_child.expect(pexpect.EOF)
    repl_child.close()
    assert repl_child.exitstatus == 0
    history = (tmp_path / "state" / "newsqa" / "history").read_text(encoding="utf-8")
    assert f"+{CA_MAU_QUESTION}" in history and "nửa câu hỏi" not in history


@pytest.mark.slow
def test_pty_quit_command_exits_zero(repl_child: pexpect.spawn) -> None:
    repl_child.sendline(":quit")
    repl_child.expect(pexpect.EOF)
    repl_child.close()
    assert repl_child.exitstatus == 0


@pytest.mark.slow
def test_piped_stdin_answers_like_ask(seed_settings: RetrievalSettings, tmp_path: Path) -> None:
    lines = f"{CA_MAU_QUESTION}\n\n   \nNgày hội ở thị trấn Rừng Thông\n"
    common = ["--index", str(seed_settings.index_dir), "--articles", str(SEEDS)]

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", command, *common], input=lines, text=True,
            capture_output=True, cwd=tmp_path, timeout=120, check=False,
        )

    repl, ask = run("repl"), run("ask")
    assert repl.returncode == 0, repl.stderr
    assert repl.stdout == ask.stdout
    assert repl.stdout.count("[1] ") == 2
    assert CA_MAU_FILE in repl.stdout and "004_bc4f3269c53976f8.txt" in repl.stdout
    assert "\x1b" not in repl.stdout and PROMPT not in repl.stdout

"""`newsqa repl`: ask questions at a terminal (prompt_toolkit input, rich output).

The loop (`run_loop` + `Repl`) takes an injected `read_line` and searcher so tests drive it
without a terminal or a model; `run_repl` wires it to prompt_toolkit and the real core.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from rich.console import Console
from rich.text import Text

from retrieval import (
    ArticleInfo,
    BadQuestionError,
    IndexNotFoundError,
    NewsQAError,
    RetrievalSettings,
    Searcher,
    SearchResponse,
)

from .commands._common import MAX_TOP_K  # the same bound as `newsqa ask -k`
from .frontend import answer_lines, open_searcher
from .frontend.messages import count, describe, t
from .frontend.output import LINE_SLACK, bounded_lines
from .frontend.terminal import safe
from .rich_render import render_articles, render_response
from .serialize import response_to_dict

# How long to wait for the searcher before showing the prompt anyway: the bundled model
# opens well within it, so the prompt only shows early for slow (sentence-transformers) models.
STARTUP_GRACE_SECONDS = 1.0
HINT_STYLE = "dim"
ERROR_STYLE = "bold red"

class SearcherLike(Protocol):
    """What the REPL needs of `retrieval.Searcher` (tests pass a fake)."""

    def search(self, question: str, top_k: int | None = None,
               offset: int = 0) -> SearchResponse: ...

    def refresh(self) -> bool: ...

    def articles(self) -> list[ArticleInfo]: ...


@dataclass
class _Paging:
    question: str
    shown: int  # results printed so far (the next offset)
    total: int


class Repl:
    """One session's state and commands; prints to a rich console."""

    def __init__(self, get_searcher: Callable[[], SearcherLike], console: Console,
                 top_k: int) -> None:
        self._get_searcher = get_searcher
        self.console = console
        self.top_k = top_k
        self.as_json = False
        self._paging: _Paging | None = None
        self._commands: dict[str, Callable[[str], bool]] = {
            ":help": self.cmd_help, ":more": self.cmd_more, ":k": self.cmd_k,
            ":sources": self.cmd_sources, ":json": self.cmd_json, ":reload": self.cmd_reload,
            ":quit": self.cmd_quit, ":q": self.cmd_quit, ":exit": self.cmd_quit,
        }

    @property
    def command_names(self) -> list[str]:
        return list(self._commands)

    def handle(self, line: str) -> bool:
        """Run one input line; False means the session should end."""
        text = line.strip()
        if not text:
            return True
        if text.startswith(":"):
            name, _, argument = text.partition(" ")
            command = self._commands.get(name.lower())
            if command is None:
                self._hint(t("repl_unknown", name=safe(name)))
                return True
            return command(argument.strip())
        self._ask(text)
        return True

    # --- questions -------------------------------------------------------------------------

    def _ask(self, question: str) -> None:
        searcher = self._get_searcher()
        try:
            response = searcher.search(question, self.top_k)
        except BadQuestionError:
            self._hint(t("repl_no_words"))
            return
        except NewsQAError as exc:
            self._error(describe(exc))
            return
        self._paging = _Paging(response.question, len(response.results), response.total)
        self._show(response)

    def _show(self, response: SearchResponse) -> None:
        if self.as_json:
            # One line, as `newsqa ask --json` prints it; soft_wrap keeps rich from inserting
            # line breaks, so the JSON can be copied or piped as it is.
            self.console.print(Text(json.dumps(response_to_dict(response), ensure_ascii=False)),
                               soft_wrap=True)
            return
        self.console.print(render_response(response))
        paging = self._paging
        if paging is not None and paging.shown < paging.total:
            self._hint(t("repl_more_left", left=paging.total - paging.shown))
        self.console.print()

    # --- commands (each returns False to end the session) ----------------------------------

    def cmd_help(self, argument: str) -> bool:
        self.console.print(Text(t("repl_help", top_k=self.top_k,
                                  json=t("repl_on") if self.as_json else t("repl_off"),
                                  history=safe(history_path()))))
        return True

    def cmd_more(self, argument: str) -> bool:
        paging = self._paging
        if paging is None:
            self._hint(t("repl_more_first"))
            return True
        if paging.shown >= paging.total:
            self._hint(t("repl_more_done", total=paging.total))
            return True
        searcher = self._get_searcher()
        try:
            response = searcher.search(paging.question, self.top_k, offset=paging.shown)
        except NewsQAError as exc:
            self._error(describe(exc))
            return True
        if not response.results:
            paging.total = paging.shown
            self._hint(t("repl_more_none"))
            return True
        paging.shown += len(response.results)
        paging.total = response.total
        self._show(response)
        return True

    def cmd_k(self, argument: str) -> bool:
        if not argument:
            self._hint(t("repl_k_now", top_k=self.top_k, most=MAX_TOP_K))
            return True
        try:
            value = int(argument)
        except ValueError:
            value = 0
        if not 1 <= value <= MAX_TOP_K:
            self._hint(t("repl_k_bad", most=MAX_TOP_K, top_k=self.top_k))
            return True
        self.top_k = value
        self._hint(t("repl_k_set", value=value))
        return True

    def cmd_sources(self, argument: str) -> bool:
        self.console.print(render_articles(self._get_searcher().articles()))
        return True

    def cmd_json(self, argument: str) -> bool:
        self.as_json = not self.as_json
        self._hint(t("repl_json_on") if self.as_json else t("repl_json_off"))
        return True

    def cmd_reload(self, argument: str) -> bool:
        searcher = self._get_searcher()
        try:
            changed = searcher.refresh()
        except NewsQAError as exc:
            self._error(t("repl_reload_failed", error=describe(exc)))
            return True
        if changed:
            # Offsets of the old index mean nothing in the new one.
            self._paging = None
            articles = searcher.articles()
            self._hint(t("repl_reloaded", articles=count("n_articles", len(articles)),
                         passages=count("n_passages", sum(a.chunks for a in articles))))
        else:
            self._hint(t("repl_unchanged"))
        return True

    def cmd_quit(self, argument: str) -> bool:
        return False

    # --- output helpers --------------------------------------------------------------------

    def _hint(self, message: str) -> None:
        self.console.print(Text(message, style=HINT_STYLE))

    def _error(self, message: str) -> None:
        self.console.print(Text(message, style=ERROR_STYLE))


def run_loop(read_line: Callable[[], str], repl: Repl) -> int:
    """Read and handle lines until :quit or end of input; the exit code (0)."""
    while True:
        try:
            line = read_line()
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line
        except EOFError:
            return 0
        try:
            if not repl.handle(line):
                return 0
        except KeyboardInterrupt:
            repl.console.print(Text(t("repl_cancelled"), style=HINT_STYLE))
        except NewsQAError:
            raise  # the searcher cannot be opened: `newsqa` prints it and exits 1
        except Exception:
            # A bug must not cost the session its history and settings: show it, go on.
            repl.console.print_exception(max_frames=5)


# --- the searcher, opened in the background ------------------------------------------------

class SearcherLoader:
    """Opens the searcher in a thread so the prompt need not wait for a slow model."""

    def __init__(self, open_existing: Callable[[], SearcherLike],
                 open_building: Callable[[], SearcherLike]) -> None:
        self._open_existing = open_existing
        self._open_building = open_building
        self._done = threading.Event()
        self._searcher: SearcherLike | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="newsqa-open", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self._searcher = self._open_existing()
        except BaseException as exc:  # handed to the main thread by get()
            self._error = exc
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def get(self) -> SearcherLike:
        """The searcher; a missing index is built here, in the calling thread, with a bar."""
        self._done.wait()
        if self._searcher is None:
            if isinstance(self._error, IndexNotFoundError):
                self._searcher = self._open_building()
                self._error = None
            elif self._error is not None:
                raise self._error
        assert self._searcher is not None
        return self._searcher


def waiting_getter(loader: SearcherLoader, console: Console,
                   waiting_for: str) -> Callable[[], SearcherLike]:
    """A get_searcher that shows a spinner naming what it waits for while the load runs."""

    def get_searcher() -> SearcherLike:
        if not loader.ready:
            with console.status(t("repl_waiting", what=waiting_for)):
                loader.wait()
        return loader.get()

    return get_searcher


# --- prompt_toolkit wiring -----------------------------------------------------------------

def history_path() -> Path:
    """$XDG_STATE_HOME/newsqa/history (default ~/.local/state/newsqa/history)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "newsqa" / "history"


class _SafeFileHistory(FileHistory):
    """File history that keeps working in memory when a write fails (disk full, removed)."""

    def store_string(self, string: str) -> None:
        # The string is already in memory (History.append_string); losing the file copy is
        # better than crashing the prompt.
        with contextlib.suppress(OSError):
            super().store_string(string)


def open_history(path: Path) -> tuple[History, str | None]:
    """A file history at ``path``, or an in-memory one plus a notice when it is not usable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a+", encoding="utf-8"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return InMemoryHistory(), t("repl_history_memory", path=safe(path), reason=reason)
    return _SafeFileHistory(str(path)), None


class CommandCompleter(Completer):
    """Tab-completes the :commands (questions get no completion)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = sorted(names)

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterable[Completion]:
        typed = document.text_before_cursor
        if not typed.startswith(":") or " " in typed:
            return
        for name in self._names:
            if name.startswith(typed.lower()):
                yield Completion(name, start_position=-len(typed))


def run_repl(settings: RetrievalSettings, top_k: int | None) -> int:
    """`newsqa repl`: interactive on a terminal, `newsqa ask`-style when stdin is piped."""
    top_k = top_k or settings.top_k
    if not sys.stdin.isatty():
        lines = bounded_lines(sys.stdin, LINE_SLACK * settings.max_question_chars + 1)
        answer_lines(open_searcher(settings), lines, top_k, as_json=False)
        return 0
    return _interactive(settings, top_k)


def _interactive(settings: RetrievalSettings, top_k: int) -> int:
    console = Console(highlight=False, emoji=False)
    loader = SearcherLoader(lambda: Searcher.open(settings), lambda: open_searcher(settings))
    loader.start()
    if loader.wait(STARTUP_GRACE_SECONDS):
        loader.get()  # builds a missing index before the prompt; raises other errors

    waiting_for = t("repl_what", model=safe(settings.embedding_model),
                    index_dir=safe(settings.index_dir))
    repl = Repl(waiting_getter(loader, console, waiting_for), console, top_k)
    history, problem = open_history(history_path())
    session: PromptSession[str] = PromptSession(
        history=history, completer=CommandCompleter(repl.command_names),
        complete_while_typing=False,
    )
    console.print(Text(t("repl_banner"), style="bold"))
    if problem:
        console.print(Text(problem, style=HINT_STYLE))
    if loader.ready:
        articles = loader.get().articles()
        console.print(Text(t("repl_index_ready", index_dir=safe(settings.index_dir),
                             articles=count("n_articles", len(articles)),
                             passages=count("n_passages", sum(a.chunks for a in articles))),
                           style=HINT_STYLE))
    else:
        console.print(Text(t("repl_loading", what=waiting_for), style=HINT_STYLE))
    return run_loop(lambda: session.prompt(t("repl_prompt")), repl)

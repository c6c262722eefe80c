"""Secrets and access: the token never shows; user text never reaches a shell, path or format.

Also: forged button data never verifies, and a getUpdates that times out is recovered from.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import formatting as fmt
from retrieval import BadQuestionError, RetrievalSettings, Searcher
from tests.support.fake_bot_api import FakeBotApi, Fault

from ..bot.test_app import run_with_app, settings_for
from ..conftest import REPO, SEEDS
from .strategies import any_char

TOKEN = "987654321:AAH-reliability_SECRET_token_0042"
SECRET_PARTS = (TOKEN, TOKEN.split(":")[1], TOKEN.replace(":", "%3A"))
QUESTION = "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cà Mau?"


def assert_no_token(text: str) -> None:
    for secret in SECRET_PARTS:
        assert secret not in text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connections to it are refused


def run_bot(base_url: str, index: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSQA_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
                "TELEGRAM_LOG_LEVEL": "DEBUG", "TELEGRAM_MAX_RETRIES": "1",
                "TELEGRAM_RETRY_BACKOFF": "0.05", "TELEGRAM_REQUEST_TIMEOUT": "3",
                "TELEGRAM_POLL_TIMEOUT": "1", "HF_HUB_OFFLINE": "1"})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bot", "--index", str(index), "--articles",
         str(SEEDS)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("failure", ["closed port", "invalid port", "wrong token", "502",
                                     "not JSON", "dropped"])
def test_a_bot_that_cannot_start_says_why_without_the_token(
    seed_index_dir: Path, tmp_path: Path, failure: str
) -> None:
    fake = FakeBotApi(token="111:a_different_token" if failure == "wrong token" else TOKEN)
    with fake:
        fault = {"502": Fault(status=502), "not JSON": Fault(bad_json=True),
                 "dropped": Fault(drop=True)}.get(failure)
        if fault is not None:
            fake.inject("getMe", *[fault] * 50)
        base_url = {"closed port": f"http://127.0.0.1:{_closed_port()}",
                    "invalid port": "http://127.0.0.1:99999"}.get(failure, fake.base_url)
        result = run_bot(base_url, seed_index_dir, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert_no_token(output)
    last = output.strip().splitlines()[-1]
    assert last.startswith("newsqa: ")
    if failure == "wrong token":
        assert "Telegram refused TELEGRAM_BOT_TOKEN" in last
        assert "<TELEGRAM_BOT_TOKEN>" in output  # PTB put it in its error, and it was redacted
    else:
        assert "cannot reach the Bot API" in last


def test_cli_output_never_contains_the_token(seed_settings: RetrievalSettings,
                                             tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN,
           "NEWSQA_INDEX_DIR": str(seed_settings.index_dir)}
    runs = [["ask", QUESTION, "--json"], ["ask", QUESTION], ["sources"], ["hint-bot"],
            ["ask", "--json"], ["ask", QUESTION, "--index", str(tmp_path / "none"),
                                "--articles", str(tmp_path / "none")]]
    for args in runs:
        result = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=env,
                                input=f"{QUESTION}\n\n%s {{0}}\n", capture_output=True,
                                text=True, timeout=120)
        assert_no_token(result.stdout + result.stderr)
        assert result.stdout or result.stderr, args  # each run did say something


# --- user text is only ever text ---------------------------------------------------------

MARK = "newsqa-probe"
HOSTILE = (
    f"Cà Mau $(touch /tmp/{MARK}-shell) `touch {MARK}-tick`; rm -rf {MARK}-dir | cat",
    f"Cần Thơ %s %d %(x)s %n {{0}} {{0.__class__}} {{question}} {MARK}-format",
    f"Rừng Thông ../../../../etc/passwd /etc/shadow ~/{MARK}-path C:\\{MARK}\\x",
    f"Tô Lâm <b>in đậm</b> <a href='tg://user?id=1'>{MARK}</a> &amp; *_`[x]({MARK})`_*",
    f"Cà Mau\x00{MARK}-nul\ud800\u202e\u200b",
)
# Audit events that start programs (any at all is a failure while the bot runs).
SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                "os.fork", "os.forkpty", "pty.spawn", "os.startfile")
_recorded: list[tuple[str, str]] = []
_recording = threading.Event()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recording.is_set() and (event.startswith(SPAWN_EVENTS) or MARK in repr(args)):
        _recorded.append((event, repr(args)[:200]))


@pytest.fixture()
def audit() -> Iterator[list[tuple[str, str]]]:
    """Records, while the test runs, spawned programs and any event naming the probe mark."""
    if not getattr(sys, "_newsqa_audit_hook", False):
        sys.addaudithook(_audit)  # cannot be removed: it records only while this fixture runs
        sys._newsqa_audit_hook = True  # type: ignore[attr-defined]
    _recorded.clear()
    _recording.set()
    try:
        yield _recorded
    finally:
        _recording.clear()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_audit_sees_a_spawned_program_and_a_marked_path(
    audit: list[tuple[str, str]], tmp_path: Path
) -> None:
    subprocess.run(["true"], check=True)
    (tmp_path / f"{MARK}-file").write_text("x", "utf-8")
    events = [event for event, _ in audit]
    assert "subprocess.Popen" in events and "open" in events
    audit.clear()


def test_hostile_questions_are_searched_as_plain_text(
    seed_searcher: Searcher, audit: list[tuple[str, str]]
) -> None:
    for question in HOSTILE:
        try:
            response = seed_searcher.search(question)
        except BadQuestionError:
            continue
        assert MARK in response.question  # kept as typed (cleaned), never interpreted
        assert response.results
    assert "%s %d %(x)s %n {0} {0.__class__} {question}" in seed_searcher.search(
        HOSTILE[1]).question
    assert audit == []
    assert not list(Path.cwd().rglob(f"{MARK}*")) and not Path(f"/tmp/{MARK}-shell").exists()


def test_hostile_questions_through_the_bot_run_nothing_and_open_nothing(
    seed_searcher: Searcher, audit: list[tuple[str, str]]
) -> None:
    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        with FakeBotApi() as fake:
            async def body(application: Any) -> list[list[dict[str, Any]]]:
                replies = []
                for number, question in enumerate(HOSTILE):
                    asked = fake.ask(8_000 + number, question)
                    replies.append(await asyncio.to_thread(fake.wait_reply, asked, 1, 30.0))
                return replies

            replies = run_with_app(fake, settings_for(fake), seed_searcher, body,
                                   polling=True)
    finally:
        root.removeHandler(records)
        root.setLevel(previous_level)
    for [reply] in replies:
        assert reply["text"] != fmt.APOLOGY
    assert audit == []
    assert not list(Path.cwd().rglob(f"{MARK}*")) and not Path(f"/tmp/{MARK}-shell").exists()
    for record in records.records:
        record.getMessage()  # user text never became a logging format string


PRODUCT = sorted([*(REPO / "bot").glob("*.py"), *(REPO / "retrieval").glob("*.py")])
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "os.system", "os.popen",
                   "pickle.load", "pickle.loads", "marshal.load", "marshal.loads",
                   "shelve.open", "yaml.load"}
FORBIDDEN_MODULES = {"subprocess", "pickle", "marshal", "shelve", "pty"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _problems(path: Path, root: Path = REPO) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    constants = {target.id for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            found += [f"{where} imports {n}" for n in names
                      if n.split(".")[0] in FORBIDDEN_MODULES]
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name in FORBIDDEN_CALLS or name.startswith(("os.exec", "os.spawn",
                                                       "os.posix_spawn")):
            found.append(f"{where} calls {name}")
        if any(k.arg == "shell" for k in node.keywords):
            found.append(f"{where} passes shell=")
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "format_map"):
            template = node.func.value
            if not ((isinstance(template, ast.Constant) and isinstance(template.value, str))
                    or (isinstance(template, ast.Name) and template.id in constants)):
                found.append(f"{where} formats with a template that is not a literal")
        if (isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS
                and _dotted(node.func.value).split(".")[-1] in ("logger", "log", "logging")):
            first = node.args[1 if node.func.attr == "log" else 0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                found.append(f"{where} logs with a message that is not a literal")
    return found


def test_the_code_runs_no_shell_eval_pickle_or_user_format_string() -> None:
    assert len(PRODUCT) > 20
    problems = [problem for path in PRODUCT for problem in _problems(path)]
    assert problems == []


def test_the_code_scan_would_catch_each_kind_of_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import subprocess\nimport logging\nlogger = logging.getLogger()\n"
        "def f(text: str) -> None:\n    subprocess.run(text, shell=True)\n"
        "    eval(text)\n    text.format(1)\n    logger.info(text)\n"
        "    logger.info(f'{text}')\n    logger.info('%s', text)\n", "utf-8")
    assert len(_problems(bad, tmp_path)) == 6


# --- buttons -------------------------------------------------------------------------------

KEY = b"k" * 32


def _accepted(data: str, chat_id: int, question: str) -> fmt.PageRef | None:
    """The paging reference the bot would act on, as its button handler checks it."""
    ref = fmt.parse_page_data(data)
    if ref is None or fmt.page_mac(KEY, chat_id, ref.origin, ref.offset, question) != ref.mac:
        return None
    return ref


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.integers(-10**12, 10**12), st.text(max_size=50))
def test_arbitrary_callback_data_is_never_accepted(data: str, chat_id: int,
                                                   question: str) -> None:
    fmt.parse_example_data(data)
    assert _accepted(data, chat_id, question) is None


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 200), st.integers(0, 63), st.characters(codec="ascii"),
       st.sampled_from(["r", "e0", "e1"]), st.integers(1, 10**12),
       st.one_of(st.just(QUESTION), st.text(any_char, max_size=60)))
def test_a_tampered_genuine_button_is_refused(
    offset: int, position: int, char: str, origin: str, chat_id: int, question: str
) -> None:
    genuine = fmt.page_data(KEY, chat_id, origin, offset, question)  # any question at all
    assert _accepted(genuine, chat_id, question) == fmt.parse_page_data(genuine)
    position %= len(genuine)
    tampered = genuine[:position] + char + genuine[position + 1:]
    ref = _accepted(tampered, chat_id, question)
    # Accepted only if it still points at the very same page ('p:r:03:' reads as 3).
    assert ref is None or (ref.origin, ref.offset) == (origin, offset)
    assert _accepted(genuine, chat_id + 1, question) is None  # another chat's button
    assert _accepted(genuine, chat_id, question + "?") is None  # another question's


# --- a getUpdates that never answers in time ------------------------------------------------

def test_a_get_updates_timeout_is_recovered_and_the_question_answered_once(
    seed_searcher: Searcher,
) -> None:
    with FakeBotApi() as fake:
        # The poll's read timeout is request_timeout + poll timeout: 1 + 1 s.
        fake.inject("getUpdates", Fault(delay=3.5), Fault(delay=3.5))

        async def body(application: Any) -> int:
            asked = fake.ask(9_001, QUESTION)
            await asyncio.to_thread(fake.wait_reply, asked, 1, 30.0)
            await asyncio.to_thread(fake.quiet, 1.0)
            return len(fake.replies_to(asked))

        replies = run_with_app(fake, settings_for(fake, request_timeout=1.0), seed_searcher,
                               body, polling=True)
        assert replies == 1
        assert fake.pending_faults("getUpdates") == 0

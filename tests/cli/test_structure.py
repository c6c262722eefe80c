"""The CLI is parsing and dispatch only; what the front ends share lives in bot.frontend."""

from __future__ import annotations

import argparse

import pytest

import bot.cli
from bot import frontend, repl
from bot.commands import command_modules


def test_front_ends_share_bot_frontend_not_the_cli() -> None:
    for name in ("open_searcher", "answer_lines", "run_build", "print_response"):
        assert callable(getattr(frontend, name))
        assert not hasattr(bot.cli, name), name
    assert getattr(repl, "open_searcher") is frontend.open_searcher  # noqa: B009


def test_every_command_module_registers_its_own_parser() -> None:
    names: list[str] = []
    for module in command_modules():
        sub = argparse.ArgumentParser().add_subparsers()
        module.register(sub, argparse.ArgumentParser(add_help=False))
        assert sub.choices, module.__name__
        names += list(sub.choices)
    assert {"index", "ask", "eval", "sources", "repl", "bot"} <= set(names)
    assert names.index("index") < names.index("ask")


def test_help_lists_no_hidden_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        bot.cli.main(["--help"])
    shown = capsys.readouterr().out
    assert "SUPPRESS" not in shown and "hint-bot" not in shown
    assert "ask" in shown and "eval" in shown

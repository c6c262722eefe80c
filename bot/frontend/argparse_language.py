"""argparse's own error texts ("error:", "the following arguments are required", …) in the
CLI's language, so a usage error speaks Vietnamese like the rest of `newsqa`. The help
(`--help`) stays English throughout: its option texts are, and a half-translated page reads
worse than either."""

from __future__ import annotations

import argparse

# argparse looks these up through its module-level gettext aliases at call time; replacing
# the aliases translates its texts without a compiled .mo catalogue.
ARGPARSE_VI: dict[str, str] = {
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s":
        "tùy chọn mơ hồ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng được cùng tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
}
ARGPARSE_VI_PLURAL: dict[str, str] = {
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
}


def _vietnamese(message: str) -> str:
    return ARGPARSE_VI.get(message, message)


def _vietnamese_plural(singular: str, plural: str, n: int) -> str:
    chosen = singular if n == 1 else plural
    return ARGPARSE_VI_PLURAL.get(chosen, chosen)


def install(language: str) -> None:
    """Make argparse write its texts in ``language`` ('vi' or 'en') from now on."""
    import gettext

    vietnamese = language == "vi"
    argparse._ = _vietnamese if vietnamese else gettext.gettext  # type: ignore[attr-defined]
    argparse.ngettext = (_vietnamese_plural if vietnamese  # type: ignore[attr-defined]
                         else gettext.ngettext)

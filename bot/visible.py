"""Control characters made visible: names and texts from files must not steer what users see.

A file name may hold a newline (a fake line in the message), ESC/OSC sequences, or a bidi
override that shows 'gpj.exe' as 'exe.jpg'. Telegram's HTML mode only needs <>& escaped,
so these are shown as backslash escapes ('\\n', '\\x1b', '\\u202e') instead.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, bidi marks, embeddings, overrides and isolates, the Unicode line
# and paragraph separators, and lone surrogates (which are not valid UTF-8).
_UNSAFE = ("\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
           "\u2066-\u2069\ud800-\udfff")
_IN_TEXT = re.compile(f"[{_UNSAFE}]")  # newlines and tabs are a passage's own
_IN_NAME = re.compile(f"[\n\t{_UNSAFE}]")  # a name or a title is one line
_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _shown(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible_text(text: str) -> str:
    """``text`` with every control character but newline and tab shown as an escape."""
    return _IN_TEXT.sub(_shown, text)


def visible_name(text: str) -> str:
    """A file name, title or question on one line: newlines and tabs escaped too."""
    return _IN_NAME.sub(_shown, text)

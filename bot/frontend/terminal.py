"""Text shown on a terminal with its control characters escaped.

A file name or title is data: a newline in it would print a fake line, an ESC or OSC
sequence would move the cursor or set the terminal's title. Every name the CLI and REPL
show goes through `safe` (passage text too: articles come from anywhere).
"""

from __future__ import annotations

import re
from os import PathLike

# C0 controls, DEL, C1 controls, line/paragraph separators and the bidirectional overrides
# and isolates (which can make a name read backwards).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: str | PathLike[str] | object) -> str:
    """``value`` as text with every control character written as an escape."""
    text = str(value)
    return _CONTROL.sub(_escape, text)


def safe_text(text: str) -> str:
    """Passage text: its newlines and tabs stay (they are layout), other controls escaped."""
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else _escape(m), text)

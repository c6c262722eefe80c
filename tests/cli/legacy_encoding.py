"""Vietnamese text in windows-1258 as old editors wrote it: base letters with their shape
(â, ă, ơ, ư) and the tone as a separate combining byte."""

from __future__ import annotations

import unicodedata


def to_cp1258(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], list(parts[1:])
        for mark in list(marks):  # the shape marks (circumflex, breve, horn) join the base
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                    base = composed
                    marks.remove(mark)
                except UnicodeEncodeError:
                    pass
        out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return bytes(out)

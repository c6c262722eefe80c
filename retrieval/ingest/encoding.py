"""Bytes of a web page -> text, when the charset header or meta tag lies or is missing.

Vietnamese pages still come in windows-1258 (tone marks as combining characters) and are
often served with a wrong ``charset``: each plausible decoding is scored by how Vietnamese
its letters look, and the best one wins.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_VOWELS = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0303\u0309\u0323"
# Every letter Vietnamese writes, precomposed (NFC), both cases.
_VIETNAMESE = frozenset(
    unicodedata.normalize("NFC", base + tone).lower()
    for base in _VOWELS for tone in ("", *_TONES)
) | {"đ"}
_TONED = frozenset(c for c in _VIETNAMESE
                   if any(m in _TONES for m in unicodedata.normalize("NFD", c)))
_WORD = re.compile(r"[^\W\d_]+")


def meta_charset(raw: bytes) -> str | None:
    """The charset a page declares in its first 4 kB (``<meta charset>`` or http-equiv)."""
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def decode_page(raw: bytes, declared: str | None = None) -> str:
    """The page's text (NFC). Tries UTF-8, the declared charsets, windows-1258 and the
    detector's guess; keeps the decoding whose letters read most like Vietnamese."""
    if raw.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", raw[3:].decode("utf-8", "replace"))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return unicodedata.normalize("NFC", raw.decode("utf-16", "replace"))
    candidates: list[str] = ["utf-8"]
    for name in (declared, meta_charset(raw), "windows-1258"):
        if name and (normal := _codec(name)) and normal not in candidates:
            candidates.append(normal)
    best: tuple[float, str] | None = None
    for name in candidates:
        try:
            text = unicodedata.normalize("NFC", raw.decode(name))
        except (UnicodeDecodeError, LookupError):
            continue
        score = vietnamese_score(text)
        if name == "utf-8" and score >= 0:
            return text  # valid UTF-8 with plausible letters is never a coincidence
        if best is None or score > best[0]:
            best = (score, text)
    if best is None or best[0] < 0:
        guess = from_bytes(raw[:200_000]).best()
        if guess is not None and guess.encoding:
            text = unicodedata.normalize("NFC", raw.decode(guess.encoding, "replace"))
            if best is None or vietnamese_score(text) > best[0]:
                best = (vietnamese_score(text), text)
    if best is None:
        return unicodedata.normalize("NFC", raw.decode("utf-8", "replace"))
    return best[1]


def vietnamese_score(text: str) -> float:
    """Per word: +1 for a Vietnamese letter with diacritics, -3 for a non-ASCII letter
    Vietnamese never writes ('ð', 'þ', 'Ã¡'), -3 for a word with two tone marks."""
    score = 0.0
    for word in _WORD.findall(text[:100_000].lower()):
        if word.isascii():
            continue
        foreign = sum(1 for c in word if not c.isascii() and c not in _VIETNAMESE)
        toned = sum(1 for c in word if c in _TONED)
        if foreign or toned > 1:
            score -= 3
        else:
            score += 1
    return score


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None

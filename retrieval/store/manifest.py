"""The manifest of an index generation as typed, frozen values.

On disk it is ``manifest.json``: the same keys as always (format 2), sealed by a checksum of
its own fields so damage to the manifest is found as such.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from ..dense import DenseSettings
from ..embedding import EmbedderIdentity
from ..settings import RetrievalSettings

# 2: lexical index in our own arrays, manifest checksum.
FORMAT_VERSION = 2
TOKENIZER_VERSION = "nfc-folded-syllable+bigram/2"


@dataclass(frozen=True)
class ChunkingSettings:
    """What shapes the passages (and so the vectors): a change means re-embedding."""

    max_tokens: int
    overlap_sentences: int
    embed_with_title: bool
    max_sentences: int = 0  # 0: no cap (every index written before the cap existed)

    @classmethod
    def of(cls, settings: RetrievalSettings) -> ChunkingSettings:
        return cls(settings.chunk_max_tokens, settings.chunk_overlap_sentences,
                   settings.embed_with_title, settings.chunk_max_sentences)


@dataclass(frozen=True)
class Counts:
    articles: int
    chunks: int


@dataclass(frozen=True)
class FileEntry:
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    embedder: EmbedderIdentity
    chunking: ChunkingSettings
    tokenizer: str
    dense: DenseSettings
    counts: Counts
    # article file -> sha256 of its bytes (what an incremental build compares)
    article_hashes: dict[str, str] = field(default_factory=dict)
    # relative path -> size and checksum (files store; empty elsewhere)
    files: dict[str, FileEntry] = field(default_factory=dict)
    # Each passage's sentences have vectors too (False: built before they existed).
    sentence_vectors: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "created_at": self.created_at,
            "embedder": self.embedder.as_dict(),
            "chunking": asdict(self.chunking),
            "tokenizer": self.tokenizer,
            "dense": self.dense.as_dict(),
            "counts": asdict(self.counts),
            "article_hashes": dict(self.article_hashes),
            "files": {path: asdict(entry) for path, entry in self.files.items()},
            "sentence_vectors": self.sentence_vectors,
        }

    def to_json(self) -> str:
        return json.dumps(sealed(self.as_dict()), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """Raises KeyError, TypeError or ValueError on a garbled manifest."""
        files = {str(path): FileEntry(**entry) for path, entry in data["files"].items()}
        for entry in files.values():
            if not isinstance(entry.size, int) or not isinstance(entry.sha256, str):
                raise ValueError("a file entry is garbled")
        counts = Counts(**data["counts"])
        if not isinstance(counts.chunks, int) or not isinstance(counts.articles, int):
            raise ValueError("the counts are garbled")
        hashes = data["article_hashes"]
        if not isinstance(hashes, dict):
            raise ValueError("the article hashes are garbled")
        return cls(
            format_version=data["format_version"],
            created_at=data["created_at"],
            embedder=EmbedderIdentity(**data["embedder"]),
            chunking=ChunkingSettings(**data["chunking"]),
            tokenizer=data["tokenizer"],
            dense=DenseSettings(**data["dense"]),
            counts=counts,
            article_hashes=hashes,
            files=files,
            sentence_vectors=bool(data.get("sentence_vectors", False)),
        )


def manifest_checksum(data: dict[str, Any]) -> str:
    """sha256 of a manifest's fields (without its own checksum), in canonical JSON."""
    fields = {key: value for key, value in data.items() if key != "checksum"}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed(data: dict[str, Any]) -> dict[str, Any]:
    """The manifest's fields plus their checksum, so damage to the manifest itself is found
    as such (not as a checksum mismatch of the file whose entry it hit)."""
    return {**data, "checksum": manifest_checksum(data)}

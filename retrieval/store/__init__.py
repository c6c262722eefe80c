"""The index store: its interface (``protocol``), typed manifest and the files store."""

from ._old import (
    CHECKSUM_LIMIT_BYTES,
    CURRENT,
    FORMAT_VERSION,
    MANIFEST,
    PEOPLE_FILE,
    TOKENIZER_VERSION,
    ArticleRecord,
    IndexDir,
    Manifest,
    describe_files,
    file_sha256,
    load_array,
    load_json,
    manifest_checksum,
    save_array,
    sealed,
    write_json,
)
from .protocol import Candidates, Generation, PassageBatch, Store, StoreWriter

__all__ = [
    "CHECKSUM_LIMIT_BYTES", "CURRENT", "FORMAT_VERSION", "MANIFEST", "PEOPLE_FILE",
    "TOKENIZER_VERSION", "ArticleRecord", "Candidates", "Generation", "IndexDir", "Manifest",
    "PassageBatch", "Store", "StoreWriter", "describe_files", "file_sha256", "load_array",
    "load_json", "manifest_checksum", "save_array", "sealed", "write_json",
]

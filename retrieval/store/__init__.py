"""The index store: its interface (``protocol``), typed manifest and the files store.

``open_store`` is the one place a store is chosen.
"""

from ..dense import DenseSettings, plan_dense
from ..embedding import EmbedderIdentity
from ..settings import RetrievalSettings
from .files import FilesGeneration, FilesStore, StoredGeneration
from .io import FileBytes, file_sha256, load_array, load_json, save_array, write_json
from .layout import (
    CHECKSUM_LIMIT_BYTES,
    CURRENT,
    FUSION_FILE,
    MANIFEST,
    IndexDir,
    describe_files,
)
from .manifest import (
    FORMAT_VERSION,
    TOKENIZER_VERSION,
    ChunkingSettings,
    Counts,
    FileEntry,
    Manifest,
    manifest_checksum,
    sealed,
)
from .protocol import (
    Candidates,
    Generation,
    PassageBatch,
    Store,
    StoredPassages,
    StoreWriter,
)
from .tuned import clear_tuned_weights, read_tuned_weights, write_tuned_weights


def open_store(settings: RetrievalSettings, embedder: EmbedderIdentity | None = None) -> Store:
    """The store the settings name; with ``embedder``, a generation built with another
    model is refused on load (``IndexMismatchError``)."""
    if settings.store == "postgres":
        from .postgres import PostgresStore

        return PostgresStore(settings, embedder)
    return FilesStore(settings, embedder)


def plan_store_dense(settings: RetrievalSettings, count: int) -> DenseSettings:
    """How the store the settings name keeps the dense index of ``count`` vectors: the
    dense backend's own index, or pgvector's inside the Postgres server."""
    if settings.store == "postgres" and settings.pg_dense_index == "server":
        from .postgres_dense import plan_server_dense

        return plan_server_dense(settings, count)
    return plan_dense(settings, count)


__all__ = [
    "CHECKSUM_LIMIT_BYTES",
    "CURRENT",
    "FORMAT_VERSION",
    "FUSION_FILE",
    "MANIFEST",
    "TOKENIZER_VERSION",
    "Candidates",
    "ChunkingSettings",
    "Counts",
    "FileBytes",
    "FileEntry",
    "FilesGeneration",
    "FilesStore",
    "Generation",
    "IndexDir",
    "Manifest",
    "PassageBatch",
    "Store",
    "StoreWriter",
    "StoredGeneration",
    "StoredPassages",
    "clear_tuned_weights",
    "describe_files",
    "file_sha256",
    "load_array",
    "load_json",
    "manifest_checksum",
    "open_store",
    "plan_store_dense",
    "read_tuned_weights",
    "save_array",
    "sealed",
    "write_json",
    "write_tuned_weights",
]

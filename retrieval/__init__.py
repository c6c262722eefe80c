"""Retrieval core of newsqa: build a hybrid index over news articles and search it.

Front ends use only what is exported here.
"""

from .answers.shown import (
    PeopleGroup,
    answer_value,
    display_date,
    event_line,
    events_heading,
    people_groups,
)
from .articles import load_articles, parse_date
from .errors import (
    BadQuestionError,
    CorruptIndexError,
    EmbedderError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    NewsQAError,
    NoArticlesError,
)
from .indexer import BuildReport, build_index
from .search import Searcher
from .settings import RetrievalSettings
from .types import (
    Answer,
    Article,
    ArticleInfo,
    Chunk,
    Person,
    PersonEvent,
    SearchHit,
    SearchResponse,
    SkippedFile,
    Source,
)

__all__ = [
    "Answer",
    "Article",
    "ArticleInfo",
    "BadQuestionError",
    "BuildReport",
    "Chunk",
    "CorruptIndexError",
    "EmbedderError",
    "IndexLockedError",
    "IndexMismatchError",
    "IndexNotFoundError",
    "NewsQAError",
    "NoArticlesError",
    "PeopleGroup",
    "Person",
    "PersonEvent",
    "RetrievalSettings",
    "SearchHit",
    "SearchResponse",
    "Searcher",
    "SkippedFile",
    "Source",
    "answer_value",
    "build_index",
    "display_date",
    "event_line",
    "events_heading",
    "load_articles",
    "parse_date",
    "people_groups",
]

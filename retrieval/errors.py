"""The one exception hierarchy of the core; front ends turn these into messages."""

from __future__ import annotations


class NewsQAError(Exception):
    """Base class: its message is written for the person running the tool."""


class IndexNotFoundError(NewsQAError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(f"No index in {index_dir}. Build it with: newsqa index")
        self.index_dir = index_dir


class IndexMismatchError(NewsQAError):
    """The index was built with other settings that shape its vectors or tokens."""

    def __init__(self, what: str) -> None:
        super().__init__(f"The index does not match the current settings ({what}). "
                         "Rebuild it with: newsqa index --full")
        self.what = what


class CorruptIndexError(NewsQAError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"Index file {path} is unreadable ({detail}). "
                         "Rebuild it with: newsqa index --full")
        self.path = path
        self.detail = detail


class IndexLockedError(NewsQAError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(f"Another `newsqa index` is already building {index_dir}; "
                         "wait for it to finish and try again.")
        self.index_dir = index_dir


class IndexWriteError(NewsQAError):
    """A path of the index could not be written (full disk, read-only, not a folder, ...)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Could not write the index at {path}: {reason}. "
                         "The previous index is unchanged.")
        self.path = path


class NoArticlesError(NewsQAError):
    def __init__(self, articles_dir: str) -> None:
        super().__init__(f"No readable .txt articles in {articles_dir}.")
        self.articles_dir = articles_dir


class EmbedderError(NewsQAError):
    """The embedding model named in the settings cannot be loaded."""


class BadQuestionError(NewsQAError):
    """The question is empty or has nothing searchable."""

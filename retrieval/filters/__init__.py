"""Filters from the question or the command line: which articles a search may answer from."""

from .parse import ArticleFilter, DayRange, explicit_filter, parse_filter

__all__ = ["ArticleFilter", "DayRange", "explicit_filter", "parse_filter"]

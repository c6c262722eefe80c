"""Ingestion: web pages, local files, stdin, feeds and Telegram posts -> stored articles.

Stages, one module each: ``fetch`` (polite HTTP), ``encoding`` (bytes -> text),
``extract`` (HTML -> article fields), ``header`` (the metadata line of a stored article),
``catalog`` (SQLite: known URLs, text fingerprints, feeds, feed items), ``store``
(atomic article files, duplicates), ``feeds`` (RSS/Atom), ``pipeline`` (add / watch).
Import the submodules; this package imports nothing heavy on its own.
"""

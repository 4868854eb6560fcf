"""Page size of the cache file: a new cache gets pages that hold a whole raw record; an existing
cache keeps the page size it was made with (its rows are copied, never rebuilt)."""
from __future__ import annotations

import sqlite3

from mstrials.store import cache


def page_size_of(path) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA page_size").fetchone()[0]
    finally:
        connection.close()


def test_a_new_cache_has_pages_large_enough_for_a_typical_record(tmp_path):
    path = tmp_path / "trials.sqlite"
    with cache.staged_copy(path) as connection:
        cache.write_meta(connection, "note", "first run")
    assert page_size_of(path) == 16384
    assert cache.NEW_CACHE_PAGE_SIZE == 16384


def test_an_existing_cache_keeps_its_page_size_and_its_contents(tmp_path, monkeypatch):
    path = tmp_path / "trials.sqlite"
    monkeypatch.setattr(cache, "NEW_CACHE_PAGE_SIZE", 4096)  # a cache made before pages grew
    with cache.staged_copy(path) as connection:
        cache.write_meta(connection, "note", "made with small pages")
    monkeypatch.undo()
    with cache.staged_copy(path) as connection:
        assert cache.read_meta(connection, "note") == "made with small pages"
        cache.write_meta(connection, "later", "second run")
    assert page_size_of(path) == 4096
    with cache.staged_copy(path) as connection:
        assert cache.read_meta(connection, "later") == "second run"

"""The index generation being served, reopened when an admin switches to a new one."""

from __future__ import annotations

import threading

from indexer.engine import IndexSearcher
from indexer.store import IndexStore


class IndexMissing(Exception):
    """No index has been built yet."""


class CurrentIndex:
    """Keeps one searcher open and reuses it until `csto-index` publishes a new generation.

    Requests in flight keep the searcher they started with; it is closed when the last of
    them lets go of it, so a switch never fails a request.
    """

    def __init__(self, store: IndexStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._name: str | None = None
        self._searcher: IndexSearcher | None = None

    def get(self) -> IndexSearcher:
        name = self._store.current_name()
        if name is None:
            raise IndexMissing(f"There is no index in {self._store.root}.")
        searcher = self._searcher
        if name == self._name and searcher is not None:
            return searcher
        with self._lock:
            if name != self._name or self._searcher is None:
                self._searcher = IndexSearcher(self._store.generations / name)
                self._name = name
            return self._searcher

    @property
    def generation(self) -> str | None:
        return self._name

"""The index generation being served, reopened when an admin switches to a new one."""

from __future__ import annotations

import threading

from indexer.engine import IndexSearcher
from indexer.store import IndexStore

OPEN_ATTEMPTS = 3


class IndexMissing(Exception):
    """No index has been built yet."""


class CurrentIndex:
    """Keeps one searcher open and reuses it until `csto-index` publishes a new generation.

    Requests in flight keep the searcher they started with; it is closed when the last of
    them lets go of it, so a switch never fails a request.
    """

    def __init__(self, store: IndexStore, cache_mb: float) -> None:
        self._store = store
        self._cache_mb = cache_mb
        self._lock = threading.Lock()
        self._name: str | None = None
        self._searcher: IndexSearcher | None = None

    def get(self) -> IndexSearcher:
        for _ in range(OPEN_ATTEMPTS):
            name = self._store.current_name()
            if name is None:
                raise IndexMissing(f"There is no index in {self._store.root}.")
            searcher = self._searcher
            if name == self._name and searcher is not None:
                return searcher
            with self._lock:
                try:
                    if name != self._name or self._searcher is None:
                        self._searcher = IndexSearcher(self._store.generations / name,
                                                      self._cache_mb)
                        self._name = name
                    return self._searcher
                except FileNotFoundError:
                    continue  # two builds in quick succession removed it: read CURRENT again
        raise IndexMissing(f"The index in {self._store.root} kept changing while it was "
                           "being opened; try again in a moment.")

    @property
    def generation(self) -> str | None:
        return self._name

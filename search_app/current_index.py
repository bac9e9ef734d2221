"""The index generation being served, reopened when an admin switches to a new one."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import NoReturn

from indexer.admin_files import WatchedFile
from indexer.engine import IndexSearcher, QuerySyntaxError, SearchLimits, SearchRequest
from indexer.officials import (
    REGISTRY_FILE,
    Official,
    RegistryError,
    default_officials,
    load_officials,
)
from indexer.store import IndexStore, content_problem, size_problem
from indexer.synonyms import SYNONYMS_FILE, Synonyms, SynonymsError, load_synonyms

log = logging.getLogger("csto_search")

OPEN_ATTEMPTS = 3
RECENT_QUERIES = 200
WARM_SECONDS = 20.0  # a new generation is switched to after this long, warm or not
START_SECONDS = 10.0  # a starting server warms its index at most this long before serving


def warm(searcher: IndexSearcher, queries: list[str], seconds: float) -> None:
    """Run recent queries, newest first, then read the index's most frequent terms while the
    posting cache has room (they would push out the lists of the recent queries, the
    likelier to come again), within a time limit."""
    deadline = time.monotonic() + seconds
    # At least one search: the first one pays for what is read once (columns, stored
    # fields' tables).
    for text in [*dict.fromkeys(reversed(queries)), *searcher.frequent_words(1)]:
        if time.monotonic() > deadline:
            return
        try:
            searcher.search(SearchRequest(text))
        except QuerySyntaxError:
            continue
    searcher.preload(deadline)


class IndexMissing(Exception):
    """No index has been built yet."""


class IndexDamaged(Exception):
    """The generation served cannot be read; the message names it and what is wrong."""


class CurrentIndex:
    """Keeps one searcher open and reuses it until `csto-index` publishes a new generation.

    A new generation is opened and warmed in the background - the queries of recent traffic
    and the index's most frequent words are run on it, so their posting lists are decoded -
    while the old one keeps answering; the switch comes when it is warm. Requests in flight
    keep the searcher they started with, so a switch never fails a request.
    """

    def __init__(self, store: IndexStore, cache_mb: float,
                 synonyms_file: Path | None = None, warm: bool = True,
                 limits: SearchLimits | None = None) -> None:
        self._store = store
        self._cache_mb = cache_mb
        self._limits = limits or SearchLimits()
        self._lock = threading.Lock()
        self._name: str | None = None
        # (the index folder's real place, generation): the folder may be a link that an
        # admin points at another index.
        self._key: tuple[str, str] | None = None
        self._searcher: IndexSearcher | None = None
        self._synonyms = SynonymSource(synonyms_file)
        self._damaged: tuple[str, str] | None = None  # (generation, why), checked once
        self._raw_folder: tuple[str | None, Path | None] = (None, None)  # per generation
        self._warm = warm
        self._warming: str | None = None  # the generation being warmed
        self._verified: set[str] = set()  # generations whose files' digests were checked
        self.recent: deque[str] = deque(maxlen=RECENT_QUERIES)

    def get(self) -> IndexSearcher:
        return self._open()

    def synonyms(self) -> Synonyms:
        """The synonyms in use: the packaged ones and those of the admin's file (in the raw
        folder of the served index, unless the settings name one)."""
        raw_dir = self.raw_folder()
        return self._synonyms.current(raw_dir / SYNONYMS_FILE if raw_dir else None)

    def open_warm(self, seconds: float = START_SECONDS) -> None:
        """Open the served generation and warm it, before the first request (a starting
        server). Without an index yet, or with a damaged one, requests say so instead."""
        try:
            searcher = self._open()
        except (IndexMissing, IndexDamaged):
            return
        if not self._warm:
            return
        try:
            warm(searcher, [], seconds)
        except Exception:  # warming must never keep the server from starting
            if self._name is not None and self.damage_of_served() is None:
                log.exception("Warming generation %s failed", self._name)

    def record(self, text: str) -> None:
        """A query visitors asked, to warm the next generation with."""
        if text.strip():
            with self._lock:
                self.recent.append(text)

    def built(self) -> str | None:
        """When the served generation was built (ISO, UTC), if its state says."""
        built = self._store.state().get("built_utc")
        return built if isinstance(built, str) else None

    def raw_folder(self) -> Path | None:
        """The raw folder the served index was built from (its admin files live there);
        read once per generation."""
        name, folder = self._raw_folder
        if name != self._name:
            raw_dir = self._store.state().get("raw_dir")
            folder = Path(raw_dir) if isinstance(raw_dir, str) else None
            self._raw_folder = (self._name, folder)
        return folder

    def _open(self) -> IndexSearcher:
        for _ in range(OPEN_ATTEMPTS):
            name = self._store.current_name()
            if name is None:
                damage = self._store.damage()
                raise IndexMissing(f"There is no index in {self._store.root}"
                                   + (f": {damage}." if damage else "."))
            if self._damaged is not None and self._damaged[0] == name:
                raise IndexDamaged(self._damaged[1])  # known: cheap, and logged once
            key = self._key_of(name)
            searcher = self._searcher
            if key == self._key and searcher is not None:
                return searcher
            if searcher is not None and self._warm:
                self._warm_in_background(name)
                return searcher  # the old generation answers until the new one is warm
            with self._lock:
                try:
                    if key != self._key or self._searcher is None:
                        self._check(name)
                        self._searcher = self._searcher_of(name)
                        self._name, self._key = name, key
                        threading.Thread(target=self._verify_quietly, args=(name,),
                                         daemon=True, name=f"verify {name}").start()
                    return self._searcher
                except FileNotFoundError:
                    if (self._store.generations / name).is_dir() and \
                            self._store.current_name() == name:
                        self._mark_damaged(name, "a file of it is missing")
                    continue  # two builds in quick succession removed it: read CURRENT again
                except (OSError, EOFError, ValueError) as error:
                    self._mark_damaged(name, f"it cannot be read ({error})")
        raise IndexMissing(f"The index in {self._store.root} kept changing while it was "
                           "being opened; try again in a moment.")

    def _searcher_of(self, name: str) -> IndexSearcher:
        return IndexSearcher(self._store.generations / name, self._cache_mb, self.synonyms,
                             self._limits)

    def _warm_in_background(self, name: str) -> None:
        with self._lock:
            if self._warming is not None:
                return
            self._warming = name
        threading.Thread(target=self._switch_when_warm, args=(name,), daemon=True,
                         name=f"warm {name}").start()

    def _key_of(self, name: str) -> tuple[str, str]:
        return os.path.realpath(self._store.root), name

    def _switch_when_warm(self, name: str) -> None:
        key = self._key_of(name)
        try:
            self._check(name)
            self.verify(name)
            searcher = self._searcher_of(name)
            with self._lock:
                recent = list(self.recent)
            warm(searcher, recent, WARM_SECONDS)
            with self._lock:
                if self._key_of(self._store.current_name() or "") == key:
                    self._searcher, self._name, self._key = searcher, name, key
        except IndexDamaged:
            pass  # logged once; requests keep the old generation until a good one comes
        except (OSError, EOFError, ValueError) as error:
            log.error("Generation %s could not be opened: %s", name, error)
        finally:
            with self._lock:
                self._warming = None

    def _check(self, name: str) -> None:
        """Every file as large as when it was built (a truncated or missing file is found
        here, once, not by the searches that would read it)."""
        problem = size_problem(self._store.generations / name)
        if problem is not None:
            self._mark_damaged(name, problem)

    def verify(self, name: str) -> None:
        """Every file of a generation as it was published, byte for byte (its digests, in
        its state); raises IndexDamaged if not. Once per generation: reading a large index
        takes seconds, so it is done in the background or when a search fails."""
        if name in self._verified:
            return
        problem = content_problem(self._store.generations / name)
        if problem is not None:
            self._mark_damaged(name, problem)
        self._verified.add(name)

    def _verify_quietly(self, name: str) -> None:
        with contextlib.suppress(IndexDamaged):  # logged; requests now get the 503
            self.verify(name)

    def damage_of_served(self) -> str | None:
        """Why the generation served is damaged, checked now if it was not yet: asked when
        a search fails unexpectedly (a decode error of a damaged file, or a bug)."""
        name = self._name
        if name is None:
            return None
        try:
            self.verify(name)
        except IndexDamaged as error:
            return str(error)
        return None

    def _mark_damaged(self, name: str, why: str) -> NoReturn:
        message = (f"The index being served (generation {name} in {self._store.root}) is "
                   f"damaged: {why}. Rebuild it with `csto-index build`.")
        if self._damaged != (name, message):
            log.error("%s", message)
        self._damaged = (name, message)
        raise IndexDamaged(message)

    @property
    def generation(self) -> str | None:
        return self._name


class SynonymSource:
    """The packaged synonyms plus an admin's file, re-read when that file changes.

    The file is read in the background (a file of thousands of groups takes a second or
    more to compile), while requests go on with the synonyms they had. A file that cannot
    be used is logged once and the last good synonyms stay in use: a typo in synonyms.json
    must not take the search down."""

    def __init__(self, configured: Path | None) -> None:
        self._configured = configured
        self._file = WatchedFile()
        self._synonyms: Synonyms = load_synonyms()
        self._lock = threading.Lock()
        self._loading = False

    def current(self, default: Path | None) -> Synonyms:
        with self._lock:
            changed, existing = self._file.changed(self._configured or default)
            if changed and not self._loading:
                self._loading = True
                threading.Thread(target=self._load, args=(existing,), daemon=True,
                                 name="load synonyms").start()
            elif changed:  # a load is running: look again when it is done
                self._file.forget()
        return self._synonyms

    def _load(self, path: Path | None) -> None:
        try:
            self._synonyms = load_synonyms(path)
        except SynonymsError as error:
            log.error("Synonyms not updated: %s", error)
        finally:
            with self._lock:
                self._loading = False


class OfficialsSource:
    """The registry of officials for the people's pages: the packaged one, plus the raw
    folder's officials.json of the index served (re-read when it changes)."""

    def __init__(self, index: CurrentIndex) -> None:
        self._index = index
        self._file = WatchedFile()
        self._by_name: dict[str, Official] = {}

    def find(self, name: str) -> Official | None:
        raw_dir = self._index.raw_folder()
        changed, extra = self._file.changed(raw_dir / REGISTRY_FILE if raw_dir else None)
        if changed:
            try:
                officials = load_officials(extra)
            except RegistryError as error:
                log.error("Officials not updated: %s", error)
                officials = default_officials()
            self._by_name = {official.name: official for official in officials}
        return self._by_name.get(name)

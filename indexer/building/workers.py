"""Running the cleaner's stages on all cores, in processes that end with the run.

How the work is run, not what it computes: the cleaning cache's version digests the
cleaner's modules, not this one, so a change here does not make every page be cleaned again.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from indexer.building.cache import CleaningCache
from indexer.lifetime import end_with

T = TypeVar("T")
# Below this many pages, starting processes costs more than it saves.
PARALLEL_FROM_PAGES = 2000
WORKERS = min(2, os.cpu_count() or 1)
CHUNK = 64  # items sent to a worker process at a time
CHUNKS_AHEAD = 3  # per worker
# A worker is replaced after this many chunks (6,400 pages): what its allocator and
# caches kept of the pages it cleaned goes with it.
TASKS_PER_WORKER = 100
PRELOADED = ["indexer.building.corpus"]  # imported once by the fork server, shared by its children


def process_context() -> multiprocessing.context.BaseContext:
    """Processes started from a small server process that has imported the cleaner, not
    forked from this one with its corpus-wide statistics (each would soon hold a copy of
    them); the cleaner's code and data are then shared between them."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def release_free_memory() -> None:
    """Give the memory freed by a stage back to the system (glibc keeps freed memory for
    reuse; elsewhere this does nothing)."""
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_apart(function: Callable[..., T], *arguments: object) -> T:
    """function(*arguments) in a child process, which ends when it returns (and with this
    process, if this one is killed first)."""
    with ProcessPoolExecutor(1, mp_context=process_context()) as child:
        try:
            return child.submit(_owned_by, os.getpid(), function, *arguments).result()
        except BaseException:
            _stop_processes(child)
            raise


def _stop_processes(pool: ProcessPoolExecutor) -> None:
    """End a pool's processes now (the run is abandoned: stopped, or failed): leaving the
    pool would wait for the work they are doing."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()


def _owned_by(owner: int, function: Callable[..., T], *arguments: object) -> T:
    end_with(owner)
    return function(*arguments)


# What the functions run by `each` share: set once per worker process (or in this process).
_shared: tuple[Callable[..., object], CleaningCache | Path, tuple[object, ...]] | None = None


def _share(function: Callable[..., object], cache: CleaningCache | Path,
           shared: tuple[object, ...], owner: int | None = None) -> None:
    global _shared
    _shared = (function, cache, shared)
    if owner is not None:
        end_with(owner)


def _call_shared(item: object) -> object:
    global _shared
    assert _shared is not None
    function, cache, shared = _shared
    if isinstance(cache, Path):  # a worker opens its own connection, once
        cache = CleaningCache(cache)
        _shared = (function, cache, shared)
    return function(item, cache, *shared)


def _call_chunk(chunk: list[object]) -> list[object]:
    return [_call_shared(item) for item in chunk]


def each(function: Callable[..., T], items: Iterable[Any], count: int, cache: CleaningCache,
         *shared: object) -> Iterator[T]:
    """function(item, cache, *shared) for each of `count` items, in order; on all cores when
    there are many. Items are made, and results kept, only a few chunks ahead of the reader,
    so memory does not grow with the corpus (`Executor.map` would submit them all)."""
    if count < PARALLEL_FROM_PAGES or WORKERS < 2:
        _share(function, cache, shared)
        yield from map(_call_shared, items)  # type: ignore[misc]
        return
    cache.commit()  # the workers read what this process wrote
    remaining = iter(items)
    chunks = iter(lambda: list(itertools.islice(remaining, CHUNK)), [])
    with ProcessPoolExecutor(WORKERS, mp_context=process_context(), initializer=_share,
                             max_tasks_per_child=TASKS_PER_WORKER,
                             initargs=(function, cache.path, shared, os.getpid())) as pool:
        pending = deque(pool.submit(_call_chunk, chunk)
                        for chunk in itertools.islice(chunks, WORKERS * CHUNKS_AHEAD))
        try:
            while pending:
                results = pending.popleft().result()
                following = next(chunks, None)
                if following is not None:
                    pending.append(pool.submit(_call_chunk, following))
                yield from results  # type: ignore[misc]
        except BaseException:
            _stop_processes(pool)
            raise

"""Helper processes end with the process they work for.

A build killed with `kill -9` (or by the system) cannot stop the processes it started: the
cleaner's workers (children of a fork server) and Whoosh's writer processes (blocked on a
queue nobody will fill) would go on holding their memory. Each watches its owner instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

WATCH_EVERY_S = 1.0
_owner_of_children: int | None = None  # set while forked children must watch this process


def end_with(owner: int) -> None:
    """End this process once `owner`, the process it works for, has ended."""

    def watch() -> None:
        while True:
            time.sleep(WATCH_EVERY_S)
            try:
                os.kill(owner, 0)
            except (ProcessLookupError, PermissionError):  # (another user's took its number)
                os._exit(1)

    threading.Thread(target=watch, name="end-with-owner", daemon=True).start()


@contextmanager
def children_end_with_this_process() -> Iterator[None]:
    """Processes forked from this one inside the block (by a library that starts its own)
    end when this process ends."""
    global _owner_of_children
    _owner_of_children = os.getpid()
    try:
        yield
    finally:
        _owner_of_children = None


def _watch_owner_after_fork() -> None:
    global _owner_of_children
    owner, _owner_of_children = _owner_of_children, None
    if owner is not None:
        end_with(owner)


os.register_at_fork(after_in_child=_watch_owner_after_fork)

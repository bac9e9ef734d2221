"""Helper processes end with the process they work for.

A build killed with `kill -9` (or by the system) cannot stop the processes it started: the
cleaner's workers (children of a fork server) and Whoosh's writer processes (blocked on a
queue nobody will fill) would go on holding their memory. Each watches its owner instead.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

WATCH_EVERY_S = 1.0
# Set while processes forked from this one must watch it (and, if quiet, not write to the
# terminal): (owner's process id, quiet).
_children_rule: tuple[int, bool] | None = None


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
def children_end_with_this_process(quiet: bool = False) -> Iterator[None]:
    """Processes forked from this one inside the block (by a library that starts its own)
    end when this process ends; `quiet`: their error output goes nowhere (their failure
    reaches this process, which reports it once and clearly)."""
    global _children_rule
    _children_rule = (os.getpid(), quiet)
    try:
        yield
    finally:
        _children_rule = None


def _watch_owner_after_fork() -> None:
    global _children_rule
    rule, _children_rule = _children_rule, None
    if rule is not None:
        owner, quiet = rule
        end_with(owner)
        if quiet:
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the process's life


os.register_at_fork(after_in_child=_watch_owner_after_fork)

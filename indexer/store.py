"""Index generations on disk, the switch between them, and the admins' lock.

    index/
      CURRENT                  name of the generation being served (replaced atomically)
      generations/<name>/      one complete index each, with state.json beside it
      .lock                    held by the build or update that is running

A build writes a new generation next to the served one and only then rewrites CURRENT, so a
reader sees either the old index or the new one, never a half-written one. The generation
before the current one is kept, so searchers that still have it open keep working.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_INDEX_DIR = Path("index")  # of both commands, unless --index or CSTO_INDEX says
INDEX_ENVIRONMENT = "CSTO_INDEX"
CURRENT_FILE = "CURRENT"
GENERATIONS_DIR = "generations"
STATE_FILE = "state.json"
LOCK_FILE = ".lock"
UNFINISHED_PREFIX = "unfinished-"
KEEP_GENERATIONS = 2
GENERATION_NAME = re.compile(r"^\d{8}T\d{6}-\d{3}$")

# Lock descriptors this process holds. Worker processes forked while a build holds the lock
# (the cleaner's pool, Whoosh's writer processes) close their copy at once: otherwise they
# would keep the index locked after the build itself was killed.
_held_locks: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_held_locks):
        with suppress(OSError):
            os.close(fd)
    _held_locks.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


class StoreError(Exception):
    """A problem an admin can act on; the message says what to do."""


class LockedError(StoreError):
    pass


@dataclass(frozen=True)
class IndexStore:
    root: Path

    @property
    def generations(self) -> Path:
        return self.root / GENERATIONS_DIR

    def current_name(self) -> str | None:
        """The generation served, or None when there is none or CURRENT is damaged (not a
        generation's name: the next build writes a good one over it)."""
        try:
            name = (self.root / CURRENT_FILE).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not GENERATION_NAME.match(name):
            return None
        return name if (self.generations / name).is_dir() else None

    def damage(self) -> str | None:
        """What is wrong with CURRENT, if it exists and names no good generation."""
        path = self.root / CURRENT_FILE
        if not path.exists() and not path.is_symlink():
            return None
        if self.current_name() is not None:
            return None
        try:
            name = path.read_text("utf-8").strip()
        except IsADirectoryError:
            return f"{path} is a folder, not a file naming a generation"
        except (OSError, UnicodeDecodeError) as error:
            return f"{path} cannot be read ({error})"
        if not GENERATION_NAME.match(name):
            return f"{path} does not name a generation ({name[:40]!r})"
        return f"{path} names generation {name}, which is missing"

    def current(self) -> Path | None:
        name = self.current_name()
        return self.generations / name if name else None

    def new_generation(self) -> Path:
        """An empty folder for a generation being written (not yet a candidate to serve)."""
        self.generations.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        for attempt in range(1000):
            name = f"{stamp}-{attempt:03d}"
            if (self.generations / name).exists():
                continue
            path = self.generations / f"{UNFINISHED_PREFIX}{name}"
            try:
                path.mkdir()
                return path
            except FileExistsError:
                continue
        raise StoreError(f"Could not create a new generation folder in {self.generations}.")

    def publish(self, unfinished: Path, state: dict[str, Any]) -> str:
        """Seal a finished generation and make it the one served. Returns its name.

        Each generation is numbered in the order of publishing (`sequence`): which ones are
        kept follows it, not their names, which follow a clock that may go backwards."""
        state = state | {"sequence": _sequence(self.state()) + 1}
        write_json_atomically(unfinished / STATE_FILE, state)
        name = unfinished.name.removeprefix(UNFINISHED_PREFIX)
        final = unfinished.with_name(name)
        os.rename(unfinished, final)
        current = self.root / CURRENT_FILE
        if current.is_dir() and not current.is_symlink():
            shutil.rmtree(current)  # a damaged CURRENT: replaced by a good one
        write_text_atomically(current, name + "\n")
        self.remove_old_generations()
        return name

    def state(self) -> dict[str, Any]:
        current = self.current()
        return {} if current is None else _read_state(current)

    def remove_old_generations(self) -> None:
        """Keep the current generation and the one published before it; drop the rest and
        any leftovers."""
        current = self.current_name()
        finished = sorted((p for p in self.generations.iterdir()
                           if p.is_dir() and not p.name.startswith(UNFINISHED_PREFIX)),
                          key=lambda p: (_sequence(_read_state(p)), p.name))
        keep = {p.name for p in finished[-KEEP_GENERATIONS:]} | {current}
        for path in self.generations.iterdir():
            if path.name not in keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def remove_unfinished(self) -> None:
        """Folders of generations whose writing never ended (a build killed), which nobody
        reads: called with the lock held, so no build is writing one."""
        if self.generations.is_dir():
            for path in self.generations.iterdir():
                if path.name.startswith(UNFINISHED_PREFIX) and path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)

    def discard(self, unfinished: Path) -> None:
        shutil.rmtree(unfinished, ignore_errors=True)

    def size_bytes(self) -> int:
        current = self.current()
        if current is None:
            return 0
        return sum(p.stat().st_size for p in current.rglob("*") if p.is_file())

    @contextmanager
    def lock(self, command: str, wait: bool = False,
             on_wait: Callable[[str], None] = lambda _message: None) -> Iterator[None]:
        """Only one build or update at a time.

        An advisory lock (flock) on `.lock`: the kernel releases it when its holder ends,
        however it ends (kill -9 included), so a crashed build never leaves the index locked.
        The file also says who holds it, for the message a second admin gets.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                message = busy_message(read_lock(path))
                if not wait:
                    raise LockedError(f"{message} Wait for it to finish (or use --wait), "
                                      "then try again.") from None
                on_wait(f"{message} Waiting for it to finish…")
                fcntl.flock(fd, fcntl.LOCK_EX)
            _held_locks.add(fd)
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps({"pid": os.getpid(), "command": command,
                                     "started": time.strftime("%Y-%m-%d %H:%M:%S")}).encode())
            yield
        finally:
            _held_locks.discard(fd)
            os.close(fd)  # releases the lock


def file_digests(generation: Path, before: Path | None = None,
                 known: dict[str, str] | None = None) -> dict[str, str]:
    """The SHA-256 of every file of a generation, so that a server can tell one damaged in
    place (the same size, other bytes). A file that is a hard link to one of the generation
    `before` (an update links what it does not rewrite) keeps the digest `known` for it."""
    digests = {}
    for path in sorted(generation.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(generation).as_posix()
        earlier = before / name if before is not None else None
        if known and name in known and earlier is not None and earlier.exists() \
                and os.path.samefile(path, earlier):
            digests[name] = known[name]
            continue
        with path.open("rb") as handle:
            digests[name] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digests


def first_damaged_file(generation: Path, digests: dict[str, str]) -> str | None:
    """The first file of a generation whose bytes are not those it was published with."""
    for name, digest in digests.items():
        try:
            with (generation / name).open("rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() != digest:
                    return name
        except OSError:
            return name
    return None


def size_problem(generation: Path) -> str | None:
    """What is wrong with the sizes of a generation's files (missing, or not the size they
    were published with, as its state records them), or None."""
    for relative, expected in _read_state(generation).get("sizes", {}).items():
        try:
            actual = (generation / relative).stat().st_size
        except OSError:
            return f"its file {relative} is missing"
        if actual != expected:
            return f"its file {relative} is {actual:,} bytes, {expected:,} when it was built"
    return None


def content_problem(generation: Path) -> str | None:
    """What is wrong with the bytes of a generation's files (their digests, in its state),
    or None: it reads the whole index."""
    damaged = first_damaged_file(generation, _read_state(generation).get("digests", {}))
    return None if damaged is None else (f"its file {damaged} is not as it was built (its "
                                         "content differs)")


def _read_state(generation: Path) -> dict[str, Any]:
    try:
        state = json.loads((generation / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _sequence(state: dict[str, Any]) -> int:
    """A generation's place in the order of publishing; -1 for generations written before
    generations were numbered."""
    sequence = state.get("sequence")
    return sequence if isinstance(sequence, int) else -1


def busy_message(holder: dict[str, Any] | None) -> str:
    if holder is None:
        return "Another build or update is writing this index."
    pid = holder.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        return (f"The {holder.get('command', 'build')} of process {pid} (started "
                f"{holder.get('started', '?')}) has ended, but processes it started still "
                "hold the index's lock; they end on their own, or stop them.")
    return (f"Another {holder.get('command', 'build')} (process {pid or '?'}) is "
            f"writing this index since {holder.get('started', '?')}.")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_lock(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def write_text_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    # Not indented: the state of 100k pages is written 10x faster by the C encoder.
    write_text_atomically(path, json.dumps(data, ensure_ascii=False))

"""What the cleaner worked out, kept between runs so that an update redoes only what changed.

Every entry is addressed by everything it was computed from, so an entry that is found is
right by construction, and nothing has to be invalidated by hand:

- a page: its source, the sha256 of the bytes read, its manifest URL, and the cleaner's code;
- a first look at a page (which article it holds): the page and its `PageFacts` then;
- a draft (layout, body, mentions of people): the page, its final `PageFacts` and the
  registry of officials;
- a document's facts (id, content hash, what the report counts): its copies' drafts and
  the people their names were resolved to.

Looks and drafts also record the words whose class (common or not) they depended on: one is
used only while those words keep their class (the caller checks).

The cache is one SQLite file beside the generations. It holds no state of its own: deleting
it costs one slow build. Entries that the last run did not use are pruned at its end,
once they are a tenth of a table.
Entries are pickled: the file is written and read only by the indexer, in the index folder.
"""

from __future__ import annotations

import ast
import errno
import hashlib
import os
import pickle
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

CACHE_FILE = "cleaning-cache.sqlite"
_KEYS_PER_QUERY = 500  # SQLite allows 999 parameters in older builds
# Keys asked at once, from which a table is read whole when they are this share of its rows.
SCAN_FROM_KEYS = 5000
SCAN_SHARE = 0.25
_TABLES = {
    "pages": "key TEXT PRIMARY KEY, shape BLOB NOT NULL, page BLOB NOT NULL",
    # A page's word ids apart from its shape: an update counts only the words of the pages
    # added and gone (the word tally below), and they are two thirds of a shape's bytes.
    "words": "key TEXT PRIMARY KEY, words BLOB NOT NULL",
    "looks": "key TEXT PRIMARY KEY, look BLOB NOT NULL",
    "drafts": "key TEXT PRIMARY KEY, summary BLOB NOT NULL, draft BLOB NOT NULL",
    "documents": "key TEXT PRIMARY KEY, facts BLOB NOT NULL",
}
# What the last run counted over all its pages, kept to be updated by the next run: one row
# per tally, not addressed by inputs, never pruned.
_TALLIES = "tallies"
_WORD_PAGES = "word pages"


def cleaner_files() -> list[Path]:
    """Every file whose content decides what a page becomes, or how it is kept here: the
    whole cleaning package, its data, the modules of the contract it imports (found in its
    code, so that a new import counts at once), and the two modules that key and store its
    results (this one and `corpus`)."""
    root = Path(__file__).resolve().parent.parent
    cleaning = sorted((root / "cleaning").rglob("*.py"))
    contract: set[Path] = set()
    pending = list(cleaning)
    while pending:
        tree = ast.parse(pending.pop().read_bytes())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.startswith("indexer.") and node.module.count(".") == 1:
                module = root / f"{node.module.split('.')[1]}.py"
                if module.is_file() and module not in contract:
                    contract.add(module)
                    pending.append(module)
    data = sorted(path for path in (root / "data").iterdir() if path.is_file())
    here = Path(__file__).resolve()
    return [*cleaning, *sorted(contract), *data, here, here.with_name("corpus.py")]


@cache
def cleaner_version() -> str:
    """A digest of the cleaner's code and data: entries of another version are not used."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for path in cleaner_files():
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def entry_key(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


# Unused entries of a table are deleted once they are this many, and this share of the used.
PRUNE_FROM = 1000
PRUNE_SHARE = 0.1
_COMPRESS_FROM = 2048  # bytes: smaller values are kept as they are (faster, hardly larger)


class Packed(NamedTuple):
    """A value packed for the cache where it was made (in a worker process): the process
    that stores it handles one string of bytes, not the many objects of a page's text."""

    data: bytes

    @classmethod
    def of(cls, value: object) -> Packed:
        return cls(_pack(value))


def _pack(value: object) -> bytes:
    if isinstance(value, Packed):
        return value.data
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return b"z" + zlib.compress(data, 1) if len(data) >= _COMPRESS_FROM else b"p" + data


def _unpack(data: bytes) -> Any:
    return pickle.loads(zlib.decompress(data[1:]) if data[:1] == b"z" else data[1:])


def _disk_error(error: sqlite3.Error) -> Exception:
    """SQLite's errors as the file errors they are, for the admin's report (a damaged file
    stays a damage: the run sets the cache aside, `is_damage`)."""
    if is_damage(error):
        return error
    if "full" in str(error):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return OSError(f"the cleaning cache could not be written: {error}")


_DAMAGE_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
_DAMAGE_WORDS = ("malformed", "not a database")


def is_damage(error: BaseException) -> bool:
    """Whether an error says the cache file is damaged inside (its header may be whole):
    by SQLite's code, or by its words when the error crossed from a worker process (which
    keeps only the message)."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = getattr(error, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF in _DAMAGE_CODES) or \
        any(words in str(error) for words in _DAMAGE_WORDS)


def set_aside(path: Path) -> Path:
    """Move a damaged cache file (and SQLite's files beside it) out of the way, replacing
    any cache set aside before; returns where it went."""
    aside = path.with_name(path.name + ".damaged")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        target = aside.with_name(aside.name + suffix)
        if source.exists():
            os.replace(source, target)
        else:
            target.unlink(missing_ok=True)
    return aside


class CleaningCache:
    """One connection to the cache file; worker processes open their own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:  # not a database (a damaged file): it is only a cache
            for leftover in (path, path.with_name(path.name + "-wal"),
                             path.with_name(path.name + "-shm")):
                leftover.unlink(missing_ok=True)
            self._db = self._open()
        self.used: dict[str, set[str]] = {table: set() for table in _TABLES}

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for table, columns in _TABLES.items():
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
            db.execute(f"CREATE TABLE IF NOT EXISTS {_TALLIES} "
                       "(key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    def _get(self, table: str, column: str, key: str) -> bytes | str | None:
        row = self._db.execute(f"SELECT {column} FROM {table} WHERE key = ?", (key,)).fetchone()
        if row is not None:
            self.used[table].add(key)
        return None if row is None else row[0]

    def _get_many(self, table: str, column: str, keys: Sequence[str],
                  unpack: Callable[[bytes], Any] = _unpack, kept: bool = True) -> Iterator[Any]:
        """The unpacked values of many keys (None where missing), in few queries. `kept`:
        the caller keeps them all, so they may be read all at once (not a page's words)."""
        if kept and len(keys) >= SCAN_FROM_KEYS and \
                len(keys) >= SCAN_SHARE * self._rows(table):
            yield from self._scan(table, column, keys, unpack)
            return
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start:start + _KEYS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            found = dict(self._db.execute(
                f"SELECT key, {column} FROM {table} WHERE key IN ({marks})", chunk))
            self.used[table].update(found)
            yield from (unpack(found[key]) if key in found else None for key in chunk)

    def _rows(self, table: str) -> int:
        """Counted over the keys' index: a few ms for 100k rows."""
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def _scan(self, table: str, column: str, keys: Sequence[str],
              unpack: Callable[[bytes], Any]) -> list[Any]:
        """Many keys of a table at once: read in the order the table is stored, one pass
        over it costs a third to a sixth of looking 100k keys up one by one."""
        wanted = set(keys)
        found = {key: unpack(data) for key, data in
                 self._db.execute(f"SELECT key, {column} FROM {table}") if key in wanted}
        self.used[table].update(found)
        return [found.get(key) for key in keys]

    def _put(self, table: str, key: str, values: tuple[object, ...]) -> None:
        marks = ", ".join("?" * (len(values) + 1))
        try:
            self._db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})",
                             (key, *values))
        except sqlite3.Error as error:
            raise _disk_error(error) from error
        self.used[table].add(key)

    def mark_used(self, used: dict[str, set[str]]) -> None:
        """Count as used by this run what another connection (a child process) used."""
        for table, keys in used.items():
            self.used[table] |= keys

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.Error as error:
            raise _disk_error(error) from error

    def shapes(self, keys: Sequence[str]) -> Iterator[Any]:
        for key, shape in zip(keys, self._get_many("pages", "shape", keys), strict=True):
            if shape is not None:  # its words are used with it, read or not
                self.used["words"].add(key)
            yield shape

    def page(self, key: str) -> Any:
        data = self._get("pages", "page", key)
        return None if data is None else _unpack(data)  # type: ignore[arg-type]

    def put_page(self, key: str, shape: object, words: np.ndarray, page: object) -> None:
        self._put("pages", key, (_pack(shape), _pack(page)))
        self._put("words", key, (words.astype(np.uint32).tobytes(),))

    def words(self, keys: Sequence[str]) -> Iterator[np.ndarray | None]:
        """The uint32 word ids of pages (`put_page`'s)."""
        return self._get_many("words", "words", keys,
                              lambda data: np.frombuffer(data, np.uint32), kept=False)

    def word_tally(self) -> Any:
        """The pages per word the last run counted over all its pages, or None."""
        row = self._db.execute(f"SELECT value FROM {_TALLIES} WHERE key = ?",
                               (_WORD_PAGES,)).fetchone()
        return None if row is None else _unpack(row[0])

    def put_word_tally(self, value: object) -> None:
        try:
            self._db.execute(f"INSERT OR REPLACE INTO {_TALLIES} VALUES (?, ?)",
                             (_WORD_PAGES, _pack(value)))
        except sqlite3.Error as error:
            raise _disk_error(error) from error

    def looks(self, keys: Sequence[str]) -> list[Any]:
        return list(self._get_many("looks", "look", keys))

    def put_look(self, key: str, look: object) -> None:
        self._put("looks", key, (_pack(look),))

    def summaries(self, keys: Sequence[str]) -> Iterator[Any]:
        return self._get_many("drafts", "summary", keys)

    def draft(self, key: str) -> Any:
        data = self._get("drafts", "draft", key)
        return None if data is None else _unpack(data)  # type: ignore[arg-type]

    def put_draft(self, key: str, summary: object, draft: object) -> None:
        self._put("drafts", key, (_pack(summary), _pack(draft)))

    def documents(self, keys: Sequence[str]) -> Iterator[Any]:
        return self._get_many("documents", "facts", keys)

    def put_document(self, key: str, facts: object) -> None:
        self._put("documents", key, (_pack(facts),))

    def prune(self) -> int:
        """Delete the entries this run did not use, in the tables where they have become
        many (deleting walks a whole table: not worth it after each small update); returns
        how many."""
        removed = 0
        for table, used in self.used.items():
            entries = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if entries - len(used) < max(PRUNE_FROM, len(used) * PRUNE_SHARE):
                continue
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS used_keys (key TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM used_keys")
            self._db.executemany("INSERT OR IGNORE INTO used_keys VALUES (?)",
                                 ((key,) for key in used))
            removed += self._db.execute(
                f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM used_keys)").rowcount
        self._db.commit()
        return removed

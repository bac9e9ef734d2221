"""The raw folder as files: walked, read within limits, hashed, with the manifest of URLs.

Nothing here raises for a bad file or folder: it becomes a `Skipped` with the reason, so one
broken page cannot stop a build.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from indexer.cleaning.loading import RawPage, is_web_address, parse_page

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
MANIFEST_NAME = "manifest.jsonl"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64  # folders nested deeper than this are reported, not walked
# A file changed this recently before a scan may change again within the same timestamp.
SETTLED_NS = 5_000_000_000


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class Manifest:
    """URLs of text pages, from the optional manifest.jsonl of the raw folder."""

    urls: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_manifest(raw_dir: Path) -> Manifest:
    manifest = Manifest()
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        return manifest
    for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            file, url = row["file"], row["url"]
        except (ValueError, KeyError, TypeError):
            manifest.problems.append(f"{MANIFEST_NAME} line {number} is not a {{file, url}} object")
            continue
        if not isinstance(file, str) or not is_web_address(url):
            manifest.problems.append(f"{MANIFEST_NAME} line {number}: the url is not an http(s) "
                                     f"address ({str(url)[:60]!r}); the page is indexed "
                                     "without one")
            continue
        manifest.urls[file] = url
    return manifest


def find_raw_files(raw_dir: Path) -> Iterator[str | Skipped]:
    """The path of every page file below raw_dir, in a stable order (symlinks included,
    checked later), and every place that cannot be used, with the reason.

    Walked without recursion, so a tree of any depth ends in a report, not a crash. Paths
    are strings: a `Path` for each of 100k files costs more than the walk."""
    suffixes = TEXT_SUFFIXES | HTML_SUFFIXES
    pending: list[tuple[Path, int]] = [(raw_dir, 0)]
    while pending:
        folder, depth = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            yield Skipped(_source_name(folder, raw_dir),
                          f"its folder cannot be read ({error.strerror or error})")
            continue
        subfolders = []
        for entry in listed:
            if not _printable_name(entry.name):
                yield Skipped(_source_name(Path(entry.path), raw_dir),
                              "its name is not valid UTF-8: rename it to index it")
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if depth + 1 > MAX_DEPTH:
                    yield Skipped(_source_name(Path(entry.path), raw_dir),
                                  f"it is nested more than {MAX_DEPTH} folders deep")
                else:
                    subfolders.append((Path(entry.path), depth + 1))
            elif os.path.splitext(entry.name)[1].lower() in suffixes:
                yield entry.path
        pending.extend(reversed(subfolders))


def _printable_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 come back as lone surrogates
        return False
    return True


def _source_name(path: Path, raw_dir: Path) -> str:
    try:
        text = path.relative_to(raw_dir).as_posix()
    except ValueError:
        text = path.as_posix()
    return text.encode("utf-8", "backslashreplace").decode("utf-8") or "."


def relative_source(path: Path | str, raw_dir: Path) -> str:
    folder, full = str(raw_dir), str(path)
    if full.startswith(folder + os.sep) and os.sep == "/":  # the walk's paths: no parsing
        return full[len(folder) + 1:]
    return Path(path).relative_to(raw_dir).as_posix()


def read_page_bytes(path: Path, raw_dir: Path, max_bytes: int) -> bytes | Skipped:
    """The file's bytes, or why it cannot be used."""
    source = relative_source(path, raw_dir)
    try:
        # Folders are walked without following links, so only a linked file can lead out.
        real = path.resolve(strict=True) if path.is_symlink() else path
        if real is not path and not real.is_relative_to(raw_dir.resolve()):
            return Skipped(source, "it is a link to a file outside the raw folder")
        status = real.stat()
        if not stat.S_ISREG(status.st_mode):
            return Skipped(source, "it is not a regular file (a pipe, device or socket)")
        size = status.st_size
        if size > max_bytes:
            return Skipped(source, f"it is {size:,} bytes, over the {max_bytes:,}-byte limit")
        with open(real, "rb") as handle:  # a file that grew since: read no more than allowed
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            return Skipped(source, f"it is over the {max_bytes:,}-byte limit")
    except OSError as error:
        return Skipped(source, f"it cannot be read ({error.strerror or error})")
    except RuntimeError:  # Python 3.11's Path.resolve: a link that leads back to itself
        return Skipped(source, "it is a link that leads round in a loop")
    if not data.strip():
        return Skipped(source, "it is empty")
    if looks_binary(data):
        return Skipped(source, "it holds binary data, not text")
    return data


_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 20


def load_page(path: Path, raw_dir: Path, manifest_url: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES) -> RawPage | Skipped:
    """The page of a file (read, then parsed by the cleaner's first stage), or why not."""
    data = read_page_bytes(path, raw_dir, max_bytes)
    if isinstance(data, Skipped):
        return data
    source = relative_source(path, raw_dir)
    page = parse_page(data, source, hashlib.sha256(data).hexdigest(),
                      path.suffix.lower() in HTML_SUFFIXES, manifest_url)
    return Skipped(source, "it has no text") if page is None else page


@dataclass
class FolderScan:
    """The files of a raw folder, read and hashed (not parsed)."""

    raw_dir: Path
    max_bytes: int
    manifest: Manifest
    files: list[tuple[str, str, str] | Skipped]  # (path, source, sha256), or why not
    skipped: list[Skipped]  # folders that could not be walked
    # (size, mtime_ns, ctime_ns, inode, sha256) of files last changed well before the scan:
    # the next update may trust them without reading the files again.
    settled: dict[str, Settled] = field(default_factory=dict)

    @property
    def file_hashes(self) -> dict[str, str]:
        """What an update compares: the hashes of the bytes read now."""
        return {file[1]: file[2] for file in self.files if not isinstance(file, Skipped)}


def scan_folder(raw_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                settled: Mapping[str, Sequence[Any]] | None = None) -> FolderScan:
    """Read and hash every page file. With `settled` (a past scan's), a file whose size,
    modification time, status-change time and inode are those it had then, long after it
    last changed, is not read again, as git does: `cp -p`, `rsync -t` or `touch -r` can set
    a file's modification time back, but not its status-change time. A `build` (or `update
    --verify`) reads everything."""
    started = time.time_ns()
    found = list(find_raw_files(raw_dir))
    files: list[tuple[str, str, str] | Skipped] = []
    scan = FolderScan(raw_dir, max_bytes, read_manifest(raw_dir), files,
                      [problem for problem in found if isinstance(problem, Skipped)])
    for path in found:
        if isinstance(path, Skipped):
            continue
        source = relative_source(path, raw_dir)
        try:
            status = os.lstat(path)
        except OSError:
            status = None
        if status is not None and stat.S_ISLNK(status.st_mode):
            status = None  # a link: its target may change without the link's time
        known = (settled or {}).get(source)
        if status is not None and known is not None and len(known) == len(Settled._fields) \
                and list(_signature(status)) == list(known[:-1]):
            files.append((path, source, known[-1]))
            scan.settled[source] = Settled(*_signature(status), known[-1])
            continue
        data = read_page_bytes(Path(path), raw_dir, max_bytes)
        if isinstance(data, Skipped):
            files.append(data)
            continue
        digest = hashlib.sha256(data).hexdigest()
        files.append((path, source, digest))
        if status is not None and max(status.st_mtime_ns, status.st_ctime_ns) < \
                started - SETTLED_NS:
            scan.settled[source] = Settled(*_signature(status), digest)
    return scan


class Settled(NamedTuple):
    """What says a file is as it was when it was last read."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str


def _signature(status: os.stat_result) -> tuple[int, int, int, int]:
    return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino



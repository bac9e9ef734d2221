"""Full rebuilds and incremental updates of the index, each ending in a `Report`."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from indexer import engine
from indexer.loading import Skipped, hash_raw_files
from indexer.pipeline import Corpus, clean_corpus
from indexer.store import IndexStore, StoreError

T = TypeVar("T")
Progress = Callable[[Iterable[T], str], Iterable[T]]
# A build that would serve fewer than this share of the documents served now stops, unless
# the admin says so (--allow-shrink): an empty or mistyped folder must not empty the index.
SHRINK_LIMIT = 0.5


def no_progress(items: Iterable[T], _label: str) -> Iterable[T]:
    return items


@dataclass
class Report:
    """What a build or update did, for the admin to read at the end."""

    command: str
    raw_dir: Path
    generation: str | None = None
    pages_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    documents: int = 0
    duplicates_merged: int = 0
    sidebar_blocks_removed: int = 0
    footer_blocks_removed: int = 0
    added: int = 0
    changed: int = 0
    deleted: int = 0
    per_year: Counter[str] = field(default_factory=Counter)
    people: Counter[str] = field(default_factory=Counter)
    roles: Counter[str] = field(default_factory=Counter)  # blocks per role the cleaner gave
    seconds: float = 0.0
    up_to_date: bool = False

    def describe(self, corpus: Corpus) -> None:
        self.pages_read = corpus.pages_read
        self.skipped = corpus.skipped
        self.warnings = corpus.warnings
        self.documents = len(corpus.documents)
        self.duplicates_merged = sum(len(d.duplicates) for d in corpus.documents)
        self.sidebar_blocks_removed = sum(d.sidebar_blocks for d in corpus.documents)
        self.footer_blocks_removed = sum(d.footer_blocks for d in corpus.documents)
        self.per_year = Counter(str(d.year) if d.year else "no date" for d in corpus.documents)
        self.people = Counter(name for d in corpus.documents for name in d.people)
        self.roles = corpus.roles


def state_of(corpus: Corpus, raw_dir: Path) -> dict[str, Any]:
    """What this generation indexed: the hashes of the bytes that were read (not of the
    files as they are now: a page edited during the build must look changed next time)."""
    return {
        "raw_dir": str(raw_dir.resolve()),
        "built": time.strftime("%Y-%m-%d %H:%M:%S"),
        "files": dict(sorted((source, digest) for d in corpus.documents
                             for source, digest in d.file_hashes)),
        "documents": {d.doc_id: d.content_hash for d in corpus.documents},
    }


def file_sizes(generation: Path) -> dict[str, int]:
    """The size of every file of a generation, so that a server can tell a damaged one."""
    return {path.relative_to(generation).as_posix(): path.stat().st_size
            for path in sorted(generation.rglob("*")) if path.is_file()}


def write_generation(store: IndexStore, corpus: Corpus, raw_dir: Path,
                     write: Callable[[Path], None]) -> str:
    """Write a new generation with `write`, check it, and switch to it; on any failure
    remove it and leave the served generation as it was. Returns the new name."""
    unfinished = store.new_generation()
    try:
        write(unfinished)
        engine.write_vocabulary(unfinished, corpus.documents)
        engine.write_people(unfinished, corpus.spellings)
        # Whoosh's multiprocess writer drops the segment of a sub-writer that failed (a full
        # disk, say) and commits the rest: check that every document arrived.
        written, expected = engine.document_count(unfinished), len(corpus.documents)
        if written != expected:
            raise OSError(f"only {written} of {expected} documents reached the index, "
                          "because a writer process failed")
        return store.publish(unfinished, state_of(corpus, raw_dir) | {
            "sizes": file_sizes(unfinished)})
    except BaseException:
        store.discard(unfinished)
        raise


def check_corpus(corpus: Corpus, raw_dir: Path, store: IndexStore, allow_shrink: bool) -> None:
    """Refuse to publish what is most likely an accident; the served index stays."""
    unreadable = [s for s in corpus.skipped if "cannot be read" in s.reason]
    kept = " Nothing was switched: the previous index is still the one served."
    if not raw_dir.is_dir():
        raise StoreError(f"The raw folder {raw_dir} disappeared during the build.{kept}")
    if len(unreadable) * 2 > max(corpus.pages_read, 1):
        raise StoreError(f"{len(unreadable)} of {corpus.pages_read} pages could not be read "
                         f"(the first: {unreadable[0].source}, {unreadable[0].reason}).{kept}")
    served = len(store.state().get("documents", {}))
    if served and len(corpus.documents) < served * SHRINK_LIMIT and not allow_shrink:
        raise StoreError(
            f"This would replace the {served} documents served now by "
            f"{len(corpus.documents)} (from {raw_dir}). Nothing was switched. If the folder "
            "is the right one and the pages are meant to go, run again with --allow-shrink.")


def build(raw_dir: Path, store: IndexStore, progress: Progress = no_progress,
          wait: bool = False, on_wait: Callable[[str], None] = print,
          allow_shrink: bool = False) -> Report:
    """Clean every page and write a complete new generation, then switch to it."""
    started = time.perf_counter()
    report = Report("build", raw_dir)
    with store.lock("build", wait, on_wait):
        corpus = clean_corpus(raw_dir, progress=lambda it: progress(it, "reading pages"))
        check_corpus(corpus, raw_dir, store, allow_shrink)
        report.describe(corpus)
        report.generation = write_generation(store, corpus, raw_dir, lambda folder: (
            engine.write_index(folder, corpus.documents, lambda it: progress(it, "indexing"))))
        report.added = len(corpus.documents)
    report.seconds = time.perf_counter() - started
    return report


def update(raw_dir: Path, store: IndexStore, progress: Progress = no_progress,
           wait: bool = False, on_wait: Callable[[str], None] = print,
           allow_shrink: bool = False) -> Report:
    """Re-index only the documents that are new, changed or gone.

    Repeated blocks are learned again from all pages (counting is cheap), so a page whose own
    file did not change is re-indexed too when what the corpus says about its sidebar did.
    """
    started = time.perf_counter()
    report = Report("update", raw_dir)
    with store.lock("update", wait, on_wait):
        current = store.current()
        if current is None:
            raise StoreError(f"There is no index in {store.root} to update yet. "
                             f"Run `csto-index build {raw_dir} --index {store.root}` first.")
        previous = store.state()
        if hash_raw_files(raw_dir) == previous.get("files"):
            report.up_to_date = True
            report.generation = store.current_name()
            report.seconds = time.perf_counter() - started
            return report
        corpus = clean_corpus(raw_dir, progress=lambda it: progress(it, "reading pages"))
        check_corpus(corpus, raw_dir, store, allow_shrink)
        report.describe(corpus)
        old = previous.get("documents", {})
        new = {d.doc_id: d for d in corpus.documents}

        def apply_changes(folder: Path) -> None:
            shutil.copytree(current, folder, dirs_exist_ok=True)
            with engine.writing(folder) as writer:
                for doc_id in old.keys() - new.keys():
                    writer.delete(doc_id)
                    report.deleted += 1
                for doc_id, document in progress(new.items(), "indexing"):
                    if doc_id not in old:
                        writer.add(document)
                        report.added += 1
                    elif old[doc_id] != document.content_hash:
                        writer.replace(document)
                        report.changed += 1

        report.generation = write_generation(store, corpus, raw_dir, apply_changes)
    report.seconds = time.perf_counter() - started
    return report

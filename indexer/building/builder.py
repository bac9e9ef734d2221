"""Full rebuilds and incremental updates of the index, each ending in a `Report`."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from indexer import engine
from indexer.building.cache import CACHE_FILE, CleaningCache, is_damage, set_aside
from indexer.building.corpus import (
    Corpus,
    DocumentFacts,
    Progress,
    SizedIterable,
    clean_read_pages,
    no_progress,
    read_pages,
    registry_of,
    scan_and_clean,
)
from indexer.building.scan import Settled, Skipped, scan_folder
from indexer.building.workers import release_free_memory
from indexer.document import CleanDocument
from indexer.facets import facets_version
from indexer.store import STATE_FILE, IndexStore, StoreError, file_digests

# A build that would serve fewer than this share of the documents served now stops, unless
# the admin says so (--allow-shrink): an empty or mistyped folder must not empty the index.
SHRINK_LIMIT = 0.5


@dataclass
class Report:
    """What a build or update did, for the admin to read at the end."""

    command: str
    raw_dir: Path
    generation: str | None = None
    pages_read: int = 0
    pages_cleaned: int = 0  # the others were as in a past run (the cleaning cache)
    pages_reused: int = 0  # cleaned in a past run
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
    # What this generation indexed, for the next update: every raw file's hash (of the
    # bytes that were read, not of the files as they are now: a page edited during the
    # build must look changed next time) and every document's content hash.
    files: dict[str, str] = field(default_factory=dict)
    settled: dict[str, Settled] = field(default_factory=dict)
    contents: dict[str, str] = field(default_factory=dict)
    # When each document was first indexed (ISO, UTC), kept from generation to generation:
    # what a feed says of a document without a date of its own.
    first_seen: dict[str, str] = field(default_factory=dict)
    seen_before: dict[str, str] = field(default_factory=dict)  # the last generation's

    def describe(self, corpus: Corpus) -> None:
        self.pages_read = corpus.pages_read
        self.pages_cleaned = corpus.pages_cleaned
        self.pages_reused = corpus.pages_read - len(corpus.skipped) - corpus.pages_cleaned
        self.skipped = corpus.not_indexed
        self.warnings = corpus.warnings
        self.documents = corpus.document_count
        self.roles = corpus.roles

    def count(self, documents: Iterable[tuple[DocumentFacts, CleanDocument | None]]
              ) -> Iterator[tuple[DocumentFacts, CleanDocument | None]]:
        """Pass the documents on, counting them for the report and the state, each with the
        time it was first indexed."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for facts, document in documents:
            first = self.first_seen[facts.doc_id] = self.seen_before.get(facts.doc_id, now)
            self.duplicates_merged += facts.duplicates
            self.sidebar_blocks_removed += facts.sidebar_blocks
            self.footer_blocks_removed += facts.footer_blocks
            self.per_year[str(facts.year) if facts.year else "no date"] += 1
            self.people.update(facts.people)
            self.contents[facts.doc_id] = facts.content_hash
            yield facts, document and replace(document, first_indexed=first)

    def state(self, raw_dir: Path) -> dict[str, Any]:
        return {"raw_dir": str(raw_dir.resolve()), "built": time.strftime("%Y-%m-%d %H:%M:%S"),
                "built_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "cleaner": cleaner_of(raw_dir), "files": dict(sorted(self.files.items())),
                "settled": self.settled, "documents": self.contents,
                "first_seen": self.first_seen, "facets": facets_version()}


def cleaner_of(raw_dir: Path) -> str:
    """The cleaner's version with the folder's registry of officials: when either changes,
    pages whose files did not change may still clean differently."""
    return registry_of(raw_dir)[1]


def file_sizes(generation: Path) -> dict[str, int]:
    """The size of every file of a generation, so that a server can tell a damaged one."""
    return {path.relative_to(generation).as_posix(): path.stat().st_size
            for path in sorted(generation.rglob("*")) if path.is_file()}


def write_generation(store: IndexStore, corpus: Corpus, report: Report,
                     write: Callable[[Path], None]) -> str:
    """Write a new generation with `write`, check it, and switch to it; on any failure
    remove it and leave the served generation as it was. Returns the new name."""
    unfinished = store.new_generation()
    try:
        write(unfinished)
        engine.write_people(unfinished, corpus.spellings)
        # Whoosh's multiprocess writer drops the segment of a sub-writer that failed (a full
        # disk, say) and commits the rest: check that every document arrived.
        written, expected = engine.document_count(unfinished), corpus.document_count
        if written != expected:
            raise OSError(f"only {written} of {expected} documents reached the index, "
                          "because a writer process failed")
        return store.publish(unfinished, report.state(report.raw_dir) | {
            "sizes": file_sizes(unfinished),
            "digests": file_digests(unfinished, store.current(),
                                    store.state().get("digests"))})
    except BaseException:
        store.discard(unfinished)
        raise


def check_corpus(corpus: Corpus, raw_dir: Path, served: int, allow_shrink: bool) -> None:
    """Refuse to publish what is most likely an accident; the served index stays."""
    unreadable = [s for s in corpus.skipped if "cannot be read" in s.reason]
    kept = " Nothing was switched: the previous index is still the one served."
    if not raw_dir.is_dir():
        raise StoreError(f"The raw folder {raw_dir} disappeared during the build.{kept}")
    if len(unreadable) * 2 > max(corpus.pages_read, 1):
        raise StoreError(f"{len(unreadable)} of {corpus.pages_read} pages could not be read "
                         f"(the first: {unreadable[0].source}, {unreadable[0].reason}).{kept}")
    if served and corpus.document_count < served * SHRINK_LIMIT and not allow_shrink:
        raise StoreError(
            f"This would replace the {served} documents served now by "
            f"{corpus.document_count} (from {raw_dir}). Nothing was switched. If the folder "
            "is the right one and the pages are meant to go, run again with --allow-shrink.")


@contextmanager
def cleaning_cache(store: IndexStore) -> Iterator[CleaningCache]:
    """The store's cleaning cache (`prune` it once a run has published)."""
    store.root.mkdir(parents=True, exist_ok=True)
    cache = CleaningCache(store.root / CACHE_FILE)
    try:
        yield cache
    finally:
        cache.close()


def with_a_sound_cache(store: IndexStore, run: Callable[[], Report]) -> Report:
    """Run a build or update; if the cleaning cache turns out damaged inside (SQLite finds
    it "malformed" halfway), set it aside and run again with a new one: it is only a cache.
    The report says so."""
    try:
        return run()
    except Exception as error:
        if not is_damage(error):
            raise
        damage = error
    aside = set_aside(store.root / CACHE_FILE)
    report = run()
    report.warnings.insert(0, f"The cleaning cache was damaged ({damage}); it was set aside "
                              f"as {aside.name} and made again, so every page was cleaned.")
    return report


def build(raw_dir: Path, store: IndexStore, progress: Progress[Any] = no_progress,
          wait: bool = False, on_wait: Callable[[str], None] = print,
          allow_shrink: bool = False, memory_mb: int = engine.WRITER_MEMORY_MB) -> Report:
    """Clean every page and write a complete new generation, then switch to it.

    Pages are cleaned again only where the cleaning cache has no answer for their bytes and
    for what the corpus says about them; documents stream from the cache into the writer.
    """
    return with_a_sound_cache(store, partial(_build, raw_dir, store, progress, wait, on_wait,
                                             allow_shrink, memory_mb))


def _build(raw_dir: Path, store: IndexStore, progress: Progress[Any], wait: bool,
           on_wait: Callable[[str], None], allow_shrink: bool, memory_mb: int) -> Report:
    started = time.perf_counter()
    report = Report("build", raw_dir)
    with store.lock("build", wait, on_wait), cleaning_cache(store) as cache:
        store.remove_unfinished()
        report.seen_before = store.state().get("first_seen", {})
        corpus, report.files, report.settled = scan_and_clean(raw_dir, cache, progress,
                                                              apart=True)
        release_free_memory()
        check_corpus(corpus, raw_dir, len(store.state().get("documents", {})), allow_shrink)
        report.describe(corpus)

        def write_all(folder: Path) -> None:
            vocabulary: Counter[str] = Counter()
            documents = SizedIterable(report.count(corpus.documents(cache)), corpus.document_count)
            engine.write_index(folder, _counting_words(progress(documents, "indexing"),
                                                       vocabulary), memory_mb)
            engine.write_vocabulary(folder, vocabulary)

        report.generation = write_generation(store, corpus, report, write_all)
        report.added = corpus.document_count
        cache.prune()  # what this build did not use
    report.seconds = time.perf_counter() - started
    return report


def _counting_words(documents: Iterable[tuple[DocumentFacts, CleanDocument | None]],
                    vocabulary: Counter[str]) -> Iterator[CleanDocument]:
    for _, document in documents:
        assert document is not None  # a build asks for every document
        vocabulary.update(engine.words_of(document))
        yield document


def update(raw_dir: Path, store: IndexStore, progress: Progress[Any] = no_progress,
           wait: bool = False, on_wait: Callable[[str], None] = print,
           allow_shrink: bool = False, memory_mb: int = engine.WRITER_MEMORY_MB,
           verify: bool = False) -> Report:
    """Re-index only the documents that are new, changed or gone.

    What the corpus says about each page is worked out again from all pages (counting is
    cheap), and a page is cleaned again only when its bytes or those facts changed (the
    cleaning cache); a document is rewritten only when its content hash changed.
    """
    return with_a_sound_cache(store, partial(_update_or_rebuild, raw_dir, store, progress,
                                             wait, on_wait, allow_shrink, memory_mb, verify))


def _update_or_rebuild(raw_dir: Path, store: IndexStore, progress: Progress[Any],
                       wait: bool, on_wait: Callable[[str], None], allow_shrink: bool,
                       memory_mb: int, verify: bool) -> Report:
    started = time.perf_counter()
    report = Report("update", raw_dir)
    with store.lock("update", wait, on_wait):
        store.remove_unfinished()
        current = store.current()
        if current is None:
            raise StoreError(f"There is no index in {store.root} to update yet. "
                             f"Run `csto-index build {raw_dir} --index {store.root}` first.")
        # Other fields, or other ways to read the facets' values: every document anew.
        rewrite = not engine.same_fields(current) or \
            store.state().get("facets") != facets_version()
        if not rewrite:
            _update(raw_dir, store, current, report, progress, allow_shrink, memory_mb,
                    verify)
    if rewrite:  # after the lock: a build takes it again
        report = _build(raw_dir, store, progress, wait, on_wait, allow_shrink, memory_mb)
        report.command = "update"
        report.warnings.insert(0, "The index was written by a version of csto-search with "
                                  "other fields or facets: every document was written anew (a "
                                  "build).")
    report.seconds = time.perf_counter() - started
    return report


def _update(raw_dir: Path, store: IndexStore, current: Path, report: Report,
            progress: Progress[Any], allow_shrink: bool, memory_mb: int,
            verify: bool) -> None:
    """The documents that changed since `current` was written, written into a new
    generation beside it. `verify`: every file is read and hashed again, whatever its
    times say."""
    previous = store.state()
    report.seen_before = previous.get("first_seen", {})
    scan = scan_folder(raw_dir, settled=None if verify else previous.get("settled"))
    if scan.file_hashes == previous.get("files") and \
            previous.get("cleaner") == cleaner_of(raw_dir):
        report.up_to_date = True
        report.generation = store.current_name()
        return
    report.files, report.settled = scan.file_hashes, scan.settled
    with cleaning_cache(store) as cache:
        # The pages' shapes are not kept: not needed to write the index.
        corpus = clean_read_pages(read_pages(scan, cache, progress), cache, progress)
        check_corpus(corpus, raw_dir, len(previous.get("documents", {})), allow_shrink)
        report.describe(corpus)
        old = previous.get("documents", {})

        def unchanged(facts: DocumentFacts) -> bool:
            return old.get(facts.doc_id) == facts.content_hash

        def apply_changes(folder: Path) -> None:
            engine.copy_generation(current, folder, rewritten={STATE_FILE})
            served = engine.read_vocabulary(current)
            vocabulary = Counter(served.written)
            gone: set[str] = set()
            documents = report.count(corpus.documents(cache, unchanged))
            with engine.writing(folder, memory_mb=memory_mb) as writer:
                for facts, document in progress(SizedIterable(
                        documents, corpus.document_count), "indexing"):
                    known = old.get(facts.doc_id)
                    if document is None or known == facts.content_hash:
                        continue
                    if known is None:
                        writer.add(document)
                        report.added += 1
                    else:
                        writer.replace(document)
                        gone.add(document.doc_id)
                        report.changed += 1
                    vocabulary.update(engine.words_of(document))
                deleted = old.keys() - report.contents.keys()
                for doc_id in deleted:
                    writer.delete(doc_id)
                report.deleted = len(deleted)
            vocabulary.subtract(engine.words_of_documents(current, gone | deleted))
            engine.write_vocabulary(folder, vocabulary, served.written_terms)

        report.generation = write_generation(store, corpus, report, apply_changes)
        cache.prune()

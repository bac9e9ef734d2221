"""The cleaner run over a folder: pages read, cleaned (`indexer.cleaning.clean_pages`) in
worker processes, and every stage's result kept in a `CleaningCache` under the inputs it
was produced from.

A run over a folder that changed a little therefore recomputes only the pages whose own
bytes, or whose `PageFacts` (what the corpus says about their blocks and words), changed;
the corpus-wide stages (counting, people, copies) run over small per-page values in memory,
and documents are put together one at a time as they are written, so that memory does not
grow with the text of the corpus.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from indexer.building import workers
from indexer.building.cache import CleaningCache, Packed, cleaner_version, entry_key
from indexer.building.scan import (
    DEFAULT_MAX_BYTES,
    FolderScan,
    Manifest,
    Settled,
    Skipped,
    find_raw_files,
    load_page,
    scan_folder,
)
from indexer.cleaning import CleanedPages, clean_pages
from indexer.cleaning.boilerplate import FactsTable, PageFacts, PageShape, WordPages, shape_of
from indexer.cleaning.dedupe import merge_group
from indexer.cleaning.explain import Explanation
from indexer.cleaning.pages import (
    DraftSummary,
    Look,
    compact,
    draft_page,
    finish_document,
    first_look,
    summarise,
)
from indexer.cleaning.people import (
    Mention,
    NameLexicon,
    PeopleResolver,
    default_lexicon,
    load_lexicon,
    people_in,
)
from indexer.document import CleanDocument
from indexer.officials import REGISTRY_FILE

T = TypeVar("T")
Progress = Callable[[Iterable[T], str], Iterable[T]]
NO_ARTICLE = ("no article: only latest-news items (the crawler cut the page before its "
              "article)")


def no_progress(items: Iterable[T], _label: str) -> Iterable[T]:
    return items


class LoadedPage(NamedTuple):
    """A page just read, as a worker hands it over: its text packed for the cache."""

    source: str
    file_hash: str
    warnings: tuple[str, ...]
    shape: PageShape
    page: Packed


def _load(item: tuple[str, str | None], _cache: CleaningCache, raw_dir: Path,
          max_bytes: int) -> LoadedPage | Skipped:
    path, manifest_url = item  # one URL, not the manifest: each worker would hold all of it
    page = load_page(Path(path), raw_dir, manifest_url, max_bytes)
    if isinstance(page, Skipped):
        return page
    return LoadedPage(page.source, page.file_hash, page.warnings, shape_of(page.blocks),
                      Packed.of(page))


def _look(item: tuple[str, PageFacts], cache: CleaningCache, common: frozenset[int]) -> Look:
    record, facts = item
    return first_look(cache.page(record), facts, common)


def _draft(item: tuple[str, PageFacts], cache: CleaningCache, common: frozenset[int],
           lexicon: NameLexicon, keep_reasons: bool) -> tuple[DraftSummary, Packed]:
    record, facts = item
    draft = draft_page(cache.page(record), facts, common, lexicon, keep_reasons)
    return summarise(draft), Packed.of(draft)


class DocumentFacts(NamedTuple):
    """What the report and the next update need of a document (not its text)."""

    doc_id: str
    content_hash: str
    year: int | None
    people: tuple[str, ...]
    duplicates: int
    sidebar_blocks: int
    footer_blocks: int

    @classmethod
    def of(cls, document: CleanDocument) -> DocumentFacts:
        return cls(document.doc_id, document.content_hash, document.year, document.people,
                   len(document.duplicates), document.sidebar_blocks, document.footer_blocks)


@dataclass(slots=True)
class PageEntry:
    """One readable page, as the corpus-wide stages hold it in memory."""

    source: str
    record: str  # cache key of the page
    warnings: tuple[str, ...]
    draft: str = ""  # cache key of its draft


@dataclass
class PagesRead:
    """The pages of a raw folder, read but not yet cleaned."""

    raw_dir: Path
    entries: list[PageEntry]
    shapes: list[PageShape]  # of each entry; let go by `clean_pages` once counted
    skipped: list[Skipped]
    warnings: list[str]
    common_words: frozenset[int]  # `word_id`s on many of the pages


def _record_key(source: str, file_hash: str, manifest: Manifest) -> str:
    return entry_key("page", cleaner_version(), source, file_hash,
                     manifest.urls.get(source, ""))


def read_pages(scan: FolderScan, cache: CleaningCache,
               progress: Progress[Any] = no_progress) -> PagesRead:
    """Every page of a scanned folder, parsed only if its bytes are new to the cache."""
    raw_dir, manifest, max_bytes, skipped = (scan.raw_dir, scan.manifest, scan.max_bytes,
                                             list(scan.skipped))
    slots: list[tuple[PageEntry, PageShape] | Skipped | None] = [
        file if isinstance(file, Skipped) else None for file in scan.files]
    read = [(slot, *file) for slot, file in enumerate(scan.files)
            if not isinstance(file, Skipped)]
    records = [_record_key(source, file_hash, manifest) for _, _, source, file_hash in read]
    words, counted = _past_word_pages(cache, records)
    # Read along with the shapes, in the same order: at 100k pages they would be 240 MB.
    uncounted_words = cache.words([record for record in records if record not in counted])
    misses: list[tuple[int, str, str | None]] = []
    for (slot, path, source, _), record, stored in zip(
            read, records, cache.shapes(records), strict=True):
        page_words = None if record in counted else next(uncounted_words)
        if stored is None or (record not in counted and page_words is None):
            misses.append((slot, path, manifest.urls.get(source)))
            continue
        if page_words is not None:
            words.add(page_words)
        shape, warnings = stored
        slots[slot] = (PageEntry(source, record, warnings), shape)
    loaded_pages = workers.each(_load, (miss[1:] for miss in misses), len(misses), cache,
                                raw_dir, max_bytes)
    for (slot, *_), loaded in zip(misses, progress(SizedIterable(loaded_pages, len(misses)),
                                                  "reading pages"), strict=True):
        if isinstance(loaded, Skipped):
            slots[slot] = loaded
            continue
        # The key is of the bytes that were parsed (the file may have changed since).
        record = _record_key(loaded.source, loaded.file_hash, manifest)
        shape = loaded.shape.without_words()
        cache.put_page(record, (shape, loaded.warnings), loaded.shape.words, loaded.page)
        if record not in counted:
            words.add(loaded.shape.words)
        slots[slot] = (PageEntry(loaded.source, record, loaded.warnings), shape)
    readable = [slot for slot in slots if isinstance(slot, tuple)]
    entries, shapes = [entry for entry, _ in readable], [shape for _, shape in readable]
    cache.put_word_tally(([entry.record for entry in entries], words))
    cache.commit()
    skipped += [slot for slot in slots if isinstance(slot, Skipped)]
    warnings = list(manifest.problems) + [f"{entry.source}: {warning}" for entry in entries
                                          for warning in entry.warnings]
    return PagesRead(raw_dir, entries, shapes, skipped, warnings, words.common())


def _past_word_pages(cache: CleaningCache,
                     records: Sequence[str]) -> tuple[WordPages, frozenset[str]]:
    """The pages per word the last run counted, less the pages it counted that are gone,
    and which of `records` it counted; or nothing counted, when a gone page's words are no
    longer in the cache, or when most pages are gone (every page, after the cleaner
    changed): counting the pages now then costs less, and the gone pages' words are not
    marked used, so this run's prune takes them instead of the next run's."""
    past = cache.word_tally()
    if past is None:
        return WordPages(), frozenset()
    past_records, words = past
    gone = sorted(set(past_records).difference(records))
    if len(gone) * 2 > len(past_records):
        return WordPages(), frozenset()
    gone_words = list(cache.words(gone))
    if any(page_words is None for page_words in gone_words):
        return WordPages(), frozenset()
    for page_words in gone_words:
        words.remove(page_words)
    return words, frozenset(past_records).intersection(records)


class CachedStages:
    """The per-page stages (`indexer.cleaning.PageStages`) run in worker processes over the
    pages that the cache has no result for, under the inputs of this run."""

    def __init__(self, entries: Sequence[PageEntry], cache: CleaningCache, lexicon_version: str,
                 explain: bool = False, progress: Progress[Any] = no_progress) -> None:
        self.entries, self.cache, self.lexicon_version = entries, cache, lexicon_version
        self.explain, self.progress = explain, progress
        self.pages_cleaned = 0  # pages whose layout was worked out now (not found in the cache)

    def first_looks(self, facts: FactsTable, common: frozenset[int]) -> list[Look]:
        """Which article each page holds, from a first look with blocks counted per saved
        page: the second count of blocks then counts a paragraph once per article rather
        than once per saved copy of the same article."""
        entries, cache = self.entries, self.cache
        keys = [entry_key(entry.record, facts.signature(n)) for n, entry in enumerate(entries)]
        looks: list[Look | None] = cache.looks(keys)
        misses = [number for number, look in enumerate(looks)
                  if look is None or not look.word_classes.still_hold(common)]
        looked = workers.each(_look, ((entries[n].record, facts.facts(n)) for n in misses),
                              len(misses), cache, common)
        for number, look in zip(misses, self.progress(SizedIterable(looked, len(misses)),
                                                      "looking at pages"), strict=True):
            cache.put_look(keys[number], look)
            looks[number] = look
        cache.commit()
        return [look for look in looks if look is not None]

    def drafts(self, facts: FactsTable, common: frozenset[int],
               lexicon: NameLexicon) -> list[DraftSummary]:
        """Every page's draft summary, from the cache when its facts are those of a past
        run; each entry learns the cache key of its draft."""
        workers.release_free_memory()  # what counting the blocks needed
        entries, cache = self.entries, self.cache
        for number, entry in enumerate(entries):
            entry.draft = entry_key(entry.record, facts.signature(number), self.lexicon_version,
                                    "explain" if self.explain else "")
        pool: dict[Any, Any] = {}
        summaries: list[DraftSummary | None] = []
        misses: list[int] = []
        for number, summary in enumerate(cache.summaries([entry.draft for entry in entries])):
            summaries.append(summary and compact(summary, pool))
            if summary is None or not summary.word_classes.still_hold(common):
                misses.append(number)
        drafts = workers.each(_draft, ((entries[n].record, facts.facts(n)) for n in misses),
                              len(misses), cache, common, lexicon, self.explain)
        for number, (summary, draft) in zip(misses, self.progress(
                SizedIterable(drafts, len(misses)), "cleaning pages"), strict=True):
            cache.put_draft(entries[number].draft, summary, draft)
            summaries[number] = compact(summary, pool)
        cache.commit()
        self.pages_cleaned = len(misses)
        return [summary for summary in summaries if summary is not None]


@dataclass
class Corpus:
    """Everything a run of the cleaner produced; documents are put together when read.

    Per page, only what putting documents together needs stays in memory (not the shapes,
    nor the copies' titles and beginnings, once used)."""

    sources: list[str]
    records: list[str]  # cache key of each page
    drafts: list[str]  # cache key of each page's draft
    mentions: list[tuple[Mention, ...]]  # of each page
    groups: list[list[int]]  # pages holding the same page: one document each
    resolver: PeopleResolver
    roles: Counter[str]  # blocks per role the cleaner gave, for the report
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Every spelling of each canonical person: the registry's and the corpus's own.
    spellings: dict[str, list[str]] = field(default_factory=dict)
    pages_cleaned: int = 0  # pages whose layout was worked out now (not found in the cache)
    # Pages without an article (only latest-news items: the crawler cut them before it):
    # no document, whatever their copies.
    without_article: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, pages: PagesRead, cleaned: CleanedPages, pages_cleaned: int) -> Corpus:
        entries = pages.entries
        return cls([entry.source for entry in entries], [entry.record for entry in entries],
                   [entry.draft for entry in entries],
                   [summary.mentions for summary in cleaned.summaries], cleaned.documents,
                   cleaned.resolver, cleaned.roles, pages.skipped, pages.warnings,
                   cleaned.spellings, pages_cleaned, cleaned.without_article)

    @property
    def pages_read(self) -> int:
        return len(self.drafts) + len(self.skipped)

    @property
    def not_indexed(self) -> list[Skipped]:
        """Every page read that gave no document: unreadable files and pages without an
        article, each with the reason."""
        return self.skipped + [Skipped(self.sources[number], NO_ARTICLE)
                               for number in self.without_article]

    @property
    def document_count(self) -> int:
        return len(self.groups)

    def finished(self, number: int, cache: CleaningCache) -> CleanDocument:
        """What the cleaner found on page `number` alone (before copies are merged)."""
        return finish_document(cache.draft(self.drafts[number]), self.resolver)

    def _document_key(self, group: Sequence[int]) -> str:
        """Everything a document is made of: its copies' drafts and who their names are."""
        parts = []
        for number in group:
            people = people_in(self.mentions[number], self.resolver)
            parts.append(self.drafts[number] + repr([(p.name, p.spellings) for p in people]))
        return entry_key("document", *parts)

    def documents(self, cache: CleaningCache,
                  unchanged: Callable[[DocumentFacts], bool] = lambda _facts: False,
                  ) -> Iterator[tuple[DocumentFacts, CleanDocument | None]]:
        """One document per page, put together from the cache one at a time, with its facts;
        without the document when its facts (made of the same inputs as in a past run)
        are `unchanged`."""
        keys = [self._document_key(group) for group in self.groups]
        for group, key, known in zip(self.groups, keys, cache.documents(keys), strict=True):
            if known is not None and unchanged(known):
                yield known, None
                continue
            document = merge_group([self.finished(number, cache) for number in group])
            facts = DocumentFacts.of(document)
            cache.put_document(key, facts)
            yield facts, document
        cache.commit()

    def explanations(self, cache: CleaningCache) -> Iterator[Explanation]:
        for number, (source, record) in enumerate(zip(self.sources, self.records,
                                                      strict=True)):
            draft, document = cache.draft(self.drafts[number]), self.finished(number, cache)
            yield Explanation(source, cache.page(record).blocks, draft.layout.roles,
                              document.title, document.date, document.people)


def registry_of(raw_dir: Path) -> tuple[NameLexicon, str]:
    """The officials' registry (with the admin's additions) and a digest of those."""
    override = raw_dir / REGISTRY_FILE
    if not override.is_file():
        return default_lexicon(), cleaner_version()
    lexicon = load_lexicon(override)
    return lexicon, cleaner_version() + hashlib.sha256(override.read_bytes()).hexdigest()


class ScannedCorpus(NamedTuple):
    """A folder's pages cleaned, with the hashes of its files as they were read."""

    corpus: Corpus
    file_hashes: dict[str, str]
    settled: dict[str, Settled]


def scan_and_clean(raw_dir: Path, cache: CleaningCache, progress: Progress[Any] = no_progress,
                   apart: bool = False) -> ScannedCorpus:
    """Scan, read and clean every page below raw_dir, reusing what the cache holds.

    `apart`: a large folder is cleaned in a child process. When it exits, the memory the
    cleaning needed (the scan, every page's shape, the counts, what the allocator kept of
    them) is the system's again, instead of staying with this process, and with the index
    writer's processes forked from it, while the index is written. `progress` must then be
    a module-level function (it is sent to the child).
    """
    if not apart or not _has_many_pages(raw_dir):
        return _scan_and_clean(raw_dir, cache, progress)
    cache.commit()
    scanned, used = workers.run_apart(_scan_and_clean_apart, raw_dir, cache.path, progress)
    cache.mark_used(used)  # or this run's prune would delete what the child used
    return scanned


def _has_many_pages(raw_dir: Path) -> bool:
    found = itertools.islice(find_raw_files(raw_dir), workers.PARALLEL_FROM_PAGES)
    return sum(1 for _ in found) >= workers.PARALLEL_FROM_PAGES


def _scan_and_clean(raw_dir: Path, cache: CleaningCache, progress: Progress[Any],
                    max_bytes: int = DEFAULT_MAX_BYTES, explain: bool = False) -> ScannedCorpus:
    scan = scan_folder(raw_dir, max_bytes)
    pages = read_pages(scan, cache, progress)
    hashes, settled = scan.file_hashes, scan.settled
    del scan  # its paths are not needed while cleaning
    return ScannedCorpus(clean_read_pages(pages, cache, progress, explain), hashes,
                         settled)


def _scan_and_clean_apart(raw_dir: Path, cache_path: Path, progress: Progress[Any],
                          ) -> tuple[ScannedCorpus, dict[str, set[str]]]:
    cache = CleaningCache(cache_path)
    try:
        return _scan_and_clean(raw_dir, cache, progress), cache.used
    finally:
        cache.close()


def clean_read_pages(pages: PagesRead, cache: CleaningCache,
                     progress: Progress[Any] = no_progress, explain: bool = False) -> Corpus:
    """Clean pages that were read, reusing what the cache holds (`pages` is used up)."""
    lexicon, lexicon_version = registry_of(pages.raw_dir)
    stages = CachedStages(pages.entries, cache, lexicon_version, explain, progress)
    cleaned = clean_pages(pages.shapes, pages.common_words, lexicon, stages)
    return Corpus.of(pages, cleaned, stages.pages_cleaned)


class CleanedPage(NamedTuple):
    """What the cleaner found on one page, and the document it is indexed in."""

    page: CleanDocument  # this page's own title, date, people and text
    document_id: str | None  # None: the page holds no article
    copies: tuple[str, ...]  # the other pages of that document


@dataclass
class CleanedFolder:
    """A whole folder cleaned into a throwaway cache, for `extract` and tests."""

    documents: list[CleanDocument]
    pages: list[CleanedPage]  # in the folder's order
    skipped: list[Skipped]
    warnings: list[str]
    pages_read: int
    explanations: list[Explanation]


def clean_corpus(raw_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES, explain: bool = False,
                 ) -> CleanedFolder:
    """Read and clean every page below raw_dir, with all documents in memory."""
    with tempfile.TemporaryDirectory(prefix="csto-clean-") as folder:
        cache = CleaningCache(Path(folder) / "cache.sqlite")
        try:
            corpus = _scan_and_clean(raw_dir, cache, no_progress, max_bytes, explain).corpus
            documents, pages = [], {}
            for group in corpus.groups:
                finished = [corpus.finished(number, cache) for number in group]
                document = merge_group(finished)
                documents.append(document)
                for number, page in zip(group, finished, strict=True):
                    copies = tuple(s for s in document.sources if s != page.source)
                    pages[number] = CleanedPage(page, document.doc_id, copies)
            for number in corpus.without_article:
                pages[number] = CleanedPage(corpus.finished(number, cache), None, ())
            return CleanedFolder(documents, [pages[number] for number in sorted(pages)],
                                 corpus.not_indexed, corpus.warnings, corpus.pages_read,
                                 list(corpus.explanations(cache)) if explain else [])
        finally:
            cache.close()


class SizedIterable:
    """An iterator that knows its length, so a progress bar can show a total."""

    def __init__(self, items: Iterable[Any], length: int) -> None:
        self._items, self._length = items, length

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return self._length

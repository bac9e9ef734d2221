"""The cleaner: load -> blocks -> repeated blocks -> title and date -> people -> document.

Each stage is a pure function of its input (and, for the corpus-wide ones, of the statistics
learned from all pages), so each can be tested alone; this module only chains them, and keeps
what each stage produced in a `CleaningCache` under the inputs it was produced from. A run
over a folder that changed a little therefore recomputes only the pages whose own bytes, or
whose `PageFacts` (what the corpus says about their blocks and words), changed; the
corpus-wide stages (counting, people, copies) run over small per-page values in memory, and
documents are put together one at a time as they are written, so that memory does not grow
with the text of the corpus.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np

from indexer import workers
from indexer.blocks import analysis_text, block_key
from indexer.boilerplate import (
    CorpusBlocks,
    FactsTable,
    PageFacts,
    PageShape,
    WordClasses,
    WordPages,
    shape_of,
)
from indexer.cleaning_cache import CleaningCache, Packed, cleaner_version, entry_key
from indexer.dedupe import Copy, group_copies, merge_group
from indexer.document import CleanDocument, is_listing_url
from indexer.explain import Explanation
from indexer.loading import (
    DEFAULT_MAX_BYTES,
    Manifest,
    RawPage,
    Skipped,
    find_raw_files,
    load_page,
    read_manifest,
    read_page_bytes,
    relative_source,
)
from indexer.people import (
    Mention,
    NameLexicon,
    PeopleResolver,
    default_lexicon,
    load_lexicon,
    mentions_in,
    people_in,
)
from indexer.structure import Layout, Role, find_layout, is_item_list

T = TypeVar("T")
Progress = Callable[[Iterable[T], str], Iterable[T]]
REGISTRY_OVERRIDE = "officials.json"  # an admin's additions, in the raw folder
NO_ARTICLE = ("no article: only latest-news items (the crawler cut the page before its "
              "article)")
# A file changed this recently before a scan may change again within the same timestamp.
SETTLED_NS = 5_000_000_000


def no_progress(items: Iterable[T], _label: str) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class Draft:
    """A page once its layout is known, before people are resolved corpus-wide."""

    source: str
    url: str | None
    file_hash: str
    block_count: int
    layout: Layout  # its roles' reasons are kept only when explaining (they cost memory)
    body_blocks: tuple[str, ...]
    mentions: tuple[Mention, ...]
    roles: tuple[Role, ...]
    warnings: tuple[str, ...]
    signature: tuple[str, ...] = ()  # footer lines that name someone (the press secretary)


class DraftSummary(NamedTuple):
    """What the corpus-wide stages read of a draft: people, copies, roles (not the body)."""

    copy: Copy
    mentions: tuple[Mention, ...]
    roles: tuple[int, ...]  # blocks per role, in the order of `Role`
    word_classes: WordClasses  # the draft holds while these words keep their class

    def __reduce__(self) -> tuple[object, ...]:
        # As its fields' strings and numbers: an update reads back 100k of them, and a
        # pickle of five kinds of named tuple loads at half that speed.
        copy, classes = self.copy, self.word_classes
        return (_summary_of, (copy.url, copy.title, copy.date.toordinal() if copy.date else 0,
                              copy.body_head, tuple(itertools.chain.from_iterable(self.mentions)),
                              self.roles, classes.common, classes.other))


def _summary_of(url: str | None, title: str | None, day: int, body_head: str,
                names: tuple[str, ...], roles: tuple[int, ...], common: bytes,
                other: bytes) -> DraftSummary:
    pairs = iter(names)
    return DraftSummary(Copy(url, title, date.fromordinal(day) if day else None, body_head),
                        tuple(map(Mention, pairs, pairs)), roles, WordClasses(common, other))


def draft_page(page: RawPage, facts: PageFacts, common: frozenset[int], lexicon: NameLexicon,
               keep_reasons: bool = False) -> Draft:
    layout = find_layout(page.blocks, facts, common, page.title_hint)
    # The body keeps the text as the site wrote it (an image name glued to a paragraph
    # included); lines that are only an image's file name go.
    body = tuple(page.blocks[i] for i in layout.body_indexes())
    # People are those of the article: its title and body, not the sidebar or the
    # press secretary's signature in the footer.
    article_text = "\n".join(
        ([layout.title] if layout.title else []) + [analysis_text(block) for block in body])
    if layout.cut:
        # The crawler cut the copy mid-word: its last word may be a name cut short
        # ("Alymbek Sul"), not a new official.
        article_text = article_text.rstrip()
        article_text = article_text[:len(article_text) - len(article_text.split()[-1])] \
            if article_text else article_text
    roles = tuple(role.role for role in layout.roles)
    if not keep_reasons:
        layout = replace(layout, roles=())
    # The release's signature is searchable (a visitor looks for the press secretary) but
    # not among the people the article names.
    footer = (analysis_text(page.blocks[i]) for i in range(layout.body_end, len(page.blocks)))
    signature = tuple(line for line in footer if mentions_in(line, lexicon))
    return Draft(page.source, page.url, page.file_hash, len(page.blocks), layout, body,
                 tuple(mentions_in(article_text, lexicon)), roles, page.warnings, signature)


def summarise(draft: Draft) -> DraftSummary:
    copy = Copy.of(draft.url, draft.layout.title, draft.layout.date,
                   "\n\n".join(draft.body_blocks))
    counts = Counter(draft.roles)
    return DraftSummary(copy, draft.mentions, tuple(counts[role] for role in Role),
                        draft.layout.word_classes)


def _one_of(value: T, pool: dict[Any, Any]) -> T:
    """One object for equal values (mentions of the same officials, empty word classes):
    100k summaries in memory then hold references, not copies."""
    return pool.setdefault(value, value)  # type: ignore[no-any-return]


def compact(summary: DraftSummary, pool: dict[Any, Any]) -> DraftSummary:
    mentions = tuple(_one_of(mention, pool) for mention in summary.mentions)
    return DraftSummary(summary.copy, _one_of(mentions, pool), _one_of(summary.roles, pool),
                        _one_of(summary.word_classes, pool))


def page_identity(page: RawPage, layout: Layout) -> str:
    """Which article a page holds, as far as a first look at its layout can tell (a digest
    of its title and first paragraph: 100k of them are held at once)."""
    body = layout.body_indexes()
    return entry_key(block_key(layout.title or ""),
                     block_key(page.blocks[body[0]])[:100] if body else "")


class Look(NamedTuple):
    identity: str
    word_classes: WordClasses  # it holds while these words keep their class

    def __reduce__(self) -> tuple[object, ...]:
        return (_look_of, (self.identity, self.word_classes.common, self.word_classes.other))


def _look_of(identity: str, common: bytes, other: bytes) -> Look:
    return Look(identity, WordClasses(common, other))


def first_look(page: RawPage, facts: PageFacts, common: frozenset[int]) -> Look:
    layout = find_layout(page.blocks, facts, common, page.title_hint)
    return Look(page_identity(page, layout), layout.word_classes)


def finish_document(draft: Draft, resolver: PeopleResolver) -> CleanDocument:
    people = people_in(draft.mentions, resolver)
    layout = draft.layout
    # A list's last line is an item's heading, not a sentence: a list is not "cut".
    listing = is_listing_url(draft.url) or is_item_list(draft.body_blocks, layout.title)
    return CleanDocument(
        source=draft.source,
        title=layout.title,
        date=layout.date,
        people=tuple(person.name for person in people),
        body="\n\n".join(draft.body_blocks),
        url=draft.url,
        spellings=tuple(sorted({s for person in people for s in person.spellings})),
        file_hashes=((draft.source, draft.file_hash),),
        sidebar_blocks=layout.sidebar_end,
        footer_blocks=draft.block_count - layout.body_end,
        listing=listing,
        cut=layout.cut and not listing,
        signature="\n".join(draft.signature),
        warnings=draft.warnings,
    )


def copies_share_identity(blocks: CorpusBlocks, identities: list[str]) -> list[str]:
    """A page all of whose blocks stand in a longer page is a copy of it (cut shorter by
    the crawler, or saved again): it takes that page's identity, so that the blocks they
    share are not counted as repeated across articles (a section crawled three times would
    otherwise look like sidebar from top to bottom).

    Only pages whose rarest block (the last one aside: it may be cut short) is on another
    page too can be copies; they are found over whole arrays (100k pages hold 3M blocks),
    and only they are compared block by block."""
    lengths, offsets, rank = np.diff(blocks.offsets), blocks.offsets, blocks.key_rank
    if not len(lengths) or not lengths.sum():
        return list(identities)
    ranks = len(blocks.key_ids)
    pages_with = np.bincount(rank[blocks.distinct], minlength=ranks)
    # A page's own keys: those it has before its last block (its first such block is the
    # first of the page with that key).
    own = blocks.distinct & (offsets[blocks.page + 1] - np.arange(len(rank)) > 1)
    own_pages, own_ranks = blocks.page[own], rank[own]
    eligible = np.bincount(own_pages, minlength=len(lengths))[own_pages] >= 2
    own_pages, own_ranks = own_pages[eligible], own_ranks[eligible]
    if not len(own_pages):
        return list(identities)
    # Per page, its key on the fewest pages, then of the lowest id (ranks keep the ids'
    # order): the least of one number per key, over each page's run of keys.
    starts = np.flatnonzero(np.concatenate(([True], own_pages[1:] != own_pages[:-1])))
    least = np.minimum.reduceat(pages_with[own_ranks] * ranks + own_ranks, starts)
    rare = least // ranks >= 2
    rarest = dict(zip(own_pages[starts][rare].tolist(), (least[rare] % ranks).tolist(),
                      strict=True))
    wanted = np.zeros(ranks, dtype=bool)
    wanted[list(rarest.values())] = True
    held = blocks.distinct & wanted[rank]
    holders: dict[int, list[int]] = {}
    for key, holder in zip(rank[held].tolist(), blocks.page[held].tolist(), strict=True):
        holders.setdefault(key, []).append(holder)
    key_sets: dict[int, set[int]] = {}

    def key_set(number: int) -> set[int]:
        if number not in key_sets:
            key_sets[number] = set(rank[offsets[number]:offsets[number + 1]].tolist())
        return key_sets[number]

    shared = list(identities)
    for number, block in rarest.items():
        mine = set(rank[offsets[number]:offsets[number + 1] - 1].tolist())
        containers = [other for other in holders[block] if other != number
                      and lengths[other] >= lengths[number] and mine <= key_set(other)]
        if containers:
            keeper = max(containers, key=lambda other: (lengths[other], -other))
            if (lengths[keeper], -keeper) > (lengths[number], -number):
                shared[number] = identities[keeper]
    return shared


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
    summary: DraftSummary | None = None


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


def find_identities(entries: Sequence[PageEntry], blocks: CorpusBlocks,
                    common: frozenset[int], cache: CleaningCache,
                    progress: Progress[Any] = no_progress) -> list[str]:
    """Which article each page holds, from a first look with blocks counted per saved page.

    Two passes: this first one finds each page's article roughly, so that the second can
    count a paragraph once per article rather than once per saved copy of the same article.
    """
    first = blocks.table(blocks.stats(common=common))
    keys = [entry_key(entry.record, first.signature(n)) for n, entry in enumerate(entries)]
    looks: list[Look | None] = cache.looks(keys)
    misses = [number for number, look in enumerate(looks)
              if look is None or not look.word_classes.still_hold(common)]
    looked = workers.each(_look, ((entries[n].record, first.facts(n)) for n in misses),
                          len(misses), cache, common)
    for number, look in zip(misses, progress(SizedIterable(looked, len(misses)),
                                             "looking at pages"), strict=True):
        cache.put_look(keys[number], look)
        looks[number] = look
    cache.commit()
    identities = [look.identity if look else "" for look in looks]
    return copies_share_identity(blocks, identities)


def draft_pages(entries: Sequence[PageEntry], table: FactsTable, common: frozenset[int],
                cache: CleaningCache, lexicon: NameLexicon, lexicon_version: str,
                explain: bool = False, progress: Progress[Any] = no_progress) -> int:
    """Give every entry its draft (from the cache when its facts, `table`'s, are those of a
    past run); returns how many pages were cleaned now."""
    misses: list[int] = []
    for number, entry in enumerate(entries):
        entry.draft = entry_key(entry.record, table.signature(number), lexicon_version,
                                "explain" if explain else "")
    pool: dict[Any, Any] = {}
    summaries = cache.summaries([entry.draft for entry in entries])
    for number, (entry, summary) in enumerate(zip(entries, summaries, strict=True)):
        entry.summary = summary and compact(summary, pool)
        if summary is None or not summary.word_classes.still_hold(common):
            misses.append(number)
    drafts = workers.each(_draft, ((entries[n].record, table.facts(n)) for n in misses),
                          len(misses), cache, common, lexicon, explain)
    for number, (summary, draft) in zip(misses, progress(SizedIterable(drafts, len(misses)),
                                                         "cleaning pages"), strict=True):
        cache.put_draft(entries[number].draft, summary, draft)
        entries[number].summary = compact(summary, pool)
    cache.commit()
    return len(misses)


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
    override = raw_dir / REGISTRY_OVERRIDE
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
    return ScannedCorpus(clean_pages(pages, cache, progress, explain), hashes, settled)


def _scan_and_clean_apart(raw_dir: Path, cache_path: Path, progress: Progress[Any],
                          ) -> tuple[ScannedCorpus, dict[str, set[str]]]:
    cache = CleaningCache(cache_path)
    try:
        return _scan_and_clean(raw_dir, cache, progress), cache.used
    finally:
        cache.close()


def clean_pages(pages: PagesRead, cache: CleaningCache, progress: Progress[Any] = no_progress,
                explain: bool = False) -> Corpus:
    """Clean pages that were read, reusing what the cache holds (`pages` is used up)."""
    entries, skipped, warnings = pages.entries, pages.skipped, pages.warnings
    lexicon, lexicon_version = registry_of(pages.raw_dir)
    common = pages.common_words
    blocks = CorpusBlocks.of(pages.shapes)
    identities = find_identities(entries, blocks, common, cache, progress)
    table = blocks.table(blocks.stats(identities, common))
    # Drafting needs the facts, not the shapes: a fifth of the memory at 100k pages.
    del blocks
    pages.shapes.clear()
    workers.release_free_memory()
    cleaned = draft_pages(entries, table, common, cache, lexicon, lexicon_version, explain,
                          progress)
    summaries = [entry.summary for entry in entries if entry.summary is not None]
    mentions = [mention for summary in summaries for mention in summary.mentions]
    resolver = PeopleResolver(lexicon, mentions)
    spellings: dict[str, set[str]] = {}
    for mention in set(mentions):
        person = resolver.resolve(mention)
        if person is not None:
            spellings.setdefault(person.name, set()).update(person.spellings)
    roles = Counter(dict(zip((role.value for role in Role),
                             np.sum([s.roles for s in summaries], axis=0, dtype=np.int64).tolist()
                             if summaries else (), strict=False)))
    copies = [summary.copy for summary in summaries]
    groups, without_article = [], []
    for group in group_copies(copies):
        if any(copies[number].title or copies[number].body_head for number in group):
            groups.append(group)
        else:
            without_article += group
    return Corpus([entry.source for entry in entries], [entry.record for entry in entries],
                  [entry.draft for entry in entries], [s.mentions for s in summaries],
                  groups, resolver, +roles, skipped, warnings,
                  {name: sorted(found) for name, found in sorted(spellings.items())}, cleaned,
                  sorted(without_article))


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

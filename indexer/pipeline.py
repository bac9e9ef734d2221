"""The cleaner: load -> blocks -> repeated blocks -> title and date -> people -> document.

Each stage is a pure function of its input (and, for the corpus-wide ones, of the statistics
learned from all pages), so each can be tested alone; this module only chains them.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from indexer.blocks import analysis_text, block_key
from indexer.boilerplate import BlockStats, learn_block_stats, page_keys
from indexer.dedupe import merge_duplicates
from indexer.document import CleanDocument, is_listing_url
from indexer.explain import Explanation
from indexer.loading import (
    DEFAULT_MAX_BYTES,
    RawPage,
    Skipped,
    find_raw_files,
    load_page,
    read_manifest,
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
REGISTRY_OVERRIDE = "officials.json"  # an admin's additions, in the raw folder


@dataclass(frozen=True)
class Draft:
    """A page once its layout is known, before people are resolved corpus-wide."""

    page: RawPage
    layout: Layout  # its roles' reasons are kept only when explaining (they cost memory)
    body_blocks: tuple[str, ...]
    mentions: tuple[Mention, ...]
    roles: tuple[Role, ...]


@dataclass
class Corpus:
    """Everything a run of the cleaner produced, for the index and for the report."""

    documents: list[CleanDocument]
    pages_read: int
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: BlockStats = field(default_factory=BlockStats)
    roles: Counter[str] = field(default_factory=Counter)  # blocks per role, for the report
    explanations: list[Explanation] = field(default_factory=list)
    # Every spelling of each canonical person: the registry's and the corpus's own.
    spellings: dict[str, list[str]] = field(default_factory=dict)


def draft_page(page: RawPage, stats: BlockStats, lexicon: NameLexicon,
               keep_reasons: bool = False) -> Draft:
    layout = find_layout(page.blocks, stats, page.title_hint)
    # The body keeps the text as the site wrote it (an image name glued to a paragraph
    # included); lines that are only an image's file name go.
    body = tuple(page.blocks[i] for i in layout.body_indexes())
    # People are those of the article: its title and body, not the sidebar or the
    # press secretary's signature in the footer.
    article_text = "\n".join(
        ([layout.title] if layout.title else []) + [analysis_text(block) for block in body])
    roles = tuple(role.role for role in layout.roles)
    if not keep_reasons:
        layout = replace(layout, roles=())
    return Draft(page, layout, body, tuple(mentions_in(article_text, lexicon)), roles)


def page_identity(page: RawPage, layout: Layout) -> str:
    """Which article a page holds, as far as a first look at its layout can tell."""
    body = layout.body_indexes()
    return block_key(layout.title or "") + "|" + (block_key(page.blocks[body[0]])[:100]
                                                   if body else "")


def finish_document(draft: Draft, resolver: PeopleResolver) -> CleanDocument:
    people = people_in(draft.mentions, resolver)
    layout = draft.layout
    return CleanDocument(
        source=draft.page.source,
        title=layout.title,
        date=layout.date,
        people=tuple(person.name for person in people),
        body="\n\n".join(draft.body_blocks),
        url=draft.page.url,
        spellings=tuple(sorted({s for person in people for s in person.spellings})),
        file_hashes=((draft.page.source, draft.page.file_hash),),
        sidebar_blocks=layout.sidebar_end,
        footer_blocks=len(draft.page.blocks) - layout.body_end,
        listing=is_listing_url(draft.page.url) or is_item_list(draft.body_blocks, layout.title),
        warnings=draft.page.warnings,
    )


# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_FROM_PAGES = 2000
WORKERS = min(2, os.cpu_count() or 1)


def _in_parallel(function: Callable[..., T], items: Sequence[Any], *shared: object,
                 progress: Callable[[Iterable[T]], Iterable[T]] = lambda it: it) -> list[T]:
    """function(item, *shared) for every item, on all cores for large corpora."""
    if len(items) < PARALLEL_FROM_PAGES or WORKERS < 2:
        return list(progress(function(item, *shared) for item in items))
    with ProcessPoolExecutor(WORKERS, initializer=_share, initargs=(function, shared)) as pool:
        return list(progress(pool.map(_call_shared, items, chunksize=256)))


_shared: tuple[Callable[..., object], tuple[object, ...]] | None = None


def _share(function: Callable[..., object], shared: tuple[object, ...]) -> None:
    global _shared
    _shared = (function, shared)


def _call_shared(item: object) -> object:
    assert _shared is not None
    function, shared = _shared
    return function(item, *shared)


def copies_share_identity(pages_keys: Sequence[Sequence[str]],
                          identities: list[str]) -> list[str]:
    """A page all of whose blocks stand in a longer page is a copy of it (cut shorter by
    the crawler, or saved again): it takes that page's identity, so that the blocks they
    share are not counted as repeated across articles (a section crawled three times would
    otherwise look like sidebar from top to bottom)."""
    counts = Counter(key for keys in pages_keys for key in set(keys))
    rarest: dict[int, str] = {}
    for number, keys in enumerate(pages_keys):
        own = set(keys[:-1])  # the last block may be cut short
        if len(own) >= 2:
            block = min(own, key=lambda key: (counts[key], key))
            if counts[block] >= 2:
                rarest[number] = block
    holders: dict[str, list[int]] = {block: [] for block in rarest.values()}
    for number, keys in enumerate(pages_keys):
        for key in set(keys) & holders.keys():
            holders[key].append(number)
    shared = list(identities)
    for number, block in rarest.items():
        own = set(pages_keys[number][:-1])
        containers = [other for other in holders[block] if other != number
                      and len(pages_keys[other]) >= len(pages_keys[number])
                      and own <= set(pages_keys[other])]
        if containers:
            keeper = max(containers, key=lambda other: (len(pages_keys[other]), -other))
            if (len(pages_keys[keeper]), -keeper) > (len(pages_keys[number]), -number):
                shared[number] = identities[keeper]
    return shared


def first_look(page: RawPage, stats: BlockStats) -> str:
    return page_identity(page, find_layout(page.blocks, stats, page.title_hint))


@dataclass
class Cleaned:
    documents: list[CleanDocument]
    stats: BlockStats
    roles: Counter[str]
    explanations: list[Explanation]
    spellings: dict[str, list[str]]


def clean_pages(pages: Sequence[RawPage], lexicon: NameLexicon, explain: bool = False) -> Cleaned:
    # Two passes: the first finds each page's article roughly, so that the second can count
    # a paragraph once per article rather than once per saved copy of the same article.
    keys = [page_keys(page.blocks) for page in pages]
    first_stats = learn_block_stats(keys)
    identities = copies_share_identity(keys, _in_parallel(first_look, pages, first_stats))
    stats = learn_block_stats(keys, identities, first_stats.words)
    drafts = _in_parallel(draft_page, pages, stats, lexicon, explain)
    resolver = PeopleResolver(lexicon, (m for d in drafts for m in d.mentions))
    documents = [finish_document(draft, resolver) for draft in drafts]
    roles = Counter(role.value for draft in drafts for role in draft.roles)
    explanations = [Explanation(d.page.source, d.page.blocks, d.layout.roles, doc.title,
                                doc.date, doc.people)
                    for d, doc in zip(drafts, documents, strict=True)] if explain else []
    spellings: dict[str, set[str]] = {}
    for mention in {m for draft in drafts for m in draft.mentions}:
        person = resolver.resolve(mention)
        if person is not None:
            spellings.setdefault(person.name, set()).update(person.spellings)
    return Cleaned(merge_duplicates(documents), stats, roles, explanations,
                   {name: sorted(found) for name, found in sorted(spellings.items())})


def load_pages(raw_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES,
               progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it,
               ) -> tuple[list[RawPage], list[Skipped], list[str]]:
    manifest = read_manifest(raw_dir)
    found = list(find_raw_files(raw_dir))
    paths = [path for path in found if not isinstance(path, Skipped)]
    pages: list[RawPage] = []
    skipped = [problem for problem in found if isinstance(problem, Skipped)]
    warnings = list(manifest.problems)
    for loaded in _in_parallel(load_page, paths, raw_dir, manifest, max_bytes,
                               progress=_sized(progress, len(paths))):
        if isinstance(loaded, Skipped):
            skipped.append(loaded)
        else:
            pages.append(loaded)
            warnings += [f"{loaded.source}: {warning}" for warning in loaded.warnings]
    return pages, skipped, warnings


class _Sized:
    """An iterator that knows its length, so a progress bar can show a total."""

    def __init__(self, items: Iterable[Any], length: int) -> None:
        self._items, self._length = items, length

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return self._length


def _sized(progress: Callable[[Iterable[Any]], Iterable[Any]],
           length: int) -> Callable[[Iterable[Any]], Iterable[Any]]:
    return lambda items: progress(_Sized(items, length))


def clean_corpus(raw_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                 progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda it: it,
                 lexicon: NameLexicon | None = None, explain: bool = False) -> Corpus:
    """Read and clean every page below raw_dir."""
    pages, skipped, warnings = load_pages(raw_dir, max_bytes, progress)
    if lexicon is None:
        override = raw_dir / REGISTRY_OVERRIDE
        lexicon = load_lexicon(override) if override.is_file() else default_lexicon()
    cleaned = clean_pages(pages, lexicon, explain)
    return Corpus(cleaned.documents, len(pages) + len(skipped), skipped, warnings,
                  cleaned.stats, cleaned.roles, cleaned.explanations, cleaned.spellings)

"""Learn from the whole corpus which blocks repeat across pages.

The site wraps every article in a "latest news" sidebar that depends on the day of the crawl
and in a footer of navigation and contact lines. Nothing here lists those sentences: they are
recognised because they recur on pages that are otherwise different, and `structure` decides,
from each page's own layout, which of a page's repeated blocks really are chrome.

What the corpus says about one page is a small value, `PageFacts`: whether each of its blocks
repeats (anywhere, in the tail; counted once per article, `CorpusBlocks.stats`), whether
another page holds it right after the same block (a day's sidebar is one list, in the same
order on every page), whether its last block begins a recurring footer line, and where its
article starts as its copies of other days tell (`dedupe.article_starts`); besides,
`structure` may ask whether a word is common, and `evidence.PageEvidence` records the words
it asked about. A page whose facts, and the classes of the words asked about, did not change
since the last run gets the same layout (what `update` relies on).
Pages are counted by `PageShape`, ids instead of text, so that 100k pages fit in memory.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from indexer.cleaning.blocks import analysis_text, block_key

TAIL_SIZE = 8  # how many trailing blocks of a page can be footer
PREFIX_CHARS = 80  # sidebar items are sometimes cut short: compare their beginnings too
TAIL_BEGINNING_CHARS = 40  # a footer line cut by the crawler is recognised by this much
# A word on at least this share of the pages ("csto", "security", "the") says nothing about
# which article a line belongs to. Two classes rather than IDF weights: a page's layout then
# changes only when one of its words crosses this line, not with every page added (scored on
# both halves of the labelled pages: the same as IDF; docs/benchmarks.md).
COMMON_SHARE = 0.2
COMMON_WEIGHT = 0.01
SORT_QUERIES_FROM = 100_000  # ids looked up at once (`Counts.of_ids`)
NO_PREFIX = 0  # `PageShape.beginnings` of a block too short to be compared by its beginning
_NO_WORDS = np.zeros(0, np.uint32)
_WORD = re.compile(r"[^\W\d_]{3,}")


@lru_cache(maxsize=1 << 13)
def content_words(text: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _WORD.findall(text))


def key_id(key: str) -> int:
    """A stable 64-bit id of a block key (Python's own `hash` changes between processes)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1  # never NO_PREFIX


@lru_cache(maxsize=1 << 16)
def word_id(word: str) -> int:
    """A 32-bit id of a word, for counting pages per word (a collision of two rare words
    could only make both look a little more common)."""
    digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return int.from_bytes(digest, "little")


def page_keys(blocks: Sequence[str]) -> list[str]:
    """The keys blocks are counted by: as `structure` reads them (without glued image names)."""
    return [block_key(analysis_text(block)) for block in blocks]


def tail_length(blocks: int) -> int:
    """The footer is in the last blocks, and in the second half of a short page."""
    return min(TAIL_SIZE, max(1, blocks // 2)) if blocks else 0


@dataclass(frozen=True)
class PageShape:
    """What the corpus statistics need of one page."""

    keys: np.ndarray  # int64 `key_id` of every block's key
    beginnings: np.ndarray  # int64 id of the first PREFIX_CHARS of each key, or NO_PREFIX
    tail_heads: tuple[str, ...]  # the first characters of each tail block's key
    last_key: str  # the last block's key, if it is short enough to be a cut footer line
    words: np.ndarray  # uint32 `word_id` of every distinct content word of the page

    @property
    def identity(self) -> bytes:
        """Two saved copies of exactly the same page have the same."""
        return self.keys.tobytes()

    def without_words(self) -> PageShape:
        """The shape as kept in memory once its words are counted."""
        return replace(self, words=_NO_WORDS)

    def __reduce__(self) -> tuple[object, ...]:
        # As bytes: kept by the thousand in the cleaning cache, and unpickled 10x faster.
        return (_shape_from_bytes, (self.keys.tobytes(), self.beginnings.tobytes(),
                                    self.tail_heads, self.last_key, self.words.tobytes()))


def _shape_from_bytes(keys: bytes, beginnings: bytes, tail_heads: tuple[str, ...],
                      last_key: str, words: bytes) -> PageShape:
    # Footer lines end page after page: one string for each, not one per page.
    return PageShape(np.frombuffer(keys, np.int64), np.frombuffer(beginnings, np.int64),
                     tuple(map(sys.intern, tail_heads)), last_key,
                     np.frombuffer(words, np.uint32))


def shape_of(blocks: Sequence[str]) -> PageShape:
    keys = page_keys(blocks)
    words = set().union(*(content_words(analysis_text(block)) for block in blocks))
    tail = keys[len(keys) - tail_length(len(keys)):]
    return PageShape(
        np.array([key_id(key) for key in keys], dtype=np.int64),
        np.array([key_id(key[:PREFIX_CHARS]) if len(key) >= PREFIX_CHARS else NO_PREFIX
                  for key in keys], dtype=np.int64),
        tuple(key[:TAIL_BEGINNING_CHARS + 1] for key in tail),
        keys[-1] if keys and len(keys[-1]) <= TAIL_BEGINNING_CHARS else "",
        np.array(sorted(word_id(word) for word in words), dtype=np.uint32),
    )


@dataclass(frozen=True)
class Counts:
    """How many counted pages carry each id (sorted ids, for lookups of whole arrays)."""

    ids: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, ids: np.ndarray) -> Counts:
        """Occurrences of each id."""
        unique, counts = np.unique(ids, return_counts=True)
        return cls(unique, counts)

    def of_ids(self, ids: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
        """The count of each of `ids` (0 for an id not counted); `order`, if given, sorts
        `ids` (for several lookups of the same ids)."""
        if not len(self.ids):
            return np.zeros(len(ids), np.int64)
        if order is None and len(ids) >= SORT_QUERIES_FROM:
            order = np.argsort(ids)
        if order is None:
            places = np.searchsorted(self.ids, ids)
        else:  # in order, the search walks forward through memory: 3x faster for 3M blocks
            places = np.empty(len(ids), np.int64)
            places[order] = np.searchsorted(self.ids, ids[order])
        places = np.minimum(places, len(self.ids) - 1)
        return np.where(self.ids[places] == ids, self.counts[places], 0)


def pair_ids(keys: np.ndarray, first_of_page: np.ndarray) -> np.ndarray:
    """A stable id of each block with the block before it on its page (NO_PREFIX for a
    page's first block)."""
    before = np.roll(keys, 1).view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    pairs = (before ^ keys.view(np.uint64)).view(np.int64)
    pairs[pairs == NO_PREFIX] = 1
    return np.where(first_of_page, NO_PREFIX, pairs)


def _first_of_page(page: np.ndarray, rank: np.ndarray, ranks: int) -> np.ndarray:
    """Whether each block is the first of its page with its rank: a page carrying a block
    twice counts once."""
    _, first = np.unique(page.astype(np.int64) * ranks + rank, return_index=True)
    marks = np.zeros(len(rank), dtype=bool)
    marks[first] = True
    return marks


def _first_of_group(flags: np.ndarray, grouped: np.ndarray, group: np.ndarray,
                    rank: np.ndarray) -> np.ndarray:
    """`flags` (each block the first of its page with its rank), where of the blocks of
    `grouped` pages only the first of the group of pages with its rank stays set."""
    chosen = np.flatnonzero(flags & grouped)
    kept = flags & ~grouped
    if not len(chosen):
        return kept
    ranks = int(rank[chosen].max()) + 1
    kept[chosen[_first_of_page(group[chosen], rank[chosen], ranks)]] = True
    return kept


@dataclass(frozen=True)
class CorpusBlocks:
    """Every block of a corpus's pages in flat arrays, with the page each belongs to.

    Keys and beginnings are numbered densely (their rank among the distinct ones, which
    keeps their order) and the first block of each page with each key is marked, once: every
    count over pages is then a `bincount` and every lookup an index, where sorting 3M block
    ids for each of them took most of an update's time at 100k pages."""

    shapes: Sequence[PageShape]
    key_ids: np.ndarray  # the distinct keys, sorted
    key_rank: np.ndarray  # of each block's key in key_ids
    beginning_ids: np.ndarray
    beginning_rank: np.ndarray
    has_beginning: np.ndarray  # the block is long enough to be compared by its beginning
    page: np.ndarray  # page number of each block
    in_tail: np.ndarray  # the block is among its page's last `tail_length` blocks
    offsets: np.ndarray  # where each page's blocks start (and, last, the end)
    distinct: np.ndarray  # the first block of its page with its key
    distinct_in_tail: np.ndarray  # the first of its page's tail blocks with its key
    distinct_beginning: np.ndarray  # the first of its page with its beginning
    pair_ids: np.ndarray  # the distinct (block before, block) pairs, sorted
    pair_rank: np.ndarray
    distinct_pair: np.ndarray  # the first of its page with its pair (never a page's first)

    @classmethod
    def of(cls, shapes: Sequence[PageShape]) -> CorpusBlocks:
        lengths = np.array([len(shape.keys) for shape in shapes], dtype=np.int64)
        empty = np.zeros(0, np.int64)
        keys = np.concatenate([s.keys for s in shapes]) if shapes else empty
        beginnings = np.concatenate([s.beginnings for s in shapes]) if shapes else empty
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        page = np.repeat(np.arange(len(shapes), dtype=np.int32), lengths)
        from_end = offsets[page + 1] - np.arange(offsets[-1])  # 1 for a page's last block
        in_tail = from_end <= np.minimum(TAIL_SIZE, np.maximum(1, lengths // 2))[page]
        key_ids, key_rank = np.unique(keys, return_inverse=True)
        beginning_ids, beginning_rank = np.unique(beginnings, return_inverse=True)
        has_beginning = beginnings != NO_PREFIX
        distinct_in_tail = np.zeros(len(keys), dtype=bool)
        distinct_in_tail[in_tail] = _first_of_page(page[in_tail], key_rank[in_tail],
                                                   len(key_ids))
        distinct_beginning = _first_of_page(page, beginning_rank, len(beginning_ids))
        pages_first = np.zeros(len(keys), dtype=bool)
        pages_first[offsets[:-1][lengths > 0]] = True
        pairs = pair_ids(keys, pages_first)
        unique_pairs, pair_rank = np.unique(pairs, return_inverse=True)
        distinct_pair = _first_of_page(page, pair_rank, len(unique_pairs)) & ~pages_first
        return cls(shapes, key_ids, key_rank.astype(np.int32), beginning_ids,
                   beginning_rank.astype(np.int32), has_beginning, page, in_tail, offsets,
                   _first_of_page(page, key_rank, len(key_ids)), distinct_in_tail,
                   distinct_beginning & has_beginning, unique_pairs,
                   pair_rank.astype(np.int32), distinct_pair)

    def stats(self, identities: Sequence[str] | None = None,
              common: frozenset[int] | None = None,
              counted: Sequence[bool] | None = None) -> BlockStats:
        """Count blocks over distinct pages; a page stored twice counts once.

        With `identities` (one per page, e.g. its address), a block counts once per
        identity: the same article crawled on two days must not make its own paragraphs look
        repeated, while each day's sidebar still counts. Pages not `counted` add nothing (a
        copy cut shorter than a page that holds all it has). Common words do not depend on
        that, so a second pass can reuse the first one's."""
        first_of: dict[object, int] = {}
        group = np.array([first_of.setdefault(identities[number] if identities is not None
                                              else shape.identity, number)
                          for number, shape in enumerate(self.shapes)], dtype=np.int64)
        chosen = np.ones(len(self.shapes), dtype=bool) if counted is None \
            else np.array(counted, dtype=bool)
        groups = len(np.unique(group[chosen]))
        of_block = group[self.page]
        grouped = ((np.bincount(group[chosen], minlength=len(group)) > 1)[group]
                   & chosen)[self.page]
        chosen = chosen[self.page]
        distinct, distinct_in_tail, distinct_beginning, distinct_pair = (
            _first_of_group(flags & chosen, grouped, of_block, rank) for flags, rank in (
                (self.distinct, self.key_rank), (self.distinct_in_tail, self.key_rank),
                (self.distinct_beginning, self.beginning_rank),
                (self.distinct_pair, self.pair_rank)))
        ranks = len(self.key_ids)
        in_tail = np.bincount(self.key_rank[distinct_in_tail], minlength=ranks)
        # The first characters of each recurring tail block, from one page that has it.
        recurring = np.flatnonzero(chosen & self.in_tail & (in_tail[self.key_rank] >= 2))
        _, first = np.unique(self.key_rank[recurring], return_index=True)
        heads = set()
        for position in recurring[first].tolist():
            page = int(self.page[position])
            tail_heads = self.shapes[page].tail_heads
            heads.add(tail_heads[position - int(self.offsets[page + 1]) + len(tail_heads)])
        return BlockStats(
            groups,
            Counts(self.key_ids, np.bincount(self.key_rank[distinct], minlength=ranks)),
            Counts(self.beginning_ids, np.bincount(self.beginning_rank[distinct_beginning],
                                                   minlength=len(self.beginning_ids))),
            Counts(self.key_ids, in_tail),
            frozenset(head[:length] for head in heads
                      for length in range(1, min(len(head), TAIL_BEGINNING_CHARS + 1))),
            common_words(self.shapes) if common is None else common,
            Counts(self.pair_ids,
                   np.bincount(self.pair_rank[distinct_pair],
                               minlength=len(self.pair_ids))),
        )

    def table(self, stats: BlockStats) -> FactsTable:
        """The `PageFacts` of every page under `stats`, computed over all pages at once."""
        if stats.anywhere.ids is self.key_ids and stats.beginnings.ids is self.beginning_ids:
            # Learned from these very blocks: a count is an index away.
            anywhere = stats.anywhere.counts[self.key_rank]
            begun = stats.beginnings.counts[self.beginning_rank]
            tail = stats.in_tail.counts[self.key_rank]
            paired = stats.pairs.counts[self.pair_rank] if stats.pairs.ids is self.pair_ids \
                else stats.pairs.of_ids(self.pair_ids[self.pair_rank])
        else:
            keys = self.key_ids[self.key_rank]
            order = np.argsort(keys)  # sorted once for both lookups of the keys
            anywhere = stats.anywhere.of_ids(keys, order)
            begun = stats.beginnings.of_ids(self.beginning_ids[self.beginning_rank])
            tail = stats.in_tail.of_ids(keys, order)
            paired = stats.pairs.of_ids(self.pair_ids[self.pair_rank])
        follows = (paired >= 2) & (self.pair_ids[self.pair_rank] != NO_PREFIX)
        # The counts are only for explanations: kept small (a table holds 3M blocks).
        return FactsTable((anywhere >= 2) | (self.has_beginning & (begun >= 2)), tail >= 2,
                          anywhere.astype(np.int32), tail.astype(np.int32),
                          self.offsets.tolist(),
                          [stats.last_begins_tail(shape) for shape in self.shapes], follows)


def facts_signature(repeats: np.ndarray, tail_repeats: np.ndarray, last_begins_tail: bool,
                    follows: np.ndarray, article_from: int) -> str:
    """A digest of a page's facts, under which the layout they give is kept."""
    data = b"".join(array.astype(bool, copy=False).tobytes()
                    for array in (repeats, tail_repeats, follows))
    return hashlib.blake2b(data + bytes([last_begins_tail]) + article_from.to_bytes(4, "little"),
                           digest_size=16).hexdigest()


@dataclass(frozen=True)
class PageFacts:
    """What the corpus says about one page: all that `structure` may read of it.

    Equal facts give an equal layout; the counts are only for explanations.
    """

    repeats: tuple[bool, ...]  # per block: on another page too (whole, or cut short)
    tail_repeats: tuple[bool, ...]  # per block: ends another page too
    last_begins_tail: bool  # the last block is the beginning of a recurring footer line
    # per block: another page holds it right after the same block as here
    follows: tuple[bool, ...] = ()
    article_from: int = 0  # where the article starts, as other copies of the page tell (0: not)
    pages_with: tuple[int, ...] = field(default=(), compare=False)
    tail_pages: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class BlockStats:
    """How many distinct pages carry each block, anywhere and in their tail."""

    pages: int = 0
    anywhere: Counts = field(default_factory=lambda: Counts.of(np.zeros(0, np.int64)))
    beginnings: Counts = field(default_factory=lambda: Counts.of(np.zeros(0, np.int64)))
    in_tail: Counts = field(default_factory=lambda: Counts.of(np.zeros(0, np.int64)))
    # Proper beginnings of recurring tail blocks ("go b" of "go back"), for cut footers.
    tail_beginnings: frozenset[str] = frozenset()
    common_words: frozenset[int] = frozenset()
    # (block before, block) pairs, by page
    pairs: Counts = field(default_factory=lambda: Counts.of(np.zeros(0, np.int64)))

    def last_begins_tail(self, shape: PageShape) -> bool:
        return bool(shape.last_key) and shape.last_key in self.tail_beginnings

    def table(self, shapes: Sequence[PageShape]) -> FactsTable:
        """The `PageFacts` of every page of `shapes` (counted here or not)."""
        return CorpusBlocks.of(shapes).table(self)


@dataclass(frozen=True)
class FactsTable:
    """The facts of many pages in flat arrays (`BlockStats.table`)."""

    repeats: np.ndarray
    tail_repeats: np.ndarray
    anywhere: np.ndarray
    tail: np.ndarray
    bounds: list[int]  # page n's blocks are bounds[n]:bounds[n + 1]
    last_begins_tail: list[bool]
    follows: np.ndarray
    article_from: list[int] = field(default_factory=list)  # of each page, when known

    def _article_from(self, page: int) -> int:
        return self.article_from[page] if self.article_from else 0

    def signature(self, page: int) -> str:
        start, end = self.bounds[page], self.bounds[page + 1]
        return facts_signature(self.repeats[start:end], self.tail_repeats[start:end],
                               self.last_begins_tail[page], self.follows[start:end],
                               self._article_from(page))

    def facts(self, page: int) -> PageFacts:
        part = slice(self.bounds[page], self.bounds[page + 1])
        return PageFacts(tuple(self.repeats[part].tolist()),
                         tuple(self.tail_repeats[part].tolist()), self.last_begins_tail[page],
                         tuple(self.follows[part].tolist()), self._article_from(page),
                         tuple(self.anywhere[part].tolist()), tuple(self.tail[part].tolist()))


class WordPages:
    """On how many pages each word is, counted a batch of pages at a time: the pages'
    words need not all be in memory at once (100k long pages hold 60M of them). Counts are
    exact integers, so a count kept from a past run and updated by the pages added and
    removed since is the count of the pages now."""

    BATCH = 2048

    def __init__(self, pages: int = 0, ids: np.ndarray | None = None,
                 counts: np.ndarray | None = None) -> None:
        self.pages = pages
        self._ids = np.zeros(0, np.uint32) if ids is None else ids
        self._counts = np.zeros(0, np.int64) if counts is None else counts
        self._pending: list[tuple[np.ndarray, int]] = []

    def add(self, words: np.ndarray) -> None:
        self._change(words, 1)

    def remove(self, words: np.ndarray) -> None:
        """Take back a page that was added."""
        self._change(words, -1)

    def _change(self, words: np.ndarray, sign: int) -> None:
        self.pages += sign
        self._pending.append((words, sign))
        if len(self._pending) >= self.BATCH:
            self._merge()

    def _merge(self) -> None:
        if not self._pending:
            return
        pending = np.concatenate([words for words, _ in self._pending])
        signs = np.repeat([sign for _, sign in self._pending],
                          [len(words) for words, _ in self._pending])
        ids, inverse = np.unique(np.concatenate((self._ids, pending)), return_inverse=True)
        weights = np.concatenate((self._counts, signs.astype(np.int64)))
        counts = np.rint(np.bincount(inverse, weights, len(ids))).astype(np.int64)
        kept = counts > 0  # words no page has any more
        self._ids, self._counts = ids[kept], counts[kept]
        self._pending = []

    def common(self) -> frozenset[int]:
        """Words on at least COMMON_SHARE of all pages (every saved copy counts)."""
        self._merge()
        floor = max(2.0, COMMON_SHARE * self.pages)
        return frozenset(self._ids[self._counts >= floor].tolist())

    def __reduce__(self) -> tuple[object, ...]:
        self._merge()
        return (WordPages, (self.pages, self._ids, self._counts))


def common_words(shapes: Sequence[PageShape]) -> frozenset[int]:
    counter = WordPages()
    for shape in shapes:
        counter.add(shape.words)
    return counter.common()

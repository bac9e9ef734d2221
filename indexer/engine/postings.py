"""Posting lists read whole into arrays, scored once, and kept for the searcher's life.

Whoosh walks postings one document at a time in Python; here a term's list is decoded block
by block into numpy arrays the first time a query needs it, with each document's BM25F score
for the term computed at once (the score depends only on the generation, which never
changes). The lists stay in a cache bounded in bytes, least recently used out first: the
long lists of common words, the costliest to read, are also the ones queries keep asking for.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import formats, scoring
from whoosh.matching import FilterMatcher

from indexer.engine.columns import DocumentColumns
from indexer.engine.position_values import decode_deltas
from indexer.engine.whoosh_internals import bm25_parameters, posting_blocks

# At 100k pages of 1,000-1,500 words a common word's list takes 1-2 MB and its positions
# 1-5 MB: the lists of a varied hour of queries and of the most frequent words fit.
CACHE_MB = 160
FULL_SHARE = 0.9  # a cache this full counts as full (a next list would push one out)
SEARCH_BELOW_SHARE = 16  # one array this many times shorter: binary search, not a merge
POSITION_BITS = 32  # a position key is docnum << POSITION_BITS | position


@dataclass(frozen=True)
class Occurrences:
    """How often a term or a phrase occurs in each document that has it."""

    docs: np.ndarray  # int32 document numbers, ascending
    counts: np.ndarray  # float32 occurrences in each of those documents


@dataclass(frozen=True)
class TermPostings(Occurrences):
    scores: np.ndarray  # float64: Whoosh's BM25F score of the term in each, unboosted


@dataclass(frozen=True)
class TermPositions:
    """Every occurrence of a term, kept small: a common word of long pages occurs millions
    of times, and position keys of 8 bytes each made the lists of a few phrases outgrow the
    cache (every pass of a query mix decoded them again)."""

    docs: np.ndarray  # int32 document numbers, ascending
    counts: np.ndarray  # int32 occurrences in each of those documents
    positions: np.ndarray  # uint16 or uint32, ascending within each document

    def keys(self, shift: int = 0) -> np.ndarray:
        """docnum << POSITION_BITS | (position - shift) of every occurrence, ascending."""
        docs = np.repeat(self.docs.astype(np.int64) << POSITION_BITS, self.counts)
        return (docs | self.positions) - shift


EMPTY = TermPostings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), np.zeros(0))
NO_POSITIONS = TermPositions(EMPTY.docs, EMPTY.docs, np.zeros(0, dtype=np.uint16))


class PostingCache:
    def __init__(self, searcher: Any, columns: DocumentColumns, budget_mb: float,
                 listed_fields: tuple[str, ...] = ()) -> None:
        if not isinstance(searcher.weighting, scoring.BM25F):
            raise TypeError("scores are computed as BM25F; the searcher must use it")
        self._searcher = searcher
        self._columns = columns
        self._budget = budget_mb * 1024 * 1024
        self._size = 0
        self._entries: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        # The words of fields with a small vocabulary (titles, names), held in memory: a
        # query asks each field for each of its words, and looking a word up in every
        # segment's term table costs about 0.1 ms a segment, mostly to learn it is not there.
        reader = searcher.reader()
        self._lexicons = {name: frozenset(term.decode("utf-8") if isinstance(term, bytes)
                                          else term for term in reader.lexicon(name))
                          for name in listed_fields if name in searcher.schema}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def full(self) -> bool:
        return self._size >= self._budget * FULL_SHARE

    def term(self, fieldname: str, text: str) -> TermPostings:
        return self._cached(("term", fieldname, text), self._read_term)

    def positions(self, fieldname: str, text: str) -> TermPositions:
        return self._cached(("positions", fieldname, text), self._read_positions)

    def preload(self, frequent: Sequence[str], fields: Sequence[str],
                positions: tuple[str, int], deadline: float, lock: threading.Lock) -> int:
        """Decode the lists of the `frequent` terms (most frequent first) in `fields`, then
        the positions of the first n of them in one field (`positions`: the field and n),
        until the cache is full or `time.monotonic()` passes the deadline; each list is read
        under `lock` (the searcher's). Returns how many lists were read."""
        steps = [(self.term, fieldname, term) for term in frequent for fieldname in fields]
        steps += [(self.positions, positions[0], term) for term in frequent[:positions[1]]]
        read = 0
        for read_list, fieldname, term in steps:
            if time.monotonic() > deadline or self.full:
                break
            with lock:
                read_list(fieldname, term)
            read += 1
        return read

    def phrase(self, fieldname: str, words: tuple[str, ...]) -> Occurrences:
        """The documents where the words follow each other, and how often. Kept as the
        lists are (as Lucene's query cache keeps the documents of frequent queries): on
        long pages the words of a common phrase occur millions of times."""
        return self._cached(("phrase", fieldname, "\0".join(words)), self._find_phrase)

    def _cached(self, key: tuple[str, str, str], read: Callable[[str, str], Any]) -> Any:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        found = read(key[1], key[2])
        self._store(key, found)
        return found

    def _store(self, key: tuple[str, str, str], entry: Occurrences | TermPositions) -> None:
        size = _nbytes(entry)
        if size > self._budget or key in self._entries:
            return
        self._entries[key] = entry
        self._size += size
        while self._size > self._budget:
            _, dropped = self._entries.popitem(last=False)
            self._size -= _nbytes(dropped)

    def _find_phrase(self, fieldname: str, joined: str) -> Occurrences:
        """Each word's occurrences, shifted back by its place in the phrase, must meet the
        others'."""
        occurrences = [(self.positions(fieldname, word), place)
                       for place, word in enumerate(joined.split("\0"))]
        starts: np.ndarray | None = None
        # The rarest word first: the starts left can only shrink.
        for positions, place in sorted(occurrences, key=lambda each: len(each[0].positions)):
            shifted = positions.keys(shift=place)
            starts = shifted if starts is None else _intersect(starts, shifted)
            if not len(starts):
                break
        if starts is None:
            return EMPTY
        docs, counts = np.unique((starts >> POSITION_BITS).astype(np.int32), return_counts=True)
        return Occurrences(docs, counts.astype(np.float32))

    def _read_term(self, fieldname: str, text: str) -> TermPostings:
        docs, weights, _values = self._read_list(fieldname, text, with_values=False)
        return self._scored(fieldname, text, docs, weights)

    def _read_positions(self, fieldname: str, text: str) -> TermPositions:
        """Whoosh's `Positions.decode_positions` for a whole list at once. The list's scores
        come with the same read: a phrase asks for both."""
        if type(self._searcher.schema[fieldname].format) is not formats.Positions:
            raise TypeError(f"{fieldname} does not keep Whoosh's Positions format")
        docs, weights, values = self._read_list(fieldname, text, with_values=True)
        self._store(("term", fieldname, text), self._scored(fieldname, text, docs, weights))
        if not len(docs):
            return NO_POSITIONS
        counts, deltas = decode_deltas(values)
        summed = np.cumsum(deltas)
        firsts = np.cumsum(counts) - counts  # where each document's deltas start
        positions = summed - np.repeat(summed[firsts] - deltas[firsts], counts)
        small = np.uint16 if positions.max() < 1 << 16 else np.uint32
        return TermPositions(docs, counts, positions.astype(small))

    def _read_list(self, fieldname: str, text: str,
                   with_values: bool) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
        """(int32 document numbers, weights, and if asked encoded values) of the term in
        every segment."""
        docs, weights, values = [], [], []
        if fieldname in self._lexicons and text not in self._lexicons[fieldname]:
            return EMPTY.docs, EMPTY.scores, values
        for matcher, offset in self._matchers(fieldname, text):
            for ids, block_weights, block_values in posting_blocks(matcher):
                docs.append(ids + offset)
                weights.append(block_weights)
                if with_values:
                    values.extend(block_values)
        if not docs:
            return EMPTY.docs, EMPTY.scores, values
        return np.concatenate(docs).astype(np.int32), np.concatenate(weights), values

    def _scored(self, fieldname: str, text: str, docs: np.ndarray,
                weights: np.ndarray) -> TermPostings:
        if not len(docs):
            return EMPTY
        return TermPostings(docs, weights.astype(np.float32),
                            self._score(fieldname, text, docs, weights))

    def _matchers(self, fieldname: str, text: str) -> list[tuple[Any, int]]:
        found = []
        for sub, offset in self._searcher.leaf_searchers():
            reader = sub.reader()
            if (fieldname, text) in reader:
                matcher = reader.postings(fieldname, text)
                # Deleted documents are left out later, by the `alive` column, for all terms
                # at once.
                if isinstance(matcher, FilterMatcher):
                    matcher = matcher.child
                found.append((matcher, offset))
        return found

    def _score(self, fieldname: str, text: str, docs: np.ndarray,
               weights: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F, term by term (scoring.bm25), in the same operation order so that
        the scores are the same numbers."""
        searcher = self._searcher
        if not searcher.schema[fieldname].scorable:
            return weights
        model = searcher.weighting
        idf = searcher.idf(fieldname, text)
        average = searcher.avg_field_length(fieldname) or 1
        b, k1 = bm25_parameters(model, fieldname)
        length = self._columns.lengths[fieldname][docs]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * length / average)))


def _intersect(sorted_a: np.ndarray, sorted_b: np.ndarray) -> np.ndarray:
    """The values in both ascending arrays, each without repeats."""
    if len(sorted_a) > len(sorted_b):
        sorted_a, sorted_b = sorted_b, sorted_a
    if len(sorted_a) * SEARCH_BELOW_SHARE < len(sorted_b):
        at = np.searchsorted(sorted_b, sorted_a)
        inside = at < len(sorted_b)
        return sorted_a[inside][sorted_b[at[inside]] == sorted_a[inside]]
    # A stable sort of two ascending runs is a linear merge (timsort): 2x the binary search
    # of one array in the other when both are long.
    merged = np.sort(np.concatenate((sorted_a, sorted_b)), kind="stable")
    return merged[1:][merged[1:] == merged[:-1]]


def _nbytes(entry: Occurrences | TermPositions) -> int:
    if isinstance(entry, TermPostings):
        return entry.docs.nbytes + entry.counts.nbytes + entry.scores.nbytes
    if isinstance(entry, TermPositions):
        return entry.docs.nbytes + entry.counts.nbytes + entry.positions.nbytes
    return entry.docs.nbytes + entry.counts.nbytes

"""Posting lists read whole into arrays, scored once, and kept for the searcher's life.

Whoosh walks postings one document at a time in Python; here a term's list is decoded block
by block into numpy arrays the first time a query needs it, with each document's BM25F score
for the term computed at once (the score depends only on the generation, which never
changes). The lists stay in a cache bounded in bytes, least recently used out first: the
long lists of common words, the costliest to read, are also the ones queries keep asking for.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher

from indexer.engine.columns import DocumentColumns

CACHE_MB = 96
POSITION_BITS = 32  # a position key is docnum << POSITION_BITS | position

@dataclass(frozen=True)
class TermPostings:
    docs: np.ndarray  # int32 document numbers, ascending
    scores: np.ndarray  # float64: the term's score in each of those documents, unboosted


EMPTY = TermPostings(np.zeros(0, dtype=np.int32), np.zeros(0))


class PostingCache:
    def __init__(self, searcher: Any, columns: DocumentColumns, budget_mb: float) -> None:
        if not isinstance(searcher.weighting, scoring.BM25F):
            raise TypeError("scores are computed as BM25F; the searcher must use it")
        self._searcher = searcher
        self._columns = columns
        self._budget = budget_mb * 1024 * 1024
        self._size = 0
        self._entries: OrderedDict[tuple[str, str, str], Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def term(self, fieldname: str, text: str) -> TermPostings:
        return self._cached(("term", fieldname, text), self._read_term)

    def positions(self, fieldname: str, text: str) -> np.ndarray:
        """Every occurrence of the term as a position key, ascending."""
        return self._cached(("positions", fieldname, text), self._read_positions)

    def _cached(self, key: tuple[str, str, str], read: Callable[[str, str], Any]) -> Any:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        found = read(key[1], key[2])
        size = _nbytes(found)
        if size <= self._budget:
            self._entries[key] = found
            self._size += size
            while self._size > self._budget:
                _, dropped = self._entries.popitem(last=False)
                self._size -= _nbytes(dropped)
        return found

    def _read_term(self, fieldname: str, text: str) -> TermPostings:
        docs, weights = [], []
        for matcher, offset in self._matchers(fieldname, text):
            for ids, block_weights, _values in _blocks(matcher):
                docs.append(ids + offset)
                weights.append(block_weights)
        if not docs:
            return EMPTY
        found = np.concatenate(docs).astype(np.int32)
        return TermPostings(found, self._score(fieldname, text, found,
                                               np.concatenate(weights)))

    def _read_positions(self, fieldname: str, text: str) -> np.ndarray:
        decode = self._searcher.schema[fieldname].format.decode_positions
        docs, positions = [], []
        for matcher, offset in self._matchers(fieldname, text):
            for ids, _weights, values in _blocks(matcher):
                decoded = [decode(value) for value in values]
                docs.append(np.repeat(ids + offset, [len(each) for each in decoded]))
                positions.append(np.fromiter(chain.from_iterable(decoded), np.int64))
        if not docs:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(docs) << POSITION_BITS | np.concatenate(positions)

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
        b = model._field_B.get(fieldname, model.B)
        k1 = model.K1
        length = self._columns.lengths[fieldname][docs]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * length / average)))


def _blocks(matcher: Any) -> Iterator[tuple[np.ndarray, np.ndarray, Sequence[bytes]]]:
    """(document numbers, weights, encoded values) of each block of a posting list.

    Reads Whoosh's block format directly (whoosh-reloaded is pinned): a block at a time
    instead of a posting at a time, 5x faster for long lists.
    """
    if not isinstance(matcher, W3LeafMatcher):  # postings inlined in the term's info
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        yield np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), values
        return
    while True:
        if matcher._data is None:
            matcher._read_data()
        ids, weights, values = matcher._data
        count = len(ids)
        if weights is None:
            weights = np.ones(count)
        elif isinstance(weights, float):
            weights = np.full(count, weights)
        else:
            weights = np.asarray(weights, dtype=np.float64)
        yield np.cumsum(np.asarray(ids, dtype=np.int64)), weights, values
        if matcher._lastblock:
            return
        matcher._goto(matcher._nextoffset)


def _nbytes(entry: Any) -> int:
    if isinstance(entry, TermPostings):
        return entry.docs.nbytes + entry.scores.nbytes
    return int(entry.nbytes)

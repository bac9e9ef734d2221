"""The one module that reaches into Whoosh's private parts (whoosh-reloaded is pinned at
2.7.5, so they do not move), each for speed: the public API reads one value per call where
these read a block or a column at once."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher


def bm25_parameters(model: Any, fieldname: str) -> tuple[float, float]:
    """(b, k1) of a Whoosh BM25F model for a field (its per-field b, if set)."""
    return model._field_B.get(fieldname, model.B), model.K1


def posting_blocks(matcher: Any) -> Iterator[tuple[np.ndarray, np.ndarray, Sequence[bytes]]]:
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


def expanded_words(leaf: Any, reader: Any) -> Iterator[bytes]:
    """The words of the index a prefix, wildcard or range stands for, as Whoosh encodes them."""
    return leaf._btexts(reader)  # type: ignore[no-any-return]


def count_expansions(leaf: Any, reader: Any, limit: int) -> int:
    """How many words a prefix, wildcard or range stands for, counted up to `limit`."""
    return sum(1 for _ in itertools.islice(expanded_words(leaf, reader), limit))


def length_bytes(reader: Any, fieldname: str, count: int) -> list[int]:
    """The field's length byte for each document. The per-document reader has the length
    columns; the public API reads one length per call, 4x slower for the whole index."""
    perdoc = reader._perdoc
    name = f"_{fieldname}_len"
    if not perdoc.has_column(name):
        return [0] * count
    return list(perdoc.column_reader(name, LENGTHS_COLUMN))

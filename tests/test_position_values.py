"""Whoosh's Positions values decoded in bulk give what Whoosh decodes value by value."""

from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from indexer.engine.position_values import decode_deltas

position_lists = st.lists(st.lists(st.integers(0, 3_000_000), min_size=1, max_size=1200,
                                   unique=True).map(sorted), max_size=30)


def deltas_of(positions: list[int]) -> list[int]:
    return [later - earlier for earlier, later in zip([0, *positions], positions, strict=False)]


@settings(max_examples=60, deadline=None)
@given(position_lists, st.booleans())
def test_bulk_decoding_is_whooshs(lists: list[list[int]], stop_stripped: bool) -> None:
    encode = Positions().encode
    # Whoosh's writer may store a value without the pickle's final STOP.
    values = [encode(each)[:-1] if stop_stripped else encode(each) for each in lists]
    counts, deltas = decode_deltas(values)
    assert counts.tolist() == [len(each) for each in lists]
    assert deltas.tolist() == [delta for each in lists for delta in deltas_of(each)]
    decode = Positions().decode_positions
    assert [decode(value) for value in values] == lists


def test_values_of_another_shape_are_unpickled_one_by_one() -> None:
    # A protocol other than the one Whoosh writes: the bulk walk gives up, the result stands.
    values = [b"\x00\x00\x00\x02" + pickle.dumps([3, 4], 4), Positions().encode([7])]
    counts, deltas = decode_deltas(values)
    assert counts.tolist() == [2, 1] and deltas.tolist() == [3, 4, 7]
    empty_counts, empty_deltas = decode_deltas([])
    assert len(empty_counts) == 0 and empty_deltas.dtype == np.int64

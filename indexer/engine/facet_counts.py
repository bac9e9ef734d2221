"""Facet counts of a search: each facet's values counted under the query and the *other*
facets' selections, so that a value not chosen yet shows what choosing it would add (values
of one facet are OR-ed, facets AND-ed), within a time limit."""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from indexer.engine.columns import DocumentColumns, FacetColumn
from indexer.engine.values import FacetCount
from indexer.facets import FACETS, Facet


def selections(columns: DocumentColumns,
               filters: Mapping[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
    """The documents each facet's selection keeps (a mask per facet with one)."""
    return {name: columns.facets[name].documents_with(values)
            for name, values in filters.items() if values and name in columns.facets}


def all_selections(found: np.ndarray, masks: Mapping[str, np.ndarray],
                   but: str | None = None) -> np.ndarray:
    """The found documents that every facet's selection keeps (`but` one facet's)."""
    kept = found
    for name, mask in masks.items():
        if name != but:
            kept = kept & mask
    return kept


def count_facets(columns: DocumentColumns, found: np.ndarray, masks: Mapping[str, np.ndarray],
                 seconds: float) -> tuple[dict[str, list[FacetCount]], bool]:
    """Every facet's counts, in the facet's order, and whether all were finished in time."""
    deadline = time.monotonic() + seconds
    facets, complete = {}, True
    for facet in FACETS:
        counts, done = counted(columns.facets[facet.name],
                               all_selections(found, masks, but=facet.name), deadline)
        facets[facet.name] = in_order(facet, counts)
        complete = complete and done
    return facets, complete


def in_order(facet: Facet, counts: list[FacetCount]) -> list[FacetCount]:
    """The counts in the facet's order (`Facet.sort_key`)."""
    return sorted(counts, key=lambda count: facet.sort_key(count.value, count.count))


def counted(column: FacetColumn, documents: np.ndarray,
            deadline: float) -> tuple[list[FacetCount], bool]:
    """How many of the documents (a mask) have each value that any of them has."""
    counts, complete = column.count(documents, deadline)
    return [FacetCount(column.values[code], int(counts[code]))
            for code in np.flatnonzero(counts)], complete

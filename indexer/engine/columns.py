"""Per-document values of one index generation as arrays, read once when it is opened.

Segments never change, so the arrays live as long as the searcher: facet counts, filters,
date sorts and the field lengths that scoring needs come from here without asking Whoosh
again, and numpy does per-query work over all documents at C speed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from whoosh.util.numeric import byte_to_length
from whoosh.util.times import datetime_to_long

from indexer import schema
from indexer.engine.whoosh_internals import length_bytes
from indexer.facets import BY_NAME

# Whoosh keeps each field length as one byte; this table decodes the byte.
_LENGTH_OF_BYTE = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)
_MICROSECONDS_PER_DAY = 86_400_000_000
_DAY_BITS = 21  # days since year 1 fit in 21 bits until the year 5700
# Facet values are counted for this many documents at a time, with the clock checked between.
_COUNT_CHUNK = 1 << 16


@dataclass(frozen=True)
class FacetColumn:
    """A facet's values as small integers ("codes"), a document having any number of them,
    stored both ways: by document, for counting, and by value, for filtering."""

    values: tuple[str, ...]
    codes: np.ndarray  # int32: document d's values are codes[doc_starts[d]:doc_starts[d + 1]]
    doc_starts: np.ndarray
    docs: np.ndarray  # int32: value v's documents are docs[value_starts[v]:value_starts[v + 1]]
    value_starts: np.ndarray
    totals: np.ndarray  # documents with each value in the whole index

    def documents_with(self, wanted: tuple[str, ...]) -> np.ndarray:
        """Which documents have any of the wanted values, as a mask."""
        mask = np.zeros(len(self.doc_starts) - 1, dtype=bool)
        for code, value in enumerate(self.values):
            if value in wanted:
                mask[self.docs[self.value_starts[code]:self.value_starts[code + 1]]] = True
        return mask

    def count(self, documents: np.ndarray, deadline: float) -> tuple[np.ndarray, bool]:
        """How many of the documents (a mask) have each value, and whether the count was
        finished before the deadline (time.monotonic()) or is partial.

        When most documents are in, the others are counted and taken from the totals: the
        work follows the smaller side."""
        complement = np.count_nonzero(documents) > len(documents) // 2
        rows = np.flatnonzero(~documents if complement else documents)
        counts = np.zeros(len(self.values), dtype=np.int64)
        complete = True
        for start in range(0, len(rows), _COUNT_CHUNK):
            if start and time.monotonic() > deadline:
                complete = False
                break
            codes = self.codes[_spans(self.doc_starts, rows[start:start + _COUNT_CHUNK])]
            counts += np.bincount(codes, minlength=len(self.values))
        if complement and not complete:
            return np.zeros_like(counts), False  # a part of the others tells nothing of these
        return (self.totals - counts if complement else counts), complete


def _spans(starts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The indices starts[r]..starts[r + 1] - 1 of every row r, one after the other."""
    begins = starts[rows]
    lengths = starts[rows + 1] - begins
    ends = np.cumsum(lengths)
    return np.repeat(begins - ends + lengths, lengths) + np.arange(ends[-1] if len(ends) else 0)


@dataclass(frozen=True)
class DocumentColumns:
    count: int
    alive: np.ndarray  # bool: not deleted by an update
    lengths: dict[str, np.ndarray]  # scorable field -> its length in each document
    facets: dict[str, FacetColumn]  # of each facet of `indexer.facets`, by name
    day: np.ndarray  # int64 days since year 1; 0 where undated
    dated: np.ndarray  # bool
    listing: np.ndarray  # bool: a list of other pages' items, ranked below articles

    @property
    def deleted(self) -> bool:
        return not self.alive.all()

    def between(self, start: date | None, end: date | None) -> np.ndarray:
        """Documents dated within [start, end], as a mask."""
        mask = self.dated.copy()
        if start is not None:
            mask &= self.day >= _day_number(start)
        if end is not None:
            mask &= self.day <= _day_number(end)
        return mask

    def months(self, documents: np.ndarray) -> list[tuple[str, int]]:
        """How many of the documents (a mask) are dated in each month, as ("YYYY-MM", n):
        one bincount over the month of every document, computed once per generation."""
        codes = self.month[documents & self.dated]
        if not len(codes):
            return []
        first = int(codes.min())
        counts = np.bincount(codes - first)
        return [(f"{(first + i) // 12:04d}-{(first + i) % 12 + 1:02d}", int(n))
                for i, n in enumerate(counts.tolist()) if n]

    @property
    def month(self) -> np.ndarray:
        """Each document's month as year * 12 + month - 1 (0 where undated)."""
        cached = self.__dict__.get("_month")
        if cached is None:
            first_day = np.datetime64("0001-01-01", "D")
            months = (first_day + self.day.astype("timedelta64[D]")).astype("datetime64[M]")
            cached = months.astype(np.int64) + 1970 * 12  # datetime64[M] counts from 1970
            object.__setattr__(self, "_month", cached)
        return cached

    def date_order(self, newest_first: bool) -> np.ndarray:
        """A sort key (smaller first): dated pages by date, undated pages after them."""
        days = (1 << _DAY_BITS) - 1 - self.day if newest_first else self.day
        return (~self.dated).astype(np.int64) << _DAY_BITS | days


def read_columns(searcher: Any) -> DocumentColumns:
    """The arrays of an open Whoosh searcher, its segments one after the other."""
    parts: dict[str, list[Any]] = {key: [] for key in ("alive", "date", "undated", "listing",
                                                       *BY_NAME)}
    lengths: dict[str, list[np.ndarray]] = {name: [] for name in schema.SEARCH_FIELDS}
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        if not count:  # an index without documents has an empty reader, and no columns
            continue
        alive = np.ones(count, dtype=bool)
        alive[list(reader.deleted_docs_set)] = False
        parts["alive"].append(alive)
        for name in lengths:
            lengths[name].append(_LENGTH_OF_BYTE[np.array(length_bytes(reader, name, count),
                                                          dtype=np.uint8)])
        for name, default in (*((facet, "") for facet in BY_NAME), ("undated", "1"),
                              ("listing", "0")):
            parts[name].append(_column(reader, name, count, default))
        # Unsigned: an undated document holds the column's default, 2**64 - 1.
        parts["date"].append(np.array(_column(reader, "date", count, 0, translate=False),
                                      dtype=np.uint64))
    dated = np.array([flag != "1" for part in parts["undated"] for flag in part], dtype=bool)
    day = (_join(parts["date"], np.uint64) // _MICROSECONDS_PER_DAY).astype(np.int64)
    return DocumentColumns(
        count=len(dated),
        alive=_join(parts["alive"], bool),
        lengths={name: _join(columns, np.float64) for name, columns in lengths.items()},
        facets={name: _facet([value.split(",") for part in parts[name] for value in part])
                for name in BY_NAME},
        day=np.where(dated, day, 0),
        dated=dated,
        listing=np.array([flag == "1" for part in parts["listing"] for flag in part],
                         dtype=bool))


# A segment in which no document has a field has no column for it at all.

def _column(reader: Any, name: str, count: int, default: Any, translate: bool = True) -> list[Any]:
    if not reader.has_column(name):
        return [default] * count
    return list(reader.column_reader(name, translate=translate))


def _join(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _facet(values_by_doc: list[list[str]]) -> FacetColumn:
    values: dict[str, int] = {}
    codes, lengths = [], []
    for found in values_by_doc:
        present = [values.setdefault(value, len(values)) for value in found if value]
        codes += present
        lengths.append(len(present))
    code_array = np.array(codes, dtype=np.int32)
    doc_of_pair = np.repeat(np.arange(len(values_by_doc), dtype=np.int32), lengths)
    by_value = np.argsort(code_array, kind="stable")
    totals = np.bincount(code_array, minlength=len(values))
    return FacetColumn(tuple(values), code_array, _starts(np.array(lengths, dtype=np.int64)),
                 doc_of_pair[by_value], _starts(totals), totals)


def _starts(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _day_number(day: date) -> int:
    return datetime_to_long(datetime(day.year, day.month, day.day)) // _MICROSECONDS_PER_DAY

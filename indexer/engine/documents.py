"""The stored documents of one open generation: results with their snippets, whole
documents, and the documents of an export, read a chunk at a time."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from indexer import schema
from indexer.document import readable_title, shown_text
from indexer.engine.snippets import Marker, Unit
from indexer.engine.values import Hit, StoredDocument
from indexer.engine.writing import stored_record
from indexer.facets import FACETS, PERSON

LEAD_CHARS = 240
DOCUMENTS_PER_READ = 100  # an export reads this many stored documents at a time


class Documents:
    """Reads stored fields; `hit` is called under the lock its owner holds, the others take
    it themselves."""

    def __init__(self, searcher: Any, lock: threading.Lock, marker: Marker) -> None:
        self._searcher, self._lock, self._marker = searcher, lock, marker

    def hit(self, docnum: int, units: frozenset[Unit] | None = frozenset(),
            weights: Mapping[Unit, tuple[int, float]] | None = None) -> Hit:
        """A result; without `units` (None), no snippet is made."""
        stored = stored_record(self._searcher.stored_fields(docnum))
        body = stored.get("body", "")
        title, url = stored.get("title") or None, stored.get("url")
        cut = bool(stored.get(schema.CUT.name))
        text = shown_text(body)
        snippet = "" if units is None else (self._marker.snippet(text, units, weights, cut)
                                            or html.escape(lead(text, cut)))
        return Hit(stored["id"], title, url, stored.get("date"),
                   tuple(stored[PERSON.name]), snippet,
                   readable_title(title, url, body, cut), cut,
                   stored.get(schema.INDEXED.name) or "")

    def by_id(self, doc_id: str) -> StoredDocument | None:
        with self._lock:
            stored = self._searcher.document(**{schema.ID.name: doc_id})
        return None if stored is None else stored_document(stored)

    def of(self, docnums: list[int],
           chunk: int = DOCUMENTS_PER_READ) -> Iterator[StoredDocument]:
        """The stored documents of a search's ranked numbers (`SearchResult.ranked`, from
        this searcher), read a chunk at a time as they are asked for: an export to a client
        that reads slowly holds one chunk, not 10,000 documents."""
        for start in range(0, len(docnums), chunk):
            with self._lock:
                stored = [self._searcher.stored_fields(docnum)
                          for docnum in docnums[start:start + chunk]]
            yield from map(stored_document, stored)


def stored_document(stored: dict[str, object]) -> StoredDocument:
    record = stored_record(stored)
    return StoredDocument(record["id"], record.get("title") or None, record.get("url"),
                          record.get("date"), tuple(record[PERSON.name]),
                          record.get("body", ""), tuple(record.get("sources", ())),
                          bool(record.get(schema.CUT.name)),
                          record.get(schema.SIGNATURE.name, ""),
                          record.get(schema.INDEXED.name) or "",
                          {facet.name: tuple(record[facet.name]) for facet in FACETS})


def lead(text: str, cut: bool = False) -> str:
    """The beginning of the text, cut at a word boundary with "…" (also where the saved copy
    itself was cut)."""
    if len(text) <= LEAD_CHARS:
        return text + " …" if cut and text else text
    return text[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"

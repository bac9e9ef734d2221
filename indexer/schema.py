"""The index's fields, described once for the indexer and the web app.

This module says what each field holds and how it is used; `indexer.engine` (the only module
that knows Whoosh) turns the description into the engine's own schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from indexer.facets import FACETS


class Kind(Enum):
    ID = "id"  # one exact token, stored
    TEXT = "text"  # analysed words: stemmed, accents folded, positions kept for phrases
    FACET = "facet"  # exact values, several per document, countable
    DATE = "date"
    STORED = "stored"  # kept for display, not searchable
    SORT_KEY = "sort_key"  # a hidden value to sort on


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    stored: bool = True
    weight: float = 1.0  # how much a match in this field counts in ranking (BM25F)
    sortable: bool = False


ID = Field("id", Kind.ID)
URL = Field("url", Kind.ID)
TITLE = Field("title", Kind.TEXT, weight=3.0)
BODY = Field("body", Kind.TEXT)
PEOPLE_TEXT = Field("people_text", Kind.TEXT, stored=False, weight=2.0)  # every spelling
SIGNATURE = Field("signature", Kind.TEXT)  # the release's signature (press secretary)
# One field per facet (`indexer.facets`): its values, stored, and a column for counting.
FACET_FIELDS = tuple(Field(facet.name, Kind.FACET, sortable=True) for facet in FACETS)
DATE = Field("date", Kind.DATE, sortable=True)
UNDATED = Field("undated", Kind.SORT_KEY, stored=False)  # "1" sorts pages without a date last
LISTING = Field("listing", Kind.SORT_KEY, stored=False)  # "1": a list of other pages' items
SOURCES = Field("sources", Kind.STORED)
CUT = Field("cut", Kind.STORED)  # True: the saved copy stops mid-article
INDEXED = Field("indexed", Kind.STORED)  # when first indexed, ISO (UTC): a feed's "updated"
CONTENT_HASH = Field("content_hash", Kind.ID)

FIELDS: tuple[Field, ...] = (ID, URL, TITLE, BODY, PEOPLE_TEXT, SIGNATURE, *FACET_FIELDS, DATE,
                             UNDATED, LISTING, SOURCES, CUT, INDEXED, CONTENT_HASH)
# Fields a plain query searches, with their ranking weights.
SEARCH_FIELDS: dict[str, float] = {f.name: f.weight
                                   for f in (TITLE, BODY, PEOPLE_TEXT, SIGNATURE)}

"""The plain values the engine takes and gives: what is asked, and what is found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from indexer.document import readable_title
from indexer.synonyms import Expansion

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class SearchLimits:
    """What one search may ask of the engine: past these, the visitor is asked to narrow
    the query instead of the server doing work for everyone's time."""

    max_query_chars: int = 500
    max_nesting: int = 8  # levels of parentheses
    max_expansions: int = 512  # words one prefix, wildcard or range may stand for
    facet_seconds: float = 0.25  # counting facet values; past it the counts are partial


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    # Values kept per facet (`indexer.facets`, by name): any of a facet's values, and every
    # facet's.
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 10
    exact: bool = False  # answer the query as written, never its spelling correction
    # False (exports): only the ranked documents' numbers (`SearchResult.ranked`), whose
    # stored fields `documents_of` reads a chunk at a time as they are sent.
    read_hits: bool = True

    def selected(self, facet: str) -> tuple[str, ...]:
        return self.filters.get(facet, ())


@dataclass(frozen=True)
class Hit:
    id: str
    title: str | None
    url: str | None
    date: date | None
    people: tuple[str, ...]
    snippet_html: str  # escaped text with <mark> around the matched words
    heading: str = ""  # what the visitor sees as the title (its own, or a readable one)
    cut: bool = False  # the saved copy stops mid-article
    first_indexed: str = ""  # when the archive first indexed it (ISO, UTC)


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]]
    facets_complete: bool = True
    suggestion: str | None = None
    relaxed: bool = False  # few pages had all the words: pages with some of them are in
    answered: str = ""  # the query these results answer
    corrected_from: str | None = None  # the visitor's query, when its correction was answered
    expansions: list[Expansion] = field(default_factory=list)  # synonyms also searched
    with_all_words: int = 0  # pages with all the words (the total, unless relaxed)
    # Matching documents per month ("YYYY-MM"), when one year is selected (a timeline).
    months: list[tuple[str, int]] = field(default_factory=list)
    ignored: tuple[str, ...] = ()  # words left out as saying how, not what, is asked
    only_common_words: bool = False  # nothing was left to search for
    wanted_years: tuple[str, ...] = ()  # years the query names (preferred, not filtered)
    ranked: list[int] = field(default_factory=list)  # without read_hits: the page's documents


@dataclass(frozen=True)
class StoredDocument:
    id: str
    title: str | None
    url: str | None
    date: date | None
    people: tuple[str, ...]
    body: str
    sources: tuple[str, ...]
    cut: bool = False  # the saved copy stops mid-article
    signature: str = ""  # who signed the release
    first_indexed: str = ""  # when the archive first indexed it (ISO, UTC)
    # Its values of each facet (`indexer.facets`), by name.
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        return readable_title(self.title, self.url, self.body, self.cut)


@dataclass(frozen=True)
class PersonProfile:
    """What the archive says of one person: when, with whom, and the latest documents."""

    name: str
    spellings: tuple[str, ...]
    total: int
    per_year: list[FacetCount]  # ascending years
    named_with: list[FacetCount]  # the people most often named in the same documents
    latest: list[Hit]
    # Their documents counted by each other facet (document type, state), in its order.
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    """A completion of what a visitor is typing: an official, a page's title, or a word."""

    kind: Literal["official", "title", "word"]
    text: str
    count: int  # documents naming the official, or occurrences of the word; 0 for a title
    doc_id: str | None = None

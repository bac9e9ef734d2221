"""Searching one index generation: ranked hits, facet counts, snippets, suggestions."""

from __future__ import annotations

import html
import itertools
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import index, query, sorting
from whoosh.matching import ListMatcher
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, OrGroup, PlusMinusPlugin
from whoosh.searching import Hit as WhooshHit

from indexer import schema
from indexer.engine.analysis import analyse, text_analyzer
from indexer.engine.snippets import Marker
from indexer.engine.writing import read_vocabulary, stored_record

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
MAX_QUERY_CHARS = 500
MAX_NESTING = 8
MAX_EXPANSIONS = 512  # words one prefix or wildcard may stand for
FACET_TIME_LIMIT_S = 0.25
LEAD_CHARS = 240
# A query "finds little" below this many pages: it gets a "Did you mean", and a plain query
# is relaxed to pages with some of its words (pages with all of them first).
FEW_RESULTS = 3
QUERY_FIELDS = frozenset({"title", "body", "person", "people", "year"})
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_LEADING_WILDCARD = re.compile(r"(?:^|[\s(:\-+])[*?]+[^\W_]")
# In a relaxed query, how much a page gains for each further word it has.
ANY_WORDS_COORDINATION = 0.9
_PLAIN_QUERY = re.compile(r"^[^\W_]+(?:[\s-]+[^\W_]+)+$")
_FIELD_PREFIX = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):")


class QuerySyntaxError(ValueError):
    """A query we cannot read; the message says how to fix it."""


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    years: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    page: int = 1
    page_size: int = 10


@dataclass(frozen=True)
class Hit:
    id: str
    title: str | None
    url: str | None
    date: date | None
    people: tuple[str, ...]
    snippet_html: str  # escaped text with <mark> around the matched words


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
    relaxed: bool = False  # few pages had all the words: these have some of them


@dataclass(frozen=True)
class StoredDocument:
    id: str
    title: str | None
    url: str | None
    date: date | None
    people: tuple[str, ...]
    body: str
    sources: tuple[str, ...]


class SpellingVocabulary:
    """Words of the index as written, for suggestions: the closest, then the most frequent."""

    MAX_EDITS = 2

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts
        self._words = list(counts)

    def closest(self, word: str) -> str | None:
        found = process.extract(word, self._words, scorer=Levenshtein.distance, limit=10,
                                score_cutoff=self.MAX_EDITS)
        if not found:
            return None
        best = min(found, key=lambda item: (item[1], -self._counts[item[0]]))
        return best[0]


@dataclass
class _FacetColumns:
    """Facet values by document number, read once per searcher (segments never change)."""

    year: list[str | None] = field(default_factory=list)
    people: list[tuple[str, ...]] = field(default_factory=list)


def check_syntax(text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"The query is {len(text)} characters long; please keep it "
                               f"under {MAX_QUERY_CHARS}.")
    if text.count('"') % 2:
        raise QuerySyntaxError('A quotation mark is not closed: add the closing " or remove it.')
    depth = deepest = 0
    for char in _without_phrases(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
        if depth < 0:
            break
    if depth:
        raise QuerySyntaxError("The parentheses do not pair up: check each ( has its ).")
    if deepest > MAX_NESTING:
        raise QuerySyntaxError(f"The query nests parentheses {deepest} deep; {MAX_NESTING} "
                               "levels are enough for any search.")
    if _LEADING_WILDCARD.search(_without_phrases(text)):
        raise QuerySyntaxError("A word cannot start with * or ?: put a few letters first "
                               "(a lone * finds everything).")
    unknown = sorted({name for name in _FIELD_PREFIX.findall(_without_phrases(text))
                      if name.lower() not in QUERY_FIELDS})
    if unknown:
        raise QuerySyntaxError(f"There is no field {unknown[0]}: here. You can search in "
                               "title:, body:, person: and year:.")


def _is_plain(text: str) -> bool:
    """Two or more words and nothing else: no operators, quotes, fields or wildcards."""
    text = text.strip()
    return bool(_PLAIN_QUERY.match(text)) and not set(text.split()) & _OPERATORS


def _without_fields(text: str) -> str:
    return _FIELD_PREFIX.sub(" ", text)


def _without_phrases(text: str) -> str:
    return re.sub(r'"[^"]*"', " ", text)


class IndexSearcher:
    """One open generation of the index, shared by all requests until a newer one appears.

    Whoosh searchers are not safe to use from several threads at once, so calls take a lock;
    each server process answers one search at a time and runs several processes for more.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index = index.open_dir(str(directory))
        self._searcher = self._index.searcher()
        self._lock = threading.Lock()
        self._parser = MultifieldParser(list(schema.SEARCH_FIELDS), self._index.schema,
                                        fieldboosts=schema.SEARCH_FIELDS)
        # The same language with OR between words, more matched words scoring higher: for
        # plain queries whose words are seldom all on one page.
        self._any_words_parser = MultifieldParser(
            list(schema.SEARCH_FIELDS), self._index.schema, fieldboosts=schema.SEARCH_FIELDS,
            group=OrGroup.factory(ANY_WORDS_COORDINATION))
        for parser in (self._parser, self._any_words_parser):
            parser.add_plugin(PlusMinusPlugin())
            parser.add_plugin(FieldAliasPlugin({"people_text": ["person", "people"]}))
        self._columns = self._read_facet_columns()
        self._spelling = SpellingVocabulary(read_vocabulary(directory))
        self._marker = Marker(analyse)

    @property
    def document_count(self) -> int:
        return self._searcher.doc_count()

    def _read_facet_columns(self) -> _FacetColumns:
        """From the fields' columns, not the stored documents: opens 6x faster (10k pages)."""
        reader = self._searcher.reader()
        years = reader.column_reader(schema.YEAR.name, translate=True)
        people = reader.column_reader(schema.PERSON.name, translate=True)
        return _FacetColumns(
            year=[value or None for value in years],
            people=[tuple(name for name in value.split(",") if name) for value in people])

    def parse(self, text: str) -> query.Query:
        text = text.strip()
        if not text:
            return query.Every()
        check_syntax(text)
        words = set(re.findall(r"[\w*?]+", _without_fields(text))) - _OPERATORS
        if not words:
            raise QuerySyntaxError("The query has no words to search for, only operators "
                                   "or punctuation.")
        try:
            parsed = _fast_phrases(self._parser.parse(text))
        except Exception as error:
            raise QuerySyntaxError("The query could not be read; check its quotes, "
                                   "parentheses and operators.") from error
        self._check_expansions(parsed)
        return parsed

    def _check_expansions(self, parsed: query.Query) -> None:
        """A prefix or wildcard may stand for many words; past a limit the search would be
        slow for everyone, so the visitor is asked for more letters instead."""
        reader = self._searcher.reader()
        for leaf in parsed.leaves():
            if isinstance(leaf, query.Prefix | query.Wildcard):
                with self._lock:
                    count = sum(1 for _ in itertools.islice(
                        leaf._btexts(reader), MAX_EXPANSIONS + 1))
                if count > MAX_EXPANSIONS:
                    shown = f"{leaf.text}*" if isinstance(leaf, query.Prefix) else leaf.text
                    raise QuerySyntaxError(f"'{shown}' stands for more than {MAX_EXPANSIONS} "
                                           "words: add letters to narrow it.")

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = self.parse(request.text)
        with self._lock:
            result = self._search(request, parsed)
            if result.total < FEW_RESULTS and _is_plain(request.text):
                relaxed = self._search(request, self._any_words_parser.parse(request.text),
                                       first=parsed)
                if relaxed.total > result.total:
                    relaxed.relaxed = True
                    relaxed.suggestion = result.suggestion
                    return relaxed
            return result

    def _search(self, request: SearchRequest, parsed: query.Query,
                first: query.Query | None = None) -> SearchResult:
        """One pass finds every matching document (the facet counts and the total need them
        all); the ranking then scores only those, with phrases checked once, not twice."""
        years = self._docs_or_none(_any_of(schema.YEAR.name, request.years))
        people = self._docs_or_none(_any_of(schema.PERSON.name, request.people))
        matching = self._docs(_all_of(parsed, _date_range(request.date_from, request.date_to)))
        for_years = matching & people if people is not None else matching
        for_people = matching & years if years is not None else matching
        allowed = for_years & years if years is not None else for_years
        sort = request.sort
        if sort == "relevance" and isinstance(parsed, query.Every):
            sort = "newest"  # browsing: relevance means nothing without words
        sortedby: list[sorting.FacetType] | None = None if sort == "relevance" else [
            sorting.FieldFacet(schema.UNDATED.name),  # undated pages last either way
            sorting.FieldFacet(schema.DATE.name, reverse=sort == "newest")]
        if first is not None and sortedby is None:
            # A relaxed query: the pages that match `first` (all the words) come first.
            sortedby = [sorting.QueryFacet({"all": first}, other="some"), sorting.ScoreFacet()]
        limit = request.page * request.page_size
        first = (request.page - 1) * request.page_size
        hits: list[Hit] = []
        if allowed and first < len(allowed):
            results = self._searcher.search(_without_phrases_checks(parsed), limit=limit,
                                            sortedby=sortedby, filter=allowed, terms=True)
            hits = [self._hit(results[i], self._terms_of(results[i]))
                    for i in range(first, min(limit, results.scored_length()))]
        facets, complete = self._facets(for_years, for_people)
        suggestion = None
        if len(allowed) < FEW_RESULTS and request.text.strip():
            suggestion = self._suggest(request.text)
        return SearchResult(len(allowed), hits, facets, complete, suggestion)

    @staticmethod
    def _terms_of(hit: WhooshHit) -> frozenset[str]:
        return frozenset(_text(term) for fieldname, term in hit.matched_terms()
                         if fieldname in (schema.BODY.name, schema.TITLE.name))

    def _hit(self, hit: WhooshHit, terms: frozenset[str] = frozenset()) -> Hit:
        stored = stored_record(hit.fields())
        body = stored.get("body", "")
        snippet = self._marker.snippet(body, terms) or html.escape(lead(body))
        return Hit(stored["id"], stored.get("title") or None, stored.get("url"),
                   stored.get("date"), tuple(stored[schema.PERSON.name]), snippet)

    def _docs(self, q: query.Query) -> set[int]:
        return set(self._searcher.docs_for_query(q))

    def _docs_or_none(self, q: query.Query | None) -> set[int] | None:
        return None if q is None else self._docs(q)

    def _facets(self, for_years: set[int],
                for_people: set[int]) -> tuple[dict[str, list[FacetCount]], bool]:
        """Counts for each facet under the query and the *other* facet's selection, so that
        choosing a second year (OR within a facet) shows what it would add."""
        deadline = time.monotonic() + FACET_TIME_LIMIT_S
        year_of, people_of = self._columns.year, self._columns.people
        year_counts, complete_years = _count(for_years, lambda d: (year_of[d],), deadline)
        people_counts, complete_people = _count(for_people, lambda d: people_of[d], deadline)
        facets = {
            "year": [FacetCount(v, c) for v, c in sorted(year_counts.items(), reverse=True)],
            "person": [FacetCount(v, c) for v, c in
                       sorted(people_counts.items(), key=lambda item: (-item[1], item[0]))],
        }
        return facets, complete_years and complete_people

    def _suggest(self, text: str) -> str | None:
        """The query with each word the index does not know replaced by the closest one."""
        reader = self._searcher.reader()
        analyzer = text_analyzer()
        changed = False

        def correct(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group()
            if word in _OPERATORS or text[match.end():match.end() + 1] == ":":
                return word
            stems = [token.text for token in analyzer(word)]
            if not stems or any((name, stem) in reader for name in schema.SEARCH_FIELDS
                                for stem in stems):
                return word
            best = self._spelling.closest(word.lower())
            if best is None:
                return word
            changed = True
            return _same_case(best, word)

        corrected = re.sub(r"[^\W\d_]{3,}", correct, text)
        return corrected if changed else None

    def document(self, doc_id: str) -> StoredDocument | None:
        with self._lock:
            stored = self._searcher.document(**{schema.ID.name: doc_id})
        if stored is None:
            return None
        record = stored_record(stored)
        return StoredDocument(record["id"], record.get("title") or None, record.get("url"),
                              record.get("date"), tuple(record[schema.PERSON.name]),
                              record.get("body", ""), tuple(record.get("sources", ())))

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        with self._lock:
            docnum = self._searcher.document_number(**{schema.ID.name: doc_id})
            if docnum is None:
                return []
            results = self._searcher.more_like(docnum, schema.BODY.name, top=limit)
            return [self._hit(hit) for hit in results]

    def query_terms(self, query_text: str) -> frozenset[str]:
        """The indexed terms a query looks for in the text (prefixes expanded)."""
        try:
            parsed = self.parse(query_text)
        except QuerySyntaxError:
            return frozenset()
        fields = (schema.BODY.name, schema.TITLE.name)
        terms = {_text(term) for fieldname, term in parsed.iter_all_terms()
                 if fieldname in fields}
        with self._lock:
            reader = self._searcher.reader()
            for leaf in parsed.leaves():
                if isinstance(leaf, query.Prefix) and leaf.fieldname in fields:
                    terms.update(_text(t) for t in reader.expand_prefix(leaf.fieldname,
                                                                        leaf.text))
        return frozenset(terms)

    def mark_terms(self, text: str, terms: frozenset[str]) -> str:
        """The whole text, escaped, with the words of `terms` in <mark>."""
        return self._marker.mark_all(text, terms)


def _same_case(word: str, model: str) -> str:
    if model.isupper():
        return word.upper()
    return word.capitalize() if model[:1].isupper() else word


def lead(body: str) -> str:
    """The beginning of the text, cut at a word boundary."""
    if len(body) <= LEAD_CHARS:
        return body
    return body[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"


def _count(docs: Iterable[int], values_of: Any, deadline: float) -> tuple[Counter[str], bool]:
    counts: Counter[str] = Counter()
    for number, docnum in enumerate(docs):
        if number % 1024 == 0 and time.monotonic() > deadline:
            return counts, False
        counts.update(value for value in values_of(docnum) if value)
    return counts, True


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


class AdjacentWords(query.Phrase):
    """A phrase whose matches are found from the terms' position lists directly: twice as
    fast as Whoosh's span matcher for the site's common phrases, with the same matches."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        positions = []
        for word in self.words:
            if (self.fieldname, word) not in reader:
                return ListMatcher([])
            postings = reader.postings(self.fieldname, word).items_as("positions")
            positions.append(dict(postings))
        found = []
        for docnum in sorted(set(positions[0]).intersection(*positions[1:])):
            starts = set(positions[0][docnum])
            for offset, later in enumerate(positions[1:], 1):
                starts &= {position - offset for position in later[docnum]}
                if not starts:
                    break
            if starts:
                found.append(docnum)
        return ListMatcher(found, all_weights=1.0)


def _fast_phrases(q: query.Query) -> query.Query:
    if type(q) is query.Phrase and q.slop == 1 and len(q.words) > 1:
        return AdjacentWords(q.fieldname, q.words, boost=q.boost)
    return q.apply(_fast_phrases) if not q.is_leaf() else q


def _without_phrases_checks(q: query.Query) -> query.Query:
    """The query for ranking once the matching documents are known: phrases become plain
    ANDs of their words, so positions are not read a second time."""
    if isinstance(q, query.Phrase):
        return query.And([query.Term(q.fieldname, word, boost=q.boost) for word in q.words])
    return q.apply(_without_phrases_checks) if not q.is_leaf() else q


def _any_of(fieldname: str, values: Sequence[str]) -> query.Query | None:
    if not values:
        return None
    return query.Or([query.Term(fieldname, value) for value in values])


def _date_range(start: date | None, end: date | None) -> query.Query | None:
    if start is None and end is None:
        return None
    low = datetime(start.year, start.month, start.day) if start else None
    high = (datetime(end.year, end.month, end.day) + timedelta(days=1)
            - timedelta(microseconds=1)) if end else None
    return query.DateRange(schema.DATE.name, low, high)


def _all_of(*parts: query.Query | None) -> query.Query:
    present = [part for part in parts if part is not None]
    return present[0] if len(present) == 1 else query.And(present)

"""Searching one index generation: ranked hits, facet counts, snippets, documents, people.

The parts a search goes through live apart: reading a query (`query_syntax`, `plain_query`),
ranking (`ranking`), evaluating the query language (`evaluation`), facet counts
(`facet_counts`), snippets (`snippets`), completions and corrections (`suggestions`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
from whoosh import index, query, scoring

from indexer import schema
from indexer.engine import ranking
from indexer.engine.columns import read_columns
from indexer.engine.documents import Documents
from indexer.engine.evaluation import Evaluator, contains
from indexer.engine.facet_counts import count_facets
from indexer.engine.plain_query import is_plain, read_plain
from indexer.engine.postings import CACHE_MB, PostingCache
from indexer.engine.profiles import PeopleOfIndex
from indexer.engine.query_syntax import DEFAULT_LIMITS, QueryReader, QuerySyntaxError, check_syntax
from indexer.engine.ranking import PlainRanker, Ranked, top
from indexer.engine.results import result_page
from indexer.engine.snippets import Marker, Unit
from indexer.engine.suggestions import Suggester
from indexer.engine.values import (
    FacetCount,
    Hit,
    PersonProfile,
    SearchLimits,
    SearchRequest,
    SearchResult,
    StoredDocument,
    Suggestion,
)
from indexer.engine.writing import read_people, read_vocabulary
from indexer.synonyms import Synonyms, name_variant_groups

LEAD_CHARS = 240
DOCUMENTS_PER_READ = 100  # an export reads this many stored documents at a time
# A warming server reads the lists of terms written at least this many times per page of
# the index (shorter lists decode fast enough when first asked), and the positions of the
# most frequent ones, which phrases need.
PRELOAD_SHARE = 0.05
PRELOAD_POSITIONS = 200
SIMILAR_KEY_TERMS = 5  # as Whoosh's more_like
NO_SYNONYMS = Synonyms()


class IndexSearcher:
    """One open generation of the index, shared by all requests until a newer one appears.

    Whoosh searchers are not safe to use from several threads at once, so calls take a lock;
    each server process answers one search at a time and runs several processes for more.
    """

    def __init__(self, directory: Path, cache_mb: float = CACHE_MB,
                 synonyms: Synonyms | Callable[[], Synonyms] = NO_SYNONYMS,
                 limits: SearchLimits = DEFAULT_LIMITS) -> None:
        """`synonyms`: the synonyms, or where to get those in use at each search (an admin's
        file is re-read when it changes, while the searcher serves)."""
        self.directory = directory
        self._synonyms = synonyms if callable(synonyms) else lambda: synonyms
        self._limits = limits
        self._index = index.open_dir(str(directory))
        self._searcher = self._index.searcher(
            weighting=scoring.BM25F(B=ranking.B, K1=ranking.K1))
        self._lock = threading.Lock()
        self._reader = QueryReader(self._index.schema, self._searcher.reader, self._lock,
                                   limits)
        self._columns = read_columns(self._searcher)
        self._postings = PostingCache(
            self._searcher, self._columns, cache_mb,
            listed_fields=(schema.TITLE.name, schema.PEOPLE_TEXT.name, schema.SIGNATURE.name))
        self._evaluator = Evaluator(self._searcher, self._columns, self._postings)
        self._ranker = PlainRanker(self._postings, self._columns)
        vocabulary = read_vocabulary(directory)
        self._suggester = Suggester(self._searcher, self._lock, self._evaluator, self._columns,
                                    vocabulary)
        self._marker = Marker(vocabulary.forms)
        self._vocabulary = vocabulary
        self._documents = Documents(self._searcher, self._lock, self._marker)
        spellings = read_people(directory)
        self._people = PeopleOfIndex(self._columns, spellings)
        # The spellings of a name this archive holds ("Shoigu", "Shoygu") find each other.
        self._name_variants = Synonyms(name_variant_groups(spellings))

    @property
    def document_count(self) -> int:
        return self._searcher.doc_count()

    def parse(self, text: str) -> query.Query:
        return self._reader.read(text, self._synonyms())[0]

    def search(self, request: SearchRequest) -> SearchResult:
        result = self._answer(request)
        if request.exact or result.suggestion is None:
            return result
        # Too little for the query as written: its correction, when that finds far more.
        corrected = self._answer(replace(request, text=result.suggestion))
        found, found_corrected = result.with_all_words, corrected.with_all_words
        gain = ranking.CORRECTION_GAIN
        if found_corrected > 0 and (found == 0 or found_corrected >= gain * found):
            corrected.corrected_from = request.text
            corrected.suggestion = None
            return corrected
        return result

    def _answer(self, request: SearchRequest) -> SearchResult:
        text = request.text.strip()
        if text and is_plain(text):
            return self._answer_plain(request, text)
        parsed, expansions = self._reader.read(text, self._synonyms())
        with self._lock:
            matches = self._evaluator.evaluate(parsed)
            fields = (schema.BODY.name, schema.TITLE.name)
            result = self._search(
                request, matches.found, matches.score, isinstance(parsed, query.Every),
                lambda shown: self._evaluator.matched_units(parsed, shown, fields))
        if result.total < ranking.FEW_RESULTS and text:
            result.suggestion = self._suggester.correction(text)
        result.answered = request.text
        result.expansions = expansions
        result.with_all_words = result.total
        return result

    def _answer_plain(self, request: SearchRequest, text: str) -> SearchResult:
        """Words, phrases, questions, descriptions: ranked by `ranking.PlainRanker`."""
        check_syntax(text, self._limits)
        plain = read_plain(text, self._synonyms(), self._name_variants)
        if plain.empty:
            return SearchResult(0, [], self._empty_facets(), answered=request.text,
                                ignored=plain.ignored, only_common_words=True)
        with self._lock:
            ranked = self._ranker.rank(plain, ranking.FILL_RESULTS)
            result = self._search(request, ranked.found, ranked.score, False,
                                  lambda shown: _units_held(ranked, shown),
                                  _unit_weights(ranked))
        result.with_all_words = int(np.count_nonzero(ranked.all_concepts))
        result.relaxed = ranked.relaxed
        if result.with_all_words < ranking.FEW_RESULTS:
            result.suggestion = self._suggester.correction(text)
        result.answered = request.text
        result.expansions = plain.expansions
        result.ignored = plain.ignored
        result.wanted_years = tuple(dict.fromkeys(str(date.year) for date in plain.dates))
        return result

    def _search(self, request: SearchRequest, found: np.ndarray, score: np.ndarray,
                browsing: bool, units_of: Callable[[list[int]], list[frozenset[Unit]]],
                weights: Mapping[Unit, tuple[int, float]] | None = None) -> SearchResult:
        """The page of results from the query's matches (`results.result_page`); `units_of`
        tells which of the query's words and phrases each shown hit holds, and `weights`
        what each weighs in choosing a snippet."""
        def hits_of(shown: list[int]) -> list[Hit]:
            return [self._documents.hit(docnum, held, weights)
                    for docnum, held in zip(shown, units_of(shown), strict=True)]

        return result_page(self._columns, request, found, score, browsing, hits_of,
                           self._limits.facet_seconds)

    def _empty_facets(self) -> dict[str, list[FacetCount]]:
        nothing = np.zeros(self._columns.count, dtype=bool)
        return count_facets(self._columns, nothing, {}, self._limits.facet_seconds)[0]

    def canonical_person(self, written: str) -> str | None:
        """The canonical name of the person a name means (`profiles.PeopleOfIndex`)."""
        return self._people.canonical_person(written)

    def person(self, name: str, latest: int = 10, named_with: int = 10) -> PersonProfile | None:
        """The profile of a canonical person of the index, or None if nobody has this name."""
        with self._lock:
            return self._people.profile(name, self._documents.hit, self._limits.facet_seconds,
                                        latest, named_with)

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        """Completions of the last word typed (`suggestions.Suggester.suggest`)."""
        return self._suggester.suggest(text, limit)

    def search_cache_size(self) -> int:
        """Posting lists decoded and kept so far (0 on a generation nobody searched yet)."""
        return self._evaluator.cached_terms()

    def search_cache_full(self) -> bool:
        """Whether lists decoded from now on would push out lists decoded before."""
        return self._evaluator.cache_full()

    def frequent_words(self, count: int) -> list[str]:
        """The index's most frequent words, as written."""
        return self._vocabulary.most_frequent_words(count)

    def preload(self, deadline: float) -> int:
        """Decode the posting lists of the index's frequent terms in titles and texts, most
        frequent first, then the positions of the most frequent ones (phrases), until the
        posting cache is full or `time.monotonic()` passes the deadline: what a server does
        before its first request, as Solr warms its first searcher. Only long lists are
        worth it: a term on few pages decodes in well under a millisecond when asked.
        Returns how many lists were read."""
        frequent = self._vocabulary.frequent_terms(self.document_count * PRELOAD_SHARE)
        # Positions are read in texts: titles are short, their phrases found at once.
        return self._postings.preload(frequent, (schema.TITLE.name, schema.BODY.name),
                                      (schema.BODY.name, PRELOAD_POSITIONS), deadline,
                                      self._lock)

    def document(self, doc_id: str) -> StoredDocument | None:
        return self._documents.by_id(doc_id)

    def documents_of(self, docnums: list[int]) -> Iterator[StoredDocument]:
        """The stored documents of a search's ranked numbers (`SearchResult.ranked`, from
        this searcher), read a chunk at a time as they are asked for."""
        return self._documents.of(docnums)

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Pages like this one: Whoosh's "more like this" (its key terms, Bo1-weighted, in an
        OR), evaluated over arrays."""
        with self._lock:
            docnum = self._searcher.document_number(**{schema.ID.name: doc_id})
            if docnum is None:
                return []
            key_terms = self._searcher.key_terms([docnum], schema.BODY.name,
                                                 numterms=SIMILAR_KEY_TERMS)
            matches = self._evaluator.evaluate(query.Or([
                query.Term(schema.BODY.name, word, boost=weight) for word, weight in key_terms]))
            matches.found[docnum] = False
            docs = np.flatnonzero(matches.found)
            best = top(docs, -matches.score[docs], limit)
            return [self._documents.hit(int(other)) for other in best]

    def query_units(self, query_text: str) -> frozenset[Unit]:
        """The words and phrases a query looks for in the text (prefixes expanded)."""
        text = query_text.strip()
        try:
            if text and is_plain(text):
                plain = read_plain(text, self._synonyms(), self._name_variants)
                return frozenset({alternative.terms for concept in plain.concepts
                                  for alternative in concept.alternatives}
                                 | {(term,) for date in plain.dates
                                    for term in date.text_terms})
            parsed = self.parse(text)
        except QuerySyntaxError:
            return frozenset()
        fields = (schema.BODY.name, schema.TITLE.name)
        with self._lock:
            return frozenset(unit for fieldname, unit in self._evaluator.positive_units(parsed)
                             if fieldname in fields)

    def mark_units(self, text: str, units: frozenset[Unit]) -> str:
        """The whole text, escaped, with the words of `units` in <mark>."""
        return self._marker.mark_all(text, units)


def _unit_weights(ranked: Ranked) -> dict[Unit, tuple[int, float]]:
    """Each alternative of the query's concepts, with its concept and the concept's idf."""
    return {alternative.terms: (number, concept.idf)
            for number, concept in enumerate(ranked.concepts)
            for _, alternative, _ in concept.occurrences}


def _units_held(ranked: Ranked, shown: list[int]) -> list[frozenset[Unit]]:
    """For each shown document, the alternatives of the query's concepts it holds in its
    title or text."""
    held: list[set[Unit]] = [set() for _ in shown]
    wanted = np.array(shown, dtype=np.int64)
    for concept in ranked.concepts:
        for fieldname, alternative, docs in concept.occurrences:
            if fieldname in (schema.BODY.name, schema.TITLE.name):
                for number in np.flatnonzero(contains(docs, wanted)):
                    held[number].add(alternative.terms)
    return [frozenset(units) for units in held]

"""A parsed Whoosh query evaluated over whole arrays instead of document by document.

Whoosh's matchers score one document per Python call, which made them the cost of every
search at scale (docs/benchmarks.md). Here each node of the query becomes two arrays over all
documents, which are found and their scores, combined with numpy. The scores are Whoosh's
own (BM25F, boosts, sums), so rankings do not change.
Node types without an array form here are still answered, through Whoosh's matchers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query

from indexer.engine.columns import DocumentColumns
from indexer.engine.postings import PostingCache, TermPostings
from indexer.engine.snippets import Unit
from indexer.engine.whoosh_internals import expanded_words


@dataclass
class Matches:
    found: np.ndarray  # bool per document
    score: np.ndarray  # float64 per document, 0 where not found


class Evaluator:
    def __init__(self, searcher: Any, columns: DocumentColumns, postings: PostingCache) -> None:
        self._searcher = searcher
        self._columns = columns
        self._postings = postings

    def cached_terms(self) -> int:
        return len(self._postings)

    def cache_full(self) -> bool:
        return self._postings.full

    def evaluate(self, q: query.Query) -> Matches:
        matches = self._node(q)
        if self._columns.deleted:
            matches.found &= self._columns.alive
            matches.score[~matches.found] = 0.0
        return matches

    def matched_units(self, q: query.Query, docnums: list[int],
                      fieldnames: tuple[str, ...]) -> list[frozenset[Unit]]:
        """For each document, the words and phrases of the query's positive parts in these
        fields that it has."""
        found: list[set[Unit]] = [set() for _ in docnums]
        wanted = np.array(docnums, dtype=np.int64)
        for fieldname, unit in set(self.positive_units(q)):
            if fieldname not in fieldnames:
                continue
            docs = (self._postings.term(fieldname, unit[0]) if len(unit) == 1 else
                    self._postings.phrase(fieldname, unit)).docs
            for number in np.flatnonzero(contains(docs, wanted)):
                found[number].add(unit)
        return [frozenset(units) for units in found]

    def positive_units(self, q: query.Query) -> Iterator[tuple[str, Unit]]:
        """(field, word or phrase) of everything the query looks for, not counting what it
        excludes."""
        if isinstance(q, query.Not):
            return
        if isinstance(q, query.AndNot):
            yield from self.positive_units(q.a)
        elif isinstance(q, query.Term):
            yield q.fieldname, (q.text,)
        elif isinstance(q, query.Phrase):
            yield q.fieldname, tuple(q.words)
        elif isinstance(q, query.MultiTerm):
            yield from ((q.field(), (word,)) for word in self._expand(q))
        elif not q.is_leaf():
            for child in q.children():
                yield from self.positive_units(child)

    # --- nodes -----------------------------------------------------------------------------

    def _node(self, q: query.Query) -> Matches:
        if isinstance(q, query.Term):
            return self._scattered(self._postings.term(q.fieldname, q.text), q.boost)
        if isinstance(q, query.And):
            return self._and(q)
        if isinstance(q, query.Or):
            return self._or(q)
        if isinstance(q, query.Not):
            # Whoosh gives the documents without the term a weight of 1.
            return self._constant(~self._node(q.query).found, 1.0)
        if isinstance(q, query.AndNot):
            kept = self._node(q.a)
            return self._restricted(kept, ~self._node(q.b).found)
        if isinstance(q, query.Require):
            kept = self._node(q.a)
            return self._restricted(kept, self._node(q.b).found)
        if isinstance(q, query.AndMaybe):
            kept, maybe = self._node(q.a), self._node(q.b)
            return Matches(kept.found, kept.score + np.where(kept.found, maybe.score, 0.0))
        if isinstance(q, query.Phrase) and q.slop == 1:
            return self._phrase(q)
        if isinstance(q, query.MultiTerm):
            return self._multiterm(q)
        if isinstance(q, query.Every):
            return self._constant(np.ones(self._columns.count, dtype=bool), q.boost)
        if q is query.NullQuery:
            return self._constant(np.zeros(self._columns.count, dtype=bool), 0.0)
        return self._through_whoosh(q)

    def _and(self, q: query.And) -> Matches:
        parts = [self._node(child) for child in q.subqueries]
        found = _reduced(np.logical_and, [part.found for part in parts], self._columns.count)
        score = _summed([part.score for part in parts], self._columns.count) * q.boost
        score[~found] = 0.0
        return Matches(found, score)

    def _or(self, q: query.Or) -> Matches:
        if q.scale:  # no parser of ours makes one (see IndexSearcher)
            return self._through_whoosh(q)
        parts = [self._node(child) for child in q.subqueries]
        found = _reduced(np.logical_or, [part.found for part in parts], self._columns.count)
        return Matches(found, _summed([part.score for part in parts],
                                      self._columns.count) * q.boost)

    def _phrase(self, q: query.Phrase) -> Matches:
        """Documents where the words follow each other: each word's positions, shifted back
        by its place in the phrase, must meet the first word's. Scored as the sum of the
        words' scores, as an AND of them would be."""
        found = np.zeros(self._columns.count, dtype=bool)
        found[self._postings.phrase(q.fieldname, tuple(q.words)).docs] = True
        score = np.zeros(self._columns.count)
        for word in q.words:
            term = self._postings.term(q.fieldname, word)
            score[term.docs] += term.scores * q.boost
        return Matches(found, np.where(found, score, 0.0))

    def _multiterm(self, q: query.MultiTerm) -> Matches:
        """A prefix, wildcard or range: any of the words it stands for."""
        found = np.zeros(self._columns.count, dtype=bool)
        score = np.zeros(self._columns.count)
        for word in self._expand(q):
            term = self._postings.term(q.field(), word)
            found[term.docs] = True
            if not q.constantscore:
                score[term.docs] += term.scores * q.boost
        return Matches(found, np.where(found, q.boost, 0.0) if q.constantscore else score)

    def _expand(self, q: query.MultiTerm) -> list[str]:
        schema = self._searcher.schema
        return [schema[q.field()].from_bytes(word)
                for word in expanded_words(q, self._searcher.reader())]

    def _through_whoosh(self, q: query.Query) -> Matches:
        found = np.zeros(self._columns.count, dtype=bool)
        score = np.zeros(self._columns.count)
        for sub, offset in self._searcher.leaf_searchers():
            matcher = q.matcher(sub, sub.context())
            while matcher.is_active():
                found[matcher.id() + offset] = True
                score[matcher.id() + offset] = matcher.score()
                matcher.next()
        return Matches(found, score)

    # --- helpers ---------------------------------------------------------------------------

    def _scattered(self, term: TermPostings, boost: float) -> Matches:
        found = np.zeros(self._columns.count, dtype=bool)
        score = np.zeros(self._columns.count)
        found[term.docs] = True
        score[term.docs] = term.scores * boost
        return Matches(found, score)

    def _constant(self, found: np.ndarray, value: float) -> Matches:
        return Matches(found, np.where(found, value, 0.0))

    @staticmethod
    def _restricted(matches: Matches, keep: np.ndarray) -> Matches:
        found = matches.found & keep
        return Matches(found, np.where(found, matches.score, 0.0))


def contains(sorted_docs: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted document, whether it is in the ascending array."""
    if not len(sorted_docs):
        return np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_docs, wanted), len(sorted_docs) - 1)
    return sorted_docs[at] == wanted


def _reduced(operation: np.ufunc, masks: list[np.ndarray], count: int) -> np.ndarray:
    if not masks:
        return np.zeros(count, dtype=bool)
    found = masks[0].copy()
    for mask in masks[1:]:
        operation(found, mask, out=found)
    return found


def _summed(scores: list[np.ndarray], count: int) -> np.ndarray:
    total = scores[0].copy() if scores else np.zeros(count)
    for score in scores[1:]:
        total += score
    return total

"""How plain queries are ranked: BM25F over the query's concepts, a bonus for holding more of
them, and a preference for the dates the query names.

Each concept (a word, a phrase, or a synonym group: `plain_query`) is scored as one term of
BM25F (Robertson and Zaragoza's form): its occurrences in every field, each alternative
counted (a phrase by its occurrences as a phrase), are weighted by field and normalised by
the field's length, then saturated once, and multiplied by the concept's idf in this
archive. A rare word thus outweighs several common ones, and a word on nearly every page (the
organisation's own name, whatever form a page uses) weighs almost nothing.

A page's share of the query's concepts, weighted by their idf, earns a bonus: holding more of
what the query asks for counts, but a page with the rare word and not the common ones can
still outrank one with the common ones only. A year or month in the query counts as a concept
that a page holds by being dated then (or by naming the date in its text): a preference, not a
filter.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from indexer import schema
from indexer.engine.columns import DocumentColumns
from indexer.engine.plain_query import Alternative, Concept, PlainQuery, WantedDate
from indexer.engine.postings import Occurrences, PostingCache

FIELDS = tuple(schema.SEARCH_FIELDS)
PAIR_FIELDS = (schema.TITLE.name, schema.BODY.name)
# BM25's saturation and length normalisation, for plain queries and for the query language's
# (whose scores are Whoosh's BM25F, opened with these).
K1 = 1.2
B = 0.75
# A listing (a section page, a page of a news list) matches the words of many articles at
# once: it ranks as if it matched this much less, so an article that matches as well wins.
LISTING_WEIGHT = 0.5
# A query "finds little" below this many pages: it gets a "Did you mean", and a plain query
# is relaxed to pages with some of its words (pages with all of them first).
FEW_RESULTS = 3
# A plain query with fewer pages than this holding all its words also shows the pages with
# some of them, after those (as Meilisearch's "last" matching strategy does).
FILL_RESULTS = 10
# A query that finds little is answered with its spelling correction when that finds this
# many times more pages (or the query finds none).
CORRECTION_GAIN = 3


@dataclass(frozen=True)
class RankingModel:
    """The parameters of the ranking, set explicitly (not Whoosh's defaults)."""

    k1: float = K1
    # Length normalisation per field (measured: other values change little, docs/ranking.md).
    b: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FIELDS, B))
    weights: dict[str, float] = field(default_factory=lambda: dict(schema.SEARCH_FIELDS))
    # A page holding all the query's concepts scores (1 + coordination) times its BM25F sum;
    # one holding a share s of their idf, (1 + coordination * s).
    coordination: float = 1.0
    # A page dated as the query wants counts as holding the date this often in its body.
    date_match: float = 3.0
    # A page of the wanted year when the query names a month: this share of date_match.
    same_year_share: float = 0.5
    # Two words typed side by side and found side by side in a page ("Joint Staff"): the
    # pair scores as a phrase would, at this share, besides the two words. Only in queries
    # of two concepts: in longer ones it gained nothing measurable and doubled the time of
    # a first pass (positions of many words are read).
    proximity: float = 0.5
    proximity_concepts: int = 2
    # A concept on this share of the pages or more tells nothing: holding only such
    # concepts does not make a page a result of a query with others.
    nearly_every_page: float = 0.8


@dataclass
class ConceptMatch:
    """One concept (or wanted date) over all documents."""

    found: np.ndarray  # bool
    score: np.ndarray  # float64, 0 where not found
    idf: float
    held: int  # pages that hold it
    # (field, alternative, documents) of each alternative that occurs: for marking.
    occurrences: list[tuple[str, Alternative, np.ndarray]]


@dataclass
class Ranked:
    found: np.ndarray  # the results: pages with all required concepts, or with any
    score: np.ndarray
    all_concepts: np.ndarray  # pages with every concept the query requires
    relaxed: bool  # too few pages had them all: pages with some are results too
    concepts: list[ConceptMatch]


class PlainRanker:
    """Ranks plain queries over one generation; the field norms are computed once."""

    def __init__(self, postings: PostingCache, columns: DocumentColumns,
                 model: RankingModel | None = None) -> None:
        self.model = model or RankingModel()
        self._postings = postings
        self._columns = columns
        alive = columns.alive
        self._documents = max(int(np.count_nonzero(alive)), 1)
        self._norms = {}
        for name in FIELDS:
            lengths = columns.lengths[name]
            # The average over the pages that have the field, as Lucene's BM25 takes it: a
            # field most pages lack (a release's signature) would otherwise make every page
            # that has it look many times too long.
            present = lengths[alive & (lengths > 0)]
            average = float(present.mean()) if len(present) else 1.0
            b = self.model.b[name]
            self._norms[name] = (1 - b) + b * lengths / (average or 1.0)

    def rank(self, query: PlainQuery, enough: int) -> Ranked:
        """The results of a plain query: pages with all its concepts when at least `enough`
        pages have them, else pages with any concept that tells something (one not on
        nearly every page: a page holding only "CSTO" is not an answer to "what did the
        CSTO say about Afghanistan"); ranked by BM25F and the coverage bonus.

        A date is a preference: with one, a page of that date needs only some of the words
        (queries pinned to a date pair it with a generic word: "events 2025")."""
        concepts = [self._concept(concept) for concept in query.concepts]
        dates = [self._date(date) for date in query.dates]
        every = concepts + dates
        count = self._columns.count
        required = concepts or dates
        telling = [c for c in every
                   if 0 < c.held < self.model.nearly_every_page * self._documents] or every
        all_concepts = _reduced(np.logical_and, [c.found for c in required], count)
        any_concept = _reduced(np.logical_or, [c.found for c in telling], count)
        all_concepts &= self._columns.alive
        any_concept &= self._columns.alive
        any_concept |= all_concepts
        relaxed = ((np.count_nonzero(all_concepts) < enough or bool(dates))
                   and np.count_nonzero(any_concept) > np.count_nonzero(all_concepts))
        found = any_concept if relaxed else all_concepts
        score = np.zeros(count)
        covered = np.zeros(count)
        for match in every:
            score += match.score
            covered += np.where(match.found, match.idf, 0.0)
        # A concept on no page (an unknown word) changes no page's share.
        total_idf = sum(match.idf for match in every if match.held) or 1.0
        if self.model.proximity and len(query.concepts) <= self.model.proximity_concepts:
            for pair in _side_by_side(query.concepts):
                score += self.model.proximity * self._concept(pair, PAIR_FIELDS).score
        score *= 1 + self.model.coordination * covered / total_idf
        return Ranked(found, np.where(found, score, 0.0), all_concepts, bool(relaxed), every)

    def _concept(self, concept: Concept, fields: tuple[str, ...] = FIELDS) -> ConceptMatch:
        pseudo = np.zeros(self._columns.count)
        occurrences = []
        for name in fields:
            for alternative in concept.alternatives:
                found = self._occurrences(name, alternative.terms)
                if len(found.docs):
                    self._add(pseudo, name, found)
                    occurrences.append((name, alternative, found.docs))
        return self._saturated(pseudo, occurrences)

    def _date(self, date: WantedDate) -> ConceptMatch:
        """A wanted date: held by pages dated then, and by pages naming it in their text (a
        month by its name and its year on the same page: "28 November 2019", "November 28,
        2019")."""
        pseudo = np.zeros(self._columns.count)
        occurrences = []
        for name in (schema.TITLE.name, schema.BODY.name):
            found = self._together(name, date.text_terms)
            if len(found.docs):
                self._add(pseudo, name, found)
                occurrences += [(name, Alternative((term,), term), found.docs)
                                for term in date.text_terms]
        months = self._columns.month
        dated = self._columns.dated
        in_year = dated & (months // 12 == date.year)
        if date.month is None:
            pseudo += np.where(in_year, self.model.date_match, 0.0)
        else:
            in_month = in_year & (months % 12 == date.month - 1)
            pseudo += np.where(in_month, self.model.date_match,
                               np.where(in_year, self.model.date_match
                                        * self.model.same_year_share, 0.0))
        return self._saturated(pseudo, occurrences)

    def _together(self, fieldname: str, terms: tuple[str, ...]) -> Occurrences:
        """The pages holding every term, each as often as its rarest one."""
        lists = [self._postings.term(fieldname, term) for term in terms]
        together = lists[0]
        for other in lists[1:]:
            docs, mine, theirs = np.intersect1d(together.docs, other.docs, assume_unique=True,
                                                return_indices=True)
            together = Occurrences(docs, np.minimum(together.counts[mine],
                                                    other.counts[theirs]))
        return together

    def _occurrences(self, fieldname: str, terms: tuple[str, ...]) -> Occurrences:
        if len(terms) == 1:
            return self._postings.term(fieldname, terms[0])
        return self._postings.phrase(fieldname, terms)

    def _add(self, pseudo: np.ndarray, fieldname: str, found: Occurrences) -> None:
        weight = self.model.weights[fieldname]
        pseudo[found.docs] += weight * found.counts / self._norms[fieldname][found.docs]

    def _saturated(self, pseudo: np.ndarray,
                   occurrences: list[tuple[str, Alternative, np.ndarray]]) -> ConceptMatch:
        found = (pseudo > 0) & self._columns.alive
        held = int(np.count_nonzero(found))
        n = self._documents
        idf = float(np.log(1 + (n - held + 0.5) / (held + 0.5)))
        k1 = self.model.k1
        score = np.where(found, idf * pseudo * (k1 + 1) / (pseudo + k1), 0.0)
        return ConceptMatch(found, score, idf, held, occurrences)


def _side_by_side(concepts: tuple[Concept, ...]) -> list[Concept]:
    """Each two consecutive concepts of the query as the phrase of the visitor's own words
    (their first alternatives)."""
    pairs = []
    for one, other in itertools.pairwise(concepts):
        first, second = one.alternatives[0], other.alternatives[0]
        written = f"{first.written} {second.written}"
        pairs.append(Concept(written, (Alternative((*first.terms, *second.terms), written),)))
    return pairs


def _reduced(operation: np.ufunc, masks: Iterable[np.ndarray], count: int) -> np.ndarray:
    masks = list(masks)
    if not masks:
        return np.zeros(count, dtype=bool)
    result = masks[0].copy()
    for mask in masks[1:]:
        operation(result, mask, out=result)
    return result


def top(docs: np.ndarray, key: np.ndarray, limit: int) -> np.ndarray:
    """The `limit` documents with the smallest keys, in order; ties in document order, as
    Whoosh orders them. Only the best `limit` are sorted, whatever the number of docs."""
    if len(docs) > limit:
        threshold = key[np.argpartition(key, limit - 1)[limit - 1]]
        better = np.flatnonzero(key < threshold)
        tied = np.flatnonzero(key == threshold)[:limit - len(better)]
        chosen = np.concatenate([better, tied])
    else:
        chosen = np.arange(len(docs))
    order = np.lexsort((docs[chosen], key[chosen]))
    return docs[chosen[order]]

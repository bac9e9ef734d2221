"""Searching one index generation: ranked hits, facet counts, snippets, suggestions."""

from __future__ import annotations

import bisect
import html
import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import index, query
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from indexer import schema
from indexer.document import readable_title, shown_text
from indexer.engine.analysis import analyse
from indexer.engine.columns import Facet, read_columns
from indexer.engine.evaluation import Evaluator, contains
from indexer.engine.plain_query import is_function_word, is_plain, read_plain
from indexer.engine.postings import CACHE_MB, PostingCache
from indexer.engine.ranking import PlainRanker, Ranked
from indexer.engine.snippets import Marker, Unit
from indexer.engine.writing import read_people, read_vocabulary, stored_record
from indexer.synonyms import Expansion, Synonyms, name_variant_groups, rewrite_query

Sort = Literal["relevance", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
MAX_QUERY_CHARS = 500
MAX_NESTING = 8
MAX_EXPANSIONS = 512  # words one prefix or wildcard may stand for
FACET_TIME_LIMIT_S = 0.25
LEAD_CHARS = 240
DOCUMENTS_PER_READ = 100  # an export reads this many stored documents at a time
# A warming server reads the lists of terms written at least this many times per page of
# the index (shorter lists decode fast enough when first asked), and the positions of the
# most frequent ones, which phrases need.
PRELOAD_SHARE = 0.05
PRELOAD_POSITIONS = 200
SIMILAR_KEY_TERMS = 5  # as Whoosh's more_like
# A query "finds little" below this many pages: it gets a "Did you mean", and a plain query
# is relaxed to pages with some of its words (pages with all of them first).
FEW_RESULTS = 3
# A plain query with fewer pages than this holding all its words also shows the pages with
# some of them, after those (as Meilisearch's "last" matching strategy does).
FILL_RESULTS = 10
# A query that finds little is answered with its spelling correction when that finds this
# many times more pages (or the query finds none).
CORRECTION_GAIN = 3
SUGGEST_MIN_LETTERS = 2
SUGGEST_MAX_WORDS = 6  # words typed before the last that completions must hold
SUGGEST_TYPED_WORDS = 20  # words of a typed question kept in a completion
SUGGEST_EACH = 3  # officials, titles and words each
SUGGEST_CANDIDATES = 300
# A listing (a section page, a page of a news list) matches the words of many articles at
# once: it ranks as if it matched this much less, so an article that matches as well wins.
LISTING_WEIGHT = 0.5
QUERY_FIELDS = frozenset({"title", "body", "person", "people", "year"})
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_LEADING_WILDCARD = re.compile(r"(?:^|[\s(:\-+])[*?]+[^\W_]")
# A colon followed by a space is punctuation ("CSTO: the first years"), not a field.
_FIELD_PREFIX = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=\S)")


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
    exact: bool = False  # answer the query as written, never its spelling correction
    # False (exports): only the ranked documents' numbers (`SearchResult.ranked`), whose
    # stored fields `documents_of` reads a chunk at a time as they are sent.
    read_hits: bool = True


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


@dataclass(frozen=True)
class Suggestion:
    """A completion of what a visitor is typing: an official, a page's title, or a word."""

    kind: Literal["official", "title", "word"]
    text: str
    count: int  # documents naming the official, or occurrences of the word; 0 for a title
    doc_id: str | None = None


class SpellingVocabulary:
    """Words of the index as written, for suggestions: the closest, then the most frequent.

    As Typesense and Meilisearch do: one typo in a word of 4 or 5 letters, two in longer
    ones, a swap of two letters counting as one (optimal string alignment distance)."""

    MIN_LETTERS = 4

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts
        self._words = [word for word in counts if len(word) >= self.MIN_LETTERS - 1]

    @staticmethod
    def typos_allowed(word: str) -> int:
        return 0 if len(word) < SpellingVocabulary.MIN_LETTERS else 1 if len(word) <= 5 else 2

    def closest(self, word: str) -> str | None:
        allowed = self.typos_allowed(word)
        if not allowed:
            return None
        found = process.extract(word, self._words, scorer=OSA.distance, limit=10,
                                score_cutoff=allowed)
        if not found:
            return None
        best = min(found, key=lambda item: (item[1], -self._counts[item[0]]))
        return best[0]


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


def _without_fields(text: str) -> str:
    return _FIELD_PREFIX.sub(" ", text)


def _without_phrases(text: str) -> str:
    return re.sub(r'"[^"]*"', " ", text)


class IndexSearcher:
    """One open generation of the index, shared by all requests until a newer one appears.

    Whoosh searchers are not safe to use from several threads at once, so calls take a lock;
    each server process answers one search at a time and runs several processes for more.
    """

    def __init__(self, directory: Path, cache_mb: float = CACHE_MB,
                 synonyms: Synonyms | None = None) -> None:
        self.directory = directory
        self.synonyms = synonyms or Synonyms()  # may be replaced while the searcher serves
        self._index = index.open_dir(str(directory))
        self._searcher = self._index.searcher()
        self._lock = threading.Lock()
        self._parser = MultifieldParser(list(schema.SEARCH_FIELDS), self._index.schema,
                                        fieldboosts=schema.SEARCH_FIELDS)
        self._parser.add_plugin(PlusMinusPlugin())
        self._parser.add_plugin(FieldAliasPlugin({"people_text": ["person", "people"]}))
        self._columns = read_columns(self._searcher)
        self._postings = PostingCache(
            self._searcher, self._columns, cache_mb,
            listed_fields=(schema.TITLE.name, schema.PEOPLE_TEXT.name, schema.SIGNATURE.name))
        self._evaluator = Evaluator(self._searcher, self._columns, self._postings)
        self._ranker = PlainRanker(self._postings, self._columns)
        vocabulary = read_vocabulary(directory)
        self._spelling = SpellingVocabulary(vocabulary.counts)
        self._marker = Marker(vocabulary.forms)
        self._spellings = read_people(directory)
        # The spellings of a name this archive holds ("Shoigu", "Shoygu") find each other.
        self._name_variants = Synonyms(name_variant_groups(self._spellings))
        self._sorted_words = sorted(vocabulary.counts)
        self._word_counts = vocabulary.counts
        self._display = vocabulary.display
        self._written = vocabulary.written

    @property
    def document_count(self) -> int:
        return self._searcher.doc_count()

    def parse(self, text: str) -> query.Query:
        return self._read(text)[0]

    def _read(self, text: str) -> tuple[query.Query, list[Expansion]]:
        """The query as the engine runs it: synonyms expanded, hyphenated words as phrases."""
        text = text.strip()
        if not text:
            return query.Every(), []
        check_syntax(text)
        words = set(re.findall(r"[\w*?]+", _without_fields(text))) - _OPERATORS
        if not words:
            raise QuerySyntaxError("The query has no words to search for, only operators "
                                   "or punctuation.")
        rewritten, expansions = rewrite_query(text, self.synonyms)
        try:
            parsed = self._parser.parse(rewritten)
        except Exception as error:
            raise QuerySyntaxError("The query could not be read; check its quotes, "
                                   "parentheses and operators.") from error
        self._check_expansions(parsed)
        return parsed, expansions

    def _check_expansions(self, parsed: query.Query) -> None:
        """A prefix, wildcard or range may stand for many words ("[a TO z]" for all of
        them); past a limit the search would be slow for everyone, so the visitor is asked
        to narrow it instead."""
        reader = self._searcher.reader()
        for leaf in parsed.leaves():
            if isinstance(leaf, query.MultiTerm):
                with self._lock:
                    count = sum(1 for _ in itertools.islice(
                        leaf._btexts(reader), MAX_EXPANSIONS + 1))
                if count > MAX_EXPANSIONS:
                    raise QuerySyntaxError(f"'{_written(leaf)}' stands for more than "
                                           f"{MAX_EXPANSIONS} words: narrow it (more letters, "
                                           "a shorter range).")

    def search(self, request: SearchRequest) -> SearchResult:
        result = self._answer(request)
        if request.exact or result.suggestion is None:
            return result
        # Too little for the query as written: its correction, when that finds far more.
        corrected = self._answer(replace(request, text=result.suggestion))
        found, found_corrected = result.with_all_words, corrected.with_all_words
        if found_corrected > 0 and (found == 0 or found_corrected >= CORRECTION_GAIN * found):
            corrected.corrected_from = request.text
            corrected.suggestion = None
            return corrected
        return result

    def _answer(self, request: SearchRequest) -> SearchResult:
        text = request.text.strip()
        if text and is_plain(text):
            return self._answer_plain(request, text)
        parsed, expansions = self._read(text)
        with self._lock:
            matches = self._evaluator.evaluate(parsed)
            fields = (schema.BODY.name, schema.TITLE.name)
            result = self._search(
                request, matches.found, matches.score, isinstance(parsed, query.Every),
                lambda shown: self._evaluator.matched_units(parsed, shown, fields))
        if result.total < FEW_RESULTS and text:
            result.suggestion = self._suggest(text)
        result.answered = request.text
        result.expansions = expansions
        result.with_all_words = result.total
        return result

    def _answer_plain(self, request: SearchRequest, text: str) -> SearchResult:
        """Words, phrases, questions, descriptions: ranked by `ranking.PlainRanker`."""
        check_syntax(text)
        plain = read_plain(text, self.synonyms, self._name_variants)
        if plain.empty:
            return SearchResult(0, [], self._empty_facets(), answered=request.text,
                                ignored=plain.ignored, only_common_words=True)
        with self._lock:
            ranked = self._ranker.rank(plain, FILL_RESULTS)
            result = self._search(request, ranked.found, ranked.score, False,
                                  lambda shown: _units_held(ranked, shown),
                                  _unit_weights(ranked))
        result.with_all_words = int(np.count_nonzero(ranked.all_concepts))
        result.relaxed = ranked.relaxed
        if result.with_all_words < FEW_RESULTS:
            result.suggestion = self._suggest(text)
        result.answered = request.text
        result.expansions = plain.expansions
        result.ignored = plain.ignored
        result.wanted_years = tuple(dict.fromkeys(str(date.year) for date in plain.dates))
        return result

    def _search(self, request: SearchRequest, found: np.ndarray, score: np.ndarray,
                browsing: bool, units_of: Callable[[list[int]], list[frozenset[Unit]]],
                weights: Mapping[Unit, tuple[int, float]] | None = None) -> SearchResult:
        """The page of hits, the total and the facet counts, from the query's matches;
        `units_of` tells which of the query's words and phrases each shown hit holds, and
        `weights` what each weighs in choosing a snippet."""
        columns = self._columns
        if request.date_from or request.date_to:
            found = found & columns.between(request.date_from, request.date_to)
        years = columns.year.documents_with(request.years) if request.years else None
        people = columns.person.documents_with(request.people) if request.people else None
        for_years = found & people if people is not None else found
        for_people = found & years if years is not None else found
        allowed = for_years & years if years is not None else for_years
        total = int(np.count_nonzero(allowed))
        sort = request.sort
        if sort == "relevance" and browsing:
            sort = "newest"  # browsing: relevance means nothing without words
        limit = request.page * request.page_size
        start = (request.page - 1) * request.page_size
        hits: list[Hit] = []
        ranked: list[int] = []
        if start < total:
            docs = np.flatnonzero(allowed)
            if sort != "relevance":
                key = columns.date_order(newest_first=sort == "newest")[docs]
            else:
                key = -score[docs] * np.where(columns.listing[docs], LISTING_WEIGHT, 1.0)
            shown = [int(docnum) for docnum in _first(docs, key, limit)[start:limit]]
            if request.read_hits:
                hits = [self._hit(docnum, held, weights)
                        for docnum, held in zip(shown, units_of(shown), strict=True)]
            else:
                ranked = shown
        facets, complete = self._facets(for_years, for_people)
        months = (columns.months(allowed) if len(request.years) == 1
                  and request.years[0] != schema.UNDATED_YEAR else [])
        return SearchResult(total, hits, facets, complete, months=months, ranked=ranked)

    def _empty_facets(self) -> dict[str, list[FacetCount]]:
        return self._facets(np.zeros(self._columns.count, dtype=bool),
                            np.zeros(self._columns.count, dtype=bool))[0]

    def _hit(self, docnum: int, units: frozenset[Unit] | None = frozenset(),
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
                   tuple(stored[schema.PERSON.name]), snippet,
                   readable_title(title, url, body, cut), cut,
                   stored.get(schema.INDEXED.name) or "")

    def _facets(self, for_years: np.ndarray,
                for_people: np.ndarray) -> tuple[dict[str, list[FacetCount]], bool]:
        """Counts for each facet under the query and the *other* facet's selection, so that
        choosing a second year (OR within a facet) shows what it would add."""
        deadline = time.monotonic() + FACET_TIME_LIMIT_S
        year_counts, complete_years = _counted(self._columns.year, for_years, deadline)
        people_counts, complete_people = _counted(self._columns.person, for_people, deadline)
        facets = {
            # Newest first; documents without a date last.
            "year": sorted(year_counts, key=lambda count: (count.value != schema.UNDATED_YEAR,
                                                           count.value), reverse=True),
            "person": sorted(people_counts, key=lambda count: (-count.count, count.value)),
        }
        return facets, complete_years and complete_people

    def _suggest(self, text: str) -> str | None:
        """The query with each word the index does not know replaced by the closest one."""
        reader = self._searcher.reader()
        changed = False

        def correct(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group()
            if (word in _OPERATORS or text[match.end():match.end() + 1] == ":"
                    or is_function_word(word)):
                return word
            stems = analyse(word)
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

    def canonical_person(self, written: str) -> str | None:
        """The canonical name of the person a name means: the name itself, in any case, or
        any spelling the archive recorded for them, or a surname only one person has."""
        key = " ".join(written.split()).casefold()
        if not key:
            return None
        for name in self._columns.person.values:
            if name.casefold() == key:
                return name
        for name, spellings in self._spellings.items():
            if name in self._columns.person.values and any(
                    spelling.casefold() == key for spelling in spellings):
                return name
        surnames = {name for name, spellings in self._spellings.items()
                    if name in self._columns.person.values
                    and any(spelling.split()[-1].casefold() == key for spelling in spellings)}
        return surnames.pop() if len(surnames) == 1 else None

    def person(self, name: str, latest: int = 10, named_with: int = 10) -> PersonProfile | None:
        """The profile of a canonical person of the index, or None if nobody has this name."""
        columns = self._columns
        if name not in columns.person.values:
            return None
        with self._lock:
            mask = columns.person.documents_with((name,)) & columns.alive
            deadline = time.monotonic() + FACET_TIME_LIMIT_S
            years, _ = _counted(columns.year, mask, deadline)
            others, _ = _counted(columns.person, mask, deadline)
            docs = np.flatnonzero(mask)
            order = _first(docs, columns.date_order(newest_first=True)[docs], latest)
            hits = [self._hit(int(docnum)) for docnum in order]
        return PersonProfile(
            name, tuple(self._spellings.get(name, [name])), len(docs),
            sorted((c for c in years if c.value != schema.UNDATED_YEAR),
                   key=lambda c: c.value),
            sorted((c for c in others if c.value != name),
                   key=lambda c: (-c.count, c.value))[:named_with],
            hits)

    def search_cache_size(self) -> int:
        """Posting lists decoded and kept so far (0 on a generation nobody searched yet)."""
        return self._evaluator.cached_terms()

    def search_cache_full(self) -> bool:
        """Whether lists decoded from now on would push out lists decoded before."""
        return self._evaluator.cache_full()

    def frequent_words(self, count: int) -> list[str]:
        """The index's most frequent words, as written."""
        return sorted(self._word_counts, key=lambda word: -self._word_counts[word])[:count]

    def preload(self, deadline: float) -> int:
        """Decode the posting lists of the index's frequent terms in titles and texts, most
        frequent first, then the positions of the most frequent ones (phrases), until the
        posting cache is full or `time.monotonic()` passes the deadline: what a server does
        before its first request, as Solr warms its first searcher. Only long lists are
        worth it: a term on few pages decodes in well under a millisecond when asked.
        Returns how many lists were read."""
        totals: dict[str, int] = {}
        for term, words in self._marker.forms.items():
            totals[term] = sum(self._word_counts.get(word, 0) for word in words)
        frequent = sorted((term for term, total in totals.items()
                           if total >= self.document_count * PRELOAD_SHARE),
                          key=lambda term: -totals[term])
        fields = (schema.TITLE.name, schema.BODY.name)
        steps = [(self._postings.term, fieldname, term) for term in frequent
                 for fieldname in fields]
        steps += [(self._postings.positions, schema.BODY.name, term)
                  for term in frequent[:PRELOAD_POSITIONS]]
        read = 0
        for read_list, fieldname, term in steps:
            if time.monotonic() > deadline or self._postings.full:
                break
            with self._lock:
                read_list(fieldname, term)
            read += 1
        return read

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        """Completions of the last word typed, most frequent first: officials, titles and
        index words that start with it (and hold the words typed before it). Bounded: a few
        hundred candidates at most are looked at."""
        words = re.findall(r"[^\W_]+", text.lower())[-SUGGEST_TYPED_WORDS:]
        if not words or len(words[-1]) < SUGGEST_MIN_LETTERS:
            return []
        *typed_before, prefix = words
        # Completed from what the visitor meant: a misspelt word before is corrected; words
        # that only say how a question is asked are kept but not looked for.
        typed = [word if word in self._word_counts or not word.isalpha()
                 or is_function_word(word) else self._spelling.closest(word) or word
                 for word in typed_before]
        before = [word for word in typed if not is_function_word(word)][-SUGGEST_MAX_WORDS:]
        people = self._columns.person
        officials = sorted(
            ((value, int(total)) for value, total in zip(people.values, people.totals,
                                                          strict=True)
             if _completes(value.lower().split(), before, prefix)),
            key=lambda pair: -pair[1])[:SUGGEST_EACH]
        suggestions = [Suggestion("official", name, count) for name, count in officials]
        suggestions += self._title_suggestions(before, prefix)
        start = bisect.bisect_left(self._sorted_words, prefix)
        candidates = itertools.islice(
            itertools.takewhile(lambda w: w.startswith(prefix), self._sorted_words[start:]),
            SUGGEST_CANDIDATES)
        for word in sorted(candidates, key=lambda w: -self._word_counts[w])[:SUGGEST_EACH]:
            suggestions.append(Suggestion("word", self._as_written([*typed, word]),
                                          self._word_counts[word]))
        return suggestions[:limit]

    def _as_written(self, words: list[str]) -> str:
        """Lowercase words as the site writes them together: names as written ("CSTO",
        "Afghanistan"); a run of words the site mostly capitalises capitalised ("Secretary
        General"); other words in lower case ("staff talks")."""
        shown = [self._display.get(word, word) for word in words]
        content = [word for word in shown if not is_function_word(word)]
        if content and all(word[:1].isupper() for word in content):
            return " ".join(shown)
        return " ".join(shown[n] if self._written.get(word, 0) == 0 else word
                        for n, word in enumerate(words))

    def _title_suggestions(self, before: list[str], prefix: str) -> list[Suggestion]:
        title = schema.TITLE.name
        parts: list[query.Query] = [query.Term(title, term) for word in before
                                    for term in analyse(word)]
        parts.append(query.Prefix(title, prefix))
        with self._lock:
            expansions = sum(1 for _ in itertools.islice(
                parts[-1]._btexts(self._searcher.reader()), SUGGEST_CANDIDATES + 1))
            if expansions > SUGGEST_CANDIDATES:
                return []  # too short a prefix to say anything useful
            matches = self._evaluator.evaluate(query.And(parts))
            docs = np.flatnonzero(matches.found)
            best = _first(docs, -matches.score[docs], SUGGEST_EACH)
            stored = [stored_record(self._searcher.stored_fields(int(d))) for d in best]
        return [Suggestion("title", record["title"], 0, record["id"])
                for record in stored if record.get("title")]

    def document(self, doc_id: str) -> StoredDocument | None:
        with self._lock:
            stored = self._searcher.document(**{schema.ID.name: doc_id})
        return None if stored is None else _stored_document(stored)

    def documents_of(self, docnums: list[int],
                     chunk: int = DOCUMENTS_PER_READ) -> Iterator[StoredDocument]:
        """The stored documents of a search's ranked numbers (`SearchResult.ranked`, from
        this searcher), read a chunk at a time as they are asked for: an export to a client
        that reads slowly holds one chunk, not 10,000 documents."""
        for start in range(0, len(docnums), chunk):
            with self._lock:
                stored = [self._searcher.stored_fields(docnum)
                          for docnum in docnums[start:start + chunk]]
            yield from map(_stored_document, stored)

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
            return [self._hit(int(other)) for other in _first(docs, -matches.score[docs], limit)]

    def query_units(self, query_text: str) -> frozenset[Unit]:
        """The words and phrases a query looks for in the text (prefixes expanded)."""
        text = query_text.strip()
        try:
            if text and is_plain(text):
                plain = read_plain(text, self.synonyms, self._name_variants)
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


def _stored_document(stored: dict[str, object]) -> StoredDocument:
    record = stored_record(stored)
    return StoredDocument(record["id"], record.get("title") or None, record.get("url"),
                          record.get("date"), tuple(record[schema.PERSON.name]),
                          record.get("body", ""), tuple(record.get("sources", ())),
                          bool(record.get(schema.CUT.name)),
                          record.get(schema.SIGNATURE.name, ""))


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


def _written(leaf: query.MultiTerm) -> str:
    """A prefix, wildcard or range as the visitor wrote it."""
    if isinstance(leaf, query.Prefix):
        return f"{leaf.text}*"
    if isinstance(leaf, query.TermRange):
        return f"[{leaf.start or ''} TO {leaf.end or ''}]"
    return str(getattr(leaf, "text", leaf))


def _completes(name_words: list[str], before: list[str], prefix: str) -> bool:
    """Does a name hold the words typed before, and a word starting with the last one?"""
    return any(word.startswith(prefix) for word in name_words) and all(
        any(word.startswith(typed) for word in name_words) for typed in before)


def _same_case(word: str, model: str) -> str:
    if model.isupper():
        return word.upper()
    return word.capitalize() if model[:1].isupper() else word


def lead(text: str, cut: bool = False) -> str:
    """The beginning of the text, cut at a word boundary with "…" (also where the saved copy
    itself was cut)."""
    if len(text) <= LEAD_CHARS:
        return text + " …" if cut and text else text
    return text[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"


def _counted(facet: Facet, documents: np.ndarray,
             deadline: float) -> tuple[list[FacetCount], bool]:
    counts, complete = facet.count(documents, deadline)
    return [FacetCount(facet.values[code], int(counts[code]))
            for code in np.flatnonzero(counts)], complete


def _first(docs: np.ndarray, key: np.ndarray, limit: int) -> np.ndarray:
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


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term

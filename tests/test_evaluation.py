"""The array evaluation of queries gives Whoosh's own matches and scores.

On a synthetic corpus of the site's shape, in several segments and with documents deleted
by an update, every query of the battery must find exactly the documents Whoosh's matchers
find, and where our scoring is Whoosh's, the same scores.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from whoosh import query

from benchmarks.make_corpus import write_corpus
from indexer.building.builder import build, update
from indexer.document import CleanDocument
from indexer.engine import FacetCount, IndexSearcher, QuerySyntaxError, SearchRequest
from indexer.engine.analysis import analyse
from indexer.engine.columns import _facet
from indexer.engine.plain_query import read_plain
from indexer.engine.ranking import PlainRanker
from indexer.engine.writing import create_index, writing
from indexer.store import IndexStore
from indexer.synonyms import Synonyms

PAGES = 400
# Whoosh scores these as we do: the same numbers are expected.
SCORED = [
    "security", "collective security", "cooperation", "military OR exercises",
    "security NOT military", "security -exercises", "+security cooperation",
    "security^3 meeting", "title:security", "person:Zas", "year:2019", "year:2019 security",
    "(security OR defence) AND (meeting OR council)", "NOT security", "security ANDNOT military",
    "security ANDMAYBE military", "Semerikov", "nosuchwordanywhere", "security nosuchword",
]
# Phrases are scored as the sum of their words, prefixes and ranges with a constant: the
# same documents are expected, not the same scores.
MATCHED = [
    '"collective security"', '"member states" council', 'title:"security council"',
    "secur*", "coop*ation", "year:[2010 TO 2015]", '"security council"~3',
    '"collective security" -"member states"', '"collective security council"',
    '"the collective security"', '"security security"',
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexSearcher]:
    raw = tmp_path_factory.mktemp("raw")
    write_corpus(PAGES, raw, seed=3)
    store = IndexStore(tmp_path_factory.mktemp("index"))
    build(raw, store)
    # An update deletes the old copy of each changed page: the index then has deletions.
    changed = sorted(raw.rglob("*.txt"))[::40]
    for path in changed:
        path.write_text(path.read_text("utf-8") + "\nA later correction of the text.\n",
                        "utf-8")
    for path in sorted(raw.rglob("*.txt"))[5::40]:
        path.unlink()
    update(raw, store)
    current = store.current()
    assert current is not None
    opened = IndexSearcher(current)
    assert opened._searcher.reader().has_deletions()
    assert len(opened._searcher.leaf_searchers()) > 1
    yield opened


def whoosh_scores(searcher: IndexSearcher, q: query.Query) -> dict[int, float]:
    results = searcher._searcher.search(q, limit=None)
    return {hit.docnum: hit.score for hit in results}


def our_scores(searcher: IndexSearcher, q: query.Query) -> dict[int, float]:
    matches = searcher._evaluator.evaluate(q)
    return {int(docnum): float(matches.score[docnum])
            for docnum in matches.found.nonzero()[0]}


@pytest.mark.parametrize("text", SCORED)
def test_scores_are_whooshs(searcher: IndexSearcher, text: str) -> None:
    q = searcher.parse(text)
    expected, found = whoosh_scores(searcher, q), our_scores(searcher, q)
    assert found.keys() == expected.keys()
    for docnum, score in expected.items():
        assert math.isclose(found[docnum], score, rel_tol=1e-9), (docnum, score, found[docnum])


@pytest.mark.parametrize("text", MATCHED)
def test_matches_are_whooshs(searcher: IndexSearcher, text: str) -> None:
    q = searcher.parse(text)
    assert our_scores(searcher, q).keys() == set(searcher._searcher.docs_for_query(q))


def test_positions_are_whooshs(searcher: IndexSearcher) -> None:
    reader = searcher._searcher.reader()
    decode = searcher._searcher.schema["body"].format.decode_positions
    for word in ["secur", "collect", "member", "council", "nosuchword"]:
        expected: dict[int, list[int]] = {}
        if ("body", word) in reader:
            matcher = reader.postings("body", word)
            while matcher.is_active():
                expected[matcher.id()] = decode(matcher.value())
                matcher.next()
        found = searcher._evaluator._postings.positions("body", word)
        ends = np.cumsum(found.counts)
        # Deleted documents are kept in the lists (left out by the `alive` column).
        assert {int(doc): found.positions[end - count:end].tolist() for doc, count, end
                in zip(found.docs, found.counts, ends, strict=True)
                if not reader.is_deleted(int(doc))} == expected, word


def reference_bm25f(searcher: IndexSearcher, words: list[str]) -> dict[int, float]:
    """BM25F (one saturation over the weighted, length-normalised field frequencies) of
    single words with the coverage bonus, computed page by page from Whoosh's postings and
    field lengths: what `ranking.PlainRanker` must give."""
    model = searcher._ranker.model
    reader = searcher._searcher.reader()
    alive = [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]
    fields = tuple(model.weights)  # title, body, names, signature
    # A field's average length over the pages that have it (Lucene's docCount).
    lengths = {f: [reader.doc_field_length(d, f) or 0 for d in alive] for f in fields}
    average = {f: sum(ls) / max(sum(1 for n in ls if n), 1) for f, ls in lengths.items()}
    scores: dict[int, float] = {}
    held: dict[int, float] = {}
    telling: set[int] = set()
    idfs = []
    for word in words:
        (term,) = analyse(word)
        pseudo: dict[int, float] = {}
        for f in fields:
            if (f, term) not in reader:
                continue
            matcher = reader.postings(f, term)
            while matcher.is_active():
                d = matcher.id()
                b = model.b[f]
                norm = (1 - b) + b * (reader.doc_field_length(d, f) or 0) / average[f]
                pseudo[d] = pseudo.get(d, 0.0) + model.weights[f] * matcher.weight() / norm
                matcher.next()
        n, df = len(alive), len(pseudo)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        if df:
            idfs.append(idf)
        if df < model.nearly_every_page * n:  # on nearly every page: not enough alone
            telling |= pseudo.keys()
        for d, value in pseudo.items():
            scores[d] = scores.get(d, 0.0) + idf * value * (model.k1 + 1) / (value + model.k1)
            held[d] = held.get(d, 0.0) + idf
    return {d: score * (1 + model.coordination * held[d] / sum(idfs))
            for d, score in scores.items() if d in telling or not telling}


@pytest.mark.parametrize("words", [["security"], ["security", "exercises"],
                                   ["collective", "cooperation", "nosuchword"],
                                   ["csto", "exercises"]])
def test_plain_ranking_is_bm25f(searcher: IndexSearcher, words: list[str]) -> None:
    expected = reference_bm25f(searcher, words)
    # Without the bonus for words side by side (a phrase's score, checked by the phrase
    # battery above).
    ranker = PlainRanker(searcher._postings, searcher._columns,
                         replace(searcher._ranker.model, proximity=0.0))
    ranked = ranker.rank(read_plain(" ".join(words), Synonyms()), enough=10**9)
    found = {int(d): float(ranked.score[d]) for d in np.flatnonzero(ranked.found)}
    assert found.keys() == expected.keys() and expected
    assert all(math.isclose(found[d], s, rel_tol=1e-9) for d, s in expected.items())


@pytest.mark.parametrize("text", ["[a TO z]", "body:[a TO zz]", "{a TO z}", "?e*", "*a"])
def test_what_stands_for_too_many_words_is_refused_with_a_reason(
        searcher: IndexSearcher, text: str) -> None:
    with pytest.raises(QuerySyntaxError) as refused:
        searcher.search(SearchRequest(text))
    assert "512" in str(refused.value) or "put a few letters first" in str(refused.value)
    # A narrow range or prefix is answered.
    assert searcher.search(SearchRequest("[secur TO securz]")).total > 0


def test_a_page_holding_only_words_on_nearly_every_page_is_no_result(
        searcher: IndexSearcher) -> None:
    # "CSTO" is on every page: pages with it alone do not answer a query with other words,
    # even when few pages hold all of them.
    everywhere = searcher.search(SearchRequest("csto")).total
    result = searcher.search(SearchRequest("csto exercises nosuchwordanywhere"))
    assert result.relaxed and result.with_all_words == 0
    assert 0 < result.total == searcher.search(SearchRequest("exercises")).total < everywhere


def test_ranked_pages_follow_whoosh_with_filters_and_dates(searcher: IndexSearcher) -> None:
    year = searcher.search(SearchRequest("security")).facets["year"][0].value
    # The query language: answered by Whoosh's parser and scoring (plain queries are
    # ranked by `ranking`, test_plain_ranking_is_bm25f).
    request = SearchRequest("security AND cooperation", filters={"year": (year,)},
                            page_size=50)
    whoosh_q = query.And([searcher.parse(request.text), query.Term("year", year)])
    expected = [hit["id"] for hit in searcher._searcher.search(whoosh_q, limit=50)]
    assert [hit.id for hit in searcher.search(request).hits] == expected

    newest = searcher.search(SearchRequest("", sort="newest", page_size=400)).hits
    dates = [hit.date for hit in newest]
    dated = [day for day in dates if day is not None]
    assert dated == sorted(dated, reverse=True)
    assert dates[len(dated):] == [None] * (len(dates) - len(dated))  # undated last


def test_facet_counts_count_the_matching_pages(searcher: IndexSearcher) -> None:
    result = searcher.search(SearchRequest("security"))
    whoosh_searcher = searcher._searcher
    matching = set(whoosh_searcher.docs_for_query(searcher.parse("security")))
    assert result.total == len(matching)
    for count in result.facets["year"]:
        in_year = set(whoosh_searcher.docs_for_query(query.Term("year", count.value)))
        assert count.count == len(matching & in_year), count



@pytest.mark.parametrize("share", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_facet_counts_are_exact_from_either_side(share: float) -> None:
    rng = random.Random(share)
    values = ["a", "b", "c", "d"]
    by_doc = [rng.sample(values, rng.randrange(0, 3)) for _ in range(1000)]
    facet = _facet(by_doc)
    documents = np.array([rng.random() < share for _ in by_doc])
    counts, complete = facet.count(documents, deadline=time.monotonic() + 10)
    expected = Counter(v for doc, found in zip(by_doc, documents, strict=True) if found
                       for v in doc)
    assert complete
    assert {facet.values[c]: int(n) for c, n in enumerate(counts) if n} == dict(expected)
    wanted = facet.documents_with(("b", "d"))
    assert list(wanted) == [bool({"b", "d"} & set(doc)) for doc in by_doc]


def test_facet_counting_stops_at_its_deadline() -> None:
    facet = _facet([["a"]] * 300_000)
    documents = np.arange(300_000) % 5 < 2  # 120,000 documents: two chunks
    counts, complete = facet.count(documents, deadline=0.0)
    assert not complete and 0 < counts.sum() < 120_000


def test_a_segment_without_titles_dates_or_people_is_searchable(tmp_path: Path) -> None:
    # Whoosh writes no column for a field that no document of a segment has.
    create_index(tmp_path)
    with writing(tmp_path) as writer:
        writer.add(CleanDocument("a.txt", None, None, (), "Security matters here."))
        writer.add(CleanDocument("b.txt", None, None, (), "More on security."))
    result = IndexSearcher(tmp_path).search(SearchRequest("security", sort="newest"))
    assert result.total == 2
    assert result.facets == {"year": [FacetCount("none", 2)], "person": [],
                             "type": [FacetCount("news", 2)], "state": []}


def test_similar_pages_are_whooshs_more_like_this(searcher: IndexSearcher) -> None:
    whoosh_searcher = searcher._searcher
    for stored, _ in zip(whoosh_searcher.all_stored_fields(), range(10), strict=False):
        docnum = whoosh_searcher.document_number(id=stored["id"])
        expected = [hit["id"] for hit in whoosh_searcher.more_like(docnum, "body", top=5)]
        assert [hit.id for hit in searcher.similar(stored["id"])] == expected


def test_a_small_posting_cache_gives_the_same_results(searcher: IndexSearcher) -> None:
    small = IndexSearcher(searcher.directory, cache_mb=0.05)
    for text in ["security", '"collective security"', "cooperation OR military", "secur*"]:
        request = SearchRequest(text, page_size=20)
        expected = searcher.search(request)
        found = small.search(request)
        assert [hit.id for hit in found.hits] == [hit.id for hit in expected.hits], text
        assert found.facets == expected.facets
    cache = small._evaluator._postings
    assert 0 < cache._size <= 0.05 * 1024 * 1024


def test_preloading_reads_the_most_frequent_terms_until_the_cache_is_full(
        searcher: IndexSearcher) -> None:
    fresh = IndexSearcher(searcher.directory, cache_mb=0.3)
    assert fresh.preload(time.monotonic() + 60) > 0
    assert fresh.search_cache_full()
    cache = fresh._evaluator._postings
    assert cache._size <= 0.3 * 1024 * 1024
    # The most frequent word of the texts is among the first read, and still there.
    top = next(analyse(word)[0] for word in fresh.frequent_words(20) if analyse(word))
    assert ("term", "body", top) in cache._entries
    # A deadline already past reads nothing.
    assert IndexSearcher(searcher.directory).preload(time.monotonic() - 1) == 0


def test_an_index_without_documents_answers_every_search(tmp_path: Path) -> None:
    # A build over a folder with no usable page publishes an empty generation.
    store = IndexStore(tmp_path / "index")
    (tmp_path / "raw").mkdir()
    build(tmp_path / "raw", store)
    current = store.current()
    assert current is not None
    empty = IndexSearcher(current)
    for text in ["security", "", '"collective security"', "secur*", "NOT security"]:
        result = empty.search(SearchRequest(text))
        assert result.total == 0 and result.hits == [], text
    assert empty.similar("nothing") == []

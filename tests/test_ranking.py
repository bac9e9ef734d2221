"""Behaviours the ranking levers introduce (not the figures: benchmarks/relevance.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from indexer.engine import IndexSearcher, SearchRequest
from tests.conftest import SIDEBAR_B, article, indexed

PAGES = {
    "shoigu.txt": article(
        "The Secretary General met the Minister of Defence", "20.02.2023",
        "On 20 February 2023, the Secretary General met Army General Sergei Shoigu.",
        "They discussed the trainings in Tajikistan."),
    "semerikov.txt": article(
        "Deputy Secretary General spoke in Vienna", "10.03.2021",
        "On 10 March 2021, Valeriy Anatolyevich Semerikov spoke at the UN.", sidebar=SIDEBAR_B),
    "tajikistan.txt": article(
        "Staff talks in Dushanbe", "01.04.2025",
        "On 1 April 2025, staff talks on the exercises were held in Dushanbe, Tajikistan.",
        "The exercises of the Collective Forces will take place in the autumn."),
    "exercises.txt": article(
        "Exercises of the peacekeeping forces began", "05.09.2024",
        "On 5 September 2024, the exercises of the peacekeeping forces began in Belarus."),
    "border.txt": article(
        "Consultations on the border", "06.06.2024",
        "On 6 June 2024, consultations were held in Tajikistan on the border.",
        sidebar=SIDEBAR_B),
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexSearcher]:
    current = indexed(PAGES, tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("index"))
    yield IndexSearcher(current)


def titles(searcher: IndexSearcher, text: str) -> list[str | None]:
    return [hit.title for hit in searcher.search(SearchRequest(text)).hits]


def test_any_spelling_of_an_official_reaches_the_person(searcher: IndexSearcher) -> None:
    # The registry's aliases are indexed with the canonical person.
    assert titles(searcher, "Shoygu") == ["The Secretary General met the Minister of Defence"]
    assert titles(searcher, "Semerikov Valery") == ["Deputy Secretary General spoke in Vienna"]
    assert titles(searcher, "person:Valeriy") == ["Deputy Secretary General spoke in Vienna"]


def test_a_plain_query_whose_words_are_seldom_together_is_relaxed(
        searcher: IndexSearcher) -> None:
    result = searcher.search(SearchRequest("exercises in Tajikistan"))
    assert result.relaxed
    ranked = [hit.title for hit in result.hits]
    # Pages with both words first, then pages with one of them.
    assert ranked[0] == "Staff talks in Dushanbe"
    assert set(ranked[1:]) == {"Exercises of the peacekeeping forces began",
                               "Consultations on the border",
                               "The Secretary General met the Minister of Defence"}


def test_queries_that_say_what_they_want_are_not_relaxed(searcher: IndexSearcher) -> None:
    for text in ('"exercises in Tajikistan"', "exercises AND Vienna", "title:exercises Vienna",
                 "exercis* Vienna"):
        result = searcher.search(SearchRequest(text))
        assert not result.relaxed, text
    enough = searcher.search(SearchRequest("Secretary General"))
    assert enough.total >= 2 and not enough.relaxed


"""Queries as visitors type them (issue 21): questions, descriptions, one decisive word among
common ones, a year or a place, other spellings; and what the results page says of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from indexer.engine import IndexSearcher, SearchRequest
from indexer.synonyms import load_synonyms
from search_app.app import create_app
from search_app.settings import Settings
from tests.conftest import FOOTER, SIDEBAR_A, SIDEBAR_B, article, indexed, page_text

ORGANISATION = "the Collective Security Treaty Organization (CSTO)"
# Pages that say what the organisation said and did, as nearly every page of the site does:
# "CSTO", "said", "about" and the long name are everywhere.
COMMON = {
    f"common{n}.txt": article(
        f"The CSTO Secretary General said a word about {topic}", f"0{n + 1}.02.2022",
        f"On {n + 1} February 2022, the Secretary General of {ORGANISATION} said that the "
        f"CSTO would talk about {topic}. The CSTO said so again.",
        f"{ORGANISATION} and the CSTO member states said more about {topic}.",
        sidebar=(SIDEBAR_A, SIDEBAR_B)[n % 2])
    for n, topic in enumerate(["the budget", "the Secretariat", "its partners", "the media",
                               "the regions", "the anniversary"])
}
PAGES = COMMON | {
    "afghanistan.txt": article(
        "Meeting of the Working Group on Afghanistan", "15.03.2023",
        "On 15 March 2023, the Working Group discussed the situation in Afghanistan.",
        "Experts assessed the threats coming from Afghanistan."),
    "exercises2021.txt": article(
        "The joint exercises Interaction-2021 began", "18.10.2021",
        "On 18 October 2021, the joint exercises of the Collective Rapid Reaction Forces "
        "began in Tajikistan."),
    "exercises2024.txt": article(
        "The exercises of the peacekeeping forces began", "05.09.2024",
        "On 5 September 2024, the exercises of the peacekeeping forces began in Belarus.",
        "The forces of the collective practised the tasks.", sidebar=SIDEBAR_B),
    "together.txt": article(
        "Meeting in Minsk", "06.09.2024",
        "On 6 September 2024, the regional experts gathered in Minsk for the winter "
        "session of the working group, to plan the year ahead and its budget."),
    "apart.txt": article(
        "Meeting in Bishkek", "07.09.2024",
        "On 7 September 2024, the session of experts in Bishkek planned the winter "
        "work.", sidebar=SIDEBAR_B),
    "shoigu.txt": article(
        "The Secretary General met Sergei Shoigu", "20.02.2023",
        "On 20 February 2023, the Secretary General met Sergei Shoygu, Minister of Defence."),
    "almaty.txt": article(
        "Consultations in Alma-Ata", "11.06.2024",
        "On 11 June 2024, consultations of experts were held in Alma-Ata.",
        sidebar=SIDEBAR_B),
    # Vladimir Zaynetdinov is named only in the signature of his releases; another Vladimir
    # in the title and text of a page.
    "signed.txt": article(
        "The CSTO Secretariat held a briefing for journalists", "12.05.2022",
        "On 12 May 2022, the CSTO Secretariat held a briefing on the preparations.",
        footer=("The CSTO Press Secretary Vladimir Zaynetdinov", *FOOTER)),
    "putin.txt": article(
        "Vladimir Putin chaired the session", "16.05.2022",
        "On 16 May 2022, Russian President Vladimir Putin chaired the session in Moscow.",
        sidebar=SIDEBAR_B),
    # The crawler cut this copy in its title, right after the latest-news items.
    "cut.txt": page_text(
        "On 9 July 2020, the CSTO Secretariat hosted the first meeting of the Working Group "
        "on the Development of a Concept of Cooperation.",
        "The CSTO Secretariat expresses serious concern over the aggravation of the "
        "situation on the border that arose on July 12, this year, after an exchange.",
        "Dear Alexander Grigorievich, please accept my most sincere and warm "
        "congratulations on your election as the President of the Republic.",
        "Consultations of the CSTO member states on cooperation in arms control, "
        "disarmament and no").rstrip("\n"),
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return indexed(PAGES, tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="module")
def searcher(index_dir: Path) -> IndexSearcher:
    return IndexSearcher(index_dir, synonyms=load_synonyms())


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(index_dir=index_dir.parent.parent))) as test_client:
        yield test_client


def headings(searcher: IndexSearcher, text: str, **options: object) -> list[str]:
    return [hit.heading for hit in searcher.search(SearchRequest(text, **options)).hits]


def test_a_question_finds_the_page_about_its_subject_first(searcher: IndexSearcher) -> None:
    for question in ("what did the CSTO say about Afghanistan",
                     "What did they say about Afghanistan?",
                     "what has the Collective Security Treaty Organization said about "
                     "Afghanistan"):
        result = searcher.search(SearchRequest(question))
        assert result.hits[0].heading == "Meeting of the Working Group on Afghanistan", question
        assert {"what", "about"} <= {word.lower() for word in result.ignored}


def test_a_rare_word_outweighs_common_ones(searcher: IndexSearcher) -> None:
    # Every common page holds "CSTO", "Secretary" and "said"; one page holds "Afghanistan".
    assert headings(searcher, "CSTO Secretary said Afghanistan")[0] == \
        "Meeting of the Working Group on Afghanistan"


def test_the_organisations_name_weighs_almost_nothing(searcher: IndexSearcher) -> None:
    # The long name on every common page does not outweigh the one word that decides.
    ranked = headings(searcher, "Collective Security Treaty Organization Shoigu")
    assert ranked[0] == "The Secretary General met Sergei Shoigu"


def test_two_words_typed_together_prefer_pages_that_write_them_together(
        searcher: IndexSearcher) -> None:
    # "winter session" stands in one page; the words stand apart in the other, a shorter
    # page (which BM25F alone puts first).
    ranked = headings(searcher, "winter session")
    assert ranked.index("Meeting in Minsk") < ranked.index("Meeting in Bishkek")


def test_a_year_is_preferred_not_required(searcher: IndexSearcher, client: TestClient) -> None:
    result = searcher.search(SearchRequest("exercises 2021"))
    assert result.hits[0].heading == "The joint exercises Interaction-2021 began"
    assert "The exercises of the peacekeeping forces began" in [h.heading for h in result.hits]
    assert result.wanted_years == ("2021",)
    page = client.get("/search", params={"q": "exercises 2021"}).text
    assert 'href="/search?q=exercises+2021&amp;year=2021">Only 2021?</a>' in page
    narrowed = client.get("/api/search", params={"q": "exercises 2021", "year": "2021"}).json()
    assert narrowed["total"] == 1 and narrowed["year_filters_offered"] == []


def test_a_month_and_year_prefer_that_month(searcher: IndexSearcher) -> None:
    assert headings(searcher, "Secretary General February 2023")[0] == \
        "The Secretary General met Sergei Shoigu"


def test_a_place_matches_the_sites_spellings(searcher: IndexSearcher) -> None:
    assert headings(searcher, "consultations in Almaty")[0] == "Consultations in Alma-Ata"
    assert headings(searcher, "Alma-Ata") == headings(searcher, "Almaty")


def test_other_spellings_of_an_official_find_the_official(searcher: IndexSearcher) -> None:
    # "Shoygu" is written once, in the text; the title says "Shoigu".
    result = searcher.search(SearchRequest("Shoygu"))
    assert result.hits[0].heading == "The Secretary General met Sergei Shoigu"
    assert [(e.written, e.alternatives) for e in result.expansions] == [("Shoygu", ("Shoigu",))]


def test_a_name_in_a_signature_outranks_its_first_name_elsewhere(
        searcher: IndexSearcher) -> None:
    # Few pages have a signature: a signature is short among signatures, not many times
    # longer than the average of all pages' (mostly empty) ones.
    wanted = "The CSTO Secretariat held a briefing for journalists"
    assert headings(searcher, "Vladimir Zaynetdinov")[:2] == [
        wanted, "Vladimir Putin chaired the session"]
    # A misspelling of a word only signatures hold is corrected like any other.
    result = searcher.search(SearchRequest("Vladimir Zainetdinov"))
    assert result.corrected_from == "Vladimir Zainetdinov"
    assert result.hits[0].heading == wanted


def test_only_what_matched_is_marked_and_phrases_as_phrases(searcher: IndexSearcher) -> None:
    (hit, *_) = searcher.search(SearchRequest("CRRF")).hits
    assert hit.heading == "The joint exercises Interaction-2021 began"
    assert ("<mark>Collective</mark> <mark>Rapid</mark> <mark>Reaction</mark> "
            "<mark>Forces</mark>") in hit.snippet_html
    # A page with "forces" and "collective" apart has nothing of CRRF marked.
    other = searcher.search(SearchRequest('"forces of the collective"')).hits[0]
    assert other.heading == "The exercises of the peacekeeping forces began"
    marked = searcher.search(SearchRequest("CRRF peacekeeping")).hits
    for found in marked:
        if found.heading == "The exercises of the peacekeeping forces began":
            assert "<mark>forces</mark>" not in found.snippet_html
            assert "<mark>collective</mark>" not in found.snippet_html


def test_a_query_of_only_common_words_says_so(client: TestClient) -> None:
    result = client.get("/api/search", params={"q": "what is the"}).json()
    assert result["total"] == 0 and result["only_common_words"]
    assert result["ignored_words"] == ["what", "is", "the"]
    page = client.get("/search", params={"q": "the"})
    assert page.status_code == 200
    assert "only words too common to search for" in page.text
    assert "Nothing matched" not in page.text


def test_the_page_says_how_many_pages_hold_all_the_words(client: TestClient) -> None:
    result = client.get("/api/search", params={"q": "Afghanistan Shoigu budget"}).json()
    assert result["relaxed"] and result["with_all_words"] == 0 and result["total"] >= 3
    page = client.get("/search", params={"q": "Afghanistan Shoigu budget"}).text
    assert "No page has all of these words" in page
    one = client.get("/search", params={"q": "Afghanistan experts Working"}).text
    assert "1 page has all of these words" in one


def test_expansions_are_listed_only_when_they_add_something(client: TestClient) -> None:
    result = client.get("/api/search", params={"q": "Secretary General"}).json()
    assert result["expansions"] == []  # "Secretary-General" is the same words
    page = client.get("/search", params={"q": "Secretary General"}).text
    assert "Also searched" not in page


def test_suggestions_complete_what_was_meant_as_the_site_writes_it(client: TestClient) -> None:
    words = [s["text"] for s in client.get("/api/suggest", params={"q": "secretery gen"})
             .json()["suggestions"] if s["kind"] == "word"]
    assert words[0] == "Secretary General"
    question = [s["text"] for s in client.get("/api/suggest", params={
        "q": "what did the csto say about afgh"}).json()["suggestions"] if s["kind"] == "word"]
    assert question[0].lower() == "what did the csto say about afghanistan"
    assert "CSTO" in question[0] and "Afghanistan" in question[0]


def test_a_copy_cut_in_its_title_is_findable_and_says_it_is_cut(
        searcher: IndexSearcher, client: TestClient) -> None:
    result = searcher.search(SearchRequest("arms control disarmament"))
    (hit,) = result.hits
    assert hit.cut and hit.heading.startswith("Consultations of the CSTO member states")
    assert hit.heading.endswith("…")
    document = client.get(f"/doc/{hit.id}").text
    assert "This archived copy is cut off" in document
    results = client.get("/search", params={"q": "arms control disarmament"}).text
    assert "This saved copy is cut off" in results

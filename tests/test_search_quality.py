"""What visitors type (issue 11): hyphenated words, misspellings, the site's acronyms and
synonyms, and listing pages beside articles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.building.builder import build
from indexer.engine import IndexSearcher, SearchRequest
from indexer.store import IndexStore
from indexer.synonyms import (
    Synonyms,
    SynonymsError,
    hyphens_as_phrases,
    load_synonyms,
    parse_synonyms,
)
from tests.conftest import SIDEBAR_B, article, indexed

PAGES = {
    "icmec.txt": article(
        "The XIX meeting of the Interstate Commission on Military-Economic Cooperation",
        "09.09.2021", "On 9 September 2021, Minsk hosted the meeting of the Interstate "
        "Commission on Military-Economic Cooperation.", "Its plan for 2022 was approved."),
    "economy.txt": article(
        "Cooperation in the economy of the region", "10.09.2021",
        "On 10 September 2021, economic cooperation and military questions were discussed "
        "by the Council of the region.", sidebar=SIDEBAR_B),
    "serdyukov.txt": article(
        "Briefing by the Chief of the Joint Staff", "14.02.2024",
        "On 14 February 2024, Colonel-General Andrei Serdyukov held a briefing.",
        "The Colonel spoke of the general situation."),
    "karabakh.txt": article(
        "On the situation in Nagorno-Karabakh", "28.09.2020",
        "On 28 September 2020, the Secretary General raised concerns about Nagorno-Karabakh."),
    "tokayev.txt": article(
        "Session of the Council in Astana", "08.11.2024",
        "On 8 November 2024, President of Kazakhstan Kassym-Jomart Tokayev chaired the "
        "session.", sidebar=SIDEBAR_B),
    "crrf.txt": article(
        "Interaction-2024 began", "01.09.2024",
        "On 1 September 2024, the Collective Rapid Reaction Forces began the joint trainings "
        "Interaction-2024."),
    "masadykov.txt": article(
        "The Deputy Secretary General met the Ambassador", "05.03.2025",
        "On 5 March 2025, Deputy Secretary General Taalatbek Masadykov met the Ambassador."),
    "masadykov2.txt": article(
        "Masadykov spoke at the conference", "06.03.2025",
        "On 6 March 2025, Talatbek Masadykov spoke on the situation in Afghanistan.",
        sidebar=SIDEBAR_B),
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexSearcher]:
    current = indexed(PAGES, tmp_path_factory.mktemp("raw"), tmp_path_factory.mktemp("index"))
    yield IndexSearcher(current, synonyms=load_synonyms())


def titles(searcher: IndexSearcher, text: str, **options: object) -> list[str | None]:
    return [hit.title for hit in searcher.search(SearchRequest(text, **options)).hits]


def test_a_hyphen_inside_a_word_is_part_of_the_word(searcher: IndexSearcher) -> None:
    assert titles(searcher, "Colonel-General Serdyukov") == [
        "Briefing by the Chief of the Joint Staff"]
    assert titles(searcher, "Kassym-Jomart") == ["Session of the Council in Astana"]
    assert titles(searcher, "Nagorno-Karabakh") == ["On the situation in Nagorno-Karabakh"]
    # Only a hyphen in front of a word excludes it.
    assert "On the situation in Nagorno-Karabakh" not in titles(
        searcher, "situation -Nagorno-Karabakh")


def test_hyphenated_words_put_the_pages_that_write_them_first(searcher: IndexSearcher) -> None:
    assert titles(searcher, "military-economic cooperation")[0].startswith(
        "The XIX meeting of the Interstate Commission")


def test_hyphenated_words_are_marked_in_snippets(searcher: IndexSearcher) -> None:
    (hit,) = searcher.search(SearchRequest("Nagorno-Karabakh")).hits
    assert "<mark>Nagorno</mark>-<mark>Karabakh</mark>" in hit.snippet_html


def test_hyphens_as_phrases_leaves_quotes_fields_and_wildcards() -> None:
    assert hyphens_as_phrases("Colonel-General Serdyukov") == '"Colonel General" Serdyukov'
    assert hyphens_as_phrases('-Nagorno-Karabakh "Tajik-Afghan border"') == \
        '-"Nagorno Karabakh" "Tajik-Afghan border"'
    assert hyphens_as_phrases("title:Nagorno-Karabakh") == 'title:"Nagorno Karabakh"'
    assert hyphens_as_phrases("Nagorno-Kara*") == "Nagorno-Kara*"


def test_a_misspelt_surname_finds_the_official(searcher: IndexSearcher) -> None:
    result = searcher.search(SearchRequest("Masadykof"))
    assert result.corrected_from == "Masadykof" and result.total == 2
    # Every spelling the registry or the corpus knows finds every page of the person.
    assert len(titles(searcher, "Masadikov")) == 2
    assert len(titles(searcher, "Talatbek")) == 2


def test_a_query_with_a_correction_answers_the_correction(searcher: IndexSearcher) -> None:
    result = searcher.search(SearchRequest("interstat comission"))
    assert result.corrected_from == "interstat comission"
    assert result.answered == "interstate commission" and result.total >= 1
    exact = searcher.search(SearchRequest("interstat comission", exact=True))
    assert exact.total == 0 and exact.suggestion == "interstate commission"


def test_correctly_spelt_queries_are_not_corrected(searcher: IndexSearcher) -> None:
    for text in ("Serdyukov", "briefing", "Masadykov", "Afghanistan"):
        result = searcher.search(SearchRequest(text))
        assert result.corrected_from is None and result.answered == text


def test_acronyms_find_their_long_forms_and_show_the_expansion(searcher: IndexSearcher) -> None:
    result = searcher.search(SearchRequest("CRRF"))
    assert [hit.title for hit in result.hits] == ["Interaction-2024 began"]
    (expansion,) = result.expansions
    assert expansion.written == "CRRF"
    assert "Collective Rapid Reaction Forces" in expansion.alternatives
    assert titles(searcher, "ICMEC")[0].startswith("The XIX meeting of the Interstate")


def test_synonyms_of_the_sites_words(searcher: IndexSearcher) -> None:
    assert titles(searcher, "exercises") == ["Interaction-2024 began"]
    assert titles(searcher, "drills") == ["Interaction-2024 began"]


def test_synonyms_apply_when_read_and_an_admin_can_add_to_them(
        searcher: IndexSearcher, tmp_path: Path) -> None:
    extra = tmp_path / "synonyms.json"
    extra.write_text(json.dumps({"groups": [["Kazakh capital", "Astana"]]}), "utf-8")
    in_use = [load_synonyms(extra)]
    changing = IndexSearcher(searcher.directory, synonyms=lambda: in_use[0])
    assert titles(changing, "Kazakh capital") == ["Session of the Council in Astana"]
    in_use[0] = load_synonyms()  # as an admin's edited file is read while serving
    assert titles(changing, "Kazakh capital") == []


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not valid JSON"),
    ('{"synonyms": []}', 'an object with a "groups" list'),
    ('{"groups": [["alone"]]}', "group 1: a group is a list of two or more"),
    ('{"groups": [["a b", 3]]}', "group 1: 3 is not a word or phrase"),
])
def test_a_bad_synonyms_file_is_refused_with_where_and_why(text: str, message: str) -> None:
    with pytest.raises(SynonymsError, match=message) as error:
        parse_synonyms(text, "raw/synonyms.json")
    assert str(error.value).startswith("raw/synonyms.json")


def test_quoted_phrases_and_excluded_words_are_not_expanded() -> None:
    synonyms = Synonyms((("CRRF", "Collective Rapid Reaction Forces"),))
    assert synonyms.expand('"CRRF" -CRRF title:CRRF') == ('"CRRF" -CRRF title:CRRF', [])


def test_a_listing_ranks_below_an_article_and_gets_a_readable_title(
        tmp_path: Path) -> None:
    from indexer.document import readable_title

    raw = tmp_path / "raw"
    raw.mkdir()
    lead = "The Interstate Commission for Military-Economic Cooperation met in Minsk."
    (raw / "article.txt").write_text(article(
        "The Commission met in Minsk", "09.09.2021", lead, sidebar=SIDEBAR_B), "utf-8")
    # A page of the news list: the same words, in several items' headings.
    (raw / "list.txt").write_text("\n\n".join([
        "The Interstate Commission for Military-Economic Cooperation met in Minsk",
        "The Interstate Commission for Military-Economic Cooperation will meet",
        "Military-Economic Cooperation of the member states was discussed",
        "The Commission approved its plan"]) + "\n", "utf-8")
    (raw / "manifest.jsonl").write_text(json.dumps({
        "file": "list.txt", "url": "https://en.odkb-csto.org/news/news_odkb/?PAGEN_1=2"}),
        "utf-8")
    store = IndexStore(tmp_path / "index")
    build(raw, store)
    searcher = IndexSearcher(store.current(), synonyms=load_synonyms())
    hits = searcher.search(SearchRequest("military-economic cooperation")).hits
    assert [hit.heading for hit in hits] == ["The Commission met in Minsk", "News, page 2"]
    assert readable_title(None, None, "On 9 May the Council met in Moscow. " * 5).startswith(
        "On 9 May the Council met in Moscow.")
    assert readable_title(None, "https://en.odkb-csto.org/?c-tab=statements", "") == \
        "Statements"


def test_a_chain_of_groups_too_long_is_refused_with_why(tmp_path: Path) -> None:
    chain = tmp_path / "synonyms.json"
    chain.write_text(json.dumps({"groups": [[f"w{n}", f"w{n + 1}"] for n in range(200)]}),
                     "utf-8")
    with pytest.raises(SynonymsError, match="one group of 201 entries"):
        load_synonyms(chain)


def test_a_large_synonyms_file_is_read_without_holding_up_requests(tmp_path: Path) -> None:
    import time

    from starlette.testclient import TestClient

    from search_app.app import create_app
    from search_app.settings import Settings

    raw = tmp_path / "raw"
    store = IndexStore(tmp_path / "index")
    indexed({"icmec.txt": PAGES["icmec.txt"]}, raw, store.root)
    with TestClient(create_app(Settings(index_dir=store.root))) as client:
        assert client.get("/api/search", params={"q": "Minsk"}).status_code == 200
        groups = [[f"word{n}a", f"word{n}b", f"phrase number {n}"] for n in range(4000)]
        groups.append(["Belarusian capital", "Minsk"])
        (raw / "synonyms.json").write_text(json.dumps({"groups": groups}), "utf-8")
        started = time.monotonic()
        first = client.get("/api/search", params={"q": "Belarusian capital"})
        assert first.status_code == 200 and time.monotonic() - started < 0.5
        deadline = time.monotonic() + 30  # compiled in the background, then in use
        while not client.get("/api/search", params={"q": "Belarusian capital"}).json()[
                "total"]:
            assert time.monotonic() < deadline
            time.sleep(0.1)

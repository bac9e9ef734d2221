"""Routes of the web app and the JSON API, against a real index built from fixture pages."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from indexer.building.builder import build
from indexer.store import IndexStore
from search_app.app import create_app
from search_app.settings import Settings
from tests.conftest import SIDEBAR_B, article

PAGES = {
    "talks.txt": article(
        "The CSTO Joint Staff held staff talks on joint trainings", "28.04.2022",
        "From April 26 to 28, the CSTO Joint Staff held staff talks on the trainings.",
        "Colonel General Anatoly Sidorov opened the staff talks.", sidebar=SIDEBAR_B),
    "zas.txt": article(
        "Stanislav Zas visited the Joint Staff", "16.01.2021",
        "On January 16, 2021, Stanislav Zas visited the Joint Staff. The staff showed "
        "him the Crisis Response Center.", "Anatoly Sidorov informed him about trainings."),
    "semerikov.txt": article(
        "Valery Semerikov spoke on drug trafficking", "10.03.2021",
        "On 10 March 2021, Valery Semerikov addressed the UN Commission on Narcotic Drugs.",
        "Drug trafficking from Afghanistan was the main topic."),
    "markup.txt": article(
        "A page whose text carries <script>alert('x')</script> markup", "05.05.2023",
        "This paragraph has <b>bold</b> tags and <script>alert('pwned')</script> in it, "
        "about the Tajik-Afghan border.", sidebar=SIDEBAR_B),
    "undated.txt": article(
        "Statement of the Secretariat on the Tajik-Afghan border", "",
        "The Secretariat expresses concern over the situation on the Tajik-Afghan border."),
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    for name, text in PAGES.items():
        (raw / name).write_text(text, "utf-8")
    root = tmp_path_factory.mktemp("index")
    build(raw, IndexStore(root))
    return root


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(index_dir=index_dir))) as test_client:
        yield test_client


def api(client: TestClient, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/search", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def titles(result: dict) -> list[str]:  # type: ignore[type-arg]
    return [hit["title"] for hit in result["results"]]


def test_ranking_weights_the_title(client: TestClient) -> None:
    result = api(client, q="staff talks")
    assert titles(result)[0] == "The CSTO Joint Staff held staff talks on joint trainings"
    assert api(client, q="Joint Staff")["total"] == 2


def test_query_language(client: TestClient) -> None:
    assert titles(api(client, q='"Tajik-Afghan border"')) != []
    assert api(client, q='"Tajik-Afghan border"')["total"] == 2
    assert api(client, q="Joint Staff -Zas")["total"] == 1
    assert api(client, q="Zas OR Semerikov")["total"] == 2
    assert api(client, q="traffick*")["total"] == 1
    assert titles(api(client, q="title:Semerikov")) == [
        "Valery Semerikov spoke on drug trafficking"]
    assert api(client, q="person:Sidorov")["total"] == 2
    assert api(client, q="year:2022")["total"] == 1


def test_facets_count_toggle_and_multi_select(client: TestClient) -> None:
    result = api(client, q="", sort="oldest")
    years = {f["value"]: f for f in result["facets"]["year"]}
    # Documents without a date have a value of their own, last: the counts add up.
    assert {k: v["count"] for k, v in years.items()} == {"2021": 2, "2022": 1, "2023": 1,
                                                         "none": 1}
    assert list(years)[-1] == "none" and years["none"]["label"] == "No date"
    assert sum(v["count"] for v in years.values()) == result["total"]
    undated = client.get(years["none"]["toggle_url"]).json()
    assert undated["total"] == 1 and undated["results"][0]["date"] is None
    assert not years["2021"]["selected"]
    chosen = client.get(years["2021"]["toggle_url"]).json()
    assert chosen["total"] == 2
    chosen_years = {f["value"]: f for f in chosen["facets"]["year"]}
    assert chosen_years["2021"]["selected"]
    # OR inside a facet: the other years keep their counts and add to the selection.
    both = client.get(chosen_years["2022"]["toggle_url"]).json()
    assert both["total"] == 3
    # AND across facets.
    people = {f["value"]: f for f in both["facets"]["person"]}
    assert people["Anatoly Sidorov"]["count"] == 2
    narrowed = client.get(people["Anatoly Sidorov"]["toggle_url"]).json()
    assert narrowed["total"] == 2
    assert {f["value"]: f["count"] for f in narrowed["facets"]["year"]}["2021"] == 1
    # Toggling a selected value removes it.
    undone = client.get({f["value"]: f for f in narrowed["facets"]["year"]}["2021"]
                        ["toggle_url"]).json()
    assert [f["value"] for f in undone["facets"]["year"] if f["selected"]] == ["2022"]


def test_date_range_and_sort(client: TestClient) -> None:
    assert api(client, **{"from": "2022-01-01", "to": "2022-12-31"})["total"] == 1
    assert api(client, **{"from": "2021"})["total"] == 4
    newest = [r["date"] for r in api(client, sort="newest")["results"]]
    assert newest == ["2023-05-05", "2022-04-28", "2021-03-10", "2021-01-16", None]
    oldest = [r["date"] for r in api(client, sort="oldest")["results"]]
    assert oldest == ["2021-01-16", "2021-03-10", "2022-04-28", "2023-05-05", None]


def test_paging(client: TestClient) -> None:
    first = api(client, q="", size=2)
    assert first["pages"] == 3 and len(first["results"]) == 2 and first["previous_url"] is None
    second = client.get(first["next_url"]).json()
    assert second["page"] == 2 and second["results"][0]["id"] not in {
        r["id"] for r in first["results"]}
    beyond = client.get("/search", params={"q": "staff", "page": "40"})
    assert beyond.status_code == 200 and "Go to the last page" in beyond.text
    assert api(client, q="staff", page=40)["results"] == []


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "abc"}, {"page": "¹"}, {"size": "1000"},
                                    {"sort": "random"}, {"year": "20x1"},
                                    {"from": "2021-13-01"}, {"from": "2023", "to": "2021"}])
def test_nonsense_parameters_are_400_with_a_message(client: TestClient,
                                                    params: dict[str, str]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert response.json()["error"]
    page = client.get("/search", params=params)
    assert page.status_code == 400 and "We could not read this search" in page.text


@pytest.mark.parametrize("query", ['"open quote', "(unbalanced", "colour:red", "AND OR"])
def test_bad_syntax_is_a_400_with_a_helpful_message(client: TestClient, query: str) -> None:
    response = client.get("/search", params={"q": query})
    assert response.status_code == 400
    assert "We could not read this search" in response.text
    assert client.get("/api/search", params={"q": query}).status_code == 400


def test_a_query_that_finds_nothing_shows_the_results_of_its_correction(
        client: TestClient) -> None:
    result = api(client, q="trainnigs")
    assert result["answered_query"] == "trainings" and result["corrected_from"] == "trainnigs"
    assert result["total"] == api(client, q="trainings")["total"] > 0
    page = client.get("/search", params={"q": "trainnigs"})
    assert "Showing results for" in page.text and "Search instead for" in page.text
    # The visitor can insist on the query as written: no results, and a "Did you mean".
    original = client.get(result["search_original_url"]).json()
    assert original["total"] == 0 and original["corrected_from"] is None
    assert original["suggestion"] == "trainings"
    page = client.get("/search", params={"q": "trainnigs", "exact": "1"})
    assert "Did you mean" in page.text and "q=trainings" in page.text


def test_snippets_mark_the_words_as_written(client: TestClient) -> None:
    (hit,) = api(client, q="trafficking")["results"]
    assert "<mark>trafficking</mark>" in hit["snippet"]
    # The query's stem matches; the snippet marks the word as the page spells it.
    snippets = [r["snippet"] for r in api(client, q="training")["results"]]
    assert any("<mark>trainings</mark>" in snippet for snippet in snippets)
    # A hit on the title alone shows the lead of the page.
    (title_only,) = api(client, q="title:statement")["results"]
    assert title_only["snippet"].startswith("The Secretariat expresses concern")


def test_everything_shown_is_escaped(client: TestClient) -> None:
    attack = "<script>alert(1)</script>"
    page = client.get("/search", params={"q": attack})
    assert attack not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    markup = client.get("/search", params={"q": "bold tags"})
    assert "<script>alert('pwned')</script>" not in markup.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in markup.text or "&lt;b&gt;<mark>bold" in markup.text
    (hit,) = api(client, q="bold tags")["results"]
    document = client.get(f"/doc/{hit['id']}", params={"q": "bold"})
    assert "<script>alert" not in document.text and "&lt;script&gt;" in document.text
    assert "<mark>bold</mark>" in document.text


def test_document_page(client: TestClient) -> None:
    (hit,) = api(client, q="Semerikov drug")["results"]
    page = client.get(f"/doc/{hit['id']}", params={"q": "drug"})
    assert page.status_code == 200
    assert "<mark>Drug</mark> trafficking" in page.text
    assert 'href="/person/Valery%20Semerikov"' in page.text
    talks = api(client, q="staff talks")["results"][0]
    similar = client.get(f"/doc/{talks['id']}").text
    assert "More like this" in similar and "Stanislav Zas visited the Joint Staff" in similar
    data = client.get(f"/api/doc/{hit['id']}").json()
    assert data["people"] == ["Valery Semerikov"] and data["date"] == "2021-03-10"
    assert data["sources"] == ["semerikov.txt"]
    for missing in ("/doc/nope", "/doc/..%2F..%2Fetc%2Fpasswd", "/api/doc/x" * 3):
        assert client.get(missing).status_code == 404


def test_home_feed_health_and_openapi(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and "Latest documents" in home.text
    assert "5 documents in the archive" in home.text
    feed = client.get("/search.atom", params={"q": "Joint Staff"})
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(feed.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2
    assert client.get("/healthz").json()["documents"] == 5
    spec = client.get("/api/openapi.json").json()
    assert "/api/search" in spec["paths"]


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    # Only our own script may run: nothing inline, nothing from elsewhere.
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_the_server_follows_a_new_generation(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(PAGES["zas.txt"], "utf-8")
    store = IndexStore(tmp_path / "index")
    build(raw, store)
    with TestClient(create_app(Settings(index_dir=store.root))) as test_client:
        assert test_client.get("/healthz").json()["documents"] == 1
        (raw / "b.txt").write_text(PAGES["semerikov.txt"], "utf-8")
        build(raw, store)
        deadline = time.monotonic() + 20  # opened and warmed in the background, then served
        while (health := test_client.get("/healthz").json())["documents"] != 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert health["generation"] == store.current_name()
    # Without warming, the very next request is answered from the new generation.
    (raw / "c.txt").write_text(PAGES["talks.txt"], "utf-8")
    settings = Settings(index_dir=store.root, warm=False)
    with TestClient(create_app(settings)) as test_client:
        assert test_client.get("/healthz").json()["documents"] == 2
        build(raw, store)
        assert test_client.get("/healthz").json()["documents"] == 3


def test_no_index_is_a_clear_503(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(index_dir=tmp_path / "none"))) as test_client:
        response = test_client.get("/search", params={"q": "x"})
        assert response.status_code == 503 and "csto-index build" in response.text


def test_the_timeline_counts_per_year_and_per_month_with_toggle_links(
        client: TestClient) -> None:
    result = api(client, q="Joint Staff")
    assert result["timeline_unit"] == "year"
    by_year = {bar["period"]: bar for bar in result["timeline"]}
    assert by_year["2021"]["count"] == 1 and by_year["2022"]["count"] == 1
    assert "year=2021" in by_year["2021"]["toggle_url"]
    months = api(client, q="Joint Staff", year="2021")
    assert months["timeline_unit"] == "month" and len(months["timeline"]) == 12
    assert {b["period"]: b["count"] for b in months["timeline"]}["2021-01"] == 1
    page = client.get("/search", params={"q": "Joint Staff"}).text
    assert "<svg" in page and "Matching documents per year" in page
    assert 'aria-label="2021: 1 document"' in page and "<table>" in page


def test_exports_stream_every_match_as_csv_and_json_lines(client: TestClient) -> None:
    import csv
    import io
    import json

    response = client.get("/search.csv", params={"q": "trainings"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        'attachment; filename="csto-search-trainings.csv"; '
        "filename*=UTF-8''csto-search-trainings.csv")
    assert response.headers["x-export-cap"] == "10000"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["title", "date", "people", "type", "states", "url", "doc_url", "id"]
    assert len(rows) - 1 == int(response.headers["x-total-count"]) == api(
        client, q="trainings")["total"]
    assert response.text.endswith("\r\n")
    lines = client.get("/search.jsonl", params={"q": "trainings", "year": "2022"}).text
    records = [json.loads(line) for line in lines.splitlines()]
    assert len(records) == 1 and records[0]["body"].startswith("From April 26 to 28")
    page = client.get("/search", params={"q": "trainings"}).text
    assert "Download these results" in page and "/search.csv?q=trainings" in page
    # Any language's words in the file name, with an ASCII name beside them.
    for query, ascii_name, name in (
            ("безопасность", "csto-search-search.csv",
             "csto-search-%D0%B1%D0%B5%D0%B7%D0%BE%D0%BF%D0%B0%D1%81%D0%BD%D0%BE%D1%81%D1%82%D1%8C"
             ".csv"),
            ("ОДКБ CSTO", "csto-search-csto.csv", "csto-search-%D0%BE%D0%B4%D0%BA%D0%B1-csto.csv"),
            ("安全", "csto-search-search.csv", "csto-search-%E5%AE%89%E5%85%A8.csv")):
        exported = client.get("/search.csv", params={"q": query})
        assert exported.status_code == 200, query
        disposition = exported.headers["content-disposition"]
        assert f'filename="{ascii_name}"' in disposition
        assert f"filename*=UTF-8''{name}" in disposition


def test_csv_cells_cannot_run_as_spreadsheet_formulas() -> None:
    from search_app.exports import spreadsheet_safe

    assert spreadsheet_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert spreadsheet_safe("+1") == "'+1" and spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("The Council met") == "The Council met"


def test_a_page_per_official_with_years_companions_and_latest_documents(
        client: TestClient) -> None:
    person = client.get("/api/person/Anatoly Sidorov").json()
    assert person["documents"] == 2 and person["role"].startswith("Chief of the CSTO Joint")
    assert [y["year"] for y in person["per_year"]] == ["2021", "2022"]
    assert {"name": "Stanislav Zas", "count": 1,
            "person_url": "/person/Stanislav%20Zas"} in person["named_with"]
    assert person["latest"][0]["title"].startswith("The CSTO Joint Staff")
    page = client.get("/person/Anatoly Sidorov")
    assert page.status_code == 200 and "Most often named with" in page.text
    assert 'href="/person/Stanislav%20Zas"' in page.text and "<svg" in page.text
    # Officials on result and document pages link to their pages.
    assert 'href="/person/Anatoly%20Sidorov"' in client.get(
        "/search", params={"q": "staff talks"}).text
    missing = client.get("/person/<script>alert(1)</script>")
    assert missing.status_code == 404 and "<script>alert(1)" not in missing.text
    assert "Search the archive for" in missing.text
    assert client.get("/api/person/Nobody Atall").status_code == 404


def test_suggestions_complete_officials_titles_and_words(client: TestClient) -> None:
    result = client.get("/api/suggest", params={"q": "Semer"}).json()
    kinds = {(s["kind"], s["text"]) for s in result["suggestions"]}
    assert ("official", "Valery Semerikov") in kinds
    official = next(s for s in result["suggestions"] if s["kind"] == "official")
    assert official["url"] == "/person/Valery%20Semerikov"
    titles = client.get("/api/suggest", params={"q": "staff tal"}).json()["suggestions"]
    assert any(s["kind"] == "title" and s["url"].startswith("/doc/") for s in titles)
    assert any(s["kind"] == "word" and s["text"] == "staff talks" for s in titles)
    assert client.get("/api/suggest", params={"q": "s"}).json()["suggestions"] == []
    assert client.get("/api/suggest", params={"q": "x" * 101}).status_code == 400


def test_any_case_or_spelling_of_an_official_reaches_their_page(client: TestClient) -> None:
    for written in ("anatoly sidorov", "ANATOLY SIDOROV", "Sidorov", "A. Sidorov"):
        response = client.get(f"/person/{written}", follow_redirects=False)
        assert response.status_code == 301, written
        assert response.headers["location"] == "/person/Anatoly%20Sidorov"
    api = client.get("/api/person/anatoly sidorov", follow_redirects=False)
    assert api.headers["location"] == "/api/person/Anatoly%20Sidorov"
    assert client.get("/person/sidorov").status_code == 200  # followed
    assert client.get("/person/Nobody Atall", follow_redirects=False).status_code == 404


def test_a_slash_too_many_is_redirected_to_a_relative_address(client: TestClient) -> None:
    response = client.get("/search/?q=Joint+Staff", headers={"host": "evil.example"},
                          follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/search?q=Joint+Staff"
    assert client.get("/api/search/", params={"q": "x"}).status_code == 200  # followed
    assert client.get("/nowhere/", follow_redirects=False).status_code == 404


def test_a_long_unknown_name_is_not_echoed_at_length(client: TestClient) -> None:
    name = "A" * 60_000
    response = client.get(f"/person/{name}")
    assert response.status_code == 404 and len(response.content) < 20_000
    assert "A" * 100 + "…" in response.text and "A" * 101 not in response.text

"""Facets declared once (`indexer.facets`): the document type and the member states read
from the documents, and every facet counted, filtered, described and exported alike."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from indexer.building import builder
from indexer.document import CleanDocument
from indexer.facets import FACETS, states_of, type_of
from indexer.store import IndexStore
from search_app.app import create_app
from search_app.settings import Settings
from tests.conftest import SIDEBAR_B, article, indexed

SITE = "https://en.odkb-csto.org"
PAGES = {
    "statement.txt": (f"{SITE}/documents/statements/zayavlenie-ministrov/", article(
        "Statement by the Ministers for Foreign Affairs of the CSTO member states", "12.05.2022",
        "The Ministers of Armenia, Belarus, Kazakhstan, the Kyrgyz Republic, the Russian "
        "Federation and Tajikistan state their position on the Tajik-Afghan border.")),
    "speech.txt": (f"{SITE}/news/speech/vystuplenie/", article(
        "Statement of the CSTO Secretary General at the round table", "01.03.2021",
        "Stanislav Zas spoke on cooperation with the Republic of Belarus.")),
    "interview.txt": (f"{SITE}/news/news_odkb/intervyu/", article(
        "Interview of the CSTO Secretary General to the TASS agency", "03.04.2023",
        "Stanislav Zas answered questions on KAZAKHSTAN and on Uzbekistan.",
        sidebar=SIDEBAR_B)),
    "news.txt": (f"{SITE}/news/news_odkb/sostoyalis-ucheniya/", article(
        "The CSTO Joint Staff held staff talks on joint trainings", "28.04.2022",
        "Colonel General Anatoly Sidorov opened the staff talks in Minsk with Belarusian "
        "and Russian officers.")),
    "decision.txt": (None, article(
        "Decision on the Collective Rapid Reaction Forces", "15.06.2021",
        "The Collective Security Council decided on the forces of Kyrgyzstan.")),
}


def document(**fields: object) -> CleanDocument:
    base = CleanDocument(source="a.txt", title="A meeting took place", date=date(2022, 1, 1),
                         people=(), body="Text.")
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("url", "title", "listing", "expected"), [
    (f"{SITE}/documents/statements/x/", "On the situation", False, "statement"),
    (f"{SITE}/documents/documents/charter/", "", False, "document"),
    (f"{SITE}/news/speech/x/", "Statement of the Secretary General", False, "speech"),
    (f"{SITE}/news/news_odkb/x/", "Interview of the Secretary General to TASS", False,
     "interview"),
    (f"{SITE}/news/news_odkb/x/", "The CSTO in focus - Interview with T. Masadykov", False,
     "interview"),
    (f"{SITE}/news/news_odkb/x/", "Speech by the Deputy Secretary General", False, "speech"),
    (f"{SITE}/news/news_odkb/x/", "DECLARATION of the Collective Security Council", False,
     "statement"),
    (f"{SITE}/news/news_odkb/x/", "Joint Statement of the Secretaries-General", False,
     "statement"),
    (None, "Agreement on the status of the forces", False, "document"),
    (f"{SITE}/news/news_odkb/x/", "The Secretary General made a statement in Minsk", False,
     "news"),
    (f"{SITE}/news/news_odkb/?PAGEN_1=2", "", True, "section"),
    (f"{SITE}/news/statements-by-x/", "", False, "news"),  # a page named so is no section
])
def test_the_document_type_follows_the_sites_sections_then_the_title(
        url: str | None, title: str, listing: bool, expected: str) -> None:
    assert type_of(document(url=url, title=title, listing=listing)) == (expected,)


def test_states_are_named_in_any_form_members_first() -> None:
    text = ("Delegations of the KYRGYZ REPUBLIC, the Russian Federation and Afghanistan met "
            "on the Tajik-Afghan border with Belorussian and U.S. observers; Armenians, "
            "ArmeniaX and belarus are not names of states.")
    assert states_of(document(title="", body=text)) == (
        "Belarus", "Kyrgyzstan", "Russia", "Tajikistan", "Afghanistan", "United States")
    assert states_of(document(title="Talks in Astana", body="")) == ()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("index")
    indexed({name: text for name, (_, text) in PAGES.items()}, tmp_path_factory.mktemp("raw"),
            root, urls={name: url for name, (url, _) in PAGES.items() if url})
    with TestClient(create_app(Settings(index_dir=root, warm=False))) as test_client:
        yield test_client


def facet_counts(client: TestClient, **params: object) -> dict[str, dict[str, int]]:
    response = client.get("/api/search", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return {name: {value["value"]: value["count"] for value in values}
            for name, values in response.json()["facets"].items()}


def test_every_facet_is_counted_and_filtered_by_its_declaration(client: TestClient) -> None:
    counts = facet_counts(client)
    assert list(counts) == [facet.name for facet in FACETS]
    assert counts["type"] == {"news": 1, "statement": 1, "speech": 1, "interview": 1,
                              "document": 1}
    # Members first, each the most frequent first.
    assert list(counts["state"])[:6] == ["Belarus", "Kazakhstan", "Kyrgyzstan", "Russia",
                                         "Armenia", "Tajikistan"]
    assert counts["state"]["Uzbekistan"] == 1  # a state beyond the members, after them
    labels = {v["value"]: v["label"] for v in client.get("/api/search").json()["facets"]["type"]}
    assert labels["speech"] == "Speech" and labels["document"] == "Document"


def test_each_facet_is_counted_under_the_other_facets_selections(client: TestClient) -> None:
    """Values of one facet are OR-ed, facets AND-ed; a facet's counts follow every
    selection but its own, for any number of facets."""
    selection = {"type": ["statement", "news"], "state": "Belarus", "year": "2022"}
    counts = facet_counts(client, **selection)
    for name, values in counts.items():
        others = {key: value for key, value in selection.items() if key != name}
        for value, count in values.items():
            total = client.get("/api/search", params={**others, name: value}).json()["total"]
            assert count == total, (name, value)
    assert client.get("/api/search", params=selection).json()["total"] == 2


def test_a_value_that_no_facet_takes_is_a_clear_400(client: TestClient) -> None:
    response = client.get("/search", params={"type": "pamphlet"})
    assert response.status_code == 400
    assert "must be one of news, statement" in response.text
    assert client.get("/api/search", params={"state": "x" * 300}).status_code == 400


def test_the_openapi_description_and_the_page_follow_the_facets(client: TestClient) -> None:
    parameters = {p["name"]: p for p in client.get("/api/openapi.json").json()[
        "paths"]["/api/search"]["get"]["parameters"]}
    assert all(facet.name in parameters for facet in FACETS)
    assert "statement" in parameters["type"]["schema"]["items"]["pattern"]
    page = client.get("/search", params={"type": "statement"}).text
    assert "Document type" in page and "State" in page and "Any document type" in page
    assert "Clear all filters" in page


def test_exports_carry_each_exported_facet(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv").text)))
    assert list(rows[0]) == ["title", "date", "people", "type", "states", "url", "doc_url",
                             "id"]
    statement = next(row for row in rows if row["type"] == "statement")
    assert statement["states"].split("; ")[:2] == ["Armenia", "Belarus"]
    lines = [json.loads(line) for line in client.get("/search.jsonl").text.splitlines()]
    assert all(isinstance(line["states"], list) and line["type"] for line in lines)


def test_a_persons_page_counts_their_documents_by_the_other_facets(client: TestClient) -> None:
    person = client.get("/api/person/Stanislav Zas").json()
    assert {c["value"]: c["count"] for c in person["facets"]["type"]} == {"speech": 1,
                                                                          "interview": 1}
    kinds = person["facets"]["type"]
    assert kinds[0]["search_url"].startswith("/search?person=Stanislav+Zas&type=")
    page = client.get("/person/Stanislav Zas").text
    assert "Document type" in page and 'href="/search?person=Stanislav+Zas&amp;type=' in page


def test_the_timeline_follows_the_facet_selections(client: TestClient) -> None:
    timeline = client.get("/api/search", params={"type": "statement"}).json()["timeline"]
    assert {bar["period"]: bar["count"] for bar in timeline if bar["count"]} == {"2022": 1}


def test_other_facet_values_make_an_update_write_every_document_anew(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "news.txt").write_text(PAGES["news.txt"][1], "utf-8")
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    assert builder.update(raw, store).up_to_date
    monkeypatch.setattr(builder, "facets_version", lambda: "another way to read them")
    report = builder.update(raw, store)
    assert not report.up_to_date and "facets" in report.warnings[0]
    assert store.state()["facets"] == "another way to read them"

"""What a visitor reads is right (issue 22): text as a reader sees it, one date format,
undated documents said so, a feed that invents no date."""

from __future__ import annotations

import re
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
from tests.conftest import SIDEBAR_A, SIDEBAR_B, article, indexed, page_text

PAGES = {
    "glued.txt": page_text(
        SIDEBAR_A, "The Coordination Council met in Minsk",
        "03.12.2024On 3 December 2024, the 27th meeting of the Coordination Council was held "
        "in Minsk.", "DSC_8507.JPGThe participants discussed the border.", "Card image cap",
        "The next meeting will be held in Astana.", "Go back"),
    "dated.txt": article("The Council met in Moscow", "09.02.2022",
                         "On 9 February 2022, the Council met in Moscow.", sidebar=SIDEBAR_B),
    "undated.txt": page_text(
        SIDEBAR_B, "Statement of the Secretariat on the border",
        "The Secretariat expresses concern over the situation on the border.", "Go back"),
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("index")
    indexed(PAGES, tmp_path_factory.mktemp("raw"), root)
    return root


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(index_dir=index_dir))) as test_client:
        yield test_client


def test_snippets_and_text_leave_out_file_names_placeholders_and_glued_dates(
        client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "participants border"}).json()["results"][0]
    assert "DSC_8507" not in hit["snippet"] and "Card image" not in hit["snippet"]
    lead = client.get("/api/search", params={"q": "Coordination Council Minsk"}).json()
    assert not lead["results"][0]["snippet"].startswith("03.12.2024")
    page = client.get(f"/doc/{hit['id']}").text
    assert '<p class="dateline">03.12.2024</p>' in page
    assert "<p>On 3 December 2024, the 27th meeting" in page
    assert "DSC_8507" not in page and "Card image cap" not in page
    assert "03.12.2024On" not in page


def test_one_date_format_for_people_in_every_list(client: TestClient) -> None:
    pages = [client.get("/search", params={"q": "Council"}).text, client.get("/").text]
    dated = client.get("/api/search", params={"q": "Moscow"}).json()["results"][0]
    pages.append(client.get(f"/doc/{dated['id']}").text)
    shown = [re.findall(r'<time datetime="[\d-]+">([^<]+)</time>', page) for page in pages]
    assert all(shown) and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", text)
                              for dates in shown for text in dates)
    assert "9 February 2022" in shown[0]
    assert dated["date"] == "2022-02-09"  # ISO in the API


def test_documents_without_a_date_are_counted_and_can_be_chosen(client: TestClient) -> None:
    result = client.get("/api/search", params={"q": ""}).json()
    years = result["facets"]["year"]
    assert years[-1]["label"] == "No date" and years[-1]["count"] == 1
    assert sum(year["count"] for year in years) == result["total"]
    page = client.get("/search").text
    assert "No date" in page and "None." not in page


def test_a_feed_says_when_an_undated_document_was_first_indexed(
        client: TestClient, index_dir: Path) -> None:
    feed = ElementTree.fromstring(client.get("/search.atom", params={"q": "border"}).text)
    atom = "{http://www.w3.org/2005/Atom}"
    stamps = [entry.findtext(f"{atom}updated") for entry in feed.iter(f"{atom}entry")]
    assert stamps and not any(stamp.startswith("2000") for stamp in stamps)
    first_seen = IndexStore(index_dir).state()["first_seen"]
    assert set(first_seen.values()) & set(stamps)
    assert feed.findtext(f"{atom}updated") == max(stamps)


def test_a_rebuild_keeps_when_each_document_was_first_indexed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "undated.txt").write_text(PAGES["undated.txt"], "utf-8")
    store = IndexStore(tmp_path / "index")
    build(raw, store)
    first = store.state()["first_seen"]
    time.sleep(1.1)
    (raw / "dated.txt").write_text(PAGES["dated.txt"], "utf-8")
    build(raw, store)
    second = store.state()["first_seen"]
    assert second.items() > first.items() and len(second) == 2

"""Citations: the meta tags reference managers read from a document's page (Highwire Press
`citation_*`, which Zotero's Embedded Metadata translator reads first, and Dublin Core),
the "Cite" box, and RIS and BibTeX records of a document and of any search."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from search_app.app import create_app
from search_app.settings import Settings
from tests.conftest import article, indexed

SITE = "https://en.odkb-csto.org"
HOSTILE_TITLE = 'Talks on "drugs" & 100% <b>safety</b> {of} the_border #2 \\ ~^'
PAGES = {
    "statement.txt": (f"{SITE}/documents/statements/zayavlenie/", article(
        "Statement by the Ministers for Foreign Affairs of the CSTO member states", "12.05.2022",
        "The Ministers of Armenia and Belarus state their position.",
        "Stanislav Zas welcomed the statement.")),
    "hostile.txt": (f"{SITE}/news/news_odkb/x?a=1&b={{2}}#part", article(
        HOSTILE_TITLE, "03.04.2023", "Stanislav Zas discussed the border with Tajikistan.")),
    "nourl.txt": (None, article(
        "The CSTO Joint Staff held staff talks", "", "Staff talks took place in Minsk.")),
}
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - .*$")
BASE_URL = "https://search.example.org"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("index")
    indexed({name: text for name, (_, text) in PAGES.items()}, tmp_path_factory.mktemp("raw"),
            root, urls={name: url for name, (url, _) in PAGES.items() if url})
    with TestClient(create_app(Settings(index_dir=root, warm=False,
                                        base_url=BASE_URL))) as test_client:
        yield test_client


def document_id(client: TestClient, words: str) -> str:
    return str(client.get("/api/search", params={"q": words}).json()["results"][0]["id"])


def meta_tags(html: str) -> list[tuple[str, str]]:
    head = BeautifulSoup(html, "html.parser").head
    assert head is not None
    return [(str(tag["name"]), str(tag["content"])) for tag in head.find_all("meta")
            if tag.get("name") and tag["name"] != "viewport"]


def test_a_document_page_carries_the_tags_reference_managers_read(client: TestClient) -> None:
    doc_id = document_id(client, "ministers foreign affairs statement")
    tags = meta_tags(client.get(f"/doc/{doc_id}").text)
    by_name = dict(tags)
    # Highwire Press: what Google Scholar requires and Zotero reads first.
    assert by_name["citation_title"] == ("Statement by the Ministers for Foreign Affairs of "
                                         "the CSTO member states")
    assert by_name["citation_author"] == "Collective Security Treaty Organization"
    assert by_name["citation_publication_date"] == "2022/05/12"  # YYYY/MM/DD
    assert by_name["citation_public_url"] == f"{SITE}/documents/statements/zayavlenie/"
    # Dublin Core, Zotero's fallback: an ISO date, the source, the archived copy.
    assert by_name["DC.date"] == "2022-05-12" and by_name["DC.creator"] == by_name[
        "citation_author"]
    assert by_name["DC.identifier"] == by_name["citation_public_url"]
    assert by_name["DC.source"] == f"{BASE_URL}/doc/{doc_id}"
    assert len({name for name, _ in tags}) == len(tags)  # each tag once


def test_the_cite_box_gives_a_reference_with_the_source_and_the_archived_date(
        client: TestClient) -> None:
    doc_id = document_id(client, "ministers foreign affairs statement")
    soup = BeautifulSoup(client.get(f"/doc/{doc_id}").text, "html.parser")
    reference = soup.select_one("section.cite p.reference")
    assert reference is not None
    text = reference.get_text()
    assert text.startswith("Collective Security Treaty Organization. “Statement by the ")
    assert "Statement, 12 May 2022." in text and f"{SITE}/documents/statements/zayavlenie/" in text
    assert re.search(r"Archived \d{1,2} \w+ 20\d\d by CSTO archive search: "
                     rf"{BASE_URL}/doc/{doc_id}\.$", text)
    links = [a["href"] for a in soup.select("section.cite a")]
    assert links == [f"/cite/{doc_id}.ris", f"/cite/{doc_id}.bib"]


def test_a_page_without_a_known_source_cites_the_archived_copy(client: TestClient) -> None:
    doc_id = document_id(client, "staff talks Minsk")
    by_name = dict(meta_tags(client.get(f"/doc/{doc_id}").text))
    assert by_name["citation_public_url"] == f"{BASE_URL}/doc/{doc_id}"
    assert "citation_publication_date" not in by_name and "DC.source" not in by_name


def test_a_hostile_title_is_escaped_in_the_tags_and_kept_whole(client: TestClient) -> None:
    doc_id = document_id(client, "border Tajikistan")
    html = client.get(f"/doc/{doc_id}").text
    assert "<b>safety</b>" not in html
    assert dict(meta_tags(html))["citation_title"] == HOSTILE_TITLE


def ris_records(text: str) -> list[dict[str, list[str]]]:
    assert "\n" not in text.replace("\r\n", "")  # CRLF line ends only
    records, current = [], None
    for line in text.split("\r\n"):
        if not line:
            continue
        assert RIS_LINE.match(line), line
        tag, value = line[:2], line[6:]
        if tag == "TY":
            assert current is None  # TY opens a record
            current = {}
        assert current is not None
        current.setdefault(tag, []).append(value)
        if tag == "ER":
            records.append(current)
            current = None
    assert current is None  # every record closed by ER
    return records


def test_a_documents_ris_record_follows_the_spec(client: TestClient) -> None:
    doc_id = document_id(client, "border Tajikistan")
    response = client.get(f"/cite/{doc_id}.ris")
    assert response.headers["content-type"].startswith("application/x-research-info-systems")
    (record,) = ris_records(response.text)
    assert record["TY"] == ["ELEC"] and record["TI"] == [HOSTILE_TITLE]
    assert record["AU"] == ["Collective Security Treaty Organization"]
    assert record["PY"] == ["2023"] and record["DA"] == ["2023/04/03"]
    assert record["UR"] == [f"{SITE}/news/news_odkb/x?a=1&b={{2}}#part"]
    assert re.fullmatch(r"20\d\d/\d\d/\d\d", record["Y2"][0])  # when it was archived
    assert set(record["KW"]) == {"Stanislav Zas", "Tajikistan"}


def bibtex_entries(text: str) -> list[dict[str, str]]:
    """The entries of a BibTeX file, each field's value with its outer braces removed;
    braces must pair up inside every value, and nothing may stand between entries."""
    entries = []
    for chunk in filter(None, text.split("\n\n")):
        header, *lines, end = chunk.strip("\n").split("\n")
        assert re.fullmatch(r"@misc\{csto-[0-9a-f]+,", header) and end == "}"
        fields = {"key": header[6:-1]}
        for line in lines:
            match = re.fullmatch(r"  ([a-z]+) = \{(.*)\},?", line)
            assert match, line
            depth = 0
            for position, char in enumerate(match[2]):
                escaped = position and match[2][position - 1] == "\\"
                depth += 0 if escaped else {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, line
            assert depth == 0, line
            fields[match[1]] = match[2]
        entries.append(fields)
    return entries


def test_a_documents_bibtex_entry_escapes_what_tex_would_read(client: TestClient) -> None:
    doc_id = document_id(client, "border Tajikistan")
    response = client.get(f"/cite/{doc_id}.bib")
    assert response.headers["content-type"].startswith("application/x-bibtex")
    (entry,) = bibtex_entries(response.text)
    assert entry["key"] == f"csto-{doc_id}"
    assert entry["author"] == "{Collective Security Treaty Organization}"  # one corporate name
    assert entry["title"] == ("{Talks on \"drugs\" \\& 100\\% <b>safety</b> \\{of\\} "
                              "the\\_border \\#2 \\textbackslash{} \\textasciitilde{}"
                              "\\textasciicircum{}}")
    assert entry["date"] == "2023-04-03" and entry["year"] == "2023"
    assert entry["url"] == f"{SITE}/news/news_odkb/x?a=1&b=%7B2%7D#part"  # verbatim field
    assert entry["howpublished"] == ("\\url{" + SITE + "/news/news_odkb/x?a=1&b=\\%7B2\\%7D"
                                     "\\#part}")


def test_any_search_exports_as_ris_and_bibtex(client: TestClient) -> None:
    total = client.get("/api/search", params={"q": "Stanislav Zas"}).json()["total"]
    assert total == 2
    ris = client.get("/search.ris", params={"q": "Stanislav Zas"})
    assert len(ris_records(ris.text)) == total
    assert 'filename="csto-search-stanislav-zas.ris"' in ris.headers["content-disposition"]
    bib = client.get("/search.bib", params={"q": "Stanislav Zas"})
    entries = bibtex_entries(bib.text)
    assert len(entries) == total and len({entry["key"] for entry in entries}) == total
    page = client.get("/search", params={"q": "Stanislav Zas"}).text
    assert "/search.ris?q=Stanislav+Zas" in page and "/search.bib?q=Stanislav+Zas" in page
    assert client.get("/cite/nothing.ris").status_code == 404

"""A real uvicorn server over an index built from raw/, used through real headless Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from tests.servers import build_index, running_server

CHROMIUM = Path("/usr/bin/chromium")
# As root in a sandboxed machine with no outside network: no sandbox, no background traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("no browser at /usr/bin/chromium: `make test` installs Debian's chromium; "
                "it could not be installed here", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    raw = tmp_path_factory.mktemp("raw")
    for page in SEEDS.glob("*.txt"):
        shutil.copy(page, raw / page.name)
    (raw / "xss.html").write_text(
        "<html><head><title>x</title></head><body><h1>Hostile <img src=x onerror=alert(1)>"
        " page about Semerikov</h1><p>Valery Semerikov <script>alert(2)</script>met "
        "<a href='javascript:alert(3)'>people</a>.</p></body></html>", "utf-8")
    index_dir = tmp_path_factory.mktemp("index")
    build_index(raw, index_dir)
    with running_server(index_dir) as base:
        yield base


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        tab.dialogs = dialogs  # type: ignore[attr-defined]
        yield tab
        browser.close()


def test_search_click_a_year_and_read_the_marked_snippet(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    assert page.locator("h1").first.inner_text() == "Latest documents"
    page.get_by_label("Search the press releases").fill("Semerikov")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Semerikov*")
    summary = page.locator(".summary").inner_text()
    assert summary.startswith("4 documents found")
    year = page.locator(".facet li a", has_text="2019")
    assert year.locator(".count").inner_text() == "1"
    year.click()
    page.wait_for_url("**year=2019*")
    assert page.locator(".summary").inner_text().startswith("1 document found")
    assert page.locator(".facet li.selected .label").inner_text() == "2019"
    marks = page.locator(".hit .snippet mark").all_inner_texts()
    assert "Semerikov" in marks
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    assert (tmp_path / "search.png").stat().st_size > 10_000
    # Keyboard: the search box is reachable and focus is visible.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") in {"A", "INPUT"}


def test_no_script_from_a_page_or_a_query_runs(server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/search?q=" + "%3Cscript%3Ealert(9)%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx"
              "%20onerror%3Dalert(8)%3E")
    page.goto(server + "/search?q=hostile")
    link = page.locator(".hit h3 a").first
    link.click()
    page.wait_for_load_state()
    assert page.dialogs == []
    # The only script is our own file; nothing from the page or the query.
    assert page.locator("script").count() == 1
    assert page.locator("script").get_attribute("src") == "/static/suggest.js"
    assert page.locator("img").count() == 0
    assert page.locator("h1").inner_text() == "Hostile page about Semerikov"


def test_phone_width_is_readable(server: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 380, "height": 800})
        tab.goto(server + "/search?q=Semerikov")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 380
        tab.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        browser.close()


def test_search_as_you_type_with_the_keyboard(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    box = page.get_by_role("combobox", name="Search the press releases")
    box.press_sequentially("Semer", delay=60)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert any("Valery Semerikov" in text for text in options.all_inner_texts())
    page.screenshot(path=str(tmp_path / "suggest.png"))
    box.press("Escape")
    listbox.wait_for(state="hidden")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Backspace")  # typing again opens the list again
    listbox.wait_for(state="visible")
    box.press("ArrowDown")
    first = options.first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("Enter")
    page.wait_for_url("**/person/**")
    assert page.locator("h1").inner_text() == "Valery Semerikov"
    assert page.dialogs == []


def test_without_javascript_the_search_works_the_same(server: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_context(java_script_enabled=False).new_page()
        tab.goto(server + "/")
        box = tab.get_by_label("Search the press releases")
        box.fill("Semerikov")
        box.press("Enter")
        tab.wait_for_url("**/search?q=Semerikov*")
        assert tab.locator(".summary").inner_text().startswith("4 documents found")
        assert tab.locator("#suggestions").count() == 0
        browser.close()


def test_person_page_and_timeline_in_the_browser(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/search?q=Semerikov")
    chart = page.locator("figure.timeline svg")
    assert chart.is_visible()
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    bar = page.locator('figure.timeline a[aria-label^="2019:"]')
    bar.click()
    page.wait_for_url("**year=2019*")
    assert page.locator(".summary").inner_text().startswith("1 document found")
    assert page.locator("figure.timeline figcaption").inner_text().startswith(
        "Matching documents per month")
    page.locator(".hit .meta a", has_text="Valery Semerikov").first.click()
    page.wait_for_url("**/person/**")
    assert page.locator("h1").inner_text() == "Valery Semerikov"
    assert "Deputy Secretary General" in page.locator(".meta").first.inner_text()
    assert page.locator("figure.timeline svg rect.bar").count() >= 1
    page.screenshot(path=str(tmp_path / "person.png"), full_page=True)
    assert (tmp_path / "person.png").stat().st_size > 10_000
    assert page.dialogs == []


def test_two_facets_chosen_by_clicks_and_a_document_cited(server: str, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/search?q=CSTO")
    states = page.locator('section.facet[aria-labelledby="facet-state"]')
    states.locator("a", has_text="Belarus").click()
    page.wait_for_url("**state=Belarus*")
    with_belarus = int(page.locator(".summary").inner_text().split()[0])
    page.locator('section.facet[aria-labelledby="facet-type"] a', has_text="News").click()
    page.wait_for_url("**type=news*")
    assert "state=Belarus" in page.url
    assert int(page.locator(".summary").inner_text().split()[0]) <= with_belarus
    assert page.locator(".facet li.selected").count() == 2
    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/doc/**")
    # What a reference manager's browser connector reads: the page's own tags.
    tags = page.evaluate("Object.fromEntries([...document.querySelectorAll('meta[name]')]"
                         ".map(m => [m.name, m.content]))")
    assert tags["citation_title"] == page.locator("h1").inner_text()
    assert tags["citation_author"] == "Collective Security Treaty Organization"
    assert page.locator("section.cite .reference").inner_text().startswith(
        "Collective Security Treaty Organization. “")
    assert page.dialogs == []

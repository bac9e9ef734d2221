"""Stage 6: one document per page, whatever the number of saved copies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from indexer.cleaning.dedupe import Copy, canonical_url, group_copies, merge_group
from indexer.document import CleanDocument


def merge_duplicates(documents: list[CleanDocument]) -> list[CleanDocument]:
    groups = group_copies([Copy.of(d.url, d.title, d.date, d.body) for d in documents])
    return [merge_group([documents[number] for number in group]) for group in groups]


def doc(source: str, body: str, title: str | None = "A title", url: str | None = None,
        people: tuple[str, ...] = ()) -> CleanDocument:
    return CleanDocument(source=source, title=title, date=date(2022, 1, 1), people=people,
                         body=body, url=url)


def test_cms_query_parameters_do_not_make_another_page() -> None:
    base = "https://en.odkb-csto.org/news/news_odkb/item/"
    assert canonical_url(base + "?bxajaxid=abc123") == canonical_url(base)
    assert canonical_url("https://EN.odkb-csto.org/news/news_odkb/item") == canonical_url(base)
    assert canonical_url(base + "?ELEMENT_ID=5") != canonical_url(base)


def test_url_variants_become_one_document() -> None:
    merged = merge_duplicates([
        doc("a.txt", "Body one.", url="https://en.odkb-csto.org/n/x/"),
        doc("b.txt", "Body one, seen on another day.", title="Other",
            url="https://en.odkb-csto.org/n/x/?bxajaxid=9f"),
    ])
    assert len(merged) == 1
    assert merged[0].sources == ("b.txt", "a.txt")


def test_same_article_with_different_sidebars_and_a_cut_copy() -> None:
    full = doc("full.txt", "On 20 February the meeting was held. It was long.",
               people=("Sergei Shoigu", "Imangali Tasmagambetov"))
    cut = doc("cut.txt", "On 20 February the meeting", people=("Sergei Shoigu",),
              url="https://en.odkb-csto.org/n/y/")
    other = doc("other.txt", "A different article altogether.")
    merged = merge_duplicates([cut, other, full])
    assert [d.source for d in merged] == ["full.txt", "other.txt"]
    keeper = merged[0]
    assert keeper.duplicates == ("cut.txt",)
    assert keeper.url == "https://en.odkb-csto.org/n/y/"
    assert keeper.people == ("Sergei Shoigu", "Imangali Tasmagambetov")


def test_untitled_pages_merge_only_on_the_same_text() -> None:
    merged = merge_duplicates([doc("a.txt", "Text one.", title=None),
                               doc("b.txt", "Text two.", title=None),
                               doc("c.txt", "Text one.", title=None)])
    assert sorted(d.sources for d in merged) == [("a.txt", "c.txt"), ("b.txt",)]


def test_the_head_of_a_body_is_the_head_of_its_key() -> None:
    from indexer.cleaning.blocks import block_key
    from indexer.cleaning.dedupe import BODY_PREFIX_CHARS, body_head

    for body in ("Short text.", "word " * 400, "«" * 1500 + " late words " * 30,
                 "A" * 1199 + "!!! b" + "c" * 500, "x. " * 400 + "Straße " * 50):
        assert body_head(body) == block_key(body)[:BODY_PREFIX_CHARS]


def test_a_copy_cut_inside_its_sidebar_gives_the_document_nothing() -> None:
    # The same address with a query string, saved on another day: only sidebar items, one
    # of which the cleaner took for text. It must not give the article its date or text.
    url = "https://en.odkb-csto.org/session/2022/meeting-of-the-leaders/"
    article = CleanDocument(source="article.txt", title="Meeting of the leaders", date=None,
                            people=(), body="", url=url, cut=True)
    sidebar_only = CleanDocument(source="copy.txt", title=None, date=date(2025, 12, 3),
                                 people=("Andrei Serdyukov",),
                                 body="On December 3, 2025, the Working Group met.",
                                 url=url + "?sphrase_id=84259")
    (merged,) = merge_duplicates([sidebar_only, article])
    assert merged.title == "Meeting of the leaders"
    assert merged.date is None and merged.body == "" and merged.people == ()
    assert merged.sources == ("article.txt", "copy.txt")  # each once


def test_a_title_cut_short_is_completed_from_another_copy() -> None:
    url = "https://en.odkb-csto.org/n/z/"
    whole = doc("whole.txt", "Short.", title="The Council met in Minsk to adopt the plan",
                url=url)
    cut = doc("cut.txt", "The longer text of the same article, saved whole.",
              title="The Council met in Minsk to ado", url=url)
    (merged,) = merge_duplicates([whole, cut])
    assert merged.source == "cut.txt" and merged.title == whole.title
    assert merged.sources == ("cut.txt", "whole.txt")


def test_a_builds_counts_add_up_and_each_source_is_listed_once(tmp_path: Path) -> None:
    from indexer.building.builder import build
    from indexer.engine import stored_documents
    from indexer.store import IndexStore
    from tests.conftest import SIDEBAR_A, SIDEBAR_B, article, page_text

    url = "https://en.odkb-csto.org/session/2022/meeting-of-the-leaders-of-the-states/"
    raw = tmp_path / "raw"
    raw.mkdir()
    pages = {
        "article.txt": article("Meeting of the leaders of the member states", "05.12.2022",
                               "On 5 December 2022, the leaders met in Moscow."),
        "copy.txt": page_text(SIDEBAR_B, "On December 3, 2025, the Working Group on "
                              "Afghanistan met with the participation of the Secretariat."),
        "other.txt": article("The Council met", "01.02.2023",
                             "On 1 February 2023, the Council met in Minsk.", sidebar=SIDEBAR_B),
        "empty.txt": "",
    }
    for name, text in pages.items():
        (raw / name).write_text(text, "utf-8")
    (raw / "manifest.jsonl").write_text("\n".join(json.dumps(line) for line in [
        {"file": "article.txt", "url": url}, {"file": "copy.txt", "url": url + "?sphrase_id=1"},
    ]) + "\n", "utf-8")
    store = IndexStore(tmp_path / "index")
    report = build(raw, store)
    assert report.pages_read == report.documents + report.duplicates_merged + len(report.skipped)
    assert (report.documents, report.duplicates_merged, len(report.skipped)) == (2, 1, 1)
    current = store.current()
    assert current is not None
    merged = next(r for r in stored_documents(current) if r.get("url") == url)
    assert sorted(merged["sources"]) == ["article.txt", "copy.txt"]
    assert merged["date"] == date(2022, 12, 5) and "Afghanistan" not in merged["body"]
    assert SIDEBAR_A[1][:40] not in merged["body"]

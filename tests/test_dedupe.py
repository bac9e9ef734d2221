"""Stage 6: one document per page, whatever the number of saved copies."""

from __future__ import annotations

from datetime import date

from indexer.dedupe import Copy, canonical_url, group_copies, merge_group
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
    from indexer.blocks import block_key
    from indexer.dedupe import BODY_PREFIX_CHARS, body_head

    for body in ("Short text.", "word " * 400, "«" * 1500 + " late words " * 30,
                 "A" * 1199 + "!!! b" + "c" * 500, "x. " * 400 + "Straße " * 50):
        assert body_head(body) == block_key(body)[:BODY_PREFIX_CHARS]

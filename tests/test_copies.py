"""Saved copies of one page: counted once per article, and where their article starts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from indexer.building.corpus import clean_corpus
from indexer.cleaning.blocks import split_blocks
from indexer.cleaning.boilerplate import CorpusBlocks, PageFacts, shape_of
from indexer.cleaning.dedupe import article_starts
from indexer.cleaning.loading import RawPage
from indexer.cleaning.pages import page_identity
from indexer.cleaning.structure import Layout, find_layout
from tests.conftest import FOOTER, article, page_text

ADDRESS = "https://en.odkb-csto.org/news/news_odkb/22-ya-godovshchina/"
LEAD = ("28 April is the Day of Establishment of the Joint Staff of the Collective Security "
        "Treaty Organization. We recall that on 28 April 2003 in the city of Dushanbe, the "
        "Council of Defense Ministers decided to establish the Joint Staff.")
# The latest-news list of the days after the article came out: it lists the article's lead.
LIST_WITH_THE_LEAD = (
    "On April 25, 2025 in the Academy of Management of the Ministry of Internal Affairs of "
    "Russia took place a solemn graduation of the senior staff of the CSTO member states.",
    LEAD,
    "On 24 April 2025, in Moscow, the Central Museum of the Armed Forces hosted an "
    "international scientific and practical conference organized by the CSTO Secretariat.",
)
# Two later days' lists, each seen on that one saved page only (nobody else was crawled then).
LIST_OF_A_LATER_DAY = (
    "On 25 July 2024, staff of the CSTO Secretariat met with graduates of Central Asian "
    "universities in the fields of International relations and Regional studies.",
    "Imangali Tasmagambetov, the CSTO Secretary General, told BELTA news agency whether the "
    "CSTO sought to become a counterweight to NATO.",
    "The CSTO Secretary General took part in the debate on UN cooperation with regional "
    "organizations held on 19 July 2024 at the UN Security Council.",
)
LIST_OF_ANOTHER_DAY = (
    "On 28 March, the CSTO Joint Staff held a joint training session for the operational "
    "duty shift of the CSTO Crisis Response Centre and the command posts.",
    "On March 25, 2025, in Moscow, under the chairmanship of the Deputy Secretary of the "
    "Security Council of the Republic of Tajikistan Sh.J. Faizullozoda, the meeting of the "
    "working group was held.",
)


def write(raw: Path, pages: dict[str, str], urls: dict[str, str]) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (raw / name).write_text(text, "utf-8")
    (raw / "manifest.jsonl").write_text("".join(
        json.dumps({"file": name, "url": url}) + "\n" for name, url in urls.items()))
    return raw


def other_pages(days: int) -> dict[str, str]:
    """Articles crawled on the days whose list holds the lead of the page of `ADDRESS`."""
    return {f"other-{n}.txt": article(f"The CSTO Secretary General met the Minister number {n}",
                                      f"0{n}.05.2025", f"On {n} May 2025, the Secretary General "
                                      f"met the Minister to discuss topic {n}.",
                                      sidebar=LIST_WITH_THE_LEAD)
            for n in range(1, days + 1)}


def test_copies_of_one_address_under_lists_nobody_else_has_keep_their_lead(
        tmp_path: Path) -> None:
    # The crawler saved the page (no heading: the site's ?bxajaxid= variant) twice, on two
    # days whose lists no other saved page has, and cut both inside the lead.
    cut_lead = LEAD[:130]
    pages = other_pages(3) | {
        "copy-1.txt": page_text(LIST_OF_A_LATER_DAY, cut_lead),
        "copy-2.txt": page_text(LIST_OF_ANOTHER_DAY, cut_lead),
    }
    urls = {"copy-1.txt": ADDRESS + "?bxajaxid=a4a8", "copy-2.txt": ADDRESS + "?bxajaxid=a4a8"}
    corpus = clean_corpus(write(tmp_path / "raw", pages, urls))
    by_source = {cleaned.page.source: cleaned.page for cleaned in corpus.pages}
    for copy in ("copy-1.txt", "copy-2.txt"):
        page = by_source[copy]
        assert page.body.startswith("28 April is the Day of Establishment"), copy
        assert page.title is None
    assert "Faizullozoda" not in by_source["copy-2.txt"].body
    assert by_source["copy-2.txt"].people == ()


def test_a_later_days_list_on_a_second_copy_still_counts(tmp_path: Path) -> None:
    # Of the second day, the crawler saved a second copy of a page and one other article: the
    # list on both is that day's latest news, while the article both copies hold counts once.
    title = "The CSTO Joint Staff held staff talks on the joint training"
    lead = "On 12 May 2025, the CSTO Joint Staff held staff talks on the joint training."
    pages = {
        "day-1.txt": article(title, "12.05.2025", lead, "The talks went well.",
                             sidebar=LIST_WITH_THE_LEAD),
        "day-2.txt": article(title, "12.05.2025", lead, "The talks went well.",
                             sidebar=LIST_OF_ANOTHER_DAY),
        "another.txt": article("The Council of Foreign Ministers met in Minsk", "20.05.2025",
                               "On 20 May 2025, the Council of Foreign Ministers met in Minsk.",
                               sidebar=LIST_OF_ANOTHER_DAY),
        # A page of the second day without a heading (a ?bxajaxid= variant).
        "other.txt": page_text(LIST_OF_ANOTHER_DAY, "On 21 May 2025, the CSTO Secretary "
                               "General met the Ambassador of China. They discussed the"),
    }
    urls = {"day-1.txt": ADDRESS, "day-2.txt": ADDRESS + "?bxajaxid=9f"}
    corpus = clean_corpus(write(tmp_path / "raw", pages, urls))
    by_source = {cleaned.page.source: cleaned.page for cleaned in corpus.pages}
    assert by_source["day-2.txt"].body.startswith(lead)
    assert by_source["other.txt"].body.startswith("On 21 May 2025, the CSTO Secretary")
    assert by_source["other.txt"].people == ()


def starts_of(*pages: str, identities: list[str] | None = None) -> list[int]:
    identities = identities or ["one page"] * len(pages)
    blocks = CorpusBlocks.of([shape_of(split_blocks(page)) for page in pages])
    table = blocks.table(blocks.stats(identities))
    return article_starts(blocks, identities, table.follows, table.tail_repeats)


def test_where_copies_of_other_days_agree_the_article_starts() -> None:
    title, lead = "The CSTO Joint Staff held staff talks", "On 12 May 2025, the talks were held."
    more = ("The Chief of the Joint Staff informed about the goals and objectives of the joint "
            "trainings, their specifics, the forces and means involved.")
    first = page_text(LIST_OF_A_LATER_DAY, title, lead, more, FOOTER)
    second = page_text(LIST_OF_ANOTHER_DAY, title, lead, more[:90])
    assert starts_of(first, second) == [3, 2]
    # Not from copies of one day (nothing tells the list from the article), nor across
    # different pages.
    assert starts_of(first, first) == [0, 0]
    assert starts_of(first, second, identities=["one", "other"]) == [0, 0]


def test_copies_that_agree_only_in_a_few_letters_the_crawler_left_give_nothing() -> None:
    first = page_text(LIST_OF_A_LATER_DAY, "Meeting o")
    second = page_text(LIST_OF_ANOTHER_DAY, "Meeting o")
    assert starts_of(first, second) == [0, 0]


def test_copies_cut_in_their_heading_hold_it_as_text_not_as_a_title(tmp_path: Path) -> None:
    heading = "Consultations of the CSTO member states on cooperation in arms control, disarmament"
    pages = other_pages(2) | {"copy-1.txt": page_text(LIST_OF_A_LATER_DAY, heading[:90]),
                              "copy-2.txt": page_text(LIST_OF_ANOTHER_DAY, heading[:90])}
    urls = {"copy-1.txt": ADDRESS, "copy-2.txt": ADDRESS + "?bxajaxid=a4a8"}
    corpus = clean_corpus(write(tmp_path / "raw", pages, urls))
    for cleaned in corpus.pages:
        if cleaned.page.source.startswith("copy"):
            assert cleaned.page.title is None
            assert cleaned.page.body == heading[:90]


def test_a_list_that_holds_the_pages_own_lead_is_not_where_the_copies_agree() -> None:
    # Both copies of one day: the list holds the lead, and one copy is cut inside the lead
    # further down. The list's item is not where the article starts.
    longer = page_text(LIST_WITH_THE_LEAD, LEAD)
    shorter = page_text(LIST_WITH_THE_LEAD, LEAD[:120])
    assert starts_of(longer, shorter) == [0, 0]


def test_copies_whose_shared_run_is_a_list_of_the_site_give_nothing() -> None:
    # Two copies cut inside their lists, which share their last items in the order every
    # page of those days has them: a list, not an article.
    list_tail = LIST_WITH_THE_LEAD[1:]
    one = page_text(LIST_OF_A_LATER_DAY[0], list_tail)
    other = page_text(LIST_OF_ANOTHER_DAY, list_tail)
    third = page_text(LIST_OF_A_LATER_DAY[1], list_tail, "The CSTO met", "Its text.")
    starts = starts_of(one, other, third, identities=["page", "page", "third"])
    assert starts == [0, 0, 0]


def test_copies_of_one_article_count_once_and_each_days_list_counts() -> None:
    lead = "On 12 May 2025, the CSTO Joint Staff held staff talks on the joint training."
    copies = [page_text(LIST_OF_A_LATER_DAY, lead), page_text(LIST_OF_ANOTHER_DAY, lead)]
    other = page_text(LIST_OF_ANOTHER_DAY, "Another article", "Its own text here.")
    blocks = CorpusBlocks.of([shape_of(split_blocks(page)) for page in (*copies, other)])
    table = blocks.table(blocks.stats(["copy", "copy", "other"]))
    facts = [table.facts(page) for page in range(3)]
    assert facts[0].repeats[-1] is False  # the lead: one article, saved twice
    assert all(facts[1].repeats[:2])  # the second day's list is on two pages
    # A copy cut shorter than another page that holds all it has adds nothing.
    dropped = blocks.table(blocks.stats(["copy", "copy", "other"], counted=[True, False, True]))
    assert not any(dropped.facts(2).repeats)


def test_a_pages_identity_is_its_address_else_its_article_else_its_file() -> None:
    def layout(text: str) -> Layout:
        blocks = tuple(split_blocks(text))
        facts = PageFacts((False,) * len(blocks), (False,) * len(blocks), False)
        return find_layout(blocks, facts, frozenset())

    def identity(text: str, url: str | None = None) -> str:
        page = RawPage("page.txt", tuple(split_blocks(text)),
                       hashlib.sha256(text.encode()).hexdigest(), url)
        return page_identity(page, layout(text))

    lead = "On 12 May 2025, the CSTO Joint Staff held staff talks on the joint training."
    one_day = page_text(LIST_OF_A_LATER_DAY, "Staff talks on the joint training", lead)
    other_day = page_text(LIST_OF_ANOTHER_DAY, "Staff talks on the joint training", lead)
    assert identity(one_day, ADDRESS) == identity(other_day, ADDRESS + "?bxajaxid=9f")
    assert identity(one_day) == identity(other_day)  # the same title and lead
    assert identity(one_day, ADDRESS) != identity(one_day, ADDRESS + "other/")
    # Nothing of an article found (the crawler cut both inside the same list): two such
    # pages are not taken for one.
    cut_here, cut_there = (page_text(LIST_WITH_THE_LEAD, cut) for cut in ("Meeting o", "Session o"))
    for cut in (cut_here, cut_there):
        assert layout(cut).title is None and layout(cut).body_indexes() == []
    assert identity(cut_here) != identity(cut_there)


@pytest.mark.parametrize("addressed", [False, True])
def test_a_section_saved_whole_and_twice_cut_is_one_page(tmp_path: Path, addressed: bool) -> None:
    # The two cut copies are copies of the whole one, whether or not their address is known
    # (then they move together), not a second page listing the same lines (which would make
    # the section look like sidebar from top to bottom).
    section = page_text(
        "CSTO Secretariat",
        *(f"{country} and the Secretary General discussed the Treaty's anniversary"
          for country in ("Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Tajikistan",
                          "Russia")),
        "The CSTO Deputy Secretary General Valery Semerikov met the Ambassador",
        "Governance of the Secretariat: the Secretary General and his deputies.",
        "- Ordabayev Samat Islamovich - Republic of Kazakhstan",
        "The Secretariat includes the following main structural units.")
    blocks = section.split("\n\n")
    pages = {"full.txt": section,
             "cut-1.txt": "\n\n".join(blocks[:6]) + "\n",
             "cut-2.txt": "\n\n".join(blocks[:8]) + "\n\nGovernance of the Secre\n"}
    address = "https://en.odkb-csto.org/authorized_organs/secretariat/"
    urls = {"cut-1.txt": address, "cut-2.txt": address + "?PAGEN_1=2"} if addressed else {}
    corpus = clean_corpus(write(tmp_path / "raw", pages, urls))
    (document,) = corpus.documents  # one page, three copies
    assert document.title == "CSTO Secretariat"
    assert {"Valery Semerikov", "Samat Ordabayev"} <= set(document.people)


def test_pages_of_a_listing_that_end_alike_give_nothing() -> None:
    # `?PAGEN_1=2` is the same address: two pages of one listing, other items, the same
    # navigation at the end.
    items = [f"{day}.05.2025\n\nThe CSTO held meeting number {day}" for day in range(10, 20)]
    navigation = ("1 2 3 Next", "Go back", "Back to the section")
    first = page_text(items[:5], navigation)
    second = page_text(items[5:], navigation)
    assert starts_of(first, second) == [0, 0]

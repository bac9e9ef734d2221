"""The whole cleaner over the five sample pages shipped in raw/."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.building.corpus import clean_corpus
from indexer.document import CleanDocument
from indexer.text import strip_image_names
from tests.conftest import SEEDS

SIDEBAR_SENTENCE = "On 25 July 2024, staff of the CSTO Secretariat met with graduates"


@pytest.fixture(scope="module")
def seeds() -> dict[str, CleanDocument]:
    corpus = clean_corpus(SEEDS)
    assert not corpus.skipped
    return {d.source[:3]: d for d in corpus.documents}


def test_titles_and_dates(seeds: dict[str, CleanDocument]) -> None:
    assert seeds["000"].title == "CSTO Secretariat" and seeds["000"].date is None
    assert seeds["001"].date == date(2019, 6, 27)
    assert seeds["002"].title.startswith("The CSTO Secretary General Stanislav Zas participated")
    assert seeds["002"].date == date(2021, 11, 29)  # from the lead: no date line on the page
    assert seeds["003"].date == date(2023, 2, 20)
    assert seeds["004"].date == date(2024, 2, 5)


def test_sidebar_footer_and_image_lines_are_gone(seeds: dict[str, CleanDocument]) -> None:
    for document in seeds.values():
        assert SIDEBAR_SENTENCE not in document.body
        assert "Back to the section" not in document.body
        assert "odkb-pressa@gov.ru" not in document.body
        assert not any(line.endswith(".JPG") for line in document.body.splitlines())
    # An image name glued to a paragraph stays as the site wrote it; the paragraph is whole.
    assert "ZVF_6872.JPG“The first document is" in seeds["001"].body
    assert seeds["004"].body.startswith("Question: Has the CSTO Special Interstate Policy")


def test_people_are_canonical(seeds: dict[str, CleanDocument]) -> None:
    assert "Valery Semerikov" in seeds["001"].people
    assert "Sergei Shoigu" in seeds["003"].people
    assert seeds["004"].people == ("Valery Semerikov",)
    # Sidebar names (Tasmagambetov is in every sidebar) do not count for 002.
    assert "Imangali Tasmagambetov" not in seeds["002"].people
    assert {"Stanislav Zas", "Vyacheslav Volodin"} <= set(seeds["002"].people)


def test_image_names_glued_to_text_are_cut_without_cutting_the_sentence() -> None:
    assert strip_image_names("ZVF_6872.JPG“The first document is") == "“The first document is"
    assert strip_image_names("See photo.png and IMG-2.jpeg here") == "See  and  here"


def test_adding_another_crawl_day_does_not_change_the_pages_already_there(
        write_raw, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import SIDEBAR_A, SIDEBAR_B, article, page_text

    day_a = {
        f"a{n}.txt": article(f"The CSTO Secretary General met the Minister number {n}",
                             f"0{n}.03.2021", f"On {n} March 2021, the Secretary General met "
                             f"the Minister to discuss topic {n} of cooperation.",
                             f"They agreed on plan {n}.", sidebar=SIDEBAR_A)
        for n in range(1, 5)}
    day_a["untitled.txt"] = page_text(SIDEBAR_A, "On 9 March 2021, the Council met in Minsk. "
                                                 "It adopted the budget of the Organization.")
    day_b = {
        f"b{n}.txt": article(f"Staff talks on the joint training number {n} were held",
                             f"1{n}.05.2022", f"On 1{n} May 2022, the Joint Staff held staff "
                             f"talks on the training {n}.", sidebar=SIDEBAR_B)
        for n in range(1, 6)}

    def cleaned(files: dict[str, str]) -> dict[str, tuple[object, ...]]:
        for old in (tmp_path / "raw").glob("*.txt"):
            old.unlink()
        corpus = clean_corpus(write_raw(files))
        return {d.source: (d.title, d.date, d.body, d.people) for d in corpus.documents}

    alone = cleaned(day_a)
    together = cleaned(day_a | day_b)
    assert {source: together[source] for source in alone} == alone

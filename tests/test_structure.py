"""Stages 3 and 4: which blocks are sidebar, title, date, body and footer."""

from __future__ import annotations

from datetime import date

from indexer.cleaning.blocks import split_blocks
from indexer.cleaning.shapes import is_title_like
from indexer.cleaning.structure import find_layout
from tests.conftest import FOOTER, SIDEBAR_A, SIDEBAR_B, article, facts_for, page_text

OTHER = article("The CSTO Joint Staff held staff talks", "28.04.2022",
                "From April 26 to 28 of this year, the CSTO Joint Staff held staff talks.")


def layout_of(page: str, *corpus: str):  # type: ignore[no-untyped-def]
    blocks = split_blocks(page)
    return blocks, find_layout(blocks, *facts_for(page, *corpus))


def body_of(page: str, *corpus: str) -> list[str]:
    blocks, layout = layout_of(page, *corpus)
    return blocks[layout.body_start:layout.body_end]


def test_title_and_title_with_date_pattern() -> None:
    page = article("The CSTO Secretary General visited the Joint Staff", "16.01.2020",
                   "On January 16, 2020, the Secretary General visited the Joint Staff.",
                   "He was told about its work.")
    blocks, layout = layout_of(page, OTHER)
    assert layout.title == "The CSTO Secretary General visited the Joint Staff"
    assert layout.date == date(2020, 1, 16)
    assert blocks[layout.body_start:layout.body_end] == [
        "On January 16, 2020, the Secretary General visited the Joint Staff.",
        "He was told about its work."]


def test_title_repeat_cut_short_by_the_crawler() -> None:
    title = "The CSTO Secretary General spoke at the ninth meeting of secretaries"
    page = page_text(SIDEBAR_A, title, title[:40])
    _, layout = layout_of(page, OTHER)
    assert layout.title == title
    assert layout.date is None


def test_title_then_date_line_then_body() -> None:
    page = page_text(SIDEBAR_B, "Statement by the Ministers for Foreign Affairs", "19.05.2021",
                     "The States members declare their interest in cooperation.")
    other = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    _, layout = layout_of(page, other)
    assert layout.title == "Statement by the Ministers for Foreign Affairs"
    assert layout.date == date(2021, 5, 19)


def test_date_glued_to_the_first_paragraph_is_the_date_and_the_text_stays() -> None:
    page = page_text(SIDEBAR_B, "Session of the Collective Security Council in Moscow",
                     "23.12.2014The December 2014 session of the Council completed its work.")
    other = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    blocks, layout = layout_of(page, other)
    assert layout.date == date(2014, 12, 23)
    assert blocks[layout.body_start].startswith("23.12.2014The December")


def test_date_from_the_lead_sentence_only() -> None:
    page = page_text(SIDEBAR_B, "Staff of the Secretariat met graduates of universities",
                     "On 25 July 2024, staff of the CSTO Secretariat met graduates.")
    other = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    assert layout_of(page, other)[1].date == date(2024, 7, 25)
    undated = page_text(SIDEBAR_B, "Forum of the Regions of Belarus and Russia",
                        "On September 28, the Forum of the Regions was held. It met on "
                        "1 May 2020 last time.")
    assert layout_of(undated, other)[1].date is None


def test_sidebar_learned_from_other_pages_is_removed() -> None:
    page = page_text(SIDEBAR_A, "Tribute to the Memory from Russian senators",
                     "The Federation Council opened an exhibition.", FOOTER)
    body = body_of(page, OTHER)
    assert body == ["The Federation Council opened an exhibition."]


def test_sidebar_seen_on_no_other_page_is_removed_by_structure() -> None:
    unique_sidebar = (
        "Military contingents will fulfil combat training tasks at the border.",
        "The CSTO Secretary General met the Ambassador of China Zhang Hanhui",
        "Questions were discussed on expanding cooperation with organizations.",
    )
    page = page_text(unique_sidebar,
                     "Valery Semerikov will address the UN Commission on Narcotic Drugs",
                     "Valery Semerikov will take part in the session of the UN Commission on "
                     "Narcotic Drugs in Vienna.")
    blocks, layout = layout_of(page, OTHER)
    assert layout.title == "Valery Semerikov will address the UN Commission on Narcotic Drugs"
    assert blocks[layout.body_start:layout.body_end] == [blocks[-1]]


def test_own_lead_survives_where_it_is_another_pages_sidebar_item() -> None:
    lead = SIDEBAR_B[0]
    own = page_text(SIDEBAR_A, "The CSTO Secretary General met Sergey Lavrov",
                    lead, "They discussed cooperation.")
    other = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    assert lead in body_of(own, other, OTHER)
    assert lead not in body_of(other, own, OTHER)


STAFF_TALKS = ("On 3-5 June, the Republic of Belarus hosted the second staff talks on the "
               "joint trainings of the Collective Rapid Reaction Forces.")


def test_own_lead_that_other_days_sidebars_list_starts_a_page_without_a_heading() -> None:
    # The site's fragment of an article (no heading) behind this day's sidebar, which other
    # pages share; another day's sidebar lists the lead after another item. There the lead
    # follows that item; here it follows none of it, and the next line goes on about it.
    fragment = page_text(SIDEBAR_B, STAFF_TALKS,
                         "The staff talks on the joint trainings were attended by the "
                         "representatives of the ministries conc")
    same_day = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    other_day = page_text(("On 1 June, the Secretary General met the ambassadors.",
                           STAFF_TALKS, "On 30 May, the defence ministers met in Bishkek."),
                          "A third title of a page", "Its own body, about the council.")
    blocks, layout = layout_of(fragment, same_day, other_day)
    assert layout.title is None
    assert blocks[layout.body_start] == STAFF_TALKS


def test_a_sidebars_last_item_that_is_another_pages_lead_stays_sidebar() -> None:
    # The item is the lead of an article of the corpus; on this page the title follows it.
    own = article("The Republic of Belarus hosted staff talks", "05.06.2024", STAFF_TALKS,
                  "The talks were attended by the ministries.")
    listing = page_text((*SIDEBAR_B, STAFF_TALKS), "The Secretary General visited Bishkek",
                        "He met the President of the Kyrgyz Republic.")
    same_day = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    assert body_of(listing, own, same_day) == ["He met the President of the Kyrgyz Republic."]


def test_page_whose_sidebar_lists_its_own_lead_starts_at_the_repeat() -> None:
    lead = ("28 April is the Day of Establishment of the Joint Staff of the Collective "
            "Security Treaty Organization, created in 2003.")
    sidebar = ("On April 25, 2025 a solemn graduation took place in the Academy.", lead,
               "On 25 April this year, the Secretariat completed the annual course.")
    page = page_text(sidebar, lead + " We recall the history of the Staff.", "More text.")
    blocks, layout = layout_of(page, OTHER)
    assert layout.title is None
    assert blocks[layout.body_start].startswith("28 April is the Day")
    assert layout.sidebar_end == 3


def test_footer_navigation_contacts_and_cut_navigation_are_removed() -> None:
    page = article("The CSTO held a meeting in Minsk", "02.02.2022", "The meeting was held.",
                   footer=("The CSTO Press Secretary Vladimir Zaynetdinov",
                           "+7495-621-33-23 - tel/fax", "Email: odkb-pressa@gov.ru", *FOOTER))
    cut = article("The CSTO held a second meeting", "03.02.2022", "It was held too.",
                  footer=("Go b",))
    assert body_of(page, OTHER) == ["The meeting was held."]
    assert body_of(cut, page, OTHER) == ["It was held too."]


def test_title_likeness() -> None:
    assert is_title_like("The CSTO Joint Staff is 20 years old")
    assert is_title_like("The command-staff training “Interaction-2024” began")
    assert not is_title_like("The meeting was held in Moscow.")
    assert not is_title_like('He held a briefing on the topic "On the readiness of forces."')
    assert not is_title_like("26.07.2024")
    assert not is_title_like("dated October 07, 2002")


# Layouts of pages the cleaner was not developed on (issue 10), as fixtures of our own.

UNSEEN_SIDEBAR = (
    "On December 4, at the invitation of the host side, a delegation of the Joint Staff "
    "visited the military academy and discussed training of officers.",
    "The Deputy Secretary General took part in the anti-terrorism conference of experts "
    "in the capital, speaking on regional counter-terrorism strategies.",
    "On December 3, 2025, the working group on the border held its meeting with the "
    "participation of the member states' representatives.",
)


def test_heading_over_a_paragraph_with_its_date_glued_is_the_title_after_an_unseen_sidebar(
        ) -> None:
    # One of the site's templates prints the date glued to the first paragraph; behind a
    # sidebar of another crawl day (news leads, one of them a short sentence), the heading
    # over that paragraph is the title, even written as sentences.
    for title in ("The Defense Ministries have discussed the situation in the Republic",
                  "Session of the CSTO Collective Security Council. Moscow, 14 October 2016."):
        page = page_text(UNSEEN_SIDEBAR, "The ceremonies were attended by the ambassadors.",
                         title, "14.10.2016On 14 October 2016, the ministers met in Moscow.")
        blocks, layout = layout_of(page, OTHER)
        assert layout.title == title
        assert layout.date == date(2016, 10, 14)
        assert blocks[layout.body_start].startswith("14.10.2016On 14 October")


def test_page_cut_inside_an_unseen_sidebar_has_no_title_body_or_date() -> None:
    page = page_text(UNSEEN_SIDEBAR, "Meeting o")
    _blocks, layout = layout_of(page, OTHER)
    assert layout.title is None and layout.date is None
    assert layout.body_indexes() == []
    assert all(role.role.value in ("sidebar", "footer") for role in layout.roles)


def test_heading_after_an_unseen_sidebar_is_the_title_even_as_two_sentences() -> None:
    title = ("The results of the operation Channel Center were summed up in Almaty. "
             "More than 11 tons of drugs were seized.")
    page = page_text(UNSEEN_SIDEBAR, title,
                     "IMG-20190301-WA0012.jpgIn the period from February 26 to March 1, 2019, "
                     "the operation Channel Center was conducted in Almaty.",
                     "More than 11 tons of drugs were seized during the operation.")
    blocks, layout = layout_of(page, OTHER)
    assert layout.title == title
    # No date from a range; the image name glued to the lead stays with the lead.
    assert layout.date is None
    assert blocks[layout.body_start].startswith("IMG-20190301-WA0012.jpgIn the period")


def test_title_cut_by_the_site_at_255_characters_is_the_title_when_last() -> None:
    title = ("On June 27, at a meeting in Bishkek, the Committee of Secretaries of Security "
             "Councils discussed the situation in Afghanistan and additional measures taken to "
             "counter international terrorism and extremism, taken in the format of Organization")
    page = page_text(SIDEBAR_A, title)
    _, layout = layout_of(page, OTHER, page_text(SIDEBAR_A, "Other title of a page", "Text."))
    assert layout.title == title


def test_cut_title_then_whole_title_with_date_is_the_pair() -> None:
    title = "The Interstate Commission met " + "in a long session " * 12 + "and the"
    page = page_text(title, f"{title} decided to continue 09.09.2021", "The meeting was held.")
    _, layout = layout_of(page)
    assert layout.title == title and layout.date == date(2021, 9, 9)


def test_place_and_date_line_under_the_title_dates_the_page_and_stays_in_the_body() -> None:
    page = page_text(SIDEBAR_B, "Joint Statement of the Secretaries General",
                     "Vienna, June 23, 2020", "The Secretaries General welcome the progress.")
    other = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    blocks, layout = layout_of(page, other)
    assert layout.title == "Joint Statement of the Secretaries General"
    assert layout.date == date(2020, 6, 23)
    assert blocks[layout.body_start] == "Vienna, June 23, 2020"


def test_logo_word_glued_to_the_first_line_is_not_in_the_title_or_date() -> None:
    page = page_text("odkb The CSTO Joint Staff held staff talks",
                     "odkb On May 31, 2015 the Joint Staff held staff talks in Minsk.")
    blocks, layout = layout_of(page, OTHER)
    assert layout.title == "The CSTO Joint Staff held staff talks"
    assert layout.date == date(2015, 5, 31)
    assert blocks[layout.body_start].startswith("odkb On May 31")  # the body as written


def test_sub_site_title_translation_does_not_hide_the_lead_date() -> None:
    page = page_text("The CSTO Joint Staff held the staff talks on trainings",
                     "The CSTO Joint Staff conducted staff talks on joint trainings",
                     "On April 26, 2022, the Joint Staff held staff talks on the trainings.")
    blocks, layout = layout_of(page, OTHER)
    assert layout.title == "The CSTO Joint Staff held the staff talks on trainings"
    assert layout.date == date(2022, 4, 26)
    assert blocks[layout.body_start].startswith("The CSTO Joint Staff conducted")


def test_kicker_before_the_title_is_not_the_title() -> None:
    page = page_text(SIDEBAR_B, "Exclusive for TASS",
                     "Interview of the Secretary General on the Treaty anniversary",
                     "The Secretary General spoke about the anniversary of the Treaty.")
    other = page_text(SIDEBAR_B, "Another title of a page", "Its body, about a meeting.")
    _, layout = layout_of(page, other)
    assert layout.title == "Interview of the Secretary General on the Treaty anniversary"


def test_lead_opening_with_today_is_not_a_title() -> None:
    page = page_text(SIDEBAR_A, "Today, in the territory of the Russian Federation, the special "
                                "training Echelon was launched with the forces of the member s")
    _, layout = layout_of(page, OTHER, page_text(SIDEBAR_A, "Other title of a page", "Text."))
    assert layout.title is None


def test_press_secretary_signature_and_image_lines_are_footer() -> None:
    page = article("The CSTO held a meeting in Minsk", "02.02.2022", "The meeting was held.",
                   "DSC_8507.JPG", "The members agreed on the plan.",
                   footer=("The CSTO Press Secretary Vladimir Zaynetdinov", "DSC_8508.JPG",
                           *FOOTER))
    blocks, layout = layout_of(page, OTHER)
    assert [blocks[i] for i in layout.body_indexes()] == [
        "The meeting was held.", "The members agreed on the plan."]
    roles = {blocks[i]: role.role.value for i, role in enumerate(layout.roles)}
    assert roles["DSC_8507.JPG"] == "image name"
    assert roles["The CSTO Press Secretary Vladimir Zaynetdinov"] == "footer"


def test_every_block_has_a_role_and_a_reason() -> None:
    page = article("The CSTO held a meeting in Minsk", "02.02.2022", "The meeting was held.")
    blocks, layout = layout_of(page, OTHER)
    assert len(layout.roles) == len(blocks)
    assert all(role.reason for role in layout.roles)
    assert [r.role.value for r in layout.roles][:6] == [
        "sidebar", "sidebar", "sidebar", "sidebar", "title", "date"]


def test_a_translated_title_kicker_or_byline_under_the_title_is_not_the_lead() -> None:
    for second in ("Объединенный штаб ОДКБ провел штабные переговоры",
                   "Exclusive for the TASS news agency", "Interview by Ivan Petrov"):
        page = page_text("The CSTO Joint Staff held staff talks on trainings", second,
                         "On April 26, 2022, the Joint Staff held staff talks in Minsk.")
        blocks, layout = layout_of(page, OTHER)
        assert layout.title == "The CSTO Joint Staff held staff talks on trainings"
        assert layout.date == date(2022, 4, 26), second
        assert blocks[layout.body_start] == second  # kept in the body, as written


def test_a_kicker_above_the_title_on_a_page_without_sidebar() -> None:
    page = page_text("Exclusive for TASS",
                     "Interview of the Secretary General on the Treaty anniversary",
                     "The Secretary General spoke about the anniversary of the Treaty.")
    _, layout = layout_of(page, OTHER)
    assert layout.title == "Interview of the Secretary General on the Treaty anniversary"
    # A title with its second wording under it stays the title.
    page = page_text("The CSTO Joint Staff held the staff talks",
                     "The Joint Staff of the CSTO conducted staff negotiations",
                     "On April 26, 2022, the Joint Staff held staff talks on the trainings.")
    assert layout_of(page, OTHER)[1].title == "The CSTO Joint Staff held the staff talks"


def test_an_html_heading_with_a_logo_word_is_the_title_without_it() -> None:
    blocks = split_blocks(page_text("odkb The Council met in Minsk", "The Council met on Monday."))
    layout = find_layout(blocks, *facts_for(page_text(*blocks)),
                         "odkb The Council met in Minsk")
    assert layout.title == "The Council met in Minsk"
    assert blocks[layout.body_start] == "The Council met on Monday."


def test_a_paragraph_cut_after_its_first_sentence_is_not_a_heading() -> None:
    from indexer.cleaning.shapes import is_cut_paragraph

    assert is_cut_paragraph("28 April is the Day of Establishment of the Joint Staff of the "
                            "Organization. We recall that on 28 Apri")
    assert not is_cut_paragraph("Consultations of the CSTO member states on arms control")
    assert not is_cut_paragraph("The results were summed up in Almaty. More than 11 tons of "
                                "drugs were seized.")

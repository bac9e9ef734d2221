from datetime import date

from indexer.cleaning.dates import (
    find_prose_date,
    first_sentence,
    is_date_line,
    is_numeric_date_line,
    parse_date_line,
    parse_glued_date,
)


def test_date_lines_and_glued_dates() -> None:
    assert parse_date_line("26.07.2024") == date(2024, 7, 26)
    assert is_date_line("10.06.2022 Download document 39357fa0b754c4c5.docx")
    assert not is_date_line("26.07.2024 was a good day for the Organization")
    assert parse_glued_date("09.01.2022On January 9 the CSTO") == date(2022, 1, 9)
    assert parse_glued_date("09.01.2022 On January 9") is None
    assert parse_date_line("31.02.2024") is None


def test_prose_dates_in_the_forms_the_site_uses() -> None:
    assert find_prose_date("On 25 July 2024, staff of the Secretariat") == date(2024, 7, 25)
    assert find_prose_date("On November 29, 2021, the Secretary General") == date(2021, 11, 29)
    assert find_prose_date("On November 23, this year, Yerevan hosted") is None
    # A date that belongs to another document is not the article's date.
    assert find_prose_date("the proposals of the Special meeting of 23.08.2021, to") is None


def test_first_sentence_is_not_cut_at_initials() -> None:
    text = "The Secretary General I.N. Tasmagambetov met him on 5 May 2024. Then more."
    assert first_sentence(text).endswith("5 May 2024.")


def test_place_and_date_lines_are_date_lines() -> None:
    assert parse_date_line("Vienna, June 23, 2020") == date(2020, 6, 23)
    assert parse_date_line("February 3, 2022, Moscow") == date(2022, 2, 3)
    assert parse_date_line("dated October 07, 2002") == date(2002, 10, 7)
    assert parse_date_line("11/28/2019 14:56:41") == date(2019, 11, 28)
    assert not is_numeric_date_line("Vienna, June 23, 2020")
    # A sentence that gives a date is not a date line.
    assert parse_date_line("On 25 July 2024, staff of the Secretariat met graduates.") is None
    assert parse_date_line("Session of the Collective Security Council December 23, 2014, "
                           "Moscow") is None


def test_ranges_and_cited_decisions_give_no_date() -> None:
    assert find_prose_date("From 17 to 28 June 2024, at the Academy, a course was held") is None
    assert find_prose_date("From May 29 to June 2, 2017, the exercise took place") is None
    assert find_prose_date("In the period from February 26 to March 1, 2019, the") is None
    assert find_prose_date("On March 25-26, 2019 a conference is held") is None
    assert find_prose_date("In line with the decision of the Council dated September 5, 2008, "
                           "the operation was held") is None
    assert find_prose_date("November 2 this year the Council met") is None

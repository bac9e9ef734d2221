from datetime import date

from indexer.dates import (
    find_prose_date,
    first_sentence,
    is_date_line,
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
    assert find_prose_date("dated October 07, 2002") == date(2002, 10, 7)
    assert find_prose_date("On November 23, this year, Yerevan hosted") is None
    # A date that belongs to another document is not the article's date.
    assert find_prose_date("the proposals of the Special meeting of 23.08.2021, to") is None


def test_first_sentence_is_not_cut_at_initials() -> None:
    text = "The Secretary General I.N. Tasmagambetov met him on 5 May 2024. Then more."
    assert first_sentence(text).endswith("5 May 2024.")

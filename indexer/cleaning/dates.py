"""Dates as the site writes them: `DD.MM.YYYY` lines and suffixes, and dates in prose."""

from __future__ import annotations

import re
from datetime import date

from indexer.text import GLUED_DATE

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_NUMERIC = re.compile(r"(?<!\d)(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?!\d)")
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)", re.IGNORECASE
)
# A line that is only a date, possibly followed by a link to the document it dates.
DATE_LINE = re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"
                       r"(?:\s+\S.*\.\w{2,5})?$")
# A listing's timestamp: "11/28/2019 14:56:41" (month first, as the site's listings write it).
TIMESTAMP_LINE = re.compile(r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
                            r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
# What may stand beside the date on a place-and-date line: "Vienna, June 23, 2020",
# "February 3, 2022, Moscow", "dated October 07, 2002" - a few capitalised words at most.
_PLACE_BESIDE_DATE = re.compile(r"^(?:dated|[A-ZА-ЯЁ][\w'’.-]*(?:\s+[A-ZА-ЯЁ(][\w'’.()-]*){0,3})?$")
MAX_DATE_LINE_CHARS = 60
# The date that the site glues to the front of a paragraph: "09.01.2022On January 9...".
# "Title 16.01.2020" (or cut short by the crawler: "Title 30.06.").
DATE_SUFFIX = re.compile(r"^\d{1,2}(?:\.(?:\d{1,2}(?:\.\d{0,4})?)?)?$")
# Sentence ends: a full stop after 3+ letters or digits, so initials ("I.N.") do not count.
_SENTENCE_END = re.compile(r"(?<=[^\W_]{3}[.!?])\s+(?=[\"“A-Z])")

EARLIEST_YEAR = 1990  # the Collective Security Treaty dates from 1992


def make_date(year: str, month: str | int, day: str) -> date | None:
    number = int(month) if isinstance(month, int) or month.isdigit() else _MONTHS[month.lower()]
    try:
        value = date(int(year), number, int(day))
    except ValueError:
        return None
    return value if value.year >= EARLIEST_YEAR else None


def _from_match(match: re.Match[str] | None) -> date | None:
    if match is None:
        return None
    return make_date(match["year"], match["month"], match["day"])


def parse_date_line(block: str) -> date | None:
    """The date of a line that is only a date (with a place, or a document link, beside it)."""
    match = DATE_LINE.match(block) or TIMESTAMP_LINE.match(block)
    if match is not None:
        return _from_match(match)
    if len(block) > MAX_DATE_LINE_CHARS:
        return None
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        found = pattern.search(block)
        if found is not None:
            rest = (block[:found.start()] + " " + block[found.end():]).strip(" ,;-–—")
            if _PLACE_BESIDE_DATE.match(rest):
                return _from_match(found)
    return None


def is_date_line(block: str) -> bool:
    return parse_date_line(block) is not None


def is_numeric_date_line(block: str) -> bool:
    """The site's own date lines (DD.MM.YYYY, a listing's timestamp), not a dateline in prose."""
    return DATE_LINE.match(block) is not None or TIMESTAMP_LINE.match(block) is not None


def parse_glued_date(block: str) -> date | None:
    return _from_match(GLUED_DATE.match(block))


def parse_numeric_date(text: str) -> date | None:
    return _from_match(_NUMERIC.search(text))


def first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0]


# "the Decision of 23.08.2021", "the decision dated September 5, 2008" date another document,
# not the event being reported.
_REFERENCE_BEFORE = re.compile(r"\b(?:of|dated)\s+$", re.IGNORECASE)
# The end of a range ("From 17 to 28 June 2024", "from May 29 to June 2, 2017", "25-26 May
# 2019") is not a publication date, and neither is its start.
_RANGE_BEFORE = re.compile(
    r"(?:\d(?:st|nd|rd|th)?\s*(?:-|–|—|to|and|till|until)\s*$)|(?:\b(?:from|between)\b[^.;]{0,30}$)",
    re.IGNORECASE)
_RANGE_AFTER = re.compile(r"^\s*(?:-|–|—|to|till|until)\s*\d", re.IGNORECASE)


def find_prose_date(text: str) -> date | None:
    """The earliest full date (day, month and year) that the text gives for its own event.

    A date that belongs to another document, or that ends or starts a range, gives none: the
    publication of a report on a two-week course is not one of its two ends.
    """
    found = [m for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC)
             for m in pattern.finditer(text)]
    for match in sorted(found, key=lambda m: m.start()):
        before, after = text[:match.start()], text[match.end():]
        if _REFERENCE_BEFORE.search(before):
            continue
        if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
            return None
        value = _from_match(match)
        if value is not None:
            return value
    return None

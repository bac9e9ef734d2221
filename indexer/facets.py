"""The facets a visitor narrows a search by, each declared once.

A facet is a name (its index field and its URL parameter), a label, how its values are read
from a clean document, how they are ordered and shown, and what a value must look like. The
rest follows from the declaration: the index field (`schema`), writing and the columns that
count it (`indexer.engine`), the counts under the other facets' selections, the URL
parameter and its checks, the HTML and the JSON API, the OpenAPI description, the exports
and the person pages. Adding a facet is one `Facet` in `FACETS` and its extractor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer.document import CleanDocument

UNDATED_YEAR = "none"  # the year of a document without a date, a value of its own
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Facet:
    name: str  # the index field and the URL parameter
    label: str  # the heading of its values on a page ("Year")
    values_of: Callable[[CleanDocument], tuple[str, ...]]  # the extractor
    # Orders the counted values, given (value, count): the first are shown first.
    sort_key: Callable[[str, int], Any]
    empty_text: str  # what a page says when no value is counted
    value_labels: Mapping[str, str] = field(default_factory=dict)  # value -> as shown
    value_pattern: str = ""  # a regular expression every value matches ("": any text)
    value_hint: str = ""  # what a value looks like, said when one does not
    export_column: str = ""  # its column in the exports ("": not exported)

    def label_of(self, value: str) -> str:
        return self.value_labels.get(value, value)

    def accepts(self, value: str) -> bool:
        return len(value) <= MAX_VALUE_CHARS and (
            not self.value_pattern or re.fullmatch(self.value_pattern, value) is not None)


def by_count(value: str, count: int) -> tuple[int, str]:
    """The most frequent first, then in alphabetical order."""
    return -count, value


def newest_first(value: str, _count: int) -> tuple[bool, int]:
    """Years, the latest first; documents without a date last."""
    return value == UNDATED_YEAR, -int(value) if value.isdigit() else 0


def year_of(document: CleanDocument) -> tuple[str, ...]:
    return (str(document.date.year) if document.date else UNDATED_YEAR,)


def people_of(document: CleanDocument) -> tuple[str, ...]:
    return document.people


YEAR = Facet("year", "Year", year_of, newest_first, "No document to count.",
             value_labels={UNDATED_YEAR: "No date"},
             value_pattern=rf"\d{{4}}|{UNDATED_YEAR}",
             value_hint=f"four digits (or '{UNDATED_YEAR}' for documents without a date)")
PERSON = Facet("person", "Official", people_of, by_count, "No official is named here.",
               export_column="people")
FACETS: tuple[Facet, ...] = (YEAR, PERSON)
BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}

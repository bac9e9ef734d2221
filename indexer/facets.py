"""The facets a visitor narrows a search by, each declared once.

A facet is a name (its index field and its URL parameter), a label, how its values are read
from a clean document, how they are ordered and shown, and what a value must look like. The
rest follows from the declaration: the index field (`schema`), writing and the columns that
count it (`indexer.engine`), the counts under the other facets' selections, the URL
parameter and its checks, the HTML and the JSON API, the OpenAPI description, the exports
and the person pages. Adding a facet is one `Facet` in `FACETS` and its extractor.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from indexer.document import CleanDocument
from indexer.states import STATES_FILE, state_names

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


# What a page is, as the site files it (the sections of its address) and as its title says.
DOCUMENT_TYPES = {"news": "News", "statement": "Statement", "interview": "Interview",
                  "speech": "Speech", "document": "Document", "section": "Section page"}
_TYPE_OF_SECTION = {"statements": "statement", "documents": "document", "speech": "speech",
                    "speeches": "speech", "interview": "interview", "interviews": "interview"}
_TYPE_OF_TITLE = (
    (re.compile(r"\binterview\b", re.IGNORECASE), "interview"),
    (re.compile(r"^(?:speech|address|remarks|lecture)\s+(?:by|of)\b", re.IGNORECASE), "speech"),
    (re.compile(r"^(?:joint\s+)?(?:statement|declaration|appeal|position|commentary|comment)\b",
                re.IGNORECASE), "statement"),
    (re.compile(r"^(?:decision|agreement|protocol|treaty|charter|regulations?|resolution)\b",
                re.IGNORECASE), "document"),
)


def type_of(document: CleanDocument) -> tuple[str, ...]:
    """A list of other pages is a section page; otherwise the section the site filed the
    page in says what it is (/documents/statements/, /news/speech/), the most specific
    first; otherwise its title ("Interview of ...", "Statement by ...", "Decision on ...");
    otherwise it is news."""
    if document.listing:
        return ("section",)
    sections = [part.lower() for part in urlsplit(document.url or "").path.split("/") if part]
    for section in reversed(sections[:-1]):  # the last part names the page itself
        if section in _TYPE_OF_SECTION:
            return (_TYPE_OF_SECTION[section],)
    title = document.title or ""
    return (next((kind for pattern, kind in _TYPE_OF_TITLE if pattern.search(title)), "news"),)


def states_of(document: CleanDocument) -> tuple[str, ...]:
    """The states the title and the text name (`indexer.states`), members first."""
    return state_names().named_in(f"{document.title or ''}\n{document.body}")


def members_first(value: str, count: int) -> tuple[bool, int, str]:
    """The CSTO's member states first, then the others; each the most frequent first."""
    return value not in _members(), -count, value


@cache
def _members() -> frozenset[str]:
    return frozenset(state.name for state in state_names().states if state.member)


YEAR = Facet("year", "Year", year_of, newest_first, "No document to count.",
             value_labels={UNDATED_YEAR: "No date"},
             value_pattern=rf"\d{{4}}|{UNDATED_YEAR}",
             value_hint=f"four digits (or '{UNDATED_YEAR}' for documents without a date)")
PERSON = Facet("person", "Official", people_of, by_count, "No official is named here.",
               export_column="people")
DOCUMENT_TYPE = Facet("type", "Document type", type_of, by_count, "No document to count.",
                      value_labels=DOCUMENT_TYPES, value_pattern="|".join(DOCUMENT_TYPES),
                      value_hint="one of " + ", ".join(DOCUMENT_TYPES), export_column="type")
STATE = Facet("state", "State", states_of, members_first, "No state is named here.",
              export_column="states")
FACETS: tuple[Facet, ...] = (YEAR, PERSON, DOCUMENT_TYPE, STATE)
BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}


@cache
def facets_version() -> str:
    """A digest of what decides the facets' values (this module and the data it reads): an
    index written with other values is written anew, as one with other fields is."""
    here = Path(__file__)
    digest = hashlib.sha256(here.read_bytes())
    digest.update(here.with_name("states.py").read_bytes())
    digest.update(here.parent.joinpath("data", STATES_FILE).read_bytes())
    return digest.hexdigest()[:16]

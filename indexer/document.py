"""The clean document, as indexed and as `csto-index extract` prints it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from indexer.data import ENGLISH_WORDS_FILE, word_list
from indexer.text import split_glued_date, strip_image_names

HEADING_CHARS = 90
# The site's list addresses: a list's page number or tab in the query ("?PAGEN_1=2",
# "?c-tab=statements"), or a site's home page (its news list). Article addresses are too
# varied (transliterated slugs with hyphens, underscores, dates, spaces) to be told from
# section addresses by their path: whether a page lists other pages is read from its text.
_LIST_PARAMETER = re.compile(r"^(?:PAGEN_\d+|[a-z]+-tab)$", re.IGNORECASE)
_LANGUAGE_SEGMENTS = frozenset({"en", "ru"})


@dataclass(frozen=True)
class CleanDocument:
    source: str  # raw file, relative to the raw folder
    title: str | None
    date: date | None
    people: tuple[str, ...]  # canonical names
    body: str
    url: str | None = None
    duplicates: tuple[str, ...] = ()  # other raw files holding the same page
    duplicate_urls: tuple[str, ...] = ()
    spellings: tuple[str, ...] = ()  # every spelling of the people, for search
    file_hashes: tuple[tuple[str, str], ...] = ()  # (source, sha256) of every raw file
    sidebar_blocks: int = 0
    footer_blocks: int = 0
    listing: bool = False  # a list of other pages' items (a section or news list), no article
    cut: bool = False  # the saved copy stops mid-article: the full text is at the source
    signature: str = ""  # who signed the release (the press secretary's line)
    # When the page was first indexed (ISO, UTC): not its content, so not in its hash.
    first_indexed: str = field(default="", compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def doc_id(self) -> str:
        """Stable across rebuilds: derived from the page's address, else from its file."""
        key = self.url or min((self.source, *self.duplicates))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    @property
    def heading(self) -> str:
        return readable_title(self.title, self.url, self.body, self.cut)

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source, *self.duplicates)

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is indexed changes."""
        payload = json.dumps([self.to_json(), self.spellings, self.duplicate_urls],
                             ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The `extract` contract: other tools read these names."""
        return {
            "id": self.doc_id,
            "source": self.source,
            "duplicates": list(self.duplicates),
            "url": self.url,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "year": self.year,
            "people": list(self.people),
            "body": self.body,
            "kind": "listing" if self.listing else "article",
            "cut": self.cut,
            "signature": self.signature or None,
        }

    def with_duplicates(self, others: list[CleanDocument],
                        contributing: list[CleanDocument]) -> CleanDocument:
        """This document with other saved copies of its page recorded on it; the people of
        the `contributing` ones (copies of the same article) added."""
        people = list(self.people)
        for other in contributing:
            people += [name for name in other.people if name not in people]
        url = self.url or next((other.url for other in others if other.url), None)
        return replace(
            self,
            url=url,
            people=tuple(people),
            duplicates=tuple(sorted(other.source for other in others)),
            duplicate_urls=tuple(sorted({o.url for o in others if o.url} - {url})),
            spellings=tuple(sorted(set(self.spellings).union(
                *(o.spellings for o in contributing)))),
            file_hashes=tuple(sorted(set(self.file_hashes).union(
                *(o.file_hashes for o in others)))),
        )


def is_listing_url(url: str | None) -> bool:
    """An address of a list of pages (a news list, a page of one, a site's home)."""
    if not url:
        return False
    parts = urlsplit(url)
    if any(_LIST_PARAMETER.match(key) for key, _ in parse_qsl(parts.query)):
        return True
    return all(segment.lower() in _LANGUAGE_SEGMENTS
               for segment in parts.path.split("/") if segment)


def shown_paragraphs(body: str) -> tuple[str, list[str]]:
    """(date line, paragraphs) of the text as a visitor reads it: file names of pictures
    glued to the words left out, and a date the site glued to the first paragraph set
    apart ("09.01.2022On January 9" -> "09.01.2022", "On January 9"; "" when there is none).
    The stored text keeps them as the site wrote them."""
    paragraphs = [strip_image_names(paragraph) for paragraph in body.split("\n\n")]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    dateline = ""
    if paragraphs:
        dateline, paragraphs[0] = split_glued_date(paragraphs[0])
    return dateline, paragraphs


def shown_text(body: str) -> str:
    """The text as a snippet or a heading shows it (the date is shown apart)."""
    return "\n\n".join(shown_paragraphs(body)[1])


def readable_title(title: str | None, url: str | None, body: str, cut: bool = False) -> str:
    """What a visitor sees as the document's title: its own; for a list, what its address
    names in English ("Statements, page 2"); else the first sentence of its text, cut at a
    word with "…" (and marked so when the copy stops there). Never the address's
    transliterated words."""
    if title:
        return title
    if url and is_listing_url(url):
        return _list_name(url)
    text = " ".join(shown_text(body).split())
    sentence = _first_sentence(text)
    if not sentence:
        return "A saved copy without text" if not cut else "A saved copy cut before its text"
    if len(sentence) > HEADING_CHARS:
        return sentence[:HEADING_CHARS].rsplit(" ", 1)[0] + " …"
    ends = not cut or len(sentence) < len(text)
    return sentence if ends else sentence + " …"


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


def _list_name(url: str) -> str:
    """A list's name from its address: its tab ("?c-tab=statements"), else the English
    words of its section's path ("news_odkb" -> "News"), else "List of pages"."""
    parts = urlsplit(url)
    english = word_list(ENGLISH_WORDS_FILE)
    tabs = [value for key, value in parse_qsl(parts.query) if key.endswith("-tab")]
    segments = [s for s in parts.path.split("/") if s and s.lower() not in _LANGUAGE_SEGMENTS]
    words = re.split(r"[_\-\s]+", (tabs or segments or [""])[-1])
    name = " ".join(w for w in words if w.casefold() in english).capitalize() or "List of pages"
    page = next((value for key, value in parse_qsl(parts.query)
                 if key.upper().startswith("PAGEN_")), None)
    return f"{name}, page {page}" if page and page != "1" else name

"""Stage 6: the clean document, as indexed and as `csto-index extract` prints it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

HEADING_CHARS = 90
# The site's listing and section addresses: a list's page number or tab in the query
# ("?PAGEN_1=2", "?c-tab=statements"), or a path without an article's long slug.
_LIST_PARAMETER = re.compile(r"^(?:PAGEN_\d+|[a-z]+-tab)$", re.IGNORECASE)
_ARTICLE_SLUG = re.compile(r"[\w]+(?:-[\w]+){3,}")


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
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def doc_id(self) -> str:
        """Stable across rebuilds: derived from the page's address, else from its file."""
        key = self.url or min((self.source, *self.duplicates))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    @property
    def heading(self) -> str:
        return readable_title(self.title, self.url, self.body)

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
        }

    def with_duplicates(self, others: list[CleanDocument]) -> CleanDocument:
        people = list(self.people)
        for other in others:
            people += [name for name in other.people if name not in people]
        url = self.url or next((other.url for other in others if other.url), None)
        return replace(
            self,
            url=url,
            people=tuple(people),
            duplicates=tuple(sorted(other.source for other in others)),
            duplicate_urls=tuple(sorted({o.url for o in others if o.url} - {url})),
            spellings=tuple(sorted(set(self.spellings).union(*(o.spellings for o in others)))),
            file_hashes=tuple(sorted(set(self.file_hashes).union(
                *(o.file_hashes for o in others)))),
        )


def is_listing_url(url: str | None) -> bool:
    """An address of a list of pages (a section, a news list, a page of one) on the site."""
    if not url:
        return False
    parts = urlsplit(url)
    if any(_LIST_PARAMETER.match(key) for key, _ in parse_qsl(parts.query)):
        return True
    segments = [segment for segment in parts.path.split("/") if segment]
    return not any(_ARTICLE_SLUG.fullmatch(segment) for segment in segments)


def readable_title(title: str | None, url: str | None, body: str) -> str:
    """What a visitor sees as the document's title: its own, else the section its address
    names ("Secretariat, page 2"), else the beginning of its text."""
    if title:
        return title
    if url and is_listing_url(url):
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s and s.lower() not in ("en", "ru")]
        tabs = [value for key, value in parse_qsl(parts.query) if key.endswith("-tab")]
        name = (tabs or segments or [parts.netloc.split(".")[0]])[-1]
        name = re.sub(r"[_\-]+", " ", name).strip().capitalize()
        page = next((value for key, value in parse_qsl(parts.query)
                     if key.upper().startswith("PAGEN_")), None)
        return f"{name}, page {page}" if page and page != "1" else name
    text = " ".join(body.split())
    if not text:
        return "(untitled page)"
    if len(text) <= HEADING_CHARS:
        return text
    return text[:HEADING_CHARS].rsplit(" ", 1)[0] + " …"

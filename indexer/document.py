"""Stage 6: the clean document, as indexed and as `csto-index extract` prints it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any


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
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def doc_id(self) -> str:
        """Stable across rebuilds: derived from the page's address, else from its file."""
        key = self.url or min((self.source, *self.duplicates))
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

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

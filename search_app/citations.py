"""How a document of the archive is cited.

- On its page, the meta tags reference managers read: Highwire Press `citation_*` (what
  Google Scholar indexes, and what Zotero's "Embedded Metadata" translator reads first) and
  Dublin Core `DC.*` (its fallback), with the organisation as the author.
- In its "Cite" box, a formatted reference with the source's address and the date the
  archive first saved it.
- In exports, a record per document in RIS (tags of two capitals or a capital and a digit,
  "TY" first and "ER" last, CRLF line ends) and in BibTeX (`@misc`, biblatex's `url`,
  `urldate` and `date`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from indexer.engine import StoredDocument
from indexer.facets import DOCUMENT_TYPE, PERSON, STATE
from search_app.exports import DocumentUrl

AUTHOR = "Collective Security Treaty Organization"
ARCHIVE = "CSTO archive search"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
# Characters BibTeX gives a meaning to, as it reads them in text.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
                   "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
                   "^": r"\textasciicircum{}"}
_BIBTEX_SPECIAL_PATTERN = re.compile("|".join(re.escape(char) for char in _BIBTEX_SPECIAL))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    published: date | None
    source_url: str | None  # the page on the organisation's site, when known
    archive_url: str  # the document's page in this archive, absolute
    archived: date | None  # when the archive first saved it
    kind: str  # its document type, as shown ("Statement")
    keywords: tuple[str, ...]  # the officials and states it names

    @classmethod
    def of(cls, document: StoredDocument, archive_url: str) -> Citation:
        kinds = document.facets.get(DOCUMENT_TYPE.name, ())
        return cls(document.id, _one_line(document.heading), document.date,
                   document.url if _is_web_address(document.url) else None, archive_url,
                   _day(document.first_indexed),
                   DOCUMENT_TYPE.label_of(kinds[0]) if kinds else "",
                   (*document.facets.get(PERSON.name, ()), *document.facets.get(STATE.name, ())))

    @property
    def url(self) -> str:
        """Where the cited text is read: the site's page, or the archive's when the site's
        address is not known."""
        return self.source_url or self.archive_url

    def meta_tags(self) -> list[tuple[str, str]]:
        """(name, content) of the page's <meta> tags; the template escapes them."""
        tags = [("citation_title", self.title), ("citation_author", AUTHOR)]
        if self.published:
            tags.append(("citation_publication_date", self.published.strftime("%Y/%m/%d")))
        tags += [("citation_public_url", self.url), ("citation_language", "en"),
                 ("DC.title", self.title), ("DC.creator", AUTHOR), ("DC.publisher", AUTHOR)]
        if self.published:
            tags.append(("DC.date", self.published.isoformat()))
        tags += [("DC.type", "Text"), ("DC.format", "text/html"), ("DC.language", "en"),
                 ("DC.identifier", self.url)]
        if self.source_url:
            tags.append(("DC.source", self.archive_url))
        return tags

    def reference(self) -> str:
        """A reference to copy: author, title, type and date, address, and when and where
        the archive saved it."""
        parts = [f"{AUTHOR}. “{self.title.rstrip('.')}.”"]
        described = ", ".join(part for part in (self.kind, _written(self.published)) if part)
        if described:
            parts.append(f"{described}.")
        if self.source_url:
            parts.append(f"{self.source_url}.")
        archived = f" {_written(self.archived)}" if self.archived else ""
        parts.append(f"Archived{archived} by {ARCHIVE}: {self.archive_url}.")
        return " ".join(parts)

    def ris(self) -> str:
        """One RIS record (a web page, "ELEC": Zotero reads it as one)."""
        lines = [("TY", "ELEC"), ("TI", self.title), ("AU", AUTHOR)]
        if self.published:
            lines += [("PY", str(self.published.year)),
                      ("DA", self.published.strftime("%Y/%m/%d"))]
        lines += [("UR", self.url), ("PB", AUTHOR), ("DB", ARCHIVE), ("LA", "en")]
        if self.kind:
            lines.append(("M3", self.kind))
        if self.archived:
            lines.append(("Y2", self.archived.strftime("%Y/%m/%d")))  # accessed
        lines += [("KW", keyword) for keyword in self.keywords]
        lines += [("N1", f"Archived copy: {self.archive_url}"), ("ID", self.doc_id), ("ER", "")]
        return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines) + "\r\n"

    def bibtex(self) -> str:
        """One BibTeX entry (@misc, with biblatex's fields beside BibTeX's)."""
        fields = [("author", f"{{{_bibtex_text(AUTHOR)}}}"),  # braced: one corporate name
                  ("title", f"{{{_bibtex_text(self.title)}}}")]
        if self.published:
            fields += [("year", str(self.published.year)), ("date", self.published.isoformat())]
        fields += [("url", _verbatim_url(self.url)),
                   ("howpublished", f"\\url{{{_escaped_url(self.url)}}}"),
                   ("publisher", _bibtex_text(AUTHOR)), ("language", "english")]
        if self.kind:
            fields.append(("type", _bibtex_text(self.kind)))
        if self.archived:
            fields.append(("urldate", self.archived.isoformat()))
        if self.keywords:
            fields.append(("keywords", _bibtex_text(", ".join(self.keywords))))
        fields.append(("note", f"Archived copy: \\url{{{_escaped_url(self.archive_url)}}}"))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{csto-{self.doc_id},\n{body}\n}}\n\n"


def ris_lines(documents: Iterable[StoredDocument], document_url: DocumentUrl) -> Iterator[str]:
    for document in documents:
        yield Citation.of(document, document_url(document.id)).ris()


def bibtex_lines(documents: Iterable[StoredDocument],
                 document_url: DocumentUrl) -> Iterator[str]:
    for document in documents:
        yield Citation.of(document, document_url(document.id)).bibtex()


def _written(day: date | None) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def _day(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _one_line(text: str) -> str:
    """A value on one line: a line break in a title would end a RIS tag or a meta tag."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _bibtex_text(text: str) -> str:
    return _BIBTEX_SPECIAL_PATTERN.sub(lambda match: _BIBTEX_SPECIAL[match.group()],
                                       _one_line(text))


def _verbatim_url(url: str) -> str:
    """An address for a verbatim field (biblatex's `url`): braces and backslashes, which
    would end or escape the field, percent-encoded."""
    return _one_line(url).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _escaped_url(url: str) -> str:
    """An address inside \\url{} in a field that TeX reads: % and # escaped too."""
    return _verbatim_url(url).replace("%", "\\%").replace("#", "\\#")


def _is_web_address(url: str | None) -> bool:
    return bool(url) and url.startswith(("http://", "https://"))  # type: ignore[union-attr]

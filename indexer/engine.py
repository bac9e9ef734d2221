"""The search engine behind one interface: the only module that imports Whoosh.

Everything else sees plain dictionaries and the field descriptions of `indexer.schema`, so
another engine could take Whoosh's place by rewriting this module alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import fields, index
from whoosh.analysis import (
    Analyzer,
    BiWordFilter,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from indexer import schema
from indexer.document import CleanDocument

# Letters and digits are separate words, so "23.12.2014The" gives "23.12.2014" and "the".
_WORDS = r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*"
WRITER_MEMORY_MB = 256


def text_analyzer() -> Analyzer:
    """English stemming with accents folded: "António" and "Antonio" are one word."""
    return (RegexTokenizer(_WORDS) | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter() | StemFilter(lang="en"))


def word_pairs_analyzer() -> Analyzer:
    return (RegexTokenizer(_WORDS) | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter() | BiWordFilter(sep=" "))


def _whoosh_field(field: schema.Field) -> fields.FieldType:
    match field.kind:
        case schema.Kind.ID:
            return fields.ID(stored=field.stored, unique=field is schema.ID)
        case schema.Kind.TEXT:
            # Field weights are applied at query time (schema.SEARCH_FIELDS), so they can be
            # tuned without re-indexing.
            return fields.TEXT(analyzer=text_analyzer(), stored=field.stored)
        case schema.Kind.WORD_PAIRS:
            return fields.TEXT(analyzer=word_pairs_analyzer(), stored=False, phrase=False)
        case schema.Kind.FACET:
            return fields.KEYWORD(stored=field.stored, commas=True, lowercase=False,
                                  scorable=False, sortable=field.sortable)
        case schema.Kind.DATE:
            return fields.DATETIME(stored=field.stored, sortable=field.sortable)
        case schema.Kind.STORED:
            return fields.STORED()
    raise ValueError(f"no Whoosh field for {field.kind}")


def whoosh_schema() -> fields.Schema:
    return fields.Schema(**{field.name: _whoosh_field(field) for field in schema.FIELDS})


def index_record(document: CleanDocument) -> dict[str, Any]:
    """The document as the engine stores it."""
    record: dict[str, Any] = {
        schema.ID.name: document.doc_id,
        schema.TITLE.name: document.title or "",
        schema.BODY.name: document.body,
        schema.BODY_PAIRS.name: document.body,
        schema.PEOPLE_TEXT.name: " ; ".join((*document.people, *document.spellings)),
        schema.PERSON.name: ",".join(name.replace(",", " ") for name in document.people),
        schema.SOURCES.name: json.dumps(document.sources),
        schema.CONTENT_HASH.name: document.content_hash,
    }
    if document.url:
        record[schema.URL.name] = document.url
    if document.date:
        record[schema.DATE.name] = datetime(document.date.year, document.date.month,
                                            document.date.day)
        record[schema.YEAR.name] = str(document.date.year)
    return record


def create_index(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    index.create_in(str(directory), whoosh_schema())


def is_index(directory: Path) -> bool:
    return directory.is_dir() and index.exists_in(str(directory))


@contextmanager
def writing(directory: Path) -> Iterator[IndexWriter]:
    """A writer whose changes all become visible at once when the block ends without error."""
    writer = index.open_dir(str(directory)).writer(limitmb=WRITER_MEMORY_MB)
    try:
        yield IndexWriter(writer)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


class IndexWriter:
    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def add(self, document: CleanDocument) -> None:
        self._writer.add_document(**index_record(document))

    def replace(self, document: CleanDocument) -> None:
        self._writer.update_document(**index_record(document))

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term(schema.ID.name, doc_id)


def write_index(directory: Path, documents: Iterable[CleanDocument],
                progress: Callable[[Iterable[CleanDocument]], Iterable[CleanDocument]]
                = lambda it: it) -> None:
    create_index(directory)
    with writing(directory) as writer:
        for document in progress(documents):
            writer.add(document)


def stored_documents(directory: Path) -> Iterator[dict[str, Any]]:
    """Every document's stored fields, with dates as `date` objects."""
    with index.open_dir(str(directory)).searcher() as searcher:
        for stored in searcher.all_stored_fields():
            yield _plain(stored)


def _plain(stored: dict[str, Any]) -> dict[str, Any]:
    record = dict(stored)
    if isinstance(record.get(schema.DATE.name), datetime):
        record[schema.DATE.name] = record[schema.DATE.name].date()
    if schema.SOURCES.name in record:
        record[schema.SOURCES.name] = json.loads(record[schema.SOURCES.name])
    people = record.get(schema.PERSON.name) or ""
    record[schema.PERSON.name] = [name for name in people.split(",") if name]
    return record


def search_ids(directory: Path, text: str, limit: int = 10) -> list[str]:
    """Ids of the best matches of a plain query over the default fields, best first."""
    from whoosh.qparser import MultifieldParser

    ix = index.open_dir(str(directory))
    parser = MultifieldParser(list(schema.SEARCH_FIELDS), ix.schema,
                              fieldboosts=schema.SEARCH_FIELDS)
    with ix.searcher() as searcher:
        hits = searcher.search(parser.parse(text), limit=limit)
        return [hit[schema.ID.name] for hit in hits]


def document_count(directory: Path) -> int:
    return index.open_dir(str(directory)).doc_count()

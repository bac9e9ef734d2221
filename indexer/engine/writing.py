"""Writing documents into an index, and reading stored documents back."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index

from indexer import schema
from indexer.document import CleanDocument
from indexer.engine.analysis import whoosh_schema

WRITER_MEMORY_MB = 256


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
        schema.UNDATED.name: "0" if document.date else "1",
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
            yield stored_record(stored)


def stored_record(stored: dict[str, Any]) -> dict[str, Any]:
    """Stored fields as plain Python values."""
    record = dict(stored)
    if isinstance(record.get(schema.DATE.name), datetime):
        record[schema.DATE.name] = record[schema.DATE.name].date()
    if schema.SOURCES.name in record:
        record[schema.SOURCES.name] = json.loads(record[schema.SOURCES.name])
    people = record.get(schema.PERSON.name) or ""
    record[schema.PERSON.name] = [name for name in people.split(",") if name]
    return record


def document_count(directory: Path) -> int:
    return index.open_dir(str(directory)).doc_count()

"""Writing documents into an index, and reading stored documents back."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index

from indexer import schema
from indexer.document import CleanDocument
from indexer.engine.analysis import whoosh_schema

WRITER_MEMORY_MB = 128  # per writer process
# A full build writes with two processes (the machines have two cores): 1.4x faster at 1k
# pages than one. Updates write few documents, and in one process.
BUILD_PROCESSES = 2
VOCABULARY_FILE = "vocabulary.tsv"
_VOCABULARY_WORD = re.compile(r"[^\W\d_]{3,}")


def index_record(document: CleanDocument) -> dict[str, Any]:
    """The document as the engine stores it."""
    record: dict[str, Any] = {
        schema.ID.name: document.doc_id,
        schema.TITLE.name: document.title or "",
        schema.BODY.name: document.body,
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


@contextmanager
def writing(directory: Path, processes: int = 1) -> Iterator[IndexWriter]:
    """A writer whose changes all become visible at once when the block ends without error."""
    options: dict[str, Any] = {"procs": processes, "multisegment": True} if processes > 1 else {}
    # Separate segment files: a searcher reads them in place instead of copying a compound
    # file into memory (server RSS 3.7x lower at 10k pages, queries about 10% slower).
    options["compound"] = False
    writer = index.open_dir(str(directory)).writer(limitmb=WRITER_MEMORY_MB, **options)
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
    with writing(directory, BUILD_PROCESSES) as writer:
        for document in progress(documents):
            writer.add(document)


def write_vocabulary(directory: Path, documents: Iterable[CleanDocument]) -> None:
    """The words of all documents as written (not stemmed), for "Did you mean" suggestions.

    Whoosh's own spelling option made builds 1.5x slower; a word count is nearly free.
    """
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(_VOCABULARY_WORD.findall(f"{document.title or ''} {document.body}".lower()))
    lines = (f"{word}\t{count}\n" for word, count in counts.most_common())
    (directory / VOCABULARY_FILE).write_text("".join(lines), encoding="utf-8")


def read_vocabulary(directory: Path) -> dict[str, int]:
    try:
        text = (directory / VOCABULARY_FILE).read_text("utf-8")
    except FileNotFoundError:
        return {}
    return {word: int(count) for word, count in
            (line.split("\t") for line in text.splitlines() if "\t" in line)}


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

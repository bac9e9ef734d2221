"""Writing documents into an index, and reading stored documents back."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index

from indexer import schema
from indexer.document import CleanDocument
from indexer.engine.analysis import WORD_PATTERN, analyse, whoosh_schema

WRITER_MEMORY_MB = 128  # per writer process
# A full build writes with two processes (the machines have two cores): 1.4x faster at 1k
# pages than one. Updates write few documents, and in one process.
BUILD_PROCESSES = 2
VOCABULARY_FILE = "vocabulary.tsv"
PEOPLE_FILE = "people.json"
_WORD = re.compile(WORD_PATTERN)


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
        schema.LISTING.name: "1" if document.listing else "0",
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
    """The words of all documents as written, lowercased, with their count and the term the
    index holds for each: for "Did you mean" suggestions, and for highlighting, which looks
    for a query term's written forms instead of analysing every word of a text.

    Whoosh's own spelling option made builds 1.5x slower; a word count is nearly free.
    """
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(_WORD.findall(f"{document.title or ''} {document.body}".lower()))
    lines = (f"{word}\t{count}\t{_term_of(word)}\n" for word, count in counts.most_common()
             if not word[0].isdigit())
    (directory / VOCABULARY_FILE).write_text("".join(lines), encoding="utf-8")


def write_people(directory: Path, spellings: dict[str, list[str]]) -> None:
    """Every spelling of each canonical person, for the people's pages."""
    (directory / PEOPLE_FILE).write_text(json.dumps(spellings, ensure_ascii=False),
                                         encoding="utf-8")


def read_people(directory: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((directory / PEOPLE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Vocabulary:
    counts: dict[str, int]  # written word -> occurrences
    forms: dict[str, tuple[str, ...]]  # term -> the written words it stands for


def read_vocabulary(directory: Path) -> Vocabulary:
    try:
        text = (directory / VOCABULARY_FILE).read_text("utf-8")
    except FileNotFoundError:
        return Vocabulary({}, {})
    counts: dict[str, int] = {}
    forms: dict[str, list[str]] = {}
    for line in text.splitlines():
        word, count, *term = line.split("\t")
        counts[word] = int(count)
        # Generations written before the term column: analysed now.
        stem = term[0] if term else _term_of(word)
        if stem:
            forms.setdefault(stem, []).append(word)
    return Vocabulary(counts, {stem: tuple(words) for stem, words in forms.items()})


def _term_of(word: str) -> str:
    terms = analyse(word)
    return terms[0] if len(terms) == 1 else ""


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

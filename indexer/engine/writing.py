"""Writing documents into an index, and reading stored documents back."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index

from indexer import schema
from indexer.document import CleanDocument
from indexer.engine.analysis import WORD_PATTERN, analyse, whoosh_schema
from indexer.facets import FACETS
from indexer.lifetime import children_end_with_this_process

WRITER_MEMORY_MB = 256  # for all writer processes of a build together (--memory-mb)
# A full build writes with two processes (the machines have two cores): 1.4x faster at 1k
# pages than one. Updates write few documents, and in one process.
BUILD_PROCESSES = 2
VOCABULARY_FILE = "vocabulary.tsv"
# The stored fields whose words the vocabulary counts, in this order.
VOCABULARY_FIELDS = (schema.TITLE, schema.BODY, schema.SIGNATURE)
PEOPLE_FILE = "people.json"
_WORD = re.compile(WORD_PATTERN)


def index_record(document: CleanDocument) -> dict[str, Any]:
    """The document as the engine stores it."""
    record: dict[str, Any] = {
        schema.ID.name: document.doc_id,
        schema.TITLE.name: document.title or "",
        schema.BODY.name: document.body,
        schema.PEOPLE_TEXT.name: " ; ".join((*document.people, *document.spellings)),
        schema.SOURCES.name: json.dumps(document.sources),
        schema.CONTENT_HASH.name: document.content_hash,
        schema.UNDATED.name: "0" if document.date else "1",
        schema.LISTING.name: "1" if document.listing else "0",
        schema.CUT.name: document.cut,
        schema.SIGNATURE.name: document.signature,
        schema.INDEXED.name: document.first_indexed,
    }
    for facet in FACETS:  # its values, one string: a comma between them, none inside
        record[facet.name] = ",".join(value.replace(",", " ")
                                      for value in facet.values_of(document))
    if document.url:
        record[schema.URL.name] = document.url
    if document.date:
        record[schema.DATE.name] = datetime(document.date.year, document.date.month,
                                            document.date.day)
    return record


def create_index(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    index.create_in(str(directory), whoosh_schema())


@contextmanager
def writing(directory: Path, processes: int = 1,
            memory_mb: int = WRITER_MEMORY_MB) -> Iterator[IndexWriter]:
    """A writer whose changes all become visible at once when the block ends without error.

    `memory_mb` bounds the postings each writer process holds before it sorts them to disk.
    """
    options: dict[str, Any] = {"procs": processes, "multisegment": True} if processes > 1 else {}
    # Separate segment files: a searcher reads them in place instead of copying a compound
    # file into memory (server RSS 3.7x lower at 10k pages, queries about 10% slower).
    options["compound"] = False
    if processes > 1:
        # Whoosh forks its writer processes: with the objects of this process frozen, their
        # garbage collector does not touch (and so copy) this process's memory.
        gc.collect()
        gc.freeze()
    try:
        # Whoosh forks its writer processes itself, as documents arrive: they must end with
        # this one, however it ends (killed, they would wait on their queue for good). Their
        # failures (a full disk) lose their documents, which this process counts and
        # reports: their tracebacks would only print the reason before the clear message.
        with children_end_with_this_process(quiet=True):
            writer = index.open_dir(str(directory)).writer(
                limitmb=max(16, memory_mb // max(processes, 1)), **options)
            try:
                yield IndexWriter(writer)
            except BaseException:
                _cancel(writer)
                raise
            writer.commit()
    finally:
        gc.unfreeze()


def _cancel(writer: Any) -> None:
    """Drop what a writer wrote; Whoosh's multiprocess writer only flags its processes when
    cancelled, which then wait for work for good: they are ended here."""
    try:
        writer.cancel()
    finally:
        for task in getattr(writer, "tasks", ()):
            if task.is_alive():
                task.terminate()
                task.join(timeout=5)


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
                memory_mb: int = WRITER_MEMORY_MB) -> None:
    create_index(directory)
    with writing(directory, BUILD_PROCESSES, memory_mb) as writer:
        for document in documents:
            writer.add(document)


def copy_generation(source: Path, target: Path, rewritten: Collection[str] = ()) -> None:
    """The index files of a generation in another folder, as hard links where the file
    system allows: Whoosh never rewrites a file it wrote (a commit writes new segment files
    and a new table of contents), so the copy costs no disk and no time at 100k pages.

    The files written again for each generation (the vocabulary, the people, the caller's
    `rewritten`) are left out: written through a link, the served generation's file would
    change too."""
    left_out = {VOCABULARY_FILE, PEOPLE_FILE, *rewritten}
    for path in source.iterdir():
        if path.is_file() and path.name not in left_out:
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)


def written_words(*texts: str | None) -> list[str]:
    """A document's words as the vocabulary counts them (from its title, text and signature:
    every word a query can find is one a misspelling can be corrected to): as written (their
    case kept, so that suggestions can be shown as the site writes them), numbers left out."""
    joined = " ".join(text for text in texts if text)
    return [word for word in _WORD.findall(joined) if not word[0].isdigit()]


def words_of(document: CleanDocument) -> list[str]:
    """The words the vocabulary counts for a document being written."""
    return written_words(*(getattr(document, field.name) for field in VOCABULARY_FIELDS))


def words_of_documents(directory: Path, doc_ids: Iterable[str]) -> Counter[str]:
    """The vocabulary's counts of stored documents (those an update replaces or deletes)."""
    counts: Counter[str] = Counter()
    with index.open_dir(str(directory)).searcher() as searcher:
        for doc_id in doc_ids:
            stored = searcher.document(**{schema.ID.name: doc_id})
            if stored is not None:
                counts.update(written_words(*(stored.get(field.name)
                                              for field in VOCABULARY_FIELDS)))
    return counts


def write_vocabulary(directory: Path, counts: Counter[str],
                     known_terms: Mapping[str, str] | None = None) -> None:
    """The words of all documents as written, with their count and the term the index holds
    for each: for "Did you mean" and suggestions, and for highlighting, which looks for a
    query term's written forms instead of analysing every word of a text.

    Whoosh's own spelling option made builds 1.5x slower; a word count is nearly free. An
    update adds the words of the documents it writes and takes away those it replaces.
    """
    ranked = sorted(((word, count) for word, count in counts.items() if count > 0),
                    key=lambda item: (-item[1], item[0]))
    terms = known_terms or {}
    lines = (f"{word}\t{count}\t{terms[word] if word in terms else _term_of(word)}\n"
             for word, count in ranked)
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
    written: dict[str, int]  # word as written -> occurrences
    written_terms: dict[str, str]  # word as written -> the term the index holds for it
    counts: dict[str, int]  # word, lowercase -> occurrences in any case
    forms: dict[str, tuple[str, ...]]  # term -> the lowercase words it stands for
    display: dict[str, str]  # word, lowercase -> how the site writes it most often

    def most_frequent_words(self, count: int) -> list[str]:
        return sorted(self.counts, key=lambda word: -self.counts[word])[:count]

    def frequent_terms(self, at_least: float) -> list[str]:
        """The index's terms written at least this many times, the most frequent first."""
        totals = {term: sum(self.counts.get(word, 0) for word in words)
                  for term, words in self.forms.items()}
        return sorted((term for term, total in totals.items() if total >= at_least),
                      key=lambda term: -totals[term])


def read_vocabulary(directory: Path) -> Vocabulary:
    try:
        text = (directory / VOCABULARY_FILE).read_text("utf-8")
    except FileNotFoundError:
        return Vocabulary({}, {}, {}, {}, {})
    written: dict[str, int] = {}
    written_terms: dict[str, str] = {}
    counts: dict[str, int] = {}
    display: dict[str, str] = {}
    forms: dict[str, dict[str, None]] = {}
    for line in text.splitlines():  # most frequent first
        word, count, *term = line.split("\t")
        lowered = word.lower()
        written[word] = int(count)
        counts[lowered] = counts.get(lowered, 0) + int(count)
        display.setdefault(lowered, word)
        # Generations written before the term column: analysed now.
        stem = term[0] if term else _term_of(word)
        written_terms[word] = stem
        if stem:
            forms.setdefault(stem, {})[lowered] = None
    return Vocabulary(written, written_terms, counts,
                      {stem: tuple(words) for stem, words in forms.items()}, display)


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
    for facet in FACETS:
        values = record.get(facet.name) or ""
        record[facet.name] = [value for value in values.split(",") if value]
    return record


def same_fields(directory: Path) -> bool:
    """Whether an index was written with the fields this version writes (an update can add
    documents to it; otherwise every document must be written anew)."""
    def described(schema: Any) -> dict[str, tuple[str, bool]]:
        return {name: (type(field).__name__, bool(field.stored))
                for name, field in schema.items()}

    return described(index.open_dir(str(directory)).schema) == described(whoosh_schema())


def document_count(directory: Path) -> int:
    return index.open_dir(str(directory)).doc_count()

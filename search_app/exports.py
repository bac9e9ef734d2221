"""Every matching document of a search, as CSV, JSON Lines, RIS or BibTeX
(`search_app.citations`), streamed as the client reads (the documents are read from the
index a chunk at a time), a few exports at once.

CSV follows Datasette's conventions: UTF-8, a header row, RFC 4180 quoting (CRLF line ends,
fields with commas, quotes or line breaks quoted) and a download name. A cell that starts
like a spreadsheet formula (=, +, -, @, tab, carriage return) gets a leading apostrophe, so
a hostile title cannot run as a formula when the file is opened."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.responses import StreamingResponse
from starlette.types import Message, Receive, Scope, Send

from indexer.engine import StoredDocument
from indexer.facets import FACETS

DocumentUrl = Callable[[str], str]  # a document's id -> its page's absolute address
# Facets exported, each as a column of its values ("people", "type", "states").
EXPORTED_FACETS = tuple(facet for facet in FACETS if facet.export_column)
CSV_COLUMNS = ("title", "date", *(facet.export_column for facet in EXPORTED_FACETS), "url",
               "doc_url", "id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(document: StoredDocument, document_url: DocumentUrl) -> dict[str, str]:
    return {"title": document.heading, "date": _iso(document.date) or "",
            **{facet.export_column: "; ".join(_values(document, facet.name))
               for facet in EXPORTED_FACETS},
            "url": document.url or "", "doc_url": document_url(document.id), "id": document.id}


def _values(document: StoredDocument, facet: str) -> tuple[str, ...]:
    return document.facets.get(facet, ())


def csv_lines(documents: Iterable[StoredDocument], document_url: DocumentUrl) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for number, document in enumerate(documents):
        row = _row(document, document_url)
        writer.writerow([spreadsheet_safe(row[column]) for column in CSV_COLUMNS])
        if number % 100 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def jsonl_lines(documents: Iterable[StoredDocument], document_url: DocumentUrl) -> Iterator[str]:
    for document in documents:
        record = {**_row(document, document_url),
                  **{facet.export_column: list(_values(document, facet.name))
                     for facet in EXPORTED_FACETS},
                  "date": _iso(document.date), "url": document.url, "body": document.body}
        yield json.dumps(record, ensure_ascii=False) + "\n"


def download_disposition(query: str, extension: str) -> str:
    """The Content-Disposition of an export: the query's words in the file name, as UTF-8
    (RFC 6266's `filename*`: "безопасность" and "安全" are words too), with an ASCII name
    beside it for clients that know only that."""
    words = re.sub(r"[^\w]+", "-", query.lower()).strip("-")[:60] or "all"
    ascii_words = re.sub(r"[^a-z0-9]+", "-", words).strip("-") or "search"
    return (f'attachment; filename="csto-search-{ascii_words}.{extension}"; '
            f"filename*=UTF-8''{quote(f'csto-search-{words}.{extension}', safe='')}")


class ExportSlots:
    """At most `limit` exports streamed at once by a server process: each holds a search's
    ranking and a connection for as long as its client reads."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._taken = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._taken >= self._limit:
                return False
            self._taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._taken -= 1


class ExportResponse(StreamingResponse):
    """A streamed export whose client must keep reading: a send that waits longer than
    `send_timeout` (the client stopped reading, its socket buffer is full) ends the export
    and drops the connection, and the slot is given back however the export ends."""

    def __init__(self, content: Iterator[str], *, send_timeout: float,
                 on_close: Callable[[], None], **options: Any) -> None:
        super().__init__(content, **options)
        self.send_timeout = send_timeout
        self.on_close = on_close

    async def stream_response(self, send: Send) -> None:
        async def timed(message: Message) -> None:
            await asyncio.wait_for(send(message), self.send_timeout)

        try:
            await super().stream_response(timed)
        except TimeoutError:
            return  # the server closes a response left unfinished

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.on_close()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None

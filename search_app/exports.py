"""Every matching document of a search, as CSV or JSON Lines, streamed.

CSV follows Datasette's conventions: UTF-8, a header row, RFC 4180 quoting (CRLF line ends,
fields with commas, quotes or line breaks quoted) and a download name. A cell that starts
like a spreadsheet formula (=, +, -, @, tab, carriage return) gets a leading apostrophe, so
a hostile title cannot run as a formula when the file is opened."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date

from indexer.engine import Hit, IndexSearcher

EXPORT_CAP = 10_000
CSV_COLUMNS = ("title", "date", "people", "url", "doc_url", "id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(hit: Hit, base_url: str) -> dict[str, str]:
    return {"title": hit.heading or hit.title or "", "date": _iso(hit.date) or "",
            "people": "; ".join(hit.people), "url": hit.url or "",
            "doc_url": f"{base_url}/doc/{hit.id}", "id": hit.id}


def csv_lines(hits: list[Hit], base_url: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for number, hit in enumerate(hits):
        row = _row(hit, base_url)
        writer.writerow([spreadsheet_safe(row[column]) for column in CSV_COLUMNS])
        if number % 500 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def jsonl_lines(hits: list[Hit], searcher: IndexSearcher, base_url: str) -> Iterator[str]:
    for hit in hits:
        document = searcher.document(hit.id)
        record = {**_row(hit, base_url), "people": list(hit.people),
                  "date": _iso(hit.date), "url": hit.url,
                  "body": document.body if document else ""}
        yield json.dumps(record, ensure_ascii=False) + "\n"


def download_name(query: str, extension: str) -> str:
    words = re.sub(r"[^\w]+", "-", query.lower()).strip("-")[:60] or "all"
    return f"csto-search-{words}.{extension}"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None

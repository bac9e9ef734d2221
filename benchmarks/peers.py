"""The peers we measure against, over the same clean documents: tantivy and SQLite FTS5.

Each has a build (from a JSON Lines file of clean documents, as `csto-index extract` prints
them) and a search doing the closest equivalent of ours: top 10 by BM25 with the title
weighted, counts by year and by person for the same query and filters, and highlighted
snippets of the 10 hits. Run as a script, a build is one process that can be measured alone:

    python benchmarks/peers.py build-tantivy DOCS.jsonl OUT_DIR
    python benchmarks/peers.py build-fts5 DOCS.jsonl OUT.db
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TITLE_WEIGHT = 3.0


def read_documents(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


# --- tantivy ---------------------------------------------------------------------------------

def tantivy_schema():  # type: ignore[no-untyped-def]
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("year", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("people", stored=True, tokenizer_name="raw", fast=True)
    return builder.build()


def build_tantivy(documents: Path, out: Path) -> int:
    import tantivy

    out.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(tantivy_schema(), path=str(out))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    count = 0
    for doc in read_documents(documents):
        fields: dict[str, Any] = {"id": doc["id"], "title": doc["title"] or "",
                                  "body": doc["body"], "year": str(doc["year"] or "")}
        if doc["people"]:
            fields["people"] = doc["people"]
        writer.add_document(tantivy.Document(**fields))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


class TantivySearch:
    def __init__(self, path: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.schema = tantivy_schema()
        self.index = tantivy.Index.open(str(path))
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, text: str, year: str | None, person: str | None):  # type: ignore[no-untyped-def]
        tantivy = self.tantivy
        parsed = self.index.parse_query(text, ["title", "body"],
                                        field_boosts={"title": TITLE_WEIGHT})
        parts = [(tantivy.Occur.Must, parsed)]
        if year:
            parts.append((tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "year", year)))
        if person:
            parts.append((tantivy.Occur.Must,
                          tantivy.Query.term_query(self.schema, "people", person)))
        return parsed, tantivy.Query.boolean_query(parts)

    def search(self, text: str, year: str | None = None,
               person: str | None = None) -> dict[str, Any]:
        parsed, combined = self.query(text, year, person)
        found = self.searcher.search(combined, 10, count=True)
        hits, total = found.hits, found.count
        snippets = self.tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema,
                                                        "body")
        results = []
        for score, address in hits:
            doc = self.searcher.doc(address)
            results.append({"id": doc["id"][0], "title": doc["title"][0], "score": score,
                            "snippet": snippets.snippet_from_doc(doc).to_html()})
        # Facet counts with the other facet's filter only, as ours does.
        _, for_years = self.query(text, None, person)
        _, for_people = self.query(text, year, None)
        years = self.searcher.aggregate(for_years, {"v": {"terms": {"field": "year",
                                                                    "size": 100}}})
        people = self.searcher.aggregate(for_people, {"v": {"terms": {"field": "people",
                                                                      "size": 12}}})
        return {"total": total, "results": results,
                "facets": {"year": years["v"]["buckets"], "person": people["v"]["buckets"]}}


# --- SQLite FTS5 -----------------------------------------------------------------------------

def build_fts5(documents: Path, db_path: Path) -> int:
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    db.executescript("""
        CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, body TEXT,
                           year TEXT, date TEXT, people TEXT);
        CREATE TABLE doc_people (doc INTEGER, person TEXT);
        CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, content='docs',
                                                 content_rowid='rowid', tokenize='porter');
    """)
    count = 0
    with db:
        for rowid, doc in enumerate(read_documents(documents), 1):
            db.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (rowid, doc["id"], doc["title"] or "", doc["body"],
                        str(doc["year"] or ""), doc["date"], json.dumps(doc["people"])))
            db.executemany("INSERT INTO doc_people VALUES (?, ?)",
                           [(rowid, person) for person in doc["people"]])
            count += 1
        db.execute("INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')")
        db.executescript("""
            CREATE INDEX doc_people_person ON doc_people(person, doc);
            CREATE INDEX doc_people_doc ON doc_people(doc);
            CREATE INDEX docs_year ON docs(year);
        """)
    db.close()
    return count


class Fts5Search:
    def __init__(self, db_path: Path) -> None:
        self.db = sqlite3.connect(db_path, check_same_thread=False)

    @staticmethod
    def _filters(year: str | None, person: str | None) -> tuple[str, list[str]]:
        sql, args = "", []
        if year:
            sql += " AND d.year = ?"
            args.append(year)
        if person:
            sql += " AND d.rowid IN (SELECT doc FROM doc_people WHERE person = ?)"
            args.append(person)
        return sql, args

    def search(self, match: str, year: str | None = None,
               person: str | None = None) -> dict[str, Any]:
        where, args = self._filters(year, person)
        hits = self.db.execute(
            "SELECT d.id, d.title, snippet(docs_fts, 1, '<mark>', '</mark>', '…', 24) "
            "FROM docs_fts JOIN docs d ON d.rowid = docs_fts.rowid "
            f"WHERE docs_fts MATCH ?{where} ORDER BY bm25(docs_fts, {TITLE_WEIGHT}, 1.0) "
            "LIMIT 10", [match, *args]).fetchall()
        matching = "SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?"
        total = self.db.execute(f"SELECT count(*) FROM docs d WHERE d.rowid IN ({matching})"
                                f"{where}", [match, *args]).fetchone()[0]
        year_where, year_args = self._filters(None, person)
        years = self.db.execute(
            f"SELECT d.year, count(*) FROM docs d WHERE d.rowid IN ({matching}){year_where} "
            "GROUP BY d.year", [match, *year_args]).fetchall()
        people_where, people_args = self._filters(year, None)
        people = self.db.execute(
            "SELECT p.person, count(*) c FROM doc_people p JOIN docs d ON d.rowid = p.doc "
            f"WHERE d.rowid IN ({matching}){people_where} GROUP BY p.person "
            "ORDER BY c DESC LIMIT 12", [match, *people_args]).fetchall()
        return {"total": total, "results": hits, "facets": {"year": years, "person": people}}


def main() -> None:
    command, documents, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    builders = {"build-tantivy": build_tantivy, "build-fts5": build_fts5}
    print(json.dumps({"documents": builders[command](documents, out)}))


if __name__ == "__main__":
    main()

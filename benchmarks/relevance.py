"""Ranking quality on the judged queries: nDCG@10, MRR and recall@10, against baselines.

    python benchmarks/relevance.py [--corpus ../shared/corpus] [--json] [--verbose]

Builds an index over the seeds and the labelled pages with the real `csto-index build`, runs
every query of `queries.jsonl` through the search function the app serves, and scores the
ranked pages with ir-measures. A document that merges several saved copies of a page stands
for all of them, at consecutive ranks. In the same run, two baselines on the same queries:
tantivy's BM25 over our cleaned documents, and our own engine over the uncleaned pages (what
cleaning is worth). Needs the `bench` extra.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import ir_measures  # noqa: E402
from ir_measures import RR, R, nDCG  # noqa: E402

from indexer import engine  # noqa: E402
from indexer.document import CleanDocument  # noqa: E402
from indexer.people import default_lexicon, fold  # noqa: E402
from indexer.store import IndexStore  # noqa: E402
from indexer.synonyms import load_synonyms  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
MEASURES = [nDCG @ 10, RR, R @ 10]
TOP = 10
Ranker = Callable[[str], list[str]]  # query -> page files, best first


def query_type(query: dict[str, Any]) -> str:
    text, intent = query["query"], query["intent"].lower()
    if '"' in text:
        return "phrase"
    if "misspel" in intent or "transliterat" in intent:
        return "misspelling"
    surnames = {fold(m.surname) for _, m in default_lexicon().known}
    if any(fold(word) in surnames for word in text.split()):
        return "person"
    if re.search(r"\b\d{4}\b", text) or " in " in text:
        return "topic + year or place"
    return "topic"


def raw_folder(corpus: Path, into: Path) -> Path:
    raw = into / "raw"
    raw.mkdir()
    for folder in ("seeds", "pages"):
        for page in (corpus / folder).glob("*.txt"):
            shutil.copy(page, raw / page.name)
    shutil.copy(corpus / "pages" / "manifest.jsonl", raw / "manifest.jsonl")
    return raw


def our_ranker(index_dir: Path) -> Ranker:
    current = IndexStore(index_dir).current()
    assert current is not None
    searcher = engine.IndexSearcher(current, synonyms=load_synonyms())

    def rank(text: str) -> list[str]:
        result = searcher.search(engine.SearchRequest(text, page_size=TOP))
        files: list[str] = []
        for hit in result.hits:
            document = searcher.document(hit.id)
            files += list(document.sources) if document else []
        return files

    return rank


def uncleaned_ranker(raw: Path, into: Path) -> Ranker:
    """Our engine over the pages as crawled: sidebar, footer and all, no title or people."""
    documents = [CleanDocument(source=page.name, title=None, date=None, people=(),
                               body=page.read_text("utf-8", errors="replace"))
                 for page in sorted(raw.glob("*.txt"))]
    store = IndexStore(into / "uncleaned")
    generation = store.new_generation()
    engine.write_index(generation, documents)
    store.publish(generation, {})
    return our_ranker(store.root)


def tantivy_ranker(index_dir: Path, into: Path) -> Ranker:
    """tantivy's default BM25 (title and body, no boosts) over our cleaned documents."""
    import tantivy

    from benchmarks.peers import tantivy_schema

    current = IndexStore(index_dir).current()
    assert current is not None
    records = list(engine.stored_documents(current))
    sources = {r["id"]: r["sources"] for r in records}
    (into / "tantivy").mkdir()
    index = tantivy.Index(tantivy_schema(), path=str(into / "tantivy"))
    writer = index.writer()
    for r in records:
        writer.add_document(tantivy.Document(id=r["id"], title=r.get("title") or "",
                                             body=r.get("body", ""), year="", people=[]))
    writer.commit()
    index.reload()
    searcher = index.searcher()

    def rank(text: str) -> list[str]:
        try:
            parsed = index.parse_query(text, ["title", "body"])
        except ValueError:
            return []
        files: list[str] = []
        for _, address in searcher.search(parsed, TOP).hits:
            files += sources[searcher.doc(address)["id"][0]]
        return files

    return rank


def evaluate(queries: list[dict[str, Any]], rank: Ranker) -> dict[str, Any]:
    qrels = [ir_measures.Qrel(q["id"], page, grade) for q in queries
             for page, grade in q["judgments"].items()]
    run, ranked = [], {}
    for q in queries:
        files = list(dict.fromkeys(rank(q["query"])))
        ranked[q["id"]] = files
        run += [ir_measures.ScoredDoc(q["id"], page, float(len(files) - i))
                for i, page in enumerate(files)]
    per_query: dict[str, dict[str, float]] = defaultdict(dict)
    for metric in ir_measures.iter_calc(MEASURES, qrels, run):
        per_query[metric.query_id][str(metric.measure)] = metric.value
    for q in queries:  # a query that found nothing scores 0, not "missing"
        for measure in MEASURES:
            per_query[q["id"]].setdefault(str(measure), 0.0)
    by_type: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        by_type[query_type(q)].append(q["id"])

    def mean(ids: list[str]) -> dict[str, float]:
        return {str(m): sum(per_query[i][str(m)] for i in ids) / len(ids) for m in MEASURES}

    intended_found = {
        q["id"]: all(page in ranked[q["id"]] for page, grade in q["judgments"].items()
                     if grade == 2)
        for q in queries if query_type(q) == "misspelling"}
    return {"overall": mean([q["id"] for q in queries]),
            "by_type": {kind: mean(ids) for kind, ids in sorted(by_type.items())},
            "per_query": dict(per_query), "misspelled_found_on_page_1": intended_found}


TYPO_WORDS = 50
TYPO_SEED = 7
TYPO_MIN_LETTERS = 5  # shorter words are too ambiguous to correct (Typesense: 4 for one typo)


def typo_words(index_dir: Path) -> list[str]:
    """The corpus's most frequent words and the surnames of the officials it names."""
    current = IndexStore(index_dir).current()
    assert current is not None
    records = list(engine.stored_documents(current))
    surnames = Counter(name.split()[-1] for r in records for name in r["person"])
    words = Counter(word.lower() for r in records
                    for word in re.findall(rf"[^\W\d_]{{{TYPO_MIN_LETTERS},}}",
                                           r.get("body", "")))
    chosen = [name for name, _ in surnames.most_common() if len(name) >= TYPO_MIN_LETTERS]
    chosen = chosen[:TYPO_WORDS // 3]
    chosen += [word for word, _ in words.most_common() if word not in chosen]
    return chosen[:TYPO_WORDS]


def misspelt(word: str, edits: int, rng: random.Random, known: set[str]) -> str:
    """The word with `edits` letters changed, dropped, added or swapped (never a known word)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(100):
        typo = list(word)
        for _ in range(edits):
            at = rng.randrange(1, len(typo))  # visitors seldom get the first letter wrong
            kind = rng.choice(("change", "drop", "add", "swap"))
            if kind == "change":
                typo[at] = rng.choice(letters)
            elif kind == "drop":
                del typo[at]
            elif kind == "add":
                typo.insert(at, rng.choice(letters))
            elif at + 1 < len(typo):
                typo[at], typo[at + 1] = typo[at + 1], typo[at]
        text = "".join(typo)
        if text.lower() != word.lower() and text.lower() not in known:
            return text
    raise ValueError(f"no typo for {word}")


def typo_benchmark(index_dir: Path) -> dict[str, Any]:
    """Typo queries whose first page is the first page of the correctly spelt query, and
    correctly spelt queries answered as typed (no fuzzy matching where the word exists)."""
    current = IndexStore(index_dir).current()
    assert current is not None
    searcher = engine.IndexSearcher(current, synonyms=load_synonyms())
    words = typo_words(index_dir)
    known = {w.lower() for w in words}
    rng = random.Random(TYPO_SEED)

    def first_page(text: str) -> tuple[list[str], engine.SearchResult]:
        result = searcher.search(engine.SearchRequest(text, page_size=TOP))
        return [hit.id for hit in result.hits], result

    cases, untouched = [], 0
    for word in words:
        expected, result = first_page(word)
        untouched += result.corrected_from is None and result.answered == word
        for edits in (1, 2) if len(word) >= 7 else (1,):
            typo = misspelt(word, edits, rng, known)
            got, _ = first_page(typo)
            cases.append({"word": word, "typo": typo, "edits": edits,
                          "same": set(got) == set(expected), "same_order": got == expected})
    return {"typo_queries": len(cases),
            "same_first_page": sum(c["same"] for c in cases) / len(cases),
            "same_first_page_in_order": sum(c["same_order"] for c in cases) / len(cases),
            "correct_queries": len(words), "answered_as_typed": untouched / len(words),
            "misses": [c for c in cases if not c["same"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="per-query nDCG@10")
    args = parser.parse_args()
    queries = [json.loads(line) for line in (args.corpus / "queries.jsonl").open()]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        raw = raw_folder(args.corpus, work)
        index_dir = work / "index"
        subprocess.run([str(Path(sys.executable).parent / "csto-index"), "build", str(raw),
                        "--index", str(index_dir)], check=True, capture_output=True)
        typos = typo_benchmark(index_dir)
        results = {
            "ours": evaluate(queries, our_ranker(index_dir)),
            "tantivy BM25, cleaned": evaluate(queries, tantivy_ranker(index_dir, work)),
            "ours, uncleaned pages": evaluate(queries, uncleaned_ranker(raw, work)),
        }
    if args.json:
        print(json.dumps(results | {"typos": typos}, indent=1))
        return
    names = [str(m) for m in MEASURES]
    print(f"{'system':28} " + " ".join(f"{n:>8}" for n in names))
    for system, result in results.items():
        print(f"{system:28} " + " ".join(f"{result['overall'][n]:8.3f}" for n in names))
    print("\nnDCG@10 by query type      " + " ".join(f"{s[:14]:>15}" for s in results))
    for kind in results["ours"]["by_type"]:
        print(f"  {kind:25} " + " ".join(f"{r['by_type'][kind]['nDCG@10']:15.3f}"
                                         for r in results.values()))
    print("\nmisspelled queries with every intended page on page 1:",
          results["ours"]["misspelled_found_on_page_1"])
    print(f"\ntypos: {typos['typo_queries']} misspellings of {typos['correct_queries']} frequent "
          f"words and officials' surnames (seed {TYPO_SEED}); first page as for the correct "
          f"spelling: {typos['same_first_page']:.1%} (goal 90%; the same pages in the same order: "
          f"{typos['same_first_page_in_order']:.1%}); correct spellings answered as "
          f"typed: {typos['answered_as_typed']:.1%} (goal 100%)")
    if args.verbose:
        for miss in typos["misses"]:
            print(f"  typo {miss['typo']!r} for {miss['word']!r}: another first page")
    if args.verbose:
        for qid, scores in sorted(results["ours"]["per_query"].items()):
            query = next(q for q in queries if q["id"] == qid)
            print(f"  {qid} {query['query']!r:40} nDCG@10 {scores['nDCG@10']:.3f}  "
                  f"tantivy {results['tantivy BM25, cleaned']['per_query'][qid]['nDCG@10']:.3f}")


if __name__ == "__main__":
    main()

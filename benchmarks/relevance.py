"""Ranking quality on the judged queries: nDCG@10, MRR and recall@10 by query style.

    python benchmarks/relevance.py [--corpus ../shared/corpus] [--json] [--verbose]
                                   [--parts first,second,all] [--sets keyword,natural]

For each part of the labelled pages (`first`: the first 60, `second`: the other 62, each
indexed alone; `all`: the 122 with the five seeds, one crawl), builds an index with the real
`csto-index build`, runs every judged query of each set (`queries.jsonl`, the keyword set;
`queries-natural.jsonl`: questions, long descriptions, pinned, persons, rare words) whose
relevant pages are in that part through the search the app serves, and scores the ranked
pages with ir-measures (judgments restricted to the part's pages). A document that merges
several saved copies of a page stands for all of them, at consecutive ranks.

Beside ours, in the same run and on the same queries, the BM25 anchors: tantivy's BM25 (title
and body, OR of the words, no boosts) over the pages cleaned by their labels (the title, and
the text from where the label says the article starts: a perfect cleaner), over our cleaned
documents, and over the raw pages. Also: known-item search (three words of a labelled title,
MRR of its page) and the typo benchmark (the `all` part). Needs the `bench` extra.
"""

from __future__ import annotations

import argparse
import json
import os
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
from indexer.cleaning.people import default_lexicon, fold  # noqa: E402
from indexer.store import IndexStore  # noqa: E402
from indexer.synonyms import load_synonyms  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
MEASURES = [nDCG @ 10, RR, R @ 10]
TOP = 10
FIRST_HALF = 60
QUERY_SETS = {"keyword": "queries.jsonl", "natural": "queries-natural.jsonl"}
PARTS = ("first", "second", "all")
Ranker = Callable[[str], list[str]]  # query -> page files, best first
Page = dict[str, Any]  # a manifest line


def query_style(query: dict[str, Any]) -> str:
    """The natural set says its style; the keyword set's is read from the query."""
    if "type" in query:
        return query["type"]
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


def part_pages(corpus: Path, part: str) -> tuple[list[Page], list[Path]]:
    """The manifest lines and the page files of one part (the seeds only in `all`)."""
    manifest = [json.loads(line) for line in (corpus / "pages" / "manifest.jsonl").open()
                if line.strip()]
    labelled = {"first": manifest[:FIRST_HALF], "second": manifest[FIRST_HALF:],
                "all": manifest}[part]
    files = [corpus / "pages" / page["file"] for page in labelled]
    if part == "all":
        files += sorted((corpus / "seeds").glob("*.txt"))
    return labelled, files


def raw_folder(pages: list[Page], files: list[Path], into: Path) -> Path:
    raw = into / "raw"
    raw.mkdir()
    for file in files:
        shutil.copy(file, raw / file.name)
    with (raw / "manifest.jsonl").open("w") as manifest:
        for page in pages:
            manifest.write(json.dumps({"file": page["file"], "url": page["url"]}) + "\n")
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


def label_cleaned(page: Page, text: str) -> tuple[str, str]:
    """(title, body) of a page as its labels say: the text from the body's first words (or
    after the sidebar block) on."""
    start = 0
    if page.get("body_start") and page["body_start"] in text:
        start = text.index(page["body_start"])
    elif page.get("header_end") and page["header_end"] in text:
        start = text.index(page["header_end"]) + len(page["header_end"])
    return page.get("title") or "", text[start:]


def tantivy_ranker(documents: list[tuple[list[str], str, str]], into: Path) -> Ranker:
    """tantivy's default BM25 (title and body, OR of the words) over (sources, title, body)."""
    import tantivy

    from benchmarks.peers import tantivy_schema

    into.mkdir()
    index = tantivy.Index(tantivy_schema(), path=str(into))
    writer = index.writer()
    for number, (_, title, body) in enumerate(documents):
        writer.add_document(tantivy.Document(id=str(number), title=title, body=body, year="",
                                             people=[]))
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
            files += documents[int(searcher.doc(address)["id"][0])][0]
        return files

    return rank


def anchors(index_dir: Path, pages: list[Page], files: list[Path],
            into: Path) -> dict[str, Ranker]:
    current = IndexStore(index_dir).current()
    assert current is not None
    ours = [(list(r["sources"]), r.get("title") or "", r.get("body", ""))
            for r in engine.stored_documents(current)]
    by_file = {page["file"]: page for page in pages}
    ours_by_file = {source: (title, body) for sources, title, body in ours
                    for source in sources}
    labelled, raw = [], []
    for file in files:
        text = file.read_text("utf-8", errors="replace")
        raw.append(([file.name], "", text))
        page = by_file.get(file.name)
        # A page without labels (a seed) is taken as our cleaner gives it.
        title, body = (label_cleaned(page, text) if page else
                       ours_by_file.get(file.name, ("", text)))
        labelled.append(([file.name], title, body))
    return {"BM25 clean": tantivy_ranker(labelled, into / "t-labelled"),
            "BM25 ours": tantivy_ranker(ours, into / "t-ours"),
            "BM25 raw": tantivy_ranker(raw, into / "t-raw")}


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
    by_style: dict[str, list[str]] = defaultdict(list)
    for q in queries:
        by_style[query_style(q)].append(q["id"])

    def mean(ids: list[str]) -> dict[str, float]:
        return {str(m): sum(per_query[i][str(m)] for i in ids) / len(ids) for m in MEASURES}

    return {"overall": mean([q["id"] for q in queries]),
            "by_style": {style: mean(ids) | {"queries": len(ids)}
                         for style, ids in sorted(by_style.items())},
            "per_query": dict(per_query), "ranked": ranked}


def judged_in(queries: list[dict[str, Any]], files: set[str]) -> list[dict[str, Any]]:
    """The queries with a relevant page among these files, judged on these files only."""
    kept = []
    for q in queries:
        judgments = {page: grade for page, grade in q["judgments"].items() if page in files}
        if any(grade > 0 for grade in judgments.values()):
            kept.append(q | {"judgments": judgments})
    return kept


KNOWN_ITEM_WORDS = 3
# Words a visitor leaves out when typing what they remember of a title.
_STOP = frozenset(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in",
                   "is", "it", "of", "on", "or", "the", "to", "with"])


def known_item_queries(pages: list[Page], files: list[Path]) -> list[dict[str, Any]]:
    """The three rarest content words of each labelled article title (in the title's
    order), as a visitor who remembers a page types what set it apart; that page (and its
    other copies) is the one relevant answer."""
    pages_with: Counter[str] = Counter()
    for file in files:
        pages_with.update({w.lower() for w in re.findall(r"[^\W_]+", file.read_text(
            "utf-8", errors="replace"))})
    queries = []
    for page in pages:
        if page["kind"] != "article" or not page.get("title"):
            continue
        words = list(dict.fromkeys(w for w in re.findall(r"[^\W_]+", page["title"])
                                   if w.lower() not in _STOP))
        if len(words) < KNOWN_ITEM_WORDS:
            continue
        rarest = sorted(words, key=lambda w: (pages_with[w.lower()], words.index(w)))
        chosen = set(rarest[:KNOWN_ITEM_WORDS])
        judged = {page["file"]: 2} | {other["file"]: 2 for other in pages
                                      if other["url"] == page["url"]}
        queries.append({"id": f"k-{page['file']}", "intent": "known item",
                        "query": " ".join(w for w in words if w in chosen),
                        "type": "known-item", "judgments": judged})
    return queries


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


def measure_part(corpus: Path, part: str, sets: dict[str, list[dict[str, Any]]],
                 with_typos: bool) -> dict[str, Any]:
    pages, files = part_pages(corpus, part)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        raw = raw_folder(pages, files, work)
        index_dir = work / "index"
        # The indexer of this checkout (not whatever `csto-index` the environment has).
        subprocess.run([sys.executable, "-m", "indexer.building.cli", "build", str(raw),
                        "--index", str(index_dir)], check=True, capture_output=True,
                       cwd=REPO, env=os.environ | {"PYTHONPATH": str(REPO)})
        systems = {"ours": our_ranker(index_dir)} | anchors(index_dir, pages, files, work)
        names = {file.name for file in files}
        judged = {name: judged_in(queries, names) for name, queries in sets.items()}
        judged["known-item"] = known_item_queries(pages, files)
        results = {name: {system: evaluate(queries, rank) for system, rank in systems.items()}
                   for name, queries in judged.items() if queries}
        results["queries"] = {q["id"]: q for queries in judged.values() for q in queries}
        if with_typos:
            results["typos"] = typo_benchmark(index_dir)
    return results


def print_part(part: str, results: dict[str, Any], verbose: bool) -> None:
    queries = results["queries"]
    for set_name, systems in results.items():
        if set_name in ("typos", "queries"):
            continue
        names = list(systems)
        print(f"\n[{part}] {set_name}: nDCG@10 by style" + "".join(f"{n:>12}" for n in names))
        ours = systems["ours"]
        for style, scores in ours["by_style"].items():
            print(f"  {style:22} ({scores['queries']:2} q)" + "".join(
                f"{systems[n]['by_style'][style]['nDCG@10']:12.3f}" for n in names))
        print(f"  {'all':22} ({sum(s['queries'] for s in ours['by_style'].values()):2} q)"
              + "".join(f"{systems[n]['overall']['nDCG@10']:12.3f}" for n in names))
        print(f"  {'MRR':29}" + "".join(f"{systems[n]['overall']['RR']:12.3f}" for n in names))
        print(f"  {'recall@10':29}" + "".join(f"{systems[n]['overall']['R@10']:12.3f}"
                                              for n in names))
        if verbose and set_name != "known-item":
            for qid, scores in sorted(ours["per_query"].items()):
                print(f"    {qid} {queries[qid]['query']!r:58} {scores['nDCG@10']:.3f}"
                      + "".join(f"{systems[n]['per_query'][qid]['nDCG@10']:12.3f}"
                                for n in names[1:]))
        if verbose and set_name == "known-item":
            for qid, scores in sorted(ours["per_query"].items()):
                if scores["RR"] < 1:
                    print(f"    missed {qid} {queries[qid]['query']!r}: RR {scores['RR']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="per-query nDCG@10")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--sets", default=",".join(QUERY_SETS))
    args = parser.parse_args()
    sets = {name: [json.loads(line) for line in (args.corpus / QUERY_SETS[name]).open()
                   if line.strip()] for name in args.sets.split(",")}
    parts = args.parts.split(",")
    results = {part: measure_part(args.corpus, part, sets, with_typos=part == parts[-1])
               for part in parts}
    if args.json:
        for part in results.values():
            part.pop("queries")
            for set_name, systems in part.items():
                for system in systems.values() if set_name != "typos" else ():
                    system.pop("ranked", None)
        print(json.dumps(results, indent=1))
        return
    for part, measured in results.items():
        print_part(part, measured, args.verbose)
    typos = results[parts[-1]].get("typos")
    if typos:
        print(f"\ntypos ({parts[-1]}): {typos['typo_queries']} misspellings of "
              f"{typos['correct_queries']} frequent words and officials' surnames (seed "
              f"{TYPO_SEED}); first page as for the correct spelling: "
              f"{typos['same_first_page']:.1%} (goal 90%; in the same order: "
              f"{typos['same_first_page_in_order']:.1%}); correct spellings answered as "
              f"typed: {typos['answered_as_typed']:.1%} (goal 100%)")
        if args.verbose:
            for miss in typos["misses"]:
                print(f"  typo {miss['typo']!r} for {miss['word']!r}: another first page")


if __name__ == "__main__":
    main()

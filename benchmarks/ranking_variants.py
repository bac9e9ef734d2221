"""The ranking's parameters, each changed alone, on both halves of the judged queries.

    python benchmarks/ranking_variants.py [--corpus ../shared/corpus]

Builds the three parts of `relevance.py` once (first 60 pages, other 62, all with the seeds),
then for each variant of `indexer.engine.ranking.RankingModel` (and the listing weight)
prints nDCG@10 of the keyword and natural sets and the known-item MRR on each part. A
parameter is kept at a value that helps both halves; see docs/ranking.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.relevance import (  # noqa: E402
    DEFAULT_CORPUS,
    PARTS,
    QUERY_SETS,
    evaluate,
    judged_in,
    known_item_queries,
    part_pages,
    raw_folder,
)
from indexer import engine  # noqa: E402
from indexer.engine import ranking, searching  # noqa: E402
from indexer.store import IndexStore  # noqa: E402
from indexer.synonyms import load_synonyms  # noqa: E402

BASE = ranking.RankingModel()
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("as shipped", {}),
    ("no coverage bonus", {"coordination": 0.0}),
    ("coverage bonus 0.5", {"coordination": 0.5}),
    ("coverage bonus 2", {"coordination": 2.0}),
    ("no proximity", {"proximity": 0.0}),
    ("proximity in every query", {"proximity_concepts": 100}),
    ("k1 0.8", {"k1": 0.8}),
    ("k1 2.0", {"k1": 2.0}),
    ("title b 0.3", {"b": BASE.b | {"title": 0.3}}),
    ("body b 0.5", {"b": BASE.b | {"body": 0.5}}),
    ("body b 0.9", {"b": BASE.b | {"body": 0.9}}),
    ("title weight 2", {"weights": BASE.weights | {"title": 2.0}}),
    ("title weight 5", {"weights": BASE.weights | {"title": 5.0}}),
    ("date match 1.5", {"date_match": 1.5}),
    ("date match 6", {"date_match": 6.0}),
    ("listing weight 1 (no demotion)", {"listing weight": 1.0}),
]


def searcher_of(corpus: Path, part: str, work: Path) -> engine.IndexSearcher:
    pages, files = part_pages(corpus, part)
    folder = work / part
    folder.mkdir()
    raw = raw_folder(pages, files, folder)
    subprocess.run([sys.executable, "-m", "indexer.building.cli", "build", str(raw), "--index",
                    str(folder / "index")], check=True, capture_output=True, cwd=REPO,
                   env=os.environ | {"PYTHONPATH": str(REPO)})
    current = IndexStore(folder / "index").current()
    assert current is not None
    return engine.IndexSearcher(current, synonyms=load_synonyms())


def ranker(searcher: engine.IndexSearcher):  # type: ignore[no-untyped-def]
    def rank(text: str) -> list[str]:
        files: list[str] = []
        for hit in searcher.search(engine.SearchRequest(text, page_size=10)).hits:
            document = searcher.document(hit.id)
            files += list(document.sources) if document else []
        return files

    return rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    sets = {name: [json.loads(line) for line in (args.corpus / file).open() if line.strip()]
            for name, file in QUERY_SETS.items()}
    with tempfile.TemporaryDirectory() as tmp:
        searchers = {part: searcher_of(args.corpus, part, Path(tmp)) for part in PARTS}
        judged = {}
        for part in PARTS:
            pages, files = part_pages(args.corpus, part)
            names = {file.name for file in files}
            judged[part] = {name: judged_in(queries, names) for name, queries in sets.items()}
            judged[part]["known-item"] = known_item_queries(pages, files)
        print(f"{'variant':32}" + "".join(f"{part:>28}" for part in PARTS))
        print(f"{'':32}" + "    keyword natural known MRR" * len(PARTS))
        for label, changes in VARIANTS:
            changes = dict(changes)
            searching.LISTING_WEIGHT = changes.pop("listing weight", 0.5)
            row = []
            for part in PARTS:
                searcher = searchers[part]
                searcher._ranker.__init__(searcher._postings, searcher._columns,
                                          replace(BASE, **changes))
                scores = {name: evaluate(queries, ranker(searcher))["overall"]
                          for name, queries in judged[part].items()}
                row.append(f"{scores['keyword']['nDCG@10']:11.3f}"
                           f"{scores['natural']['nDCG@10']:8.3f}"
                           f"{scores['known-item']['RR']:10.3f}")
            print(f"{label:32}" + "".join(row))


if __name__ == "__main__":
    main()

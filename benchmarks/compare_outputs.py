"""What the code produces on the labelled pages, saved and compared: a restructure that is
meant to change nothing is checked by it.

    python benchmarks/compare_outputs.py save FILE     # before the change
    python benchmarks/compare_outputs.py check FILE    # after: exit 1 on any difference

It records what `csto-index extract` prints for the labelled pages and the seeds (per page,
and per document with --documents), and the first 10 results (document ids, in order, with
the total and whether the results were relaxed) of every judged query of
`../shared/corpus` (the keyword and the natural-language sets), over an index built by
`csto-index build` of the same pages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.relevance import DEFAULT_CORPUS, QUERY_SETS  # noqa: E402
from indexer import engine  # noqa: E402
from indexer.store import IndexStore  # noqa: E402
from indexer.synonyms import load_synonyms  # noqa: E402


def raw_folder(corpus: Path, into: Path) -> Path:
    raw = into / "raw"
    raw.mkdir()
    for folder in ("seeds", "pages"):
        for page in (corpus / folder).glob("*.txt"):
            shutil.copy(page, raw / page.name)
    with (raw / "manifest.jsonl").open("w") as manifest:
        for line in (corpus / "pages" / "manifest.jsonl").open():
            if line.strip():
                page = json.loads(line)
                manifest.write(json.dumps({"file": page["file"], "url": page["url"]}) + "\n")
    return raw


def run(*arguments: str) -> str:
    return subprocess.run([sys.executable, "-m", "indexer.building.cli", *arguments], check=True,
                          capture_output=True, text=True, cwd=REPO,
                          env=os.environ | {"PYTHONPATH": str(REPO)}).stdout


def outputs(corpus: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_folder(corpus, Path(tmp))
        pages = sorted(run("extract", str(raw)).splitlines())
        documents = sorted(run("extract", str(raw), "--documents").splitlines())
        run("build", str(raw), "--index", str(Path(tmp) / "index"))
        current = IndexStore(Path(tmp) / "index").current()
        assert current is not None
        searcher = engine.IndexSearcher(current, synonyms=load_synonyms())
        results = {}
        for file in QUERY_SETS.values():
            for line in (corpus / file).open():
                if not line.strip():
                    continue
                query = json.loads(line)["query"]
                result = searcher.search(engine.SearchRequest(query, page_size=10))
                results[query] = {"ids": [hit.id for hit in result.hits],
                                  "total": result.total, "relaxed": result.relaxed}
    return {"pages": pages, "documents": documents, "top10": results}


def differences(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    found = []
    for kind in ("pages", "documents"):
        before, after = set(saved[kind]), set(now[kind])
        found += [f"{kind}: no longer printed: {line[:160]}" for line in sorted(before - after)]
        found += [f"{kind}: newly printed: {line[:160]}" for line in sorted(after - before)]
    for query, result in saved["top10"].items():
        if now["top10"].get(query) != result:
            found.append(f"query {query!r}: {result} -> {now['top10'].get(query)}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    now = outputs(args.corpus)
    if args.action == "save":
        args.file.write_text(json.dumps(now, ensure_ascii=False, indent=0), "utf-8")
        print(f"saved {len(now['pages'])} pages, {len(now['documents'])} documents, "
              f"{len(now['top10'])} queries to {args.file}")
        return
    found = differences(json.loads(args.file.read_text("utf-8")), now)
    for line in found:
        print(line)
    print(f"{len(found)} difference(s) in {len(now['pages'])} pages, "
          f"{len(now['documents'])} documents, {len(now['top10'])} queries")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()

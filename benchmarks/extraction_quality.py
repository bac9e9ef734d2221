"""Score the cleaner against the hand-made labels of the shared corpus.

    python benchmarks/extraction_quality.py [--corpus ../shared/corpus] [--verbose] [--json]

Runs `csto-index extract` (the real command) over the seeds and the labelled pages, then
scores every labelled article page: title exact (whitespace and quote styles folded), date
exact, sidebar removed (the label's `header_end` is gone from the body, unless the article
itself repeats it), lead kept (the first 50 characters of `body_start` are in the body), and
people precision and recall (the same person in any spelling).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TARGETS = {"title": 0.97, "date": 0.98, "sidebar_removed": 0.97, "lead_kept": 0.99,
           "people_precision": 0.95, "people_recall": 0.90}


def fold_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"[“”„«»\"]", '"', text)
    text = re.sub(r"[‘’`']", "'", text)
    return re.sub(r"\s+", " ", text).strip()


def name_key(name: str) -> tuple[str, str]:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("kh", "h").replace("y", "i")
    words = [re.sub(r"(.)\1+", r"\1", re.sub(r"[^a-z]", "", w)) for w in text.split()]
    words = [w for w in words if w]
    return (words[0][:1] if words else "", words[-1] if words else "")


def same_person(one: str, other: str) -> bool:
    (first, last), (first2, last2) = name_key(one), name_key(other)
    forms = [(first, last), (last[:1], name_key(" ".join(one.split()[::-1]))[1])]
    return any(fuzz.ratio(l1, last2) >= 85 and f1 == first2 for f1, l1 in forms)


def run_extract(corpus: Path, folders: tuple[str, ...]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for folder in folders:
            for page in (corpus / folder).glob("*.txt"):
                shutil.copy(page, raw / page.name)
        shutil.copy(corpus / "pages" / "manifest.jsonl", raw / "manifest.jsonl")
        out = subprocess.run([sys.executable, "-m", "indexer.cli", "extract", str(raw)],
                             check=True, capture_output=True, text=True)
    documents = [json.loads(line) for line in out.stdout.splitlines()]
    if not documents:
        raise SystemExit(f"`csto-index extract` printed no documents:\n{out.stderr}")
    return documents


def score(corpus: Path, verbose: bool, folders: tuple[str, ...]) -> dict[str, Any]:
    documents = run_extract(corpus, folders)
    by_source = {src: doc for doc in documents for src in [doc["source"], *doc["duplicates"]]}
    labels = [json.loads(line) for line in (corpus / "pages" / "manifest.jsonl").open()]
    hits = {key: [0, 0] for key in ("title", "date", "sidebar_removed", "lead_kept")}
    people = {"predicted": 0, "correct": 0, "labelled": 0, "found": 0}
    failures: list[str] = []

    def check(key: str, ok: bool, row: dict[str, Any], detail: str) -> None:
        hits[key][0] += ok
        hits[key][1] += 1
        if not ok:
            failures.append(f"{row['file']} {key}: {detail}")

    for row in labels:
        if row["kind"] != "article":
            continue
        doc = by_source[row["file"]]
        body = doc["body"]
        check("title", fold_text(doc["title"]) == fold_text(row["title"]), row,
              f"{doc['title']!r} != {row['title']!r}")
        check("date", doc["date"] == row["date"], row, f"{doc['date']} != {row['date']}")
        if row["header_end"]:
            page = (corpus / "pages" / row["file"]).read_text("utf-8", errors="replace")
            start = page.find(row["body_start"]) if row["body_start"] else -1
            in_article = start >= 0 and row["header_end"] in page[start:]
            check("sidebar_removed", in_article or row["header_end"] not in body, row,
                  f"{row['header_end']!r} still in body")
        if row["body_start"]:
            check("lead_kept", row["body_start"][:50] in body, row,
                  f"{row['body_start'][:50]!r} not in body {body[:80]!r}")
        predicted, labelled = doc["people"], row["people"]
        people["predicted"] += len(predicted)
        people["labelled"] += len(labelled)
        matched_labels: set[str] = set()
        for name in predicted:
            match = next((lab for lab in labelled if same_person(name, lab)), None)
            if match is not None and match not in matched_labels:
                matched_labels.add(match)
                people["correct"] += 1
            else:
                failures.append(f"{row['file']} people: extra {name!r}")
        people["found"] += len(matched_labels)
        failures += [f"{row['file']} people: missed {lab!r}" for lab in labelled
                     if lab not in matched_labels]
    result = {key: ok / total for key, (ok, total) in hits.items()}
    result["people_precision"] = people["correct"] / max(people["predicted"], 1)
    result["people_recall"] = people["found"] / max(people["labelled"], 1)
    result["counts"] = {key: total for key, (_, total) in hits.items()} | people
    if verbose:
        print("\n".join(failures), file=sys.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every failed check")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--pages-only", action="store_true",
                        help="leave the seeds out (they are full copies of some cut pages)")
    args = parser.parse_args()
    folders = ("pages",) if args.pages_only else ("seeds", "pages")
    result = score(args.corpus, args.verbose, folders)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'measure':18} {'score':>7} {'target':>7}")
    for key, target in TARGETS.items():
        mark = "ok" if result[key] >= target else "BELOW"
        print(f"{key:18} {result[key]:7.1%} {target:7.0%}  {mark}")
    print("checked:", ", ".join(f"{k}={v}" for k, v in result["counts"].items()))


if __name__ == "__main__":
    main()

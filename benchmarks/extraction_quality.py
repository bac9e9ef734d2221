"""Score the cleaner against the hand-made labels of the shared corpus, half by half.

    python benchmarks/extraction_quality.py [--corpus ../shared/corpus] [--verbose] [--json]
                                            [--other-days | --with-other-days]

Runs the real `csto-index extract` over the labelled pages and scores every labelled article
page, as the product is scored on pages it has never seen:

- `first`: the first 60 labelled pages (the cleaner's original development set), cleaned alone;
- `second`: the other 62, cleaned alone;
- `all`: all 122 with the five seeds, cleaned as one crawl;
- `first*`, `second*`: each half scored inside that whole crawl (do added pages change them?).

Measures (the corpus README's conventions): title exact (whitespace and quote styles folded),
date exact, sidebar removed (the label's `header_end` is gone from the body, unless the
article itself repeats it), lead kept (the first 50 characters of `body_start` are in the
body), and people precision and recall (the same person in any spelling; a second spelling of
someone already listed counts against precision).

`--other-days` scores the same pages as if crawled on other days: the site's leading block of
latest-news items changes with the day a page is fetched, so each page that has one gets the
block of the next labelled page whose block differs (its label's `header_end` with it), and
the rest of the page stays as it was. `--with-other-days` cleans the labelled pages together
with such copies (as `other-day/<file>`, at the same addresses; each cut as long as its
original when the crawler cut that, as the crawler would), scores the labelled pages inside
that crawl and counts how many of their fields stay as they were without the copies.
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
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TARGETS = {"title": 0.97, "date": 0.97, "sidebar_removed": 0.97, "lead_kept": 0.98,
           "people_precision": 0.95, "people_recall": 0.92}
FIRST_HALF = 60


def fold_text(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").replace("\u00a0", " ")
    text = re.sub(r"[“”«»\"]", '"', text)
    text = re.sub(r"[‘’`]", "'", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _name_word(word: str) -> str:
    word = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    word = word.replace("kh", "h").replace("zh", "j").replace("y", "i")
    return re.sub(r"ie", "e", re.sub(r"(.)\1+", r"\1", word))


def _name_key(name: str) -> list[str]:
    words = [w for w in re.split(r"[\s.]+", unicodedata.normalize("NFKC", name)) if w]
    words = [w for w in words if len(w) > 2 or not w[:1].isupper()]
    return [_name_word(w) for w in words if w.replace("-", "").isalpha()] or [name.lower()]


def same_person(one: str, other: str) -> bool:
    """The same person in any spelling or order (patronymics and initials ignored)."""
    left, hits = _name_key(other), 0
    for word in _name_key(one):
        match = next((x for x in left
                      if x == word or SequenceMatcher(None, word, x).ratio() >= 0.8), None)
        if match is not None:
            left.remove(match)
            hits += 1
    return hits >= min(len(_name_key(one)), len(_name_key(other)), 2)


def run_extract(corpus: Path, labels: list[dict[str, Any]], seeds: bool,
                other_day: Path | None = None) -> list[dict[str, Any]]:
    """`extract`'s lines for the labelled pages (with the seeds), and with the same pages
    saved on another day too (`other_day/pages`, as `other-day/<file>`) if given."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        addresses = {}
        for row in labels:
            shutil.copy(corpus / "pages" / row["file"], raw / row["file"])
            addresses[row["file"]] = row["url"]
            if other_day is not None:
                (raw / "other-day").mkdir(exist_ok=True)
                shutil.copy(other_day / "pages" / row["file"], raw / "other-day" / row["file"])
                addresses[f"other-day/{row['file']}"] = row["url"]
        if seeds:
            for page in (corpus / "seeds").glob("*.txt"):
                shutil.copy(page, raw / page.name)
        (raw / "manifest.jsonl").write_text("".join(
            json.dumps({"file": name, "url": url}) + "\n" for name, url in addresses.items()))
        out = subprocess.run([sys.executable, "-m", "indexer.building.cli", "extract", str(raw)],
                             check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def score(corpus: Path, labels: list[dict[str, Any]], documents: list[dict[str, Any]],
          failures: list[str]) -> dict[str, Any]:
    # `extract` gives one line per page, with that page's own fields
    by_source = {doc["source"]: doc for doc in documents}
    hits = {key: [0, 0] for key in ("title", "date", "sidebar_removed", "lead_kept")}
    people = {"predicted": 0, "correct": 0, "labelled": 0, "found": 0}

    def check(key: str, ok: bool, row: dict[str, Any], detail: str) -> None:
        hits[key][0] += ok
        hits[key][1] += 1
        if not ok:
            failures.append(f"{row['file']} {key}: {detail}")

    for row in labels:
        if row["kind"] != "article":
            continue
        doc = by_source[row["file"]]
        body = fold_text(doc["body"])
        check("title", fold_text(doc["title"]) == fold_text(row["title"]), row,
              f"{doc['title']!r} != {row['title']!r}")
        check("date", doc["date"] == row["date"], row, f"{doc['date']} != {row['date']}")
        if row["header_end"]:
            page = fold_text((corpus / "pages" / row["file"]).read_text("utf-8", "replace"))
            start = page.find(fold_text(row["body_start"])[:50]) if row["body_start"] else -1
            in_article = start >= 0 and fold_text(row["header_end"]) in page[start:]
            if not in_article:
                check("sidebar_removed", fold_text(row["header_end"]) not in body, row,
                      "the sidebar's last item is still in the body")
        if row["body_start"]:
            check("lead_kept", fold_text(row["body_start"])[:50] in body, row,
                  f"{row['body_start'][:50]!r} not in the body")
        predicted, labelled = doc["people"], row["people"]
        people["predicted"] += len(predicted)
        people["labelled"] += len(labelled)
        used: set[int] = set()
        for name in predicted:
            match = next((i for i, lab in enumerate(labelled)
                          if i not in used and same_person(name, lab)), None)
            if match is None:
                failures.append(f"{row['file']} people: extra {name!r}")
            else:
                used.add(match)
                people["correct"] += 1
        missed = [lab for lab in labelled if not any(same_person(p, lab) for p in predicted)]
        people["found"] += len(labelled) - len(missed)
        failures += [f"{row['file']} people: missed {lab!r}" for lab in missed]
    result: dict[str, Any] = {key: ok / total if total else 1.0
                              for key, (ok, total) in hits.items()}
    result["people_precision"] = people["correct"] / max(people["predicted"], 1)
    result["people_recall"] = people["found"] / max(people["labelled"], 1)
    result["counts"] = {key: total for key, (_, total) in hits.items()} | people
    return result


def sidebar_end(text: str, row: dict[str, Any]) -> int:
    """Where the page's leading block of latest-news items ends, by its label (0: none)."""
    if not row["header_end"]:
        return 0
    found = text.find(row["header_end"])
    return found + len(row["header_end"]) if found >= 0 else 0


def cut_as(text: str, original: str) -> str:
    """`text` cut as long as `original` (in bytes, mid-word wherever that falls)."""
    return text.encode("utf-8")[:len(original.encode("utf-8"))].decode("utf-8", "ignore")


def other_crawl_days(corpus: Path, into: Path, cut: bool = False) -> Path:
    """A copy of the corpus whose pages carry another page's leading sidebar block; with
    `cut`, a page the crawler cut is cut as long as before (it kept a page's first 2,000 bytes
    or so), which may leave out what its labels describe."""
    labels = [json.loads(line) for line in (corpus / "pages" / "manifest.jsonl").open()
              if line.strip()]
    texts = {row["file"]: (corpus / "pages" / row["file"]).read_text("utf-8", "replace")
             for row in labels}
    sided = [row for row in labels if sidebar_end(texts[row["file"]], row)]
    (into / "pages").mkdir(parents=True)
    shutil.copytree(corpus / "seeds", into / "seeds")
    swapped: dict[str, tuple[str, dict[str, Any]]] = {}
    for number, row in enumerate(sided):
        text = texts[row["file"]]
        own = text[:sidebar_end(text, row)]
        for donor in sided[number + 1:] + sided[:number]:
            block = texts[donor["file"]][:sidebar_end(texts[donor["file"]], donor)]
            if block != own:
                swapped_text = block + text[len(own):]
                if cut and row["truncated"]:
                    swapped_text = cut_as(swapped_text, text)
                swapped[row["file"]] = (swapped_text, row | {"header_end": donor["header_end"]})
                break
    with (into / "pages" / "manifest.jsonl").open("w") as manifest:
        for row in labels:
            text, label = swapped.get(row["file"], (texts[row["file"]], row))
            (into / "pages" / row["file"]).write_text(text, "utf-8")
            manifest.write(json.dumps(label) + "\n")
    return into


def unchanged_fields(alone: list[dict[str, Any]], together: list[dict[str, Any]],
                     labels: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    """How many of the labelled pages' fields (title, date, people, text) are the same when
    the pages are cleaned with their copies of another day as when cleaned alone."""
    before = {doc["source"]: doc for doc in alone}
    after = {doc["source"]: doc for doc in together}
    same, changes = 0, []
    fields = ("title", "date", "people", "body")
    for row in labels:
        for field in fields:
            if before[row["file"]][field] == after[row["file"]][field]:
                same += 1
            else:
                changes.append(f"{row['file']} {field}: {str(before[row['file']][field])[:60]!r}"
                               f" -> {str(after[row['file']][field])[:60]!r}")
    return same, len(labels) * len(fields), changes


def report_with_other_days(args: argparse.Namespace) -> None:
    """The labelled pages cleaned in one crawl with their copies of another day."""
    labels = [json.loads(line) for line in (args.corpus / "pages" / "manifest.jsonl").open()
              if line.strip()]
    alone = run_extract(args.corpus, labels, seeds=True)
    with tempfile.TemporaryDirectory() as folder:
        other_day = other_crawl_days(args.corpus, Path(folder) / "other-day", cut=True)
        together = run_extract(args.corpus, labels, seeds=True, other_day=other_day)
    failures: list[str] = []
    result = score(args.corpus, labels, together, failures)
    same, total, changes = unchanged_fields(alone, together, labels)
    print("labelled pages with their copies of another day, scored:")
    print("  " + "  ".join(f"{key} {result[key]:.1%}" for key in TARGETS))
    print(f"fields (title, date, people, text) as without those copies: {same} of {total} "
          f"({same / total:.1%}; target 99%)")
    if args.verbose:
        print(*failures, *changes, sep="\n  ", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list every failed check")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--other-days", action="store_true",
                        help="each page with another page's sidebar block")
    parser.add_argument("--with-other-days", action="store_true",
                        help="the pages cleaned together with those copies of another day")
    args = parser.parse_args()
    if args.with_other_days:
        report_with_other_days(args)
    elif args.other_days:
        with tempfile.TemporaryDirectory() as folder:
            args.corpus = other_crawl_days(args.corpus, Path(folder))
            report(args)
    else:
        report(args)


def report(args: argparse.Namespace) -> None:
    labels = [json.loads(line) for line in (args.corpus / "pages" / "manifest.jsonl").open()
              if line.strip()]
    halves = {"first": labels[:FIRST_HALF], "second": labels[FIRST_HALF:]}
    everything = run_extract(args.corpus, labels, seeds=True)
    results: dict[str, dict[str, Any]] = {}
    failures: dict[str, list[str]] = {}
    for name, part in halves.items():
        failures[name] = []
        results[name] = score(args.corpus, part, run_extract(args.corpus, part, seeds=False),
                              failures[name])
    for name, part in [("all", labels), *((f"{n}*", p) for n, p in halves.items())]:
        failures[name] = []
        results[name] = score(args.corpus, part, everything, failures[name])
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'part':8}" + "".join(f"{key:>18}" for key in TARGETS))
    for name, result in results.items():
        print(f"{name:8}" + "".join(
            f"{result[key]:>17.1%}{' ' if result[key] >= TARGETS[key] else '!'}"
            for key in TARGETS))
    print(f"{'target':8}" + "".join(f"{target:>17.0%} " for target in TARGETS.values()))
    print("(! = below target; part* = the half scored inside the whole crawl)")
    if args.verbose:
        for name, lines in failures.items():
            print(f"\n{name}:", *lines, sep="\n  ", file=sys.stderr)


if __name__ == "__main__":
    main()

"""What the month timeline costs a search (issue 14).

    python benchmarks/timeline_cost.py [--index benchmarks/out/index-10k]

Runs the 100 queries of the benchmark mix with one year selected, with the month counts and
with them switched off, one after the other (ms, p50 / p95), and times the month counts over
every document. The index is the one `benchmarks/bench.py --pages 10000` leaves behind.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.querymix import query_mix
from indexer.engine import IndexSearcher, SearchRequest
from indexer.engine import columns as columns_module
from indexer.store import IndexStore

REPEATS = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("benchmarks/out/index-10k"))
    parser.add_argument("--year", default="2021")
    args = parser.parse_args()
    current = IndexStore(args.index).current()
    if current is None:
        raise SystemExit(f"no index in {args.index}: run benchmarks/bench.py --pages 10000")
    searcher = IndexSearcher(current)
    queries = query_mix(10_000)

    def timed() -> tuple[float, float]:
        samples = []
        for _ in range(REPEATS):
            for q in queries:
                started = time.perf_counter()
                searcher.search(SearchRequest(q.ours, filters={"year": (args.year,)}))
                samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        return samples[len(samples) // 2], samples[int(len(samples) * 0.95)]

    timed()  # warm the posting cache
    with_months = timed()
    months = columns_module.DocumentColumns.months
    columns_module.DocumentColumns.months = lambda _self, _documents: []  # type: ignore[method-assign,assignment]
    without = timed()
    columns_module.DocumentColumns.months = months  # type: ignore[method-assign]
    everything = np.ones(searcher.document_count, dtype=bool)
    started = time.perf_counter()
    for _ in range(100):
        searcher._columns.months(everything)
    per_call = (time.perf_counter() - started) * 10
    print(f"year {args.year} selected, ms p50 / p95: with months {with_months[0]:.2f} / "
          f"{with_months[1]:.2f}, without {without[0]:.2f} / {without[1]:.2f}")
    print(f"month counts over all {searcher.document_count:,} documents: {per_call:.2f} ms")


if __name__ == "__main__":
    main()

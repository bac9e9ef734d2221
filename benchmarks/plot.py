"""Plot in-process query latency against corpus size from bench.py's --json output.

    python benchmarks/plot.py docs/latency.png benchmarks/out/bench-10k.json \
        benchmarks/out/bench-100k.json

Each JSON file is a list of reports (one per corpus size); all of them are plotted together.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main() -> None:
    reports = [report for path in sys.argv[2:] for report in json.loads(Path(path).read_text())]
    reports.sort(key=lambda report: report["pages"])
    sizes = [report["pages"] for report in reports]
    figure, axes = plt.subplots(figsize=(7, 4.2))
    for engine, colour in (("ours", "tab:blue"), ("tantivy", "tab:orange"),
                           ("fts5", "tab:green")):
        for stat, style in (("p50", "-o"), ("p95", "--s")):
            values = [report["query"][engine]["all"][stat] for report in reports]
            axes.plot(sizes, values, style, color=colour, label=f"{engine} {stat}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("pages")
    axes.set_ylabel("ms per query (top 10 + facets + snippets)")
    axes.set_title("In-process query latency against corpus size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(ncol=3, fontsize=8)
    figure.tight_layout()
    figure.savefig(sys.argv[1], dpi=110)


if __name__ == "__main__":
    main()

"""Cleaning time on inputs built to be slow (issue 12): it must grow linearly.

    python benchmarks/hostile_cleaning.py

Prints the seconds `csto-index extract` takes over (1) pages with 40,000-character "words"
(a line of "-", of "_", a run of letters ending in ".jpg") and (2) 5,000, 10,000 and 20,000
tiny untitled pages: the time per page should stay flat as the number of pages doubles.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
         "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau"]


def timed_extract(raw: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer.cli", "extract", str(raw)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        long_words = Path(tmp) / "long"
        long_words.mkdir()
        for number in range(6):
            (long_words / f"p{number}.txt").write_text(
                f"Title of page {number} here\n\n{'-' * 40_000}\n\n{'_' * 40_000} text.\n\n"
                f"{'x' * 40_000}.jpg\n", "utf-8")
        print(f"6 pages with 40,000-character words: {timed_extract(long_words):.1f} s")
        rng = random.Random(1)
        for pages in (5_000, 10_000, 20_000):
            tiny = Path(tmp) / f"tiny-{pages}"
            tiny.mkdir()
            for number in range(pages):
                (tiny / f"p{number:05d}.txt").write_text(
                    " ".join(rng.choice(WORDS) for _ in range(6)) + f" {number}.\n", "utf-8")
            seconds = timed_extract(tiny)
            print(f"{pages:,} tiny untitled pages: {seconds:.1f} s "
                  f"({seconds / pages * 1000:.2f} ms a page)")


if __name__ == "__main__":
    main()

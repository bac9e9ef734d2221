"""Cleaning time on inputs built to be slow (issue 12): it must grow linearly.

    python benchmarks/hostile_cleaning.py

Prints the seconds `csto-index extract` takes over (1) pages with 40,000-character "words"
(a line of "-", of "_", a run of letters ending in ".jpg"), (2) a 19 MB page, as text and as
HTML of 56,000 paragraphs (its peak memory too), and (3) 5,000, 10,000 and 20,000 tiny
untitled pages: the time per page should stay flat as the number of pages doubles.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
         "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau"]


def timed_extract(raw: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer.building.cli", "extract", str(raw)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """The largest resident size of the children this process waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def huge_page(folder: Path, html: bool) -> None:
    """About 19 MB of text in paragraphs of 80 words."""
    rng = random.Random(2)
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(80)) + "."
                  for _ in range(19 * 1024 * 1024 // 500)]
    if html:
        text = "<html><body><h1>A huge page</h1>" + "".join(
            f"<p>{paragraph}</p>" for paragraph in paragraphs) + "</body></html>"
        (folder / "huge.html").write_text(text, "utf-8")
    else:
        (folder / "huge.txt").write_text("A huge page\n\n" + "\n\n".join(paragraphs), "utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        long_words = Path(tmp) / "long"
        long_words.mkdir()
        for number in range(6):
            (long_words / f"p{number}.txt").write_text(
                f"Title of page {number} here\n\n{'-' * 40_000}\n\n{'_' * 40_000} text.\n\n"
                f"{'x' * 40_000}.jpg\n", "utf-8")
        print(f"6 pages with 40,000-character words: {timed_extract(long_words):.1f} s")
        for html in (False, True):
            folder = Path(tmp) / f"huge-{html}"
            folder.mkdir()
            huge_page(folder, html)
            size = sum(path.stat().st_size for path in folder.iterdir()) / 1e6
            print(f"a {size:.0f} MB page as {'HTML' if html else 'text'}: "
                  f"{timed_extract(folder):.1f} s (peak RSS of the runs so far "
                  f"{peak_rss_mb():.0f} MB)")
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

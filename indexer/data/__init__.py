"""Data files an admin may extend (`docs/cleaning.md`), and the packaged word lists."""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

ENGLISH_WORDS_FILE = "english_words.txt.gz"  # common English words (SCOWL)


@cache
def word_list(name: str) -> frozenset[str]:
    """The casefolded words of a packaged list: words on lines, "#" lines are comments."""
    data = resources.files(__name__).joinpath(name).read_bytes()
    text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")
    return frozenset(word.casefold() for line in text.splitlines()
                     if not line.startswith("#") for word in line.split())

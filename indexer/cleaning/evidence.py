"""What `structure` may ask about one page while it reads it: the page's `PageFacts` and
the corpus's common words, by block text; and which words it asked about, so that a layout is
reused only while those words keep their class."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from indexer.cleaning.blocks import block_key
from indexer.cleaning.boilerplate import COMMON_WEIGHT, PageFacts, word_id


class WordClasses(NamedTuple):
    """The words a layout asked about (`word_id`s as uint32 bytes: one object, not dozens,
    for each of 100k pages in memory), by the class they had."""

    common: bytes = b""
    other: bytes = b""

    @classmethod
    def of(cls, common: Iterable[int], other: Iterable[int]) -> WordClasses:
        return cls(*(np.array(sorted(words), dtype=np.uint32).tobytes()
                     for words in (common, other)))

    def still_hold(self, common: frozenset[int]) -> bool:
        """Whether every word asked about is still of the class it was."""
        return (common.issuperset(np.frombuffer(self.common, np.uint32).tolist())
                and common.isdisjoint(np.frombuffer(self.other, np.uint32).tolist()))


NO_WORDS_ASKED = WordClasses()


class PageEvidence:
    """A page's `PageFacts` and the corpus's common words, asked by block text as
    `structure` reads the page; it remembers which words were asked about."""

    def __init__(self, view: Sequence[str], facts: PageFacts, common: frozenset[int]) -> None:
        self._facts = facts
        self._at: dict[str, int] = {}
        for index, block in enumerate(view):
            self._at.setdefault(block_key(block), index)
        self._last_key = block_key(view[-1]) if view else ""
        self._common = common
        self._asked: dict[int, bool] = {}

    @property
    def asked(self) -> WordClasses:
        return WordClasses.of((w for w, common in self._asked.items() if common),
                              (w for w, common in self._asked.items() if not common))

    def _index(self, block: str) -> int | None:
        return self._at.get(block_key(block))

    def repeats(self, block: str) -> bool:
        """Seen on at least one other page (whole, or cut short)."""
        index = self._index(block)
        return index is not None and self._facts.repeats[index]

    def follows_elsewhere(self, index: int) -> bool:
        """Another page holds block `index` right after the block before it here."""
        return index < len(self._facts.follows) and self._facts.follows[index]

    @property
    def article_from(self) -> int:
        """Where the article starts, as other saved copies of the page tell (0: unknown)."""
        return self._facts.article_from

    def repeats_in_tail(self, block: str) -> bool:
        index = self._index(block)
        return index is not None and self._facts.tail_repeats[index]

    def begins_tail_block(self, block: str) -> bool:
        """A page cut by the crawler may end in the first letters of a footer line."""
        return self._facts.last_begins_tail and block_key(block) == self._last_key

    def pages_with(self, block: str) -> int:
        index = self._index(block)
        return self._facts.pages_with[index] if index is not None and \
            self._facts.pages_with else 0

    def tail_pages(self, block: str) -> int:
        index = self._index(block)
        return self._facts.tail_pages[index] if index is not None and \
            self._facts.tail_pages else 0

    def word_weight(self, word: str) -> float:
        """Words on many pages say little about which article a line belongs to."""
        key = word_id(word)
        common = self._asked[key] = key in self._common
        return COMMON_WEIGHT if common else 1.0

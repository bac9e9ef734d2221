"""Stage 3a: learn from the whole corpus which blocks repeat across pages.

The site wraps every article in a "latest news" sidebar that depends on the day of the crawl
and in a footer of navigation and contact lines. Nothing here lists those sentences: they are
recognised because they recur on pages that are otherwise different, and `structure` decides,
from each page's own layout, which of a page's repeated blocks really are chrome.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.blocks import block_key

TAIL_SIZE = 8  # how many trailing blocks of a page can be footer
PREFIX_CHARS = 80  # sidebar items are sometimes cut short: compare their beginnings too
TAIL_BEGINNING_CHARS = 40  # a footer line cut by the crawler is recognised by this much
_WORD = re.compile(r"[^\W\d_]{3,}")


@lru_cache(maxsize=1 << 13)
def content_words(text: str) -> frozenset[str]:
    return frozenset(word.casefold() for word in _WORD.findall(text))


@dataclass(frozen=True)
class BlockStats:
    """How many distinct pages carry each block, anywhere and in their tail."""

    pages: int = 0
    anywhere: Counter[str] = field(default_factory=Counter)
    beginnings: Counter[str] = field(default_factory=Counter)
    in_tail: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    # Proper beginnings of recurring tail blocks ("go b" of "go back"), for cut footers.
    tail_beginnings: frozenset[str] = frozenset()
    word_pages: int = 0  # pages over which `words` were counted (every copy counts)

    def repeats(self, block: str) -> bool:
        """Seen on at least one other page (whole, or cut short)."""
        key = block_key(block)
        if self.anywhere[key] >= 2:
            return True
        return len(key) >= PREFIX_CHARS and self.beginnings[key[:PREFIX_CHARS]] >= 2

    def repeats_in_tail(self, block: str) -> bool:
        return self.in_tail[block_key(block)] >= 2

    def pages_with(self, block: str) -> int:
        return self.anywhere[block_key(block)]

    def begins_tail_block(self, block: str) -> bool:
        """A page cut by the crawler may end in the first letters of a footer line."""
        key = block_key(block)
        return bool(key) and key in self.tail_beginnings

    def word_weight(self, word: str) -> float:
        """Inverse document frequency: words on every page say nothing about an article."""
        return math.log((self.word_pages + 1) / (self.words[word] + 1)) + 0.01


def page_keys(blocks: Sequence[str]) -> list[str]:
    return [block_key(block) for block in blocks]


def count_words(pages_keys: Iterable[Sequence[str]]) -> tuple[int, Counter[str]]:
    """On how many pages each word occurs (the weights of `relatedness`)."""
    words: Counter[str] = Counter()
    pages = 0
    for keys in pages_keys:
        pages += 1
        words.update(set().union(*(content_words(key) for key in keys)))
    return pages, words


def learn_block_stats(pages_keys: Sequence[Sequence[str]],
                      identities: Sequence[str] | None = None,
                      words: Counter[str] | None = None) -> BlockStats:
    """Count blocks (by `block_key`) over distinct pages; a page stored twice counts once.

    With `identities` (one per page, e.g. its title), pages of the same identity count once
    too: the same article crawled on two days must not make its own paragraphs look repeated.
    Word counts do not depend on that, so a second pass can reuse the first one's.
    """
    stats = BlockStats()
    seen: set[object] = set()
    pages_counted = 0
    for number, keys in enumerate(pages_keys):
        signature = identities[number] if identities is not None else tuple(keys)
        if signature in seen:
            continue
        seen.add(signature)
        pages_counted += 1
        distinct = set(keys)
        stats.anywhere.update(distinct)
        stats.beginnings.update({key[:PREFIX_CHARS] for key in distinct
                                 if len(key) >= PREFIX_CHARS})
        # The footer is in the last blocks, and in the second half of a short page.
        stats.in_tail.update(set(keys[-min(TAIL_SIZE, max(1, len(keys) // 2)):]))
    if words is None:
        word_pages, words = count_words(pages_keys)
    else:
        word_pages = len(pages_keys)
    beginnings = frozenset(tail[:length] for tail, count in stats.in_tail.items() if count >= 2
                           for length in range(1, min(len(tail), TAIL_BEGINNING_CHARS + 1))
                           if length < len(tail))
    return BlockStats(pages_counted, stats.anywhere, stats.beginnings, stats.in_tail, words,
                      beginnings, word_pages)

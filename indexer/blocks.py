"""Stage 2: split a page's text into normalised blocks (paragraphs or lines)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# Control characters other than newline and tab never belong in a page's text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalise_block(text: str) -> str:
    """One block as it is compared and stored: NFC, one space between words, no edges."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def split_blocks(text: str) -> list[str]:
    """Every non-empty line is a block: the site puts each paragraph on a line of its own."""
    blocks = (normalise_block(line) for line in text.splitlines())
    return [block for block in blocks if block]


@lru_cache(maxsize=1 << 16)
def block_key(block: str) -> str:
    """Key under which repeated blocks are counted: case, quotes and punctuation folded."""
    return re.sub(r"[^\w]+", " ", block.casefold()).strip()

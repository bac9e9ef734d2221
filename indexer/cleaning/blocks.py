"""Split a page's text into normalised blocks (paragraphs or lines)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indexer.text import CONTROLS, is_image_name, strip_image_names

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def normalise_block(text: str) -> str:
    """One block as it is compared and stored: NFC, one space between words, no edges."""
    text = unicodedata.normalize("NFC", text)
    text = CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def split_blocks(text: str) -> list[str]:
    """Every non-empty line is a block: the site puts each paragraph on a line of its own."""
    blocks = (normalise_block(line) for line in text.splitlines())
    return [block for block in blocks if block]


# A site logo's alt text glued before the first words of a line: "odkb On May 31, 2015".
_LOGO_WORD = re.compile(r"^[a-z]{2,8} (?=[A-ZА-ЯЁ\"“«])")
_NOT_WORDS = re.compile(r"[^\w]+")  # compiled: a key is made for every block of every page


@lru_cache(maxsize=1 << 13)
def analysis_text(block: str) -> str:
    """The block as the layout, date and people stages read it: without glued image names
    or a logo word, which the stored body keeps as the site wrote it."""
    stripped = _LOGO_WORD.sub("", strip_image_names(block)) if not is_image_name(block) else block
    return stripped or block


# Sidebar and footer lines recur on page after page; a larger cache would mostly keep
# paragraphs seen once (each worker process held 60 MB of them with 65,536 entries).
@lru_cache(maxsize=1 << 13)
def block_key(block: str) -> str:
    """Key under which repeated blocks are counted: case, quotes and punctuation folded."""
    return _NOT_WORDS.sub(" ", block.casefold()).strip()

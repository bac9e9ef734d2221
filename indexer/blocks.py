"""Stage 2: split a page's text into normalised blocks (paragraphs or lines)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
# Control characters other than newline and tab never belong in a page's text, nor do the
# characters XML 1.0 forbids (noncharacters, lone surrogates): one of them in a page would
# make every feed that shows it invalid.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                       r"\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0010fffe\U0010ffff]")


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 forbids (tab and newline are kept)."""
    return _CONTROLS.sub("", text)


def normalise_block(text: str) -> str:
    """One block as it is compared and stored: NFC, one space between words, no edges."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def split_blocks(text: str) -> list[str]:
    """Every non-empty line is a block: the site puts each paragraph on a line of its own."""
    blocks = (normalise_block(line) for line in text.splitlines())
    return [block for block in blocks if block]


# Image file names that the site glues to the text around pictures: "ZVF_6872.JPG“The first".
# The extension ends where the case changes: "ZVF_6925.JPGAs regards" keeps "As regards".
# Names are at most 200 characters, so a 40,000-character "word" costs linear time.
_IMAGE_NAME = re.compile(r"[\w\-()]{1,200}\.(?:(?:jpe?g|png|gif|bmp|webp|tiff?)(?![a-z\d])"
                         r"|(?:JPE?G|PNG|GIF|BMP|WEBP|TIFF?)(?=[^A-Z\d]|[A-Z][a-z]|$))")
_IMAGE_LINE = re.compile(r"^[^\n]{0,200}?\.(?:jpe?g|png|gif|bmp|webp|tiff?)$", re.IGNORECASE)
# The description a page template gives a picture when nobody wrote one ("Card image cap",
# Bootstrap's): it stands where the picture was, and says nothing.
_IMAGE_PLACEHOLDER = re.compile(r"^(?:card image(?: cap)?|image|photo|picture|img)$",
                                re.IGNORECASE)
# A site logo's alt text glued before the first words of a line: "odkb On May 31, 2015".
_LOGO_WORD = re.compile(r"^[a-z]{2,8} (?=[A-ZА-ЯЁ\"“«])")
_NOT_WORDS = re.compile(r"[^\w]+")  # compiled: a key is made for every block of every page


_IMAGE_EXTENSIONS = (".jp", ".png", ".gif", ".bmp", ".webp", ".tif")


def _may_name_an_image(block: str) -> bool:
    lowered = block.lower()
    return any(extension in lowered for extension in _IMAGE_EXTENSIONS)


def strip_image_names(block: str) -> str:
    return _IMAGE_NAME.sub("", block).strip() if _may_name_an_image(block) else block.strip()


def is_image_name(block: str) -> bool:
    """A line that only stands for a picture: its file name ("DSC_8507.JPG", "IMG-2019
    (1).jpg") or a template's placeholder for its description ("Card image cap")."""
    if _IMAGE_PLACEHOLDER.match(block):
        return True
    return _may_name_an_image(block) and _IMAGE_LINE.match(block) is not None


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

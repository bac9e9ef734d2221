"""How the site's text is written, where both the cleaner and what visitors are shown need
it: characters XML forbids, image file names glued to paragraphs, dates glued to them."""

from __future__ import annotations

import re

# Control characters other than newline and tab never belong in a page's text, nor do the
# characters XML 1.0 forbids (noncharacters, lone surrogates): one of them in a page would
# make every feed that shows it invalid.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                      r"\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0010fffe\U0010ffff]")


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 forbids (tab and newline are kept)."""
    return CONTROLS.sub("", text)


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


# A paragraph the site glued its date to: "09.01.2022On January 9, ...".
GLUED_DATE = re.compile(r"^(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4})(?=[^\d\s.])")


def split_glued_date(block: str) -> tuple[str, str]:
    """("09.01.2022", "On January 9, ...") of a paragraph the site glued its date to;
    ("", block) of any other."""
    match = GLUED_DATE.match(block)
    return (match.group(), block[match.end():]) if match else ("", block)

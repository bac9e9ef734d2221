"""A raw crawled page (plain text or saved HTML) as blocks of text.

Parsing never raises for bad bytes: text that is not UTF-8 is replaced (with a warning), and
a page without text is None, which the build reports as skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag

from indexer.cleaning.blocks import normalise_block, split_blocks

# The text of a page that is cleaned: the site's longest statements are a tenth of it. A
# longer page keeps its first blocks up to this many characters (it would otherwise take
# half a minute and a gigabyte to clean).
MAX_TEXT_CHARS = 1_000_000

# Elements that are page chrome, never article text.
_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed",
                 "nav", "header", "footer", "aside", "form", "svg", "canvas")
# Elements that start a new paragraph when the page is flattened to text.
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr",
               "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
               "dd", "dt", "figcaption", "address")


@dataclass(frozen=True)
class RawPage:
    """A page as read from disk: its blocks plus what the file itself says about it."""

    source: str  # path relative to the raw folder, with forward slashes
    blocks: tuple[str, ...]
    file_hash: str
    url: str | None = None
    title_hint: str | None = None  # an HTML page's <h1>/<title>
    warnings: tuple[str, ...] = ()


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def is_web_address(url: object) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) < 2048 \
        and _SPACE_OR_CONTROL.search(url) is None


def parse_page(data: bytes, source: str, file_hash: str, is_html: bool,
               manifest_url: str | None = None) -> RawPage | None:
    """The page of a file's bytes, or None when it has no text; `manifest_url` is the
    manifest's URL for it, used where the page does not give its own."""
    page = (parse_html if is_html else parse_text)(data, source, file_hash)
    if not page.blocks:
        return None
    page = _bounded(page)
    if page.url is None and manifest_url:
        page = RawPage(page.source, page.blocks, page.file_hash, manifest_url,
                       page.title_hint, page.warnings)
    return page


def _bounded(page: RawPage) -> RawPage:
    """The page with at most MAX_TEXT_CHARS of text, its first blocks, and a warning when
    the rest was left out."""
    total = 0
    for count, block in enumerate(page.blocks):
        total += len(block)
        if total > MAX_TEXT_CHARS:
            warning = (f"only its first {MAX_TEXT_CHARS:,} characters were cleaned and "
                       "indexed (the page is longer than any article)")
            return RawPage(page.source, page.blocks[:max(count, 1)], page.file_hash,
                           page.url, page.title_hint, (*page.warnings, warning))
    return page


def parse_text(data: bytes, source: str, file_hash: str) -> RawPage:
    text = data.decode("utf-8", errors="replace")
    warnings: tuple[str, ...] = ()
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad:
        warnings = (f"{bad} byte sequence(s) that are not UTF-8 were replaced",)
    return RawPage(source, tuple(split_blocks(text)), file_hash, warnings=warnings)


def _text_with_breaks(root: Tag) -> str:
    """The text of an element, with a line break around each block element and for each
    <br>: one walk of the tree (inserting the breaks into the tree instead costs a search
    of the parent's children each time, hours for a page of 50,000 paragraphs)."""
    parts: list[str] = []
    stack: list[tuple[PageElement, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            parts.append("\n")
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
                continue
            if node.name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif type(node) in (NavigableString, CData):  # not comments or declarations
            parts.append(str(node))
    return "".join(parts)


def parse_html(data: bytes, source: str, file_hash: str) -> RawPage:
    soup = BeautifulSoup(data, "lxml")
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href") if canonical else None
    h1 = soup.find("h1")
    title_tag = soup.find("title")
    title_hint = None
    for candidate in (h1, title_tag):
        if candidate is not None and normalise_block(candidate.get_text(" ")):
            title_hint = normalise_block(candidate.get_text(" "))
            break
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    root = soup.body or soup
    blocks = split_blocks(_text_with_breaks(root))
    if title_tag is not None and blocks and blocks[0] == normalise_block(title_tag.get_text(" ")):
        blocks = blocks[1:]  # a <title> outside <head> in sloppy HTML
    safe_url = url if is_web_address(url) else None
    return RawPage(source, tuple(blocks), file_hash, safe_url, title_hint)

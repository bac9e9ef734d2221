"""Stage 1: read raw crawled pages (plain text or saved HTML) into blocks.

Loading never raises for a bad file: it returns a `Skipped` with the reason, so one broken
page cannot stop a build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag

from indexer.blocks import normalise_block, split_blocks

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
MANIFEST_NAME = "manifest.jsonl"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# The text of a page that is cleaned: the site's longest statements are a tenth of it. A
# longer page keeps its first blocks up to this many characters (it would otherwise take
# half a minute and a gigabyte to clean).
MAX_TEXT_CHARS = 1_000_000
MAX_DEPTH = 64  # folders nested deeper than this are reported, not walked

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


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class Manifest:
    """URLs of text pages, from the optional manifest.jsonl of the raw folder."""

    urls: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_manifest(raw_dir: Path) -> Manifest:
    manifest = Manifest()
    path = raw_dir / MANIFEST_NAME
    if not path.is_file():
        return manifest
    for number, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            file, url = row["file"], row["url"]
        except (ValueError, KeyError, TypeError):
            manifest.problems.append(f"{MANIFEST_NAME} line {number} is not a {{file, url}} object")
            continue
        if not isinstance(file, str) or not is_web_address(url):
            manifest.problems.append(f"{MANIFEST_NAME} line {number}: the url is not an http(s) "
                                     f"address ({str(url)[:60]!r}); the page is indexed "
                                     "without one")
            continue
        manifest.urls[file] = url
    return manifest


_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def is_web_address(url: object) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) < 2048 \
        and _SPACE_OR_CONTROL.search(url) is None


def find_raw_files(raw_dir: Path) -> Iterator[str | Skipped]:
    """The path of every page file below raw_dir, in a stable order (symlinks included,
    checked later), and every place that cannot be used, with the reason.

    Walked without recursion, so a tree of any depth ends in a report, not a crash. Paths
    are strings: a `Path` for each of 100k files costs more than the walk."""
    suffixes = TEXT_SUFFIXES | HTML_SUFFIXES
    pending: list[tuple[Path, int]] = [(raw_dir, 0)]
    while pending:
        folder, depth = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            yield Skipped(_source_name(folder, raw_dir),
                          f"its folder cannot be read ({error.strerror or error})")
            continue
        subfolders = []
        for entry in listed:
            if not _printable_name(entry.name):
                yield Skipped(_source_name(Path(entry.path), raw_dir),
                              "its name is not valid UTF-8: rename it to index it")
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if depth + 1 > MAX_DEPTH:
                    yield Skipped(_source_name(Path(entry.path), raw_dir),
                                  f"it is nested more than {MAX_DEPTH} folders deep")
                else:
                    subfolders.append((Path(entry.path), depth + 1))
            elif os.path.splitext(entry.name)[1].lower() in suffixes:
                yield entry.path
        pending.extend(reversed(subfolders))


def _printable_name(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 come back as lone surrogates
        return False
    return True


def _source_name(path: Path, raw_dir: Path) -> str:
    try:
        text = path.relative_to(raw_dir).as_posix()
    except ValueError:
        text = path.as_posix()
    return text.encode("utf-8", "backslashreplace").decode("utf-8") or "."


def relative_source(path: Path | str, raw_dir: Path) -> str:
    folder, full = str(raw_dir), str(path)
    if full.startswith(folder + os.sep) and os.sep == "/":  # the walk's paths: no parsing
        return full[len(folder) + 1:]
    return Path(path).relative_to(raw_dir).as_posix()


def read_page_bytes(path: Path, raw_dir: Path, max_bytes: int) -> bytes | Skipped:
    """The file's bytes, or why it cannot be used."""
    source = relative_source(path, raw_dir)
    try:
        # Folders are walked without following links, so only a linked file can lead out.
        real = path.resolve(strict=True) if path.is_symlink() else path
        if real is not path and not real.is_relative_to(raw_dir.resolve()):
            return Skipped(source, "it is a link to a file outside the raw folder")
        status = real.stat()
        if not stat.S_ISREG(status.st_mode):
            return Skipped(source, "it is not a regular file (a pipe, device or socket)")
        size = status.st_size
        if size > max_bytes:
            return Skipped(source, f"it is {size:,} bytes, over the {max_bytes:,}-byte limit")
        with open(real, "rb") as handle:  # a file that grew since: read no more than allowed
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            return Skipped(source, f"it is over the {max_bytes:,}-byte limit")
    except OSError as error:
        return Skipped(source, f"it cannot be read ({error.strerror or error})")
    except RuntimeError:  # Python 3.11's Path.resolve: a link that leads back to itself
        return Skipped(source, "it is a link that leads round in a loop")
    if not data.strip():
        return Skipped(source, "it is empty")
    if looks_binary(data):
        return Skipped(source, "it holds binary data, not text")
    return data


_CONTROL_BYTES = bytes(byte for byte in range(32) if byte not in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) // 20


def load_page(path: Path, raw_dir: Path, manifest_url: str | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES) -> RawPage | Skipped:
    """The page of a file; `manifest_url` is the manifest's URL for it, used where the page
    does not give its own."""
    data = read_page_bytes(path, raw_dir, max_bytes)
    if isinstance(data, Skipped):
        return data
    source = relative_source(path, raw_dir)
    file_hash = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() in HTML_SUFFIXES:
        page = parse_html(data, source, file_hash)
    else:
        page = parse_text(data, source, file_hash)
    if not page.blocks:
        return Skipped(source, "it has no text")
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

"""Stage 3b/4: find where the article is on a page: sidebar, title, date, body, footer.

Every page of the site is laid out the same way:

    [latest-news sidebar: items, each maybe under a DD.MM.YYYY line]
    title
    [title DD.MM.YYYY | DD.MM.YYYY line]            (often missing)
    body paragraphs                                  (the first may start with a glued date)
    [footer: navigation, press secretary, contacts]

The corpus statistics (`BlockStats`) say which blocks recur on other pages; the page's own
structure (the title/date pair, date lines, repeats within the page, how a title relates to the
paragraph under it) decides where the sidebar ends. A paragraph that is another page's sidebar
item therefore survives as this page's lead when it comes after this page's title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from indexer.blocks import block_key
from indexer.boilerplate import BlockStats, content_words
from indexer.dates import (
    DATE_SUFFIX,
    find_prose_date,
    first_sentence,
    is_date_line,
    parse_date_line,
    parse_glued_date,
    parse_numeric_date,
)

HEADER_WINDOW = 40  # the sidebar never holds more blocks than this
MAX_SINGLE_ITEMS = 10  # sidebar items not seen elsewhere that may stand before a title
MIN_TITLE_CHARS = 10
MAX_TITLE_CHARS = 400
MIN_CUT_COPY_CHARS = 20  # a title repeated but cut short by the crawler
# How much a title-like line must share with the paragraph under it to be taken as the title:
# more inside the run of recurring blocks (it may be another page's sidebar item there).
RELATED_IN_SIDEBAR = 0.5
RELATED_AFTER_SIDEBAR = 0.05
_TERMINAL = (".", ":", ";", ",", "?", "!", "…")
_CONTACT = re.compile(
    r"@[\w-]+\.\w|(?:\+|\btel\b|\bfax\b|\bphone\b)[\s\d()./-]*\d{2}|\d{3}[\s-]\d{2}[\s-]\d{2}\b"
    r"|\bpress[ -]secretary\b|\bpress service\b",
    re.IGNORECASE,
)
_STARTS_LIKE_TITLE = re.compile(r"^[\"“«'(]?[A-ZА-ЯЁ0-9]")


@dataclass(frozen=True)
class Layout:
    """Where the parts of one page are, as block indexes (`body` is a half-open range)."""

    sidebar_end: int  # blocks before this are the leading sidebar
    title: str | None
    date: date | None
    body_start: int
    body_end: int  # blocks from here on are the footer


def is_title_like(block: str) -> bool:
    return (
        MIN_TITLE_CHARS <= len(block) <= MAX_TITLE_CHARS
        and len(block.split()) >= 2
        and not block.endswith(_TERMINAL)
        and _STARTS_LIKE_TITLE.match(block) is not None
        and not is_date_line(block)
    )


def title_pair_date(title: str, following: str, is_last: bool) -> tuple[bool, date | None]:
    """Is `following` the site's "title DD.MM.YYYY" line for `title`? With the date if whole."""
    if len(title) < MIN_TITLE_CHARS or is_date_line(title):
        return False, None
    if following.startswith(title):
        rest = following[len(title):].strip()
        if rest and DATE_SUFFIX.match(rest):
            return True, parse_numeric_date(rest)
        # The same line twice: the site's pattern with the date left out.
        return not rest and is_title_like(title), None
    # The crawler cut the page in the middle of the repeated title.
    cut_copy = is_last and len(following) >= MIN_CUT_COPY_CHARS and title.startswith(following)
    return cut_copy, None


def relatedness(title: str, following: Sequence[str], stats: BlockStats) -> float:
    """Weighted share of the title's words that the next paragraphs use too."""
    words = content_words(title)
    total = sum(stats.word_weight(word) for word in words)
    if not total:
        return 0.0
    nearby = set().union(*(content_words(block) for block in following)) if following else set()
    return sum(stats.word_weight(word) for word in words & nearby) / total


def repeats_earlier_block(blocks: Sequence[str], index: int) -> bool:
    """The sidebar may list the page's own article: its lead then appears a second time."""
    key = block_key(blocks[index])
    if len(key) < 40:
        return False
    return any(
        earlier.startswith(key[:60]) or key.startswith(earlier[:60])
        for earlier in (block_key(block) for block in blocks[:index])
        if len(earlier) >= 40
    )


def leading_sidebar_end(blocks: Sequence[str], stats: BlockStats) -> int:
    """End of the leading run of blocks that recur elsewhere or are sidebar date lines."""
    end = 0
    limit = min(len(blocks), HEADER_WINDOW)
    dated_items = bool(blocks) and is_date_line(blocks[0])
    while end < limit:
        block = blocks[end]
        if end and repeats_earlier_block(blocks, end):
            break
        after_date_line = dated_items and end > 0 and is_date_line(blocks[end - 1])
        if not (is_date_line(block) or stats.repeats(block) or after_date_line):
            break
        end += 1
    return end


def find_title_pair(blocks: Sequence[str]) -> tuple[int, date | None, int] | None:
    """(title index, date, index of the first body block) for the site's title/date pattern."""
    limit = min(len(blocks) - 1, HEADER_WINDOW)
    for index in range(limit):
        is_pair, when = title_pair_date(blocks[index], blocks[index + 1],
                                        index + 2 == len(blocks))
        if is_pair:
            return index, when, index + 2
    # Title followed by a date line of its own, on pages whose sidebar items carry no dates.
    if blocks and is_date_line(blocks[0]):
        return None
    for index in range(limit):
        if is_title_like(blocks[index]) and is_date_line(blocks[index + 1]):
            return index, parse_date_line(blocks[index + 1]), index + 2
    return None


def find_title_after_sidebar(blocks: Sequence[str], start: int,
                             stats: BlockStats) -> int | None:
    """Index of the title, given that the recurring sidebar ends at `start`.

    The title is the title-like line that the paragraph under it is about. It may stand
    inside the recurring run (a title that a section page lists too) or after it (behind
    sidebar items seen on no other page).
    """
    if start == 0 and len(blocks) > 1 and is_title_like(blocks[0]):
        return 0  # no sidebar known: a page that opens with a title-like line opens with its title
    best: tuple[float, int] | None = None
    last = min(len(blocks) - 1, start + MAX_SINGLE_ITEMS + 1)
    for index in range(last):
        if index > start and repeats_earlier_block(blocks, index):
            break
        if not is_title_like(blocks[index]):
            continue
        score = relatedness(blocks[index], blocks[index + 1:index + 3], stats)
        # The last recurring block may be this page's title, listed on a section page too.
        needed = RELATED_IN_SIDEBAR if index < start - 1 else RELATED_AFTER_SIDEBAR
        if score >= needed and (best is None or score > best[0]):
            best = (score, index)
    if best is not None:
        return best[1]
    # The first line after a sidebar we are sure of is the title, even one unrelated to the
    # text below (and even with a full stop); without a sidebar it must look like a title.
    if start >= len(blocks) - 1:
        return None
    first = blocks[start]
    if start == 0:
        return 0 if is_title_like(first) else None
    if len(first) <= MAX_TITLE_CHARS and len(first.split()) >= 2 \
            and not is_date_line(first) and not repeats_earlier_block(blocks, start):
        return start
    return None


def first_repeat(blocks: Sequence[str], start: int) -> int | None:
    limit = min(len(blocks), start + MAX_SINGLE_ITEMS + 1)
    return next((i for i in range(max(start, 1), limit) if repeats_earlier_block(blocks, i)),
                None)


def footer_start(blocks: Sequence[str], body_start: int, stats: BlockStats) -> int:
    """Start of the trailing run of navigation, contact and other recurring tail blocks."""
    end = len(blocks)
    while end > body_start:
        block = blocks[end - 1]
        is_chrome = (
            stats.repeats_in_tail(block)
            or (_CONTACT.search(block) is not None and len(block) < 200)
            or (end == len(blocks) and stats.begins_tail_block(block))  # a cut "Go b(ack)"
        )
        if not is_chrome:
            break
        end -= 1
    return end


def body_date(blocks: Sequence[str], body_start: int, body_end: int) -> date | None:
    if body_start >= body_end:
        return None
    first = blocks[body_start]
    return (parse_date_line(first) or parse_glued_date(first)
            or find_prose_date(first_sentence(first)))


def find_title(blocks: Sequence[str], stats: BlockStats,
               title_hint: str | None) -> tuple[int | None, date | None, int]:
    """(title index, date from the title's pattern, first body block)."""
    pair = find_title_pair(blocks)
    if title_hint is not None and title_hint in blocks[:HEADER_WINDOW]:
        title_index = blocks.index(title_hint)
        if pair is not None and pair[0] == title_index:
            return pair
        return title_index, None, title_index + 1
    if pair is not None:
        return pair
    # No title pattern: the title, if any, is found from the sidebar and the text under it,
    # never among the navigation lines at the end.
    content = blocks[:footer_start(blocks, 0, stats)]
    sidebar_end = leading_sidebar_end(content, stats)
    title_index = find_title_after_sidebar(content, sidebar_end, stats)
    if title_index is not None:
        return title_index, None, title_index + 1
    return None, None, first_repeat(content, sidebar_end) or sidebar_end


def find_layout(blocks: Sequence[str], stats: BlockStats,
                title_hint: str | None = None) -> Layout:
    title_index, when, body_start = find_title(blocks, stats, title_hint)
    sidebar_end = title_index if title_index is not None else body_start
    if body_start < len(blocks) and is_date_line(blocks[body_start]):
        when = when or parse_date_line(blocks[body_start])
        body_start += 1
    body_end = footer_start(blocks, body_start, stats)
    title = blocks[title_index] if title_index is not None else title_hint
    return Layout(sidebar_end, title, when or body_date(blocks, body_start, body_end),
                  body_start, body_end)

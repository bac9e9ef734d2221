"""Find where the article is on a page: sidebar, title, date, body, footer.

Every page of the site is laid out the same way:

    [latest-news sidebar: items, each maybe under a DD.MM.YYYY line]
    title
    [title DD.MM.YYYY | DD.MM.YYYY line]            (often missing)
    body paragraphs                                  (the first may start with a glued date)
    [footer: navigation, press secretary, contacts, image file names]

The corpus statistics (`PageFacts`) say which blocks recur on other pages; the page's own
structure (the title/date pair, date lines, repeats within the page, the shape of a title
against the shape of a news lead, how a title relates to the paragraph under it) decides
where the sidebar ends. A paragraph that is another page's sidebar item therefore survives as
this page's lead when it comes after this page's title.

Every block gets a role and the reason for it (`Layout.roles`), which `csto-index extract
--explain` prints and the build report counts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from indexer.cleaning.blocks import analysis_text, block_key, is_image_name
from indexer.cleaning.boilerplate import PageFacts, content_words
from indexer.cleaning.dates import (
    DATE_SUFFIX,
    find_prose_date,
    first_sentence,
    is_date_line,
    is_numeric_date_line,
    parse_date_line,
    parse_glued_date,
    parse_numeric_date,
)
from indexer.cleaning.evidence import NO_WORDS_ASKED, PageEvidence, WordClasses
from indexer.cleaning.shapes import (
    COMPLETE_END,
    MAX_TITLE_CHARS,
    MIN_TITLE_CHARS,
    SENTENCE_END,
    STARTS_LIKE_TITLE,
    TEMPORAL_START,
    is_cut_paragraph,
    is_lead_like,
    is_sentence_title,
    is_title_like,
)

HEADER_WINDOW = 40  # the sidebar never holds more blocks than this
MAX_SINGLE_ITEMS = 10  # sidebar items not seen elsewhere that may stand before a title
MIN_CUT_COPY_CHARS = 20  # a title repeated but cut short by the crawler
CUT_TITLE_CHARS = 200  # the site cuts long titles (at 255 characters), mid-word
# How much a title-like line must share with the paragraph under it to be taken as the title.
RELATED_IN_SIDEBAR = 0.5  # inside the run of recurring blocks (section pages list titles too)
RELATED_AFTER_SIDEBAR = 0.05  # a heading-shaped line after it
RELATED_SENTENCE_TITLE = 0.2  # a sentence-shaped line after it
KICKER_CHARS = 60
KICKER_MARGIN = 0.3
# Sidebar items are the leads of unrelated news items: consecutive ones share little.
UNRELATED_ITEMS = 0.25
_CONTACT = re.compile(
    r"@[\w-]+\.\w|(?:\+|\btel\b|\bfax\b|\bphone\b)[\s\d()./-]*\d{2}|\d{3}[\s-]\d{2}[\s-]\d{2}\b"
    r"|\bpress[ -]secretary\b|\bpress service\b",
    re.IGNORECASE,
)


class Role(Enum):
    SIDEBAR = "sidebar"
    TITLE = "title"
    DATE = "date"
    BODY = "body"
    IMAGE = "image name"
    FOOTER = "footer"


@dataclass(frozen=True)
class BlockRole:
    role: Role
    reason: str


@dataclass(frozen=True)
class Layout:
    """Where the parts of one page are, as block indexes (`body` is a half-open range)."""

    sidebar_end: int  # blocks before this are the leading sidebar
    title: str | None
    date: date | None
    body_start: int
    body_end: int  # blocks from here on are the footer
    roles: tuple[BlockRole, ...] = ()
    # The words whose class (common or not) the layout depended on, and their class then.
    word_classes: WordClasses = NO_WORDS_ASKED
    cut: bool = False  # the saved copy stops mid-article (the crawler cut it)

    def body_indexes(self) -> list[int]:
        """The body's blocks, without the image file names standing among them."""
        return [i for i in range(self.body_start, self.body_end)
                if not self.roles or self.roles[i].role is Role.BODY]


def title_pair_date(title: str, following: str, is_last: bool) -> tuple[bool, date | None]:
    """Is `following` the site's "title DD.MM.YYYY" line for `title`? With the date if whole."""
    if len(title) < MIN_TITLE_CHARS or is_date_line(title):
        return False, None
    if following.startswith(title):
        rest = following[len(title):].strip()
        if rest and DATE_SUFFIX.match(rest):
            return True, parse_numeric_date(rest)
        # The title cut by the site at 255 characters, then whole with its date.
        suffix = re.search(r"\s(\d{1,2}\.\d{1,2}\.\d{4})$", rest)
        if len(title) >= CUT_TITLE_CHARS and suffix is not None:
            return True, parse_numeric_date(suffix.group(1))
        # The same line twice: the site's pattern with the date left out.
        return not rest and is_title_like(title), None
    # The crawler cut the page in the middle of the repeated title.
    cut_copy = is_last and len(following) >= MIN_CUT_COPY_CHARS and title.startswith(following)
    return cut_copy, None


def relatedness(title: str, following: Sequence[str], stats: PageEvidence) -> float:
    """Weighted share of the title's words that the next paragraphs use too."""
    words = content_words(title)
    total = sum(stats.word_weight(word) for word in words)
    if not total:
        return 0.0
    nearby = set().union(*(content_words(block) for block in following)) if following else set()
    return sum(stats.word_weight(word) for word in words & nearby) / total


def mutual_relatedness(one: str, other: str, stats: PageEvidence) -> float:
    """Weighted share of words two paragraphs have in common, over the smaller one."""
    first, second = content_words(one), content_words(other)
    sizes = [sum(stats.word_weight(w) for w in words) for words in (first, second)]
    if not min(sizes):
        return 0.0
    return sum(stats.word_weight(w) for w in first & second) / min(sizes)


def repeated_earlier_at(blocks: Sequence[str], index: int) -> int | None:
    """Where the page already had this paragraph (the sidebar listed the page's own lead)."""
    key = block_key(blocks[index])
    if len(key) < 40:
        return None
    for earlier_index in range(index):
        earlier = block_key(blocks[earlier_index])
        if len(earlier) >= 40 and (earlier.startswith(key[:60]) or key.startswith(earlier[:60])):
            return earlier_index
    return None


def starts_own_article(view: Sequence[str], index: int, stats: PageEvidence) -> bool:
    """A block other pages hold, but never right after the block before it here, that the
    next block goes on about: this page's own lead, which other days' sidebars list, not one
    more item of this page's list (a day's list is in the same order on every page)."""
    return (0 < index < len(view) - 1 and stats.repeats(view[index])
            and not stats.follows_elsewhere(index) and not is_date_line(view[index - 1])
            and mutual_relatedness(view[index], view[index + 1], stats) >= UNRELATED_ITEMS)


def leading_sidebar_end(view: Sequence[str], stats: PageEvidence) -> int:
    """End of the leading run of blocks that recur elsewhere or are sidebar date lines; or
    where the page's copies of other days begin to agree (above it, each has its day's list)."""
    if stats.article_from:
        return min(stats.article_from, len(view))
    end = 0
    limit = min(len(view), HEADER_WINDOW)
    dated_items = bool(view) and is_numeric_date_line(view[0])
    while end < limit:
        block = view[end]
        if end and (repeated_earlier_at(view, end) is not None
                    or starts_own_article(view, end, stats)):
            break
        after_date_line = dated_items and end > 0 and is_numeric_date_line(view[end - 1])
        if not (is_numeric_date_line(block) or stats.repeats(block) or after_date_line):
            break
        end += 1
    return end


def find_title_pair(view: Sequence[str]) -> tuple[int, date | None, int] | None:
    """(title index, date, index of the first body block) for the site's title/date pattern."""
    limit = min(len(view) - 1, HEADER_WINDOW)
    for index in range(limit):
        is_pair, when = title_pair_date(view[index], view[index + 1], index + 2 == len(view))
        if is_pair:
            return index, when, index + 2
    return None


def find_title_with_date_line(view: Sequence[str]) -> int | None:
    """A heading followed by a date line ("19.05.2021", "Vienna, June 23, 2020") or by the
    first paragraph with the date glued in front ("09.01.2022On January 9, ...": a template
    of the site; the heading may then be sentences, "Session of the Council. Moscow, ..."),
    but not a sidebar item between two date lines."""
    for index in range(min(len(view) - 1, HEADER_WINDOW)):
        block, following = view[index], view[index + 1]
        if (index and is_numeric_date_line(view[index - 1])) or is_date_line(block):
            continue
        if (is_title_like(block) and is_date_line(following)) or (
                parse_glued_date(following) and parse_glued_date(block) is None
                and MIN_TITLE_CHARS <= len(block) <= MAX_TITLE_CHARS
                and STARTS_LIKE_TITLE.match(block)):
            return index
    return None


def first_own_lead_repeat(view: Sequence[str]) -> tuple[int, int] | None:
    """(earlier, later) for the first paragraph that the page holds twice near its top."""
    for index in range(1, min(len(view), HEADER_WINDOW)):
        earlier = repeated_earlier_at(view, index)
        if earlier is not None:
            return earlier, index
    return None


def choose_title(view: Sequence[str], start: int, stats: PageEvidence) -> tuple[int | None, str]:
    """The title, given that the recurring sidebar ends at `start`; with the reason.

    The title is the heading-shaped line (or short sentence-shaped one) that the paragraph
    under it is most about. It may stand inside the recurring run (a title that a section
    page lists too) or after it (behind sidebar items seen on no other page).
    """
    if start == 0 and len(view) > 1 and is_title_like(view[0]):
        # A short kicker ("Exclusive for TASS") may stand above the title: the heading under
        # it is the title when the text under that one is far more about it.
        if len(view) > 2 and len(view[0]) < KICKER_CHARS and is_title_like(view[1]) \
                and not is_title_like(view[2]):  # not a section's list of headings
            kicker = relatedness(view[0], view[1:3], stats)
            heading = relatedness(view[1], view[2:4], stats)
            if heading >= kicker + KICKER_MARGIN:
                return 1, f"a heading under a kicker line, {heading:.0%} related to the " \
                          "paragraph under it"
        return 0, "heading-shaped, and the page opens with it (no sidebar known)"
    best: tuple[float, int, str] | None = None
    last = min(len(view) - 1, start + MAX_SINGLE_ITEMS + 1)
    for index in range(max(0, start - 2), last):
        block = view[index]
        if index > start and repeated_earlier_at(view, index) is not None:
            break
        if is_date_line(block):
            continue
        following = [b for b in view[index + 1:index + 4] if not is_numeric_date_line(b)][:2]
        score = relatedness(block, following, stats)
        if index + 2 == len(view) and following:
            # The crawl ends in the first words of the lead: how much of them the title has.
            score = max(score, relatedness(following[0], [block], stats))
        reason = ""
        if index < start:
            if is_title_like(block) and score >= RELATED_IN_SIDEBAR:
                reason = "a heading listed on other pages too"
            elif is_title_like(block) and index == start - 1 and start < len(view) \
                    and TEMPORAL_START.match(view[start]):
                score = max(score, RELATED_IN_SIDEBAR)
                reason = "a heading listed on other pages too, followed by a news lead"
        elif is_title_like(block) and score >= RELATED_AFTER_SIDEBAR:
            reason = "a heading"
        elif is_sentence_title(block) and score >= RELATED_SENTENCE_TITLE:
            reason = "a short sentence-shaped heading"
        if reason and (best is None or score > best[0]):
            best = (score, index, f"{reason}, {score:.0%} related to the paragraph under it")
    if best is not None:
        return best[1], best[2]
    if start >= len(view):
        return None, ""
    first = view[start]
    if start == len(view) - 1 and is_cut_paragraph(first):
        return None, ""  # the lead, cut by the crawler after its first sentence
    if is_title_like(first) or (start and is_sentence_title(first)):
        where = "after the recurring sidebar" if start else "the page opens with it"
        return start, f"heading-shaped, the first line {where}"
    return None, ""


def is_sidebar_only(view: Sequence[str], stats: PageEvidence) -> bool:
    """A page the crawler cut inside its sidebar: unrelated news leads, then a cut line.

    Without a title anywhere, a run of complete news leads that share little with each
    other, ended by a line cut mid-word, is a latest-news list, not an article.
    """
    if len(view) < 4 or view[-1].endswith(SENTENCE_END):
        return False
    items = [block for block in view[:-1] if not is_numeric_date_line(block)]
    if len(items) < 3 or not all(is_lead_like(item) for item in items):
        return False
    if not any(TEMPORAL_START.match(item) for item in items):
        return False
    # An item may run over two paragraphs; most neighbours are still unrelated.
    related = sum(mutual_relatedness(one, other, stats) >= UNRELATED_ITEMS
                  for one, other in itertools.pairwise(items))
    return related <= (len(items) - 1) // 3


def is_cut(view: Sequence[str], title_index: int | None, body_end: int) -> bool:
    """Whether the saved copy stops mid-article: it ends in its article (no footer after
    it) with a line that does not end as a sentence ends, or with its title (an article
    has text under its title)."""
    if body_end < len(view) or not view:
        return False
    last = view[-1].rstrip()
    return title_index == len(view) - 1 or not last.endswith(COMPLETE_END)


def is_item_list(body: Sequence[str], title: str | None) -> bool:
    """A body that lists other pages' items: mostly headings or timestamps, no title."""
    if title is not None or len(body) < 3:
        return False
    items = sum(1 for block in body if is_title_like(block) or is_numeric_date_line(block))
    return items * 2 >= len(body)


def footer_start(view: Sequence[str], body_start: int, stats: PageEvidence) -> int:
    """Start of the trailing run of navigation, contact and other recurring tail blocks."""
    end = len(view)
    while end > body_start:
        block = view[end - 1]
        is_chrome = (
            stats.repeats_in_tail(block)
            or (_CONTACT.search(block) is not None and len(block) < 200)
            or is_image_name(block)
            or (end == len(view) and stats.begins_tail_block(block))  # a cut "Go b(ack)"
        )
        if not is_chrome:
            break
        end -= 1
    return end


def _title_echo(title: str | None, block: str, stats: PageEvidence) -> bool:
    """A second wording of the title under it (the sub-sites print a translation)."""
    return (title is not None and is_title_like(block) and not TEMPORAL_START.match(block)
            and relatedness(block, [title], stats) >= RELATED_IN_SIDEBAR)


def body_date(view: Sequence[str], body: Sequence[int], title: str | None,
              stats: PageEvidence) -> date | None:
    """The date the article's opening gives: a date line, a glued date, or its first sentence.

    Heading-shaped lines at the opening - a second wording of the title (the sub-sites print
    a translation), a kicker, a byline, a photo credit - are not the lead; a lead cut short by
    the crawler still is when it opens as a lead does ("On 5 May 2024, ...")."""
    opening = [i for i in body[:3] if not _title_echo(title, view[i], stats)][:2]
    for index in opening:
        when = parse_date_line(view[index])
        if when is not None:
            return when
    leads = [i for i in body[:3] if not is_title_like(view[i]) or TEMPORAL_START.match(view[i])
             or parse_glued_date(view[i])]
    if not leads:
        return None
    lead = view[leads[0]]
    return parse_glued_date(lead) or find_prose_date(first_sentence(lead))


def find_layout(blocks: Sequence[str], facts: PageFacts, common: frozenset[int],
                title_hint: str | None = None) -> Layout:
    """Where the article is on a page, from the page, its `PageFacts` and the corpus's
    common words (`boilerplate.common_words`)."""
    view = [analysis_text(block) for block in blocks]
    stats = PageEvidence(view, facts, common)
    roles: dict[int, BlockRole] = {}
    hint = analysis_text(title_hint) if title_hint else None
    title_index, when, body_start = _find_article(view, stats, hint, roles)
    body_end = max(body_start, footer_start(view, body_start, stats))
    sidebar_end = title_index if title_index is not None else body_start
    if body_start < body_end and is_numeric_date_line(view[body_start]):
        when = when or parse_date_line(view[body_start])
        roles[body_start] = BlockRole(Role.DATE, "a date line under the title")
        body_start += 1
    title = view[title_index] if title_index is not None else hint
    body = [i for i in range(body_start, body_end) if not is_image_name(view[i])]
    when = when or body_date(view, body, title, stats)
    reasons = _sidebar_reason(view, sidebar_end, stats)
    for index in range(len(blocks)):
        if index in roles:
            continue
        if index < sidebar_end:
            roles[index] = BlockRole(Role.SIDEBAR, reasons[index])
        elif index >= body_end:
            roles[index] = BlockRole(Role.FOOTER, _footer_reason(view[index], stats))
        elif is_image_name(view[index]):
            roles[index] = BlockRole(Role.IMAGE, "an image file name")
        elif index >= body_start:
            roles[index] = BlockRole(Role.BODY, "article text")
        else:  # between the title and the body: the pair's repeated title
            roles[index] = BlockRole(Role.DATE, "the title repeated with its date")
    return Layout(sidebar_end, title, when, body_start, body_end,
                  tuple(roles[i] for i in range(len(blocks))), stats.asked,
                  is_cut(view, title_index, body_end))


def _find_article(view: Sequence[str], stats: PageEvidence, title_hint: str | None,
                  roles: dict[int, BlockRole]) -> tuple[int | None, date | None, int]:
    """(title index, date from the title's pattern, first body block) of the page's article."""
    if title_hint is not None and title_hint in view[:HEADER_WINDOW]:
        index = view.index(title_hint)
        roles[index] = BlockRole(Role.TITLE, "the HTML page's heading")
        pair = find_title_pair(view)
        if pair is not None and pair[0] == index:
            return pair
        return index, None, index + 1
    pair = find_title_pair(view)
    if pair is not None:
        roles[pair[0]] = BlockRole(Role.TITLE, "the site's pair: the title, then the title "
                                               "with its date")
        return pair
    dated = find_title_with_date_line(view)
    if dated is not None:
        roles[dated] = BlockRole(Role.TITLE, "a heading followed by a date line")
        return dated, None, dated + 1
    # Without a title pattern the article is looked for above the navigation lines at the
    # end, never among them.
    view = view[:footer_start(view, 0, stats)]
    repeat = first_own_lead_repeat(view)
    sidebar_end = leading_sidebar_end(view, stats)
    if repeat is not None and repeat[1] <= sidebar_end + MAX_SINGLE_ITEMS + 1:
        earlier, later = repeat
        # The sidebar listed this page's own article: the article starts where it comes again.
        roles[later] = BlockRole(Role.BODY, f"the lead, listed in the sidebar too "
                                            f"(block {earlier + 1})")
        before = later - 1
        if before > earlier and (is_title_like(view[before]) or is_sentence_title(view[before])) \
                and not stats.repeats(view[before]):
            roles[before] = BlockRole(Role.TITLE, "the heading above the page's own lead")
            return before, None, later
        return None, None, later
    title_index, reason = choose_title(view, sidebar_end, stats)
    if title_index == stats.article_from == len(view) - 1 and len(view[-1]) < CUT_TITLE_CHARS:
        # The copies agree only in the heading the crawler cut this one in: all it holds of
        # its article, as text (as on a page cut right after its sidebar).
        roles[title_index] = BlockRole(Role.BODY, "the article's heading, cut short by the "
                                                  "crawler")
        return None, None, title_index
    if title_index is not None:
        roles[title_index] = BlockRole(Role.TITLE, reason)
        return title_index, None, title_index + 1
    if sidebar_end == 0 and is_sidebar_only(view, stats):
        own = next((i for i in range(len(view)) if starts_own_article(view, i, stats)), None)
        if own is not None:
            roles[own] = BlockRole(Role.BODY, "the page's own lead, listed by other pages' "
                                              "sidebars after other items")
            return None, None, own
        if is_title_like(view[-1]) and not TEMPORAL_START.match(view[-1]):
            # The crawler cut the page in the article's own heading, right after the
            # latest-news items: that fragment is all the copy has of its article, its
            # text (not its title: the page does not hold the title whole).
            roles[len(view) - 1] = BlockRole(Role.BODY, "the article's heading, cut short "
                                                        "by the crawler")
            return None, None, len(view) - 1
        return None, None, len(view)
    return None, None, sidebar_end


def _sidebar_reason(view: Sequence[str], sidebar_end: int, stats: PageEvidence) -> list[str]:
    reasons = []
    for index, block in enumerate(view[:sidebar_end]):
        seen = stats.pages_with(block)
        if is_numeric_date_line(block):
            reasons.append("a date line of the latest-news list")
        elif seen >= 2:
            reasons.append(f"seen on {seen - 1} other page(s)")
        elif index < stats.article_from:
            reasons.append("above where the copies of this page saved on other days agree")
        elif index and is_numeric_date_line(view[index - 1]):
            reasons.append("an item under a date line of the latest-news list")
        else:
            reasons.append("stands before the title, shaped like a news lead")
    return reasons + [""] * (len(view) - sidebar_end)


def _footer_reason(block: str, stats: PageEvidence) -> str:
    if is_image_name(block):
        return "an image file name"
    if stats.repeats_in_tail(block):
        return f"ends {stats.tail_pages(block) - 1} other page(s) too"
    if _CONTACT.search(block):
        return "a contact line (press secretary, phone, e-mail)"
    return "a footer line cut short by the crawler"

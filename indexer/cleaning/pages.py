"""One page through the per-page stages: its layout (sidebar, title, date, body, footer),
the names it holds, and at last its document, once the corpus has said who the names are.

`draft_page` is the cascade for one page; `indexer.cleaning.clean_pages` runs it over all
pages between the stages that need the whole corpus.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple, TypeVar

from indexer.cleaning.blocks import analysis_text, block_key
from indexer.cleaning.boilerplate import PageFacts
from indexer.cleaning.dedupe import Copy, canonical_url
from indexer.cleaning.evidence import WordClasses
from indexer.cleaning.loading import RawPage
from indexer.cleaning.people import Mention, NameLexicon, PeopleResolver, mentions_in, people_in
from indexer.cleaning.structure import Layout, Role, find_layout, is_item_list
from indexer.document import CleanDocument, is_listing_url

T = TypeVar("T")


@dataclass(frozen=True)
class Draft:
    """A page once its layout is known, before people are resolved corpus-wide."""

    source: str
    url: str | None
    file_hash: str
    block_count: int
    layout: Layout  # its roles' reasons are kept only when explaining (they cost memory)
    body_blocks: tuple[str, ...]
    mentions: tuple[Mention, ...]
    roles: tuple[Role, ...]
    warnings: tuple[str, ...]
    signature: tuple[str, ...] = ()  # footer lines that name someone (the press secretary)


class DraftSummary(NamedTuple):
    """What the corpus-wide stages read of a draft: people, copies, roles (not the body)."""

    copy: Copy
    mentions: tuple[Mention, ...]
    roles: tuple[int, ...]  # blocks per role, in the order of `Role`
    word_classes: WordClasses  # the draft holds while these words keep their class

    def __reduce__(self) -> tuple[object, ...]:
        # As its fields' strings and numbers: an update reads back 100k of them, and a
        # pickle of five kinds of named tuple loads at half that speed.
        copy, classes = self.copy, self.word_classes
        return (_summary_of, (copy.url, copy.title, copy.date.toordinal() if copy.date else 0,
                              copy.body_head, tuple(itertools.chain.from_iterable(self.mentions)),
                              self.roles, classes.common, classes.other))


def _summary_of(url: str | None, title: str | None, day: int, body_head: str,
                names: tuple[str, ...], roles: tuple[int, ...], common: bytes,
                other: bytes) -> DraftSummary:
    pairs = iter(names)
    return DraftSummary(Copy(url, title, date.fromordinal(day) if day else None, body_head),
                        tuple(map(Mention, pairs, pairs)), roles, WordClasses(common, other))


def draft_page(page: RawPage, facts: PageFacts, common: frozenset[int], lexicon: NameLexicon,
               keep_reasons: bool = False) -> Draft:
    layout = find_layout(page.blocks, facts, common, page.title_hint)
    # The body keeps the text as the site wrote it (an image name glued to a paragraph
    # included); lines that are only an image's file name go.
    body = tuple(page.blocks[i] for i in layout.body_indexes())
    # People are those of the article: its title and body, not the sidebar or the
    # press secretary's signature in the footer.
    article_text = "\n".join(
        ([layout.title] if layout.title else []) + [analysis_text(block) for block in body])
    if layout.cut:
        # The crawler cut the copy mid-word: its last word may be a name cut short
        # ("Alymbek Sul"), not a new official.
        article_text = article_text.rstrip()
        article_text = article_text[:len(article_text) - len(article_text.split()[-1])] \
            if article_text else article_text
    roles = tuple(role.role for role in layout.roles)
    if not keep_reasons:
        layout = replace(layout, roles=())
    # The release's signature is searchable (a visitor looks for the press secretary) but
    # not among the people the article names.
    footer = (analysis_text(page.blocks[i]) for i in range(layout.body_end, len(page.blocks)))
    signature = tuple(line for line in footer if mentions_in(line, lexicon))
    return Draft(page.source, page.url, page.file_hash, len(page.blocks), layout, body,
                 tuple(mentions_in(article_text, lexicon)), roles, page.warnings, signature)


def summarise(draft: Draft) -> DraftSummary:
    copy = Copy.of(draft.url, draft.layout.title, draft.layout.date,
                   "\n\n".join(draft.body_blocks))
    counts = Counter(draft.roles)
    return DraftSummary(copy, draft.mentions, tuple(counts[role] for role in Role),
                        draft.layout.word_classes)


def _one_of(value: T, pool: dict[Any, Any]) -> T:
    """One object for equal values (mentions of the same officials, empty word classes):
    100k summaries in memory then hold references, not copies."""
    return pool.setdefault(value, value)  # type: ignore[no-any-return]


def compact(summary: DraftSummary, pool: dict[Any, Any]) -> DraftSummary:
    mentions = tuple(_one_of(mention, pool) for mention in summary.mentions)
    return DraftSummary(summary.copy, _one_of(mentions, pool), _one_of(summary.roles, pool),
                        _one_of(summary.word_classes, pool))


def page_identity(page: RawPage, layout: Layout) -> str:
    """Which article a page holds, as far as a first look can tell (a digest: 100k of them
    are held at once). Copies saved under one address hold one article whatever sidebar the
    day gave them, so the address decides where it is known; else the page's title and first
    paragraph, else (neither found) the file itself."""
    body = layout.body_indexes()
    if page.url:
        parts: tuple[str, ...] = ("address", canonical_url(page.url))
    elif layout.title or body:
        parts = (block_key(layout.title or ""),
                 block_key(page.blocks[body[0]])[:100] if body else "")
    else:
        parts = ("file", page.file_hash)
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


class Look(NamedTuple):
    identity: str
    word_classes: WordClasses  # it holds while these words keep their class

    def __reduce__(self) -> tuple[object, ...]:
        return (_look_of, (self.identity, self.word_classes.common, self.word_classes.other))


def _look_of(identity: str, common: bytes, other: bytes) -> Look:
    return Look(identity, WordClasses(common, other))


def first_look(page: RawPage, facts: PageFacts, common: frozenset[int]) -> Look:
    layout = find_layout(page.blocks, facts, common, page.title_hint)
    return Look(page_identity(page, layout), layout.word_classes)


def finish_document(draft: Draft, resolver: PeopleResolver) -> CleanDocument:
    people = people_in(draft.mentions, resolver)
    layout = draft.layout
    # A list's last line is an item's heading, not a sentence: a list is not "cut".
    listing = is_listing_url(draft.url) or is_item_list(draft.body_blocks, layout.title)
    return CleanDocument(
        source=draft.source,
        title=layout.title,
        date=layout.date,
        people=tuple(person.name for person in people),
        body="\n\n".join(draft.body_blocks),
        url=draft.url,
        spellings=tuple(sorted({s for person in people for s in person.spellings})),
        file_hashes=((draft.source, draft.file_hash),),
        sidebar_blocks=layout.sidebar_end,
        footer_blocks=draft.block_count - layout.body_end,
        listing=listing,
        cut=layout.cut and not listing,
        signature="\n".join(draft.signature),
        warnings=draft.warnings,
    )

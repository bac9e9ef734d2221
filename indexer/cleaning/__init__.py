"""The cleaner: what a crawled page becomes, stage by stage, in the order of `clean_pages`.

1. load (`loading`, `blocks`): the file's text or HTML as blocks, one per paragraph or line;
2. repeated blocks (`boilerplate`): every block counted over the corpus, so that the
   sidebar's items, the navigation and the contact lines stand out from an article's text;
3. a first look (`pages.first_look`): which article each page holds; a copy cut short by the
   crawler takes the identity of the page it stands in (`dedupe.copies_share_identity`);
4. repeated blocks again, counted once per article rather than once per saved copy;
5. the layout of each page (`pages.draft_page`, with `structure` and `dates`): sidebar,
   title, date, body, footer, and the names the article holds (`people`);
6. who the names are, across the corpus (`people.PeopleResolver`): spellings merged;
7. copies (`dedupe.group_copies`): pages that hold the same article are one document;
8. the document (`pages.finish_document`, `dedupe.merge_group`), put together when written.

Every stage is a pure function of its inputs, testable alone. Where the per-page stages run
(worker processes) and what is reused from past runs (a cache) is the build machinery's
business (`indexer.building`): it hands `clean_pages` a `PageStages`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from indexer.cleaning.boilerplate import CorpusBlocks, FactsTable, PageShape
from indexer.cleaning.dedupe import article_starts, copies_share_identity, group_copies
from indexer.cleaning.pages import DraftSummary, Look
from indexer.cleaning.people import Mention, NameLexicon, PeopleResolver
from indexer.cleaning.structure import Role


class PageStages(Protocol):
    """The per-page stages run over every page, in the order of the pages."""

    def first_looks(self, facts: FactsTable, common: frozenset[int]) -> list[Look]:
        """Stage 3 (`pages.first_look`) of each page."""
        ...

    def drafts(self, facts: FactsTable, common: frozenset[int],
               lexicon: NameLexicon) -> list[DraftSummary]:
        """Stage 5 (`pages.draft_page`) of each page, summarised."""
        ...


@dataclass
class CleanedPages:
    """What the corpus-wide stages decided about the pages (their drafts stay with the
    `PageStages` that made them)."""

    summaries: list[DraftSummary]  # of each page
    resolver: PeopleResolver
    spellings: dict[str, list[str]]  # every spelling of each canonical person
    documents: list[list[int]]  # pages holding the same article: one document each
    without_article: list[int]  # pages with only latest-news items: no document
    roles: Counter[str]  # blocks per role, for the report


def clean_pages(shapes: list[PageShape], common: frozenset[int], lexicon: NameLexicon,
                stages: PageStages) -> CleanedPages:
    """Stages 2 to 7 over the pages whose blocks (stage 1) `shapes` describe; `common` are
    the words on many of them. `shapes` is emptied once counted: drafting needs the facts
    learned from them, a fifth of their memory at 100k pages."""
    blocks = CorpusBlocks.of(shapes)
    looks = stages.first_looks(blocks.table(blocks.stats(common=common)), common)
    own = [look.identity for look in looks]
    identities = copies_share_identity(blocks, own)
    # A copy cut shorter than a page that holds all it has adds nothing to the counts.
    counted = [mine == shared for mine, shared in zip(own, identities, strict=True)]
    facts = blocks.table(blocks.stats(identities, common, counted))
    facts = replace(facts, article_from=article_starts(blocks, identities, facts.follows,
                                                       facts.tail_repeats))
    del blocks, looks
    shapes.clear()
    summaries = stages.drafts(facts, common, lexicon)
    mentions = [mention for summary in summaries for mention in summary.mentions]
    resolver = PeopleResolver(lexicon, mentions)
    documents, without_article = articles(summaries)
    return CleanedPages(summaries, resolver, spellings_of(resolver, mentions), documents,
                        without_article, roles_of(summaries))


def articles(summaries: Sequence[DraftSummary]) -> tuple[list[list[int]], list[int]]:
    """The pages of each document, and the pages without an article (neither a title nor
    text of their own, whatever their copies: the crawler cut them before the article)."""
    copies = [summary.copy for summary in summaries]
    documents, without_article = [], []
    for group in group_copies(copies):
        if any(copies[number].title or copies[number].body_head for number in group):
            documents.append(group)
        else:
            without_article += group
    return documents, sorted(without_article)


def spellings_of(resolver: PeopleResolver, mentions: Sequence[Mention]) -> dict[str, list[str]]:
    """Every spelling of each canonical person: the registry's and the corpus's own."""
    spellings: dict[str, set[str]] = {}
    for mention in set(mentions):
        person = resolver.resolve(mention)
        if person is not None:
            spellings.setdefault(person.name, set()).update(person.spellings)
    return {name: sorted(found) for name, found in sorted(spellings.items())}


def roles_of(summaries: Sequence[DraftSummary]) -> Counter[str]:
    """Blocks per role the cleaner gave, over all pages."""
    totals = (np.sum([summary.roles for summary in summaries], axis=0, dtype=np.int64).tolist()
              if summaries else ())
    return +Counter(dict(zip((role.value for role in Role), totals, strict=False)))

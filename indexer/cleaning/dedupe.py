"""One document per page, however many times and under whatever addresses it was
saved (`?bxajaxid=` variants, the same article crawled on two days with different sidebars,
one copy cut short by the crawler)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from indexer.cleaning.blocks import block_key
from indexer.cleaning.boilerplate import CorpusBlocks
from indexer.document import CleanDocument

# Query parameters of the site's CMS that do not change which page is shown.
_NOISE_PARAMETER = re.compile(r"^(?:bxajaxid|PAGEN_\d+|clear_cache|sphrase_id|utm_\w+)$",
                              re.IGNORECASE)
BODY_PREFIX_CHARS = 300
UNTITLED_PREFIX_CHARS = 100


def canonical_url(url: str) -> str:
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _NOISE_PARAMETER.match(k)]
    path = parts.path if parts.path.endswith("/") or "." in parts.path[-6:] else parts.path + "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


class Copy(NamedTuple):
    """What comparing saved copies of pages needs of each (not the whole body)."""

    url: str | None  # canonical_url of the page's address
    title: str | None
    date: date | None
    body_head: str  # block_key(body)[:BODY_PREFIX_CHARS]

    @classmethod
    def of(cls, url: str | None, title: str | None, when: date | None, body: str) -> Copy:
        return cls(canonical_url(url) if url else None, title, when, body_head(body))


def body_head(body: str) -> str:
    """block_key(body)[:BODY_PREFIX_CHARS], without folding the whole of a long body: the
    key of a beginning is a beginning of the key, up to its last few characters."""
    head = block_key(body[:4 * BODY_PREFIX_CHARS])
    if len(head) <= BODY_PREFIX_CHARS and len(body) > 4 * BODY_PREFIX_CHARS:
        head = block_key(body)  # mostly punctuation: fold it all
    return head[:BODY_PREFIX_CHARS]


def same_page(one: Copy, other: Copy) -> bool:
    if one.url and other.url and one.url == other.url:
        return True
    if block_key(one.title or "") != block_key(other.title or ""):
        return False
    if one.date and other.date and one.date != other.date:
        return False
    if not one.title and not (one.body_head and other.body_head):
        return False
    # The same beginning, or one copy cut short (before BODY_PREFIX_CHARS: a longer text
    # that starts with a shorter one starts with its whole head).
    shorter, longer = sorted((one.body_head, other.body_head), key=len)
    return longer.startswith(shorter)


def _bucket(copy: Copy) -> str:
    """Copies of a page share this key: its title, or for an untitled page the beginning of
    its text (so untitled pages are not each compared with all the others)."""
    if copy.title:
        return block_key(copy.title)
    return "\0" + copy.body_head[:UNTITLED_PREFIX_CHARS]


def group_copies(copies: Sequence[Copy]) -> list[list[int]]:
    """Which copies hold the same page, as groups of indexes in order of first appearance."""
    groups: list[list[int]] = []
    by_title: dict[str, list[list[int]]] = {}
    by_url: dict[str, list[int]] = {}
    for number, copy in enumerate(copies):
        bucket = _bucket(copy)
        candidates = by_title.get(bucket, [])
        if copy.url and copy.url in by_url:
            candidates = [by_url[copy.url], *candidates]
        group = next((g for g in candidates if any(same_page(copy, copies[i]) for i in g)),
                     None)
        if group is None:
            group = []
            groups.append(group)
            by_title.setdefault(bucket, []).append(group)
        group.append(number)
        if copy.url:
            by_url.setdefault(copy.url, group)
    return groups


def merge_group(group: Sequence[CleanDocument]) -> CleanDocument:
    """One document for the saved copies of a page, each field from a copy that holds it as
    its own content: the fullest copy with a title (a copy the crawler cut inside its sidebar
    has none, and gives no title, date, text or people), the title whole where the fullest
    copy's was cut, the date from another copy of that title when the fullest has none.
    Every copy is listed once among the sources."""
    keeper = max([d for d in group if d.title] or group, key=_fullness)
    own = [d for d in group if d.title and keeper.title and _same_title(d.title, keeper.title)]
    if own:
        keeper = replace(keeper, title=max((d.title or "" for d in own), key=len),
                         date=keeper.date or next((d.date for d in own if d.date), None))
    others = [d for d in group if d.source != keeper.source]
    if not others:
        return keeper
    return keeper.with_duplicates(others, [d for d in own if d.source != keeper.source])


def _fullness(document: CleanDocument) -> tuple[int, bool, int]:
    return len(document.body), document.date is not None, -len(document.source)


def _same_title(one: str, other: str) -> bool:
    """The same title, or one cut short by the crawler or the site."""
    shorter, longer = sorted((block_key(one), block_key(other)), key=len)
    return longer.startswith(shorter)


def copies_share_identity(blocks: CorpusBlocks, identities: list[str]) -> list[str]:
    """A page all of whose blocks stand in a longer page is a copy of it (cut shorter by
    the crawler, or saved again): it takes that page's identity, so that the blocks they
    share are not counted as repeated across articles (a section crawled three times would
    otherwise look like sidebar from top to bottom).

    Only pages whose rarest block (the last one aside: it may be cut short) is on another
    page too can be copies; they are found over whole arrays (100k pages hold 3M blocks),
    and only they are compared block by block."""
    lengths, offsets, rank = np.diff(blocks.offsets), blocks.offsets, blocks.key_rank
    if not len(lengths) or not lengths.sum():
        return list(identities)
    ranks = len(blocks.key_ids)
    pages_with = np.bincount(rank[blocks.distinct], minlength=ranks)
    # A page's own keys: those it has before its last block (its first such block is the
    # first of the page with that key).
    own = blocks.distinct & (offsets[blocks.page + 1] - np.arange(len(rank)) > 1)
    own_pages, own_ranks = blocks.page[own], rank[own]
    eligible = np.bincount(own_pages, minlength=len(lengths))[own_pages] >= 2
    own_pages, own_ranks = own_pages[eligible], own_ranks[eligible]
    if not len(own_pages):
        return list(identities)
    # Per page, its key on the fewest pages, then of the lowest id (ranks keep the ids'
    # order): the least of one number per key, over each page's run of keys.
    starts = np.flatnonzero(np.concatenate(([True], own_pages[1:] != own_pages[:-1])))
    least = np.minimum.reduceat(pages_with[own_ranks] * ranks + own_ranks, starts)
    rare = least // ranks >= 2
    rarest = dict(zip(own_pages[starts][rare].tolist(), (least[rare] % ranks).tolist(),
                      strict=True))
    wanted = np.zeros(ranks, dtype=bool)
    wanted[list(rarest.values())] = True
    held = blocks.distinct & wanted[rank]
    holders: dict[int, list[int]] = {}
    for key, holder in zip(rank[held].tolist(), blocks.page[held].tolist(), strict=True):
        holders.setdefault(key, []).append(holder)
    key_sets: dict[int, set[int]] = {}

    def key_set(number: int) -> set[int]:
        if number not in key_sets:
            key_sets[number] = set(rank[offsets[number]:offsets[number + 1]].tolist())
        return key_sets[number]

    found: dict[int, str] = {}
    for number, block in rarest.items():
        mine = set(rank[offsets[number]:offsets[number + 1] - 1].tolist())
        containers = [other for other in holders[block] if other != number
                      and lengths[other] >= lengths[number] and mine <= key_set(other)]
        if containers:
            keeper = max(containers, key=lambda other: (lengths[other], -other))
            if (lengths[keeper], -keeper) > (lengths[number], -number):
                found[number] = identities[keeper]
    # Pages that share an identity already (copies saved under one address) move together,
    # when each stands in the same other page; else none moves (copies of other days, each
    # cut inside a list that some other page holds too, are not copies of that page).
    members: dict[str, list[int]] = {}
    for number, identity in enumerate(identities):
        members.setdefault(identity, []).append(number)
    shared = list(identities)
    for identity, group in members.items():
        targets = {found.get(number) for number in group}
        if len(targets) == 1 and None not in targets and identity not in targets:
            target = found[group[0]]
            for number in group:
                shared[number] = target
    return shared


def article_starts(blocks: CorpusBlocks, identities: Sequence[str], follows: np.ndarray,
                   tail_repeats: np.ndarray) -> list[int]:
    """Where each page's article starts, as its other saved copies tell (0: they do not).

    Copies of one page saved on different days carry different latest-news lists above the
    same article: where two copies agree from some block to the end of one of them (the
    crawler may cut either, mid-paragraph), after blocks in which they differ, that block
    begins the article, and what stands above it on each is that day's list. Not when the
    shared run is a list of the site itself (its first two blocks stand together on
    other pages), or only the footer or navigation lines (no line of it is long enough to be
    a paragraph or a heading: the pages of a listing end alike).
    """
    starts = [0] * len(identities)
    copies: dict[str, list[int]] = {}
    for number, identity in enumerate(identities):
        copies.setdefault(identity, []).append(number)
    for group in copies.values():
        for one, other in itertools.combinations(group, 2):
            found = _shared_run(blocks, one, other)
            if found is not None and _begins_an_article(blocks, (one, other), found, follows,
                                                        tail_repeats):
                for page, start in zip((one, other), found, strict=True):
                    starts[page] = min(starts[page], start) if starts[page] else start
    return starts


def _begins_an_article(blocks: CorpusBlocks, pages: tuple[int, int], starts: tuple[int, int],
                       follows: np.ndarray, tail_repeats: np.ndarray) -> bool:
    """Whether the run two copies end in (from `starts`) can be an article: it holds a line
    long enough to be a paragraph or a heading (two pages of one listing end alike in their
    navigation), and on neither copy does it open with a footer line or with two blocks that
    stand together on other pages (a list of the site)."""
    first, other_first = (int(blocks.offsets[page]) + start
                          for page, start in zip(pages, starts, strict=True))
    run = min(int(blocks.offsets[pages[0] + 1]) - first,
              int(blocks.offsets[pages[1] + 1]) - other_first)
    if not blocks.has_beginning[first:first + run].any():
        return False
    return not any(tail_repeats[start] or (start + 1 < end and follows[start + 1])
                   for start, end in ((first, int(blocks.offsets[pages[0] + 1])),
                                      (other_first, int(blocks.offsets[pages[1] + 1]))))


def _shared_run(blocks: CorpusBlocks, one: int, other: int) -> tuple[int, int] | None:
    """(start on `one`, start on `other`) of the run of blocks two pages end in together,
    when both have other blocks before it, the last of which differ."""
    def page_of(page: int) -> tuple[list[int], list[int]]:
        part = slice(int(blocks.offsets[page]), int(blocks.offsets[page + 1]))
        beginnings = np.where(blocks.has_beginning[part], blocks.beginning_rank[part], -1)
        return blocks.key_rank[part].tolist(), beginnings.tolist()

    (keys, begun), (other_keys, other_begun) = page_of(one), page_of(other)

    def same(i: int, j: int) -> bool:
        if keys[i] == other_keys[j]:
            return True
        # The crawler cut one of them in this block: the same beginning will do.
        is_last = i == len(keys) - 1 or j == len(other_keys) - 1
        return is_last and begun[i] >= 0 and begun[i] == other_begun[j]

    def listed_above(i: int, j: int) -> bool:
        """The run's first block stands above the run on either copy too: a list item (the
        list may hold the page's own lead), not where the article starts."""
        return any(same(i, above) for above in range(j)) or \
            any(same(above, j) for above in range(i))

    at: dict[int, list[int]] = {}
    for j, key in enumerate(other_keys):
        at.setdefault(key, []).append(j)
    begun_at: dict[int, list[int]] = {}
    for j, beginning in enumerate(other_begun):
        begun_at.setdefault(beginning, []).append(j)
    last = len(other_keys) - 1
    for i in range(1, len(keys)):
        if i == len(keys) - 1 and begun[i] < 0 and keys[i] not in other_keys[:last]:
            break  # only a few words left by the crawler in both: too little to go by
        cut = begun_at.get(begun[i], []) if i == len(keys) - 1 and begun[i] >= 0 else []
        for j in [*at.get(keys[i], []), *cut, last]:
            if j and same(i, j) and not same(i - 1, j - 1) and not listed_above(i, j) and all(
                    same(i + step, j + step)
                    for step in range(1, min(len(keys) - i, len(other_keys) - j))):
                return i, j
    return None

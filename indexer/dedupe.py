"""Stage 6a: one document per page, however many times and under whatever addresses it was
saved (`?bxajaxid=` variants, the same article crawled on two days with different sidebars,
one copy cut short by the crawler)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from indexer.blocks import block_key
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


def same_page(one: CleanDocument, other: CleanDocument) -> bool:
    if one.url and other.url and canonical_url(one.url) == canonical_url(other.url):
        return True
    if block_key(one.title or "") != block_key(other.title or ""):
        return False
    if one.date and other.date and one.date != other.date:
        return False
    body, other_body = block_key(one.body), block_key(other.body)
    if not one.title and not (body and other_body):
        return False
    shorter, longer = sorted((body, other_body), key=len)
    return longer.startswith(shorter) or body[:BODY_PREFIX_CHARS] == other_body[:BODY_PREFIX_CHARS]


def _bucket(document: CleanDocument) -> str:
    """Copies of a page share this key: its title, or for an untitled page the beginning of
    its text (so untitled pages are not each compared with all the others)."""
    if document.title:
        return block_key(document.title)
    return "\0" + block_key(document.body)[:UNTITLED_PREFIX_CHARS]


def merge_duplicates(documents: Sequence[CleanDocument]) -> list[CleanDocument]:
    """Keep the fullest copy of each page and record the others on it."""
    groups: list[list[CleanDocument]] = []
    by_title: dict[str, list[list[CleanDocument]]] = {}
    by_url: dict[str, list[CleanDocument]] = {}
    for document in documents:
        candidates = by_title.get(_bucket(document), [])
        if document.url and canonical_url(document.url) in by_url:
            candidates = [by_url[canonical_url(document.url)], *candidates]
        group = next((g for g in candidates if any(same_page(document, d) for d in g)), None)
        if group is None:
            group = []
            groups.append(group)
            by_title.setdefault(_bucket(document), []).append(group)
        group.append(document)
        if document.url:
            by_url.setdefault(canonical_url(document.url), group)
    merged = []
    for group in groups:
        keeper = max(group, key=lambda d: (len(d.body), d.date is not None, -len(d.source)))
        if keeper.title is None:  # the fullest copy was cut before its title: another has it
            titled = max((d for d in group if d.title), key=lambda d: len(d.title or ""),
                         default=None)
            if titled is not None:
                keeper = replace(keeper, title=titled.title, date=keeper.date or titled.date)
        others = [d for d in group if d is not keeper]
        merged.append(keeper.with_duplicates(others) if others else keeper)
    return merged

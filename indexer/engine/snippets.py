"""Highlighted snippets and marked text, made from the stored text and the query's terms.

Whoosh's highlighter runs every token of a hit's body through the whole analyzer again; here
the words are found with one regular expression and each distinct word is stemmed once per
process, which made snippets about 10x cheaper (docs/benchmarks.md).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.engine.analysis import WORD_PATTERN

SNIPPET_CHARS = 280
CONTEXT_BEFORE = 60
_WORD = re.compile(WORD_PATTERN)
_STEM_CACHE_LIMIT = 200_000


@dataclass
class Marker:
    """Finds the words of a text whose analysed form is among a query's terms."""

    analyse: Callable[[str], list[str]]
    _stems: dict[str, str | None] = field(default_factory=dict)

    def stem(self, word: str) -> str | None:
        cached = self._stems.get(word, "")
        if cached != "":
            return cached
        terms = self.analyse(word)
        stem = terms[0] if terms else None
        if len(self._stems) < _STEM_CACHE_LIMIT:
            self._stems[word] = stem
        return stem

    def matches(self, text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
        found = []
        for match in _WORD.finditer(text):
            stem = self.stem(match.group())
            if stem in terms:
                found.append((match.start(), match.end(), stem))
        return found

    def snippet(self, text: str, terms: frozenset[str]) -> str | None:
        """The passage of the text with the most distinct query terms, escaped, matches in
        <mark>; None when no term occurs."""
        matches = self.matches(text, terms) if terms else []
        if not matches:
            return None
        best, best_score = 0, -1
        for first, (start, _, _) in enumerate(matches):
            inside = {stem for s, e, stem in matches[first:] if e - start <= SNIPPET_CHARS}
            if len(inside) > best_score:
                best, best_score = first, len(inside)
        start = matches[best][0]
        begin = max(0, start - CONTEXT_BEFORE)
        if begin:
            space = text.find(" ", begin, start)
            begin = space + 1 if space != -1 else start
        end = min(len(text), begin + SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", begin, end)
            end = space if space > start else end
        shown = [(s - begin, e - begin) for s, e, _ in matches if s >= begin and e <= end]
        body = mark(text[begin:end], shown)
        return ("… " if begin else "") + body + (" …" if end < len(text) else "")

    def mark_all(self, text: str, terms: frozenset[str]) -> str:
        return mark(text, [(s, e) for s, e, _ in self.matches(text, terms)] if terms else [])


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """The text HTML-escaped, with <mark> around each (start, end) span."""
    out, position = [], 0
    for start, end in spans:
        out += [html.escape(text[position:start]), "<mark>", html.escape(text[start:end]),
                "</mark>"]
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)

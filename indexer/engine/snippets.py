"""Highlighted snippets and marked text, made from the stored text and the query's terms.

Whoosh's highlighter runs every word of a hit's body through the whole analyzer again. Here
the index's vocabulary says which written words each query term stands for, and those words
are looked for in the text with `str.find`: no word of the text is analysed at search time,
and a snippet costs a few microseconds (docs/benchmarks.md).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

SNIPPET_CHARS = 280
CONTEXT_BEFORE = 60
_LETTER = re.compile(r"[^\W\d_]")
_APOSTROPHES = "'’"
_NUMBER_SEPARATORS = ".,"


@dataclass(frozen=True)
class Marker:
    """Finds the words of a text whose analysed form is among a query's terms."""

    forms: Mapping[str, tuple[str, ...]]  # term -> its written words, lowercase

    def matches(self, text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
        """(start, end, term) of each word of the text that stands for one of the terms,
        where the analyzer's tokenizer (analysis.WORD_PATTERN) would find it whole."""
        lowered = _lowered(text)
        found = []
        for term in terms:
            is_number = term[:1].isdigit()  # numbers are indexed as written
            for form in (term,) if is_number else self.forms.get(term, ()):
                start = lowered.find(form)
                while start != -1:
                    end = start + len(form)
                    if _whole(lowered, start, end, is_number):
                        found.append((start, end, term))
                    start = lowered.find(form, start + 1)
        return sorted(found)

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


def _lowered(text: str) -> str:
    """The text in lower case, each character where it was (a few characters, such as "İ",
    lengthen when lowered; they are left as they are)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char.lower() if len(char.lower()) == 1 else char for char in text)


def _whole(text: str, start: int, end: int, is_number: bool) -> bool:
    """Whether text[start:end] is a whole token: not part of a longer word, of words joined
    by an apostrophe ("O'Brien"), or of a number with separators ("23.12.2014")."""
    def part(at: int) -> bool:
        if not 0 <= at < len(text):
            return False
        return text[at].isdigit() if is_number else bool(_LETTER.match(text[at]))

    joiners = _NUMBER_SEPARATORS if is_number else _APOSTROPHES
    joined_before = start >= 1 and text[start - 1] in joiners and part(start - 2)
    joined_after = end < len(text) and text[end] in joiners and part(end + 1)
    return not (part(start - 1) or part(end) or joined_before or joined_after)


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """The text HTML-escaped, with <mark> around each (start, end) span."""
    out, position = [], 0
    for start, end in spans:
        out += [html.escape(text[position:start]), "<mark>", html.escape(text[start:end]),
                "</mark>"]
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)

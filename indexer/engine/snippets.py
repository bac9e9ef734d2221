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

from indexer.engine.analysis import STOP_WORDS, WORD_PATTERN

# What a query looks for in a text: a term, or the terms of a phrase in their order.
Unit = tuple[str, ...]
Span = tuple[int, int, Unit]
SNIPPET_CHARS = 280
CONTEXT_BEFORE = 60
_LETTER = re.compile(r"[^\W\d_]")
_APOSTROPHES = "'’"
_NUMBER_SEPARATORS = ".,"


@dataclass(frozen=True)
class Marker:
    """Finds the words of a text whose analysed form is among a query's terms."""

    forms: Mapping[str, tuple[str, ...]]  # term -> its written words, lowercase

    def matches(self, text: str, units: frozenset[Unit]) -> list[Span]:
        """(start, end, unit) of each word of the text that stands for a term of one of the
        units, where the analyzer's tokenizer (analysis.WORD_PATTERN) would find it whole;
        the words of a phrase only where they follow each other (with nothing but words the
        index leaves out between them)."""
        lowered = _lowered(text)
        spans = {term: self._spans(lowered, term) for unit in units for term in unit}
        found = [(start, end, unit) for unit in units if len(unit) == 1
                 for start, end in spans[unit[0]]]
        phrases = [unit for unit in units if len(unit) > 1]
        if phrases:
            words = sorted((start, end, term) for term, found_spans in spans.items()
                           for start, end in found_spans)
            for at in range(len(words)):
                for phrase in phrases:
                    run = _phrase_at(lowered, words, at, phrase)
                    found += [(start, end, phrase) for start, end in run]
        return sorted(set(found))

    def _spans(self, lowered: str, term: str) -> list[tuple[int, int]]:
        is_number = term[:1].isdigit()  # numbers are indexed as written
        found = []
        for form in (term,) if is_number else self.forms.get(term, ()):
            start = lowered.find(form)
            while start != -1:
                end = start + len(form)
                if _whole(lowered, start, end, is_number):
                    found.append((start, end))
                start = lowered.find(form, start + 1)
        return found

    def snippet(self, text: str, units: frozenset[Unit],
                weights: Mapping[Unit, tuple[int, float]] | None = None,
                cut: bool = False) -> str | None:
        """The passage of the text that holds the most of the query, escaped, matches in
        <mark>, cut at words with "…" (at the end too when the text itself was `cut`);
        None when no unit occurs. `weights` gives each unit its concept and what the concept
        weighs (the alternatives of one concept count once, a rare word more than the
        organisation's name); without it, each distinct unit counts one."""
        matches = self.matches(text, units) if units else []
        if not matches:
            return None

        def worth(unit: Unit) -> tuple[object, float]:
            return weights.get(unit, (unit, 1.0)) if weights else (unit, 1.0)

        best, best_score = 0, -1.0
        for first, (start, _, _) in enumerate(matches):
            inside = dict(worth(unit) for s, e, unit in matches[first:]
                          if e - start <= SNIPPET_CHARS - CONTEXT_BEFORE)
            score = sum(inside.values())
            if score > best_score:
                best, best_score = first, score
        start = matches[best][0]
        begin = max(0, start - CONTEXT_BEFORE)
        if begin:
            space = text.find(" ", begin, start)
            begin = space + 1 if space != -1 else start
        end = min(len(text), begin + SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", begin, end)
            end = space if space > start else end
        shown = sorted({(s - begin, e - begin) for s, e, _ in matches
                        if s >= begin and e <= end})
        body = mark(text[begin:end], shown)
        return ("… " if begin else "") + body + (" …" if end < len(text) or cut else "")

    def mark_all(self, text: str, units: frozenset[Unit]) -> str:
        spans = sorted({(s, e) for s, e, _ in self.matches(text, units)}) if units else []
        return mark(text, spans)


def _phrase_at(lowered: str, words: list[tuple[int, int, str]], at: int,
               phrase: Unit) -> list[tuple[int, int]]:
    """The spans of the phrase's words if it starts at words[at], else nothing."""
    if words[at][2] != phrase[0]:
        return []
    run = [words[at][:2]]
    following = at
    for term in phrase[1:]:
        following = next((i for i in range(following + 1, len(words))
                          if words[i][0] >= run[-1][1]), len(words))
        if (following == len(words) or words[following][2] != term
                or not _only_left_out(lowered[run[-1][1]:words[following][0]])):
            return []
        run.append(words[following][:2])
    return run


_TOKEN = re.compile(WORD_PATTERN)


def _only_left_out(gap: str) -> bool:
    """Whether the text between two words of a phrase holds only words the index leaves
    out (stop words, single letters), so that the index saw the two words side by side."""
    return all(len(word) < 2 or word in STOP_WORDS for word in _TOKEN.findall(gap))


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

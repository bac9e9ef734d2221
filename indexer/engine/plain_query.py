"""What a plain query asks for: the concepts it names, the dates it is pinned to, and the
words that only say how it is asked.

A plain query is what visitors type when they do not use the query language: words, "quoted
phrases", questions and descriptions. Each word or phrase becomes a *concept*; a concept has
alternatives, the visitor's own words first and then the other ways the site says the same
thing (a synonym group: "CSTO", "Collective Security Treaty Organization"), each alternative
a single term or a phrase, so that an acronym's long form counts as one phrase and never as
loose words. A year, or a month with its year, is a *date* the visitor prefers. Question and
function words ("what", "did", "the", "about") are left out, outside quotes.

Queries that use the language (fields, AND/OR/NOT, +/-, wildcards, parentheses) are not
plain: they mean exactly what they say and are answered by Whoosh's parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from indexer.engine.analysis import analyse
from indexer.synonyms import Expansion, SynonymMatch, Synonyms

FUNCTION_WORDS_FILE = "function_words.txt"
MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), 1) for name in names}
_YEAR = re.compile(r"(?:19[5-9]\d|20\d\d)")
# The query language: a field, an operator, a required or excluded word, a wildcard, a group.
_LANGUAGE = re.compile(r"""(?x)
      (?<![\w"])[A-Za-z_]\w*:(?=\S)       # field:
    | \b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b  # operators
    | (?:^|(?<=[\s(]))[+\-](?=[\w"])      # +required, -excluded
    | \*                                  # wildcard
    | \?(?=\w)                            # wildcard inside a word (a final ? is a question)
    | [()]                                # groups
    | [\[\]{}]                            # ranges: [a TO b], {a TO b}
    | [\^~](?=[\d\s]|$)                   # boosts (word^2), fuzzy words and slop (word~)
""")
_QUOTED = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@dataclass(frozen=True)
class Alternative:
    """One way of saying a concept: one term, or the terms of a phrase in order."""

    terms: tuple[str, ...]
    written: str


@dataclass(frozen=True)
class Concept:
    written: str  # as the visitor typed it
    alternatives: tuple[Alternative, ...]  # the visitor's own first

    @property
    def expansion(self) -> Expansion | None:
        others = tuple(alternative.written for alternative in self.alternatives[1:])
        return Expansion(self.written, others) if others else None


@dataclass(frozen=True)
class WantedDate:
    """A year, or a month of a year, the query is pinned to."""

    written: str
    year: int
    month: int | None = None

    @property
    def text_terms(self) -> tuple[str, ...]:
        """How the date is written in a text: "2021", or the phrase "december 2020"."""
        year = str(self.year)
        if self.month is None:
            return (year,)
        month = next(name for name, number in MONTHS.items() if number == self.month)
        return (*analyse(month), year)


@dataclass(frozen=True)
class PlainQuery:
    concepts: tuple[Concept, ...]
    dates: tuple[WantedDate, ...]
    ignored: tuple[str, ...]  # function words left out, as written

    @property
    def expansions(self) -> list[Expansion]:
        return [e for concept in self.concepts if (e := concept.expansion) is not None]

    @property
    def empty(self) -> bool:
        return not self.concepts and not self.dates


def is_plain(text: str) -> bool:
    """Whether the query uses none of the query language (quotes are plain)."""
    return _LANGUAGE.search(_QUOTED.sub(" ", text)) is None


def read_plain(text: str, *synonyms: Synonyms) -> PlainQuery:
    """The concepts, dates and left-out words of a plain query (`is_plain`), with the
    groups of every synonym source given (the site's, an index's name variants)."""
    concepts: list[Concept] = []
    dates: list[WantedDate] = []
    ignored: list[str] = []
    for part, quoted in _parts(text):
        if quoted:
            concept = _concept(part, [part])
            (concepts.append(concept) if concept else ignored.append(part))
            continue
        position = 0
        for match in _matches(part, synonyms):
            _read_words(part[position:match.start], concepts, dates, ignored)
            concept = _concept(match.written, [match.written, *match.others])
            if concept:
                concepts.append(concept)
            position = match.end
        _read_words(part[position:], concepts, dates, ignored)
    return PlainQuery(tuple(_distinct(concepts)), tuple(dict.fromkeys(dates)), tuple(ignored))


def _matches(text: str, sources: tuple[Synonyms, ...]) -> list[SynonymMatch]:
    """The synonym groups' words and phrases in a text, from every source: where two
    overlap, the one that starts first (then the longer) counts."""
    found = sorted((match for source in sources for match in source.find(text)),
                   key=lambda match: (match.start, -match.end))
    kept: list[SynonymMatch] = []
    for match in found:
        if not kept or match.start >= kept[-1].end:
            kept.append(match)
    return kept


def _parts(text: str) -> list[tuple[str, bool]]:
    """The text's quoted phrases and the free text between them, in order."""
    parts, position = [], 0
    for match in _QUOTED.finditer(text):
        parts.append((text[position:match.start()], False))
        parts.append((match.group(1), True))
        position = match.end()
    parts.append((text[position:], False))
    return [(part, quoted) for part, quoted in parts if part.strip()]


def _read_words(text: str, concepts: list[Concept], dates: list[WantedDate],
                ignored: list[str]) -> None:
    words = _WORD.findall(text)
    at = 0
    while at < len(words):
        word, lowered = words[at], words[at].lower()
        following = words[at + 1] if at + 1 < len(words) else ""
        if lowered in MONTHS and _YEAR.fullmatch(following):
            dates.append(WantedDate(f"{word} {following}", int(following), MONTHS[lowered]))
            at += 2
            continue
        if _YEAR.fullmatch(word):
            dates.append(WantedDate(word, int(word)))
        elif f"{lowered} {following.lower()}" in _function_words():
            ignored += [word, following]
            at += 2
            continue
        elif lowered in _function_words() or not analyse(word):
            ignored.append(word)
        else:
            concept = _concept(word, [word])
            if concept:
                concepts.append(concept)
        at += 1


def _concept(written: str, alternatives: list[str]) -> Concept | None:
    """A concept of the written words, its alternatives analysed (a hyphenated word is the
    phrase of its parts); alternatives that analyse alike count once."""
    seen: dict[tuple[str, ...], Alternative] = {}
    for alternative in alternatives:
        terms = tuple(analyse(alternative.replace("-", " ")))
        if terms and terms not in seen:
            seen[terms] = Alternative(terms, alternative)
    if not seen:
        return None
    return Concept(written, tuple(seen.values()))


def _distinct(concepts: list[Concept]) -> list[Concept]:
    """A concept named twice counts once."""
    kept: dict[tuple[tuple[str, ...], ...], Concept] = {}
    for concept in concepts:
        kept.setdefault(tuple(sorted(a.terms for a in concept.alternatives)), concept)
    return list(kept.values())


def is_function_word(word: str) -> bool:
    return word.lower() in _function_words()


@cache
def _function_words() -> frozenset[str]:
    text = resources.files("indexer.data").joinpath(FUNCTION_WORDS_FILE).read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))

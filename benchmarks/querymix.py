"""The fixed query mix of the benchmark, written for each engine's query language."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from benchmarks.make_corpus import OFFICIALS, PHRASES, Vocabulary

YEARS = [str(year) for year in range(2005, 2026)]
PEOPLE = ["Valery Semerikov", "Imangali Tasmagambetov", "Stanislav Zas", "Anatoly Sidorov",
          "Sergei Shoigu", "Samat Ordabayev"]
assert all(any(name in spellings for _, spellings in OFFICIALS) for name in PEOPLE)


@dataclass(frozen=True)
class Query:
    kind: str  # term, and, phrase, or; long (6-10 words, as a question or a description)
    words: tuple[str, ...]
    year: str | None = None
    person: str | None = None

    @property
    def filters(self) -> dict[str, tuple[str, ...]]:
        """The facet values kept, as `SearchRequest.filters`."""
        return {name: (value,) for name, value in (("year", self.year),
                                                   ("person", self.person)) if value}

    @property
    def ours(self) -> str:
        return {"phrase": f'"{" ".join(self.words)}"',
                "or": " OR ".join(self.words)}.get(self.kind, " ".join(self.words))

    @property
    def tantivy(self) -> str:
        """tantivy's closest equivalent; a long query is its default, an OR of the words,
        ranked by BM25 (what it gives a question)."""
        if self.kind == "and":
            return " ".join(f"+{word}" for word in self.words)
        return self.ours

    @property
    def fts5(self) -> str:
        if self.kind == "long":  # any of the words, ranked by bm25(), as tantivy does
            return " OR ".join(self.words)
        return self.ours  # implicit AND, "phrase", OR: the same syntax

    def params(self, text: str, **extra: str) -> str:
        items = [("q", text)] + [(k, v) for k, v in (("year", self.year),
                                                     ("person", self.person)) if v]
        return urlencode(items + list(extra.items()))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def query_mix(pages: int, seed: int = 7) -> list[Query]:
    """100 queries: 40 single terms, 30 AND pairs, 15 phrases, 15 OR pairs; a third with a
    year filter and a fifth with a person filter."""
    rng = random.Random(seed)
    words = Vocabulary.for_pages(pages).words
    size = len(words)

    def word() -> str:
        band = rng.random()
        low, high = (30, 300) if band < 0.4 else (300, 3000) if band < 0.8 else (3000, size // 2)
        return words[rng.randrange(low, high)]

    shapes = [("term", 1)] * 40 + [("and", 2)] * 30 + [("phrase", 2)] * 15 + [("or", 2)] * 15
    queries = []
    for number, (kind, count) in enumerate(shapes):
        chosen = tuple(rng.choice(PHRASES).split()) if kind == "phrase" else tuple(
            word() for _ in range(count))
        queries.append(Query(kind, chosen,
                             year=rng.choice(YEARS) if number % 3 == 0 else None,
                             person=rng.choice(PEOPLE) if number % 5 == 0 else None))
    return queries


# How visitors open questions and descriptions (the words the engine leaves out).
OPENINGS = ("what did the", "how does the", "which", "when was the", "who chaired the",
            "what is the position of the", "", "", "")


def long_query_mix(pages: int, seed: int = 11, count: int = 50) -> list[Query]:
    """Questions and descriptions of 6-10 words: an opening of function words, then mostly
    common words of the site with one or two rarer ones; a fifth with a year filter."""
    rng = random.Random(seed)
    words = Vocabulary.for_pages(pages).words
    size = len(words)
    queries = []
    for number in range(count):
        opening = rng.choice(OPENINGS).split()
        length = rng.randint(6, 10)
        content = []
        while len(opening) + len(content) < length:
            band = rng.random()
            low, high = ((30, 300) if band < 0.5 else (300, 3000) if band < 0.85
                         else (3000, size // 2))
            content.append(words[rng.randrange(low, high)])
        queries.append(Query("long", tuple(opening + content),
                             year=rng.choice(YEARS) if number % 5 == 0 else None))
    return queries

"""What the engine offers a visitor besides results: completions of what they are typing
(officials, titles, words) and the spelling correction of a query that finds little."""

from __future__ import annotations

import bisect
import itertools
import re
import threading
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query

from indexer import schema
from indexer.engine.analysis import analyse
from indexer.engine.columns import DocumentColumns
from indexer.engine.evaluation import Evaluator
from indexer.engine.plain_query import is_function_word
from indexer.engine.query_syntax import OPERATORS
from indexer.engine.ranking import top
from indexer.engine.values import Suggestion
from indexer.engine.whoosh_internals import count_expansions
from indexer.engine.writing import Vocabulary, stored_record
from indexer.facets import PERSON

SUGGEST_MIN_LETTERS = 2
SUGGEST_MAX_WORDS = 6  # words typed before the last that completions must hold
SUGGEST_TYPED_WORDS = 20  # words of a typed question kept in a completion
SUGGEST_EACH = 3  # officials, titles and words each
SUGGEST_CANDIDATES = 300


class SpellingVocabulary:
    """Words of the index as written, for suggestions: the closest, then the most frequent.

    As Typesense and Meilisearch do: one typo in a word of 4 or 5 letters, two in longer
    ones, a swap of two letters counting as one (optimal string alignment distance)."""

    MIN_LETTERS = 4

    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts
        self._words = [word for word in counts if len(word) >= self.MIN_LETTERS - 1]

    @staticmethod
    def typos_allowed(word: str) -> int:
        return 0 if len(word) < SpellingVocabulary.MIN_LETTERS else 1 if len(word) <= 5 else 2

    def closest(self, word: str) -> str | None:
        allowed = self.typos_allowed(word)
        if not allowed:
            return None
        found = process.extract(word, self._words, scorer=OSA.distance, limit=10,
                                score_cutoff=allowed)
        if not found:
            return None
        best = min(found, key=lambda item: (item[1], -self._counts[item[0]]))
        return best[0]


class Suggester:
    """Completions and corrections over one open generation (its searcher is used under the
    lock the searcher's owner holds for it)."""

    def __init__(self, searcher: Any, lock: threading.Lock, evaluator: Evaluator,
                 columns: DocumentColumns, vocabulary: Vocabulary) -> None:
        self._searcher, self._lock = searcher, lock
        self._evaluator, self._columns = evaluator, columns
        self._spelling = SpellingVocabulary(vocabulary.counts)
        self._sorted_words = sorted(vocabulary.counts)
        self._word_counts = vocabulary.counts
        self._display = vocabulary.display
        self._written = vocabulary.written

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        """Completions of the last word typed, most frequent first: officials, titles and
        index words that start with it (and hold the words typed before it). Bounded: a few
        hundred candidates at most are looked at."""
        words = re.findall(r"[^\W_]+", text.lower())[-SUGGEST_TYPED_WORDS:]
        if not words or len(words[-1]) < SUGGEST_MIN_LETTERS:
            return []
        *typed_before, prefix = words
        # Completed from what the visitor meant: a misspelt word before is corrected; words
        # that only say how a question is asked are kept but not looked for.
        typed = [word if word in self._word_counts or not word.isalpha()
                 or is_function_word(word) else self._spelling.closest(word) or word
                 for word in typed_before]
        before = [word for word in typed if not is_function_word(word)][-SUGGEST_MAX_WORDS:]
        people = self._columns.facets[PERSON.name]
        officials = sorted(
            ((value, int(total)) for value, total in zip(people.values, people.totals,
                                                          strict=True)
             if _completes(value.lower().split(), before, prefix)),
            key=lambda pair: -pair[1])[:SUGGEST_EACH]
        suggestions = [Suggestion("official", name, count) for name, count in officials]
        suggestions += self._title_suggestions(before, prefix)
        start = bisect.bisect_left(self._sorted_words, prefix)
        candidates = itertools.islice(
            itertools.takewhile(lambda w: w.startswith(prefix), self._sorted_words[start:]),
            SUGGEST_CANDIDATES)
        for word in sorted(candidates, key=lambda w: -self._word_counts[w])[:SUGGEST_EACH]:
            suggestions.append(Suggestion("word", self._as_written([*typed, word]),
                                          self._word_counts[word]))
        return suggestions[:limit]

    def _as_written(self, words: list[str]) -> str:
        """Lowercase words as the site writes them together: names as written ("CSTO",
        "Afghanistan"); a run of words the site mostly capitalises capitalised ("Secretary
        General"); other words in lower case ("staff talks")."""
        shown = [self._display.get(word, word) for word in words]
        content = [word for word in shown if not is_function_word(word)]
        if content and all(word[:1].isupper() for word in content):
            return " ".join(shown)
        return " ".join(shown[n] if self._written.get(word, 0) == 0 else word
                        for n, word in enumerate(words))

    def _title_suggestions(self, before: list[str], prefix: str) -> list[Suggestion]:
        title = schema.TITLE.name
        parts: list[query.Query] = [query.Term(title, term) for word in before
                                    for term in analyse(word)]
        parts.append(query.Prefix(title, prefix))
        with self._lock:
            expansions = count_expansions(parts[-1], self._searcher.reader(),
                                          SUGGEST_CANDIDATES + 1)
            if expansions > SUGGEST_CANDIDATES:
                return []  # too short a prefix to say anything useful
            matches = self._evaluator.evaluate(query.And(parts))
            docs = np.flatnonzero(matches.found)
            best = top(docs, -matches.score[docs], SUGGEST_EACH)
            stored = [stored_record(self._searcher.stored_fields(int(d))) for d in best]
        return [Suggestion("title", record["title"], 0, record["id"])
                for record in stored if record.get("title")]

    def correction(self, text: str) -> str | None:
        """The query with each word the index does not know replaced by the closest one."""
        reader = self._searcher.reader()
        changed = False

        def correct(match: re.Match[str]) -> str:
            nonlocal changed
            word = match.group()
            if (word in OPERATORS or text[match.end():match.end() + 1] == ":"
                    or is_function_word(word)):
                return word
            stems = analyse(word)
            if not stems or any((name, stem) in reader for name in schema.SEARCH_FIELDS
                                for stem in stems):
                return word
            best = self._spelling.closest(word.lower())
            if best is None:
                return word
            changed = True
            return _same_case(best, word)

        corrected = re.sub(r"[^\W\d_]{3,}", correct, text)
        return corrected if changed else None


def _completes(name_words: list[str], before: list[str], prefix: str) -> bool:
    """Does a name hold the words typed before, and a word starting with the last one?"""
    return any(word.startswith(prefix) for word in name_words) and all(
        any(word.startswith(typed) for word in name_words) for typed in before)


def _same_case(word: str, model: str) -> str:
    if model.isupper():
        return word.upper()
    return word.capitalize() if model[:1].isupper() else word

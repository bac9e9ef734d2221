"""Reading a query written in the query language: its syntax checked (with a message that
says how to fix it), synonyms added, and the words a prefix or range stands for bounded."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from whoosh import query
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from indexer import schema
from indexer.engine.values import SearchLimits
from indexer.engine.whoosh_internals import count_expansions
from indexer.synonyms import Expansion, Synonyms, rewrite_query

DEFAULT_LIMITS = SearchLimits()
QUERY_FIELDS = frozenset({"title", "body", "person", "people", "year"})
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_LEADING_WILDCARD = re.compile(r"(?:^|[\s(:\-+])[*?]+[^\W_]")
# A colon followed by a space is punctuation ("CSTO: the first years"), not a field.
_FIELD_PREFIX = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=\S)")


class QuerySyntaxError(ValueError):
    """A query we cannot read; the message says how to fix it."""


def check_syntax(text: str, limits: SearchLimits = DEFAULT_LIMITS) -> None:
    if len(text) > limits.max_query_chars:
        raise QuerySyntaxError(f"The query is {len(text)} characters long; please keep it "
                               f"under {limits.max_query_chars}.")
    if text.count('"') % 2:
        raise QuerySyntaxError('A quotation mark is not closed: add the closing " or remove it.')
    depth = deepest = 0
    for char in _without_phrases(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
        if depth < 0:
            break
    if depth:
        raise QuerySyntaxError("The parentheses do not pair up: check each ( has its ).")
    if deepest > limits.max_nesting:
        raise QuerySyntaxError(f"The query nests parentheses {deepest} deep; "
                               f"{limits.max_nesting} levels are enough for any search.")
    if _LEADING_WILDCARD.search(_without_phrases(text)):
        raise QuerySyntaxError("A word cannot start with * or ?: put a few letters first "
                               "(a lone * finds everything).")
    unknown = sorted({name for name in _FIELD_PREFIX.findall(_without_phrases(text))
                      if name.lower() not in QUERY_FIELDS})
    if unknown:
        raise QuerySyntaxError(f"There is no field {unknown[0]}: here. You can search in "
                               "title:, body:, person: and year:.")


def without_fields(text: str) -> str:
    return _FIELD_PREFIX.sub(" ", text)


def _without_phrases(text: str) -> str:
    return re.sub(r'"[^"]*"', " ", text)


class QueryReader:
    """Reads queries into the engine's queries, over one open index (its reader is asked how
    many words a prefix stands for, under the searcher's lock)."""

    def __init__(self, whoosh_schema: Any, reader: Callable[[], Any], lock: threading.Lock,
                 limits: SearchLimits) -> None:
        self._parser = MultifieldParser(list(schema.SEARCH_FIELDS), whoosh_schema,
                                        fieldboosts=schema.SEARCH_FIELDS)
        self._parser.add_plugin(PlusMinusPlugin())
        self._parser.add_plugin(FieldAliasPlugin({"people_text": ["person", "people"]}))
        self._reader, self._lock, self._limits = reader, lock, limits

    def read(self, text: str, synonyms: Synonyms) -> tuple[query.Query, list[Expansion]]:
        """The query as the engine runs it: synonyms expanded, hyphenated words as phrases."""
        text = text.strip()
        if not text:
            return query.Every(), []
        check_syntax(text, self._limits)
        words = set(re.findall(r"[\w*?]+", without_fields(text))) - OPERATORS
        if not words:
            raise QuerySyntaxError("The query has no words to search for, only operators "
                                   "or punctuation.")
        rewritten, expansions = rewrite_query(text, synonyms)
        try:
            parsed = self._parser.parse(rewritten)
        except Exception as error:
            raise QuerySyntaxError("The query could not be read; check its quotes, "
                                   "parentheses and operators.") from error
        self._check_expansions(parsed)
        return parsed, expansions

    def _check_expansions(self, parsed: query.Query) -> None:
        """A prefix, wildcard or range may stand for many words ("[a TO z]" for all of
        them); past a limit the search would be slow for everyone, so the visitor is asked
        to narrow it instead."""
        reader, limit = self._reader(), self._limits.max_expansions
        for leaf in parsed.leaves():
            if isinstance(leaf, query.MultiTerm):
                with self._lock:
                    count = count_expansions(leaf, reader, limit + 1)
                if count > limit:
                    raise QuerySyntaxError(f"'{_written(leaf)}' stands for more than "
                                           f"{limit} words: narrow it (more letters, "
                                           "a shorter range).")


def _written(leaf: query.MultiTerm) -> str:
    """A prefix, wildcard or range as the visitor wrote it."""
    if isinstance(leaf, query.Prefix):
        return f"{leaf.text}*"
    if isinstance(leaf, query.TermRange):
        return f"[{leaf.start or ''} TO {leaf.end or ''}]"
    return str(getattr(leaf, "text", leaf))

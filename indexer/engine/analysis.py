"""How text becomes terms, and the Whoosh schema built from `indexer.schema`."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from indexer import schema

__all__ = ["STOP_WORDS", "WORD_PATTERN", "analyse", "text_analyzer", "whoosh_schema"]

# Letters and digits are separate words, so "23.12.2014The" gives "23.12.2014" and "the".
WORD_PATTERN = r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*"
WRITER_MEMORY_MB = 256


def text_analyzer() -> Analyzer:
    """English stemming with accents folded: "António" and "Antonio" are one word."""
    return (RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter() | StemFilter(lang="en"))


def _whoosh_field(field: schema.Field) -> fields.FieldType:
    match field.kind:
        case schema.Kind.ID:
            return fields.ID(stored=field.stored, unique=field is schema.ID)
        case schema.Kind.TEXT:
            # Field weights are applied at query time (schema.SEARCH_FIELDS), so they can be
            # tuned without re-indexing.
            return fields.TEXT(analyzer=text_analyzer(), stored=field.stored)
        case schema.Kind.FACET:
            return fields.KEYWORD(stored=field.stored, commas=True, lowercase=False,
                                  scorable=False, sortable=field.sortable)
        case schema.Kind.DATE:
            return fields.DATETIME(stored=field.stored, sortable=field.sortable)
        case schema.Kind.STORED:
            return fields.STORED()
        case schema.Kind.SORT_KEY:
            return fields.ID(stored=False, sortable=True)
    raise ValueError(f"no Whoosh field for {field.kind}")


def whoosh_schema() -> fields.Schema:
    return fields.Schema(**{field.name: _whoosh_field(field) for field in schema.FIELDS})


def analyse(text: str) -> list[str]:
    """The terms the index holds for a piece of text."""
    return [token.text for token in _TEXT_ANALYZER(text)]


_TEXT_ANALYZER = text_analyzer()

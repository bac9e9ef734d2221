"""The search engine behind one interface: the only package that imports Whoosh.

Everything else sees plain values and the field descriptions of `indexer.schema`, so another
engine could take Whoosh's place by rewriting this package alone.
"""

from indexer.engine.postings import CACHE_MB
from indexer.engine.query_syntax import QuerySyntaxError
from indexer.engine.searching import IndexSearcher
from indexer.engine.values import (
    SORTS,
    FacetCount,
    Hit,
    PersonProfile,
    SearchLimits,
    SearchRequest,
    SearchResult,
    StoredDocument,
    Suggestion,
)
from indexer.engine.writing import (
    WRITER_MEMORY_MB,
    IndexWriter,
    copy_generation,
    document_count,
    read_vocabulary,
    same_fields,
    stored_documents,
    words_of,
    words_of_documents,
    write_index,
    write_people,
    write_vocabulary,
    writing,
    written_words,
)

__all__ = [
    "CACHE_MB",
    "SORTS",
    "WRITER_MEMORY_MB",
    "FacetCount",
    "Hit",
    "IndexSearcher",
    "IndexWriter",
    "PersonProfile",
    "QuerySyntaxError",
    "SearchLimits",
    "SearchRequest",
    "SearchResult",
    "StoredDocument",
    "Suggestion",
    "copy_generation",
    "document_count",
    "read_vocabulary",
    "same_fields",
    "stored_documents",
    "words_of",
    "words_of_documents",
    "write_index",
    "write_people",
    "write_vocabulary",
    "writing",
    "written_words",
]

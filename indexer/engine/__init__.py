"""The search engine behind one interface: the only package that imports Whoosh.

Everything else sees plain values and the field descriptions of `indexer.schema`, so another
engine could take Whoosh's place by rewriting this package alone.
"""

from indexer.engine.postings import CACHE_MB
from indexer.engine.searching import (
    SORTS,
    FacetCount,
    Hit,
    IndexSearcher,
    PersonProfile,
    QuerySyntaxError,
    SearchRequest,
    SearchResult,
    StoredDocument,
    Suggestion,
)
from indexer.engine.writing import (
    IndexWriter,
    document_count,
    stored_documents,
    write_index,
    write_people,
    write_vocabulary,
    writing,
)

__all__ = [
    "CACHE_MB",
    "SORTS",
    "FacetCount",
    "Hit",
    "IndexSearcher",
    "IndexWriter",
    "PersonProfile",
    "QuerySyntaxError",
    "SearchRequest",
    "SearchResult",
    "StoredDocument",
    "Suggestion",
    "document_count",
    "stored_documents",
    "write_index",
    "write_people",
    "write_vocabulary",
    "writing",
]

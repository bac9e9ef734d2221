"""A page of results from a query's matches: the request's date range and facet selections
applied, sorted, one page cut out, the facets counted, and the months of a one-year
timeline."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from indexer.engine import ranking
from indexer.engine.columns import DocumentColumns
from indexer.engine.facet_counts import all_selections, count_facets, selections
from indexer.engine.ranking import top
from indexer.engine.values import Hit, SearchRequest, SearchResult
from indexer.facets import UNDATED_YEAR, YEAR


def result_page(columns: DocumentColumns, request: SearchRequest, found: np.ndarray,
                score: np.ndarray, browsing: bool, hits_of: Callable[[list[int]], list[Hit]],
                facet_seconds: float) -> SearchResult:
    """The page of results the request asks for, of the documents `found` (a mask) with
    their `score`; `browsing`: no words were asked (relevance means nothing then).
    `hits_of` makes the results of the shown documents' numbers."""
    if request.date_from or request.date_to:
        found = found & columns.between(request.date_from, request.date_to)
    masks = selections(columns, request.filters)
    allowed = all_selections(found, masks)
    total = int(np.count_nonzero(allowed))
    sort = request.sort
    if sort == "relevance" and browsing:
        sort = "newest"  # browsing: relevance means nothing without words
    limit = request.page * request.page_size
    start = (request.page - 1) * request.page_size
    hits: list[Hit] = []
    ranked: list[int] = []
    if start < total:
        docs = np.flatnonzero(allowed)
        if sort != "relevance":
            key = columns.date_order(newest_first=sort == "newest")[docs]
        else:
            key = -score[docs] * np.where(columns.listing[docs], ranking.LISTING_WEIGHT, 1.0)
        shown = [int(docnum) for docnum in top(docs, key, limit)[start:limit]]
        if request.read_hits:
            hits = hits_of(shown)
        else:
            ranked = shown
    facets, complete = count_facets(columns, found, masks, facet_seconds)
    years = request.selected(YEAR.name)
    months = (columns.months(allowed) if len(years) == 1 and years[0] != UNDATED_YEAR
              else [])
    return SearchResult(total, hits, facets, complete, months=months, ranked=ranked)

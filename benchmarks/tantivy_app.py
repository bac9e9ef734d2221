"""The reference app: the same `/api/search` as ours (top 10, year and people facet counts,
highlighted snippets) on the same Starlette/uvicorn stack, from a tantivy index.

    TANTIVY_INDEX=benchmarks/out/tantivy-10k uvicorn --factory benchmarks.tantivy_app:create_app
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.peers import TantivySearch


def create_app() -> Starlette:
    engine = TantivySearch(Path(os.environ["TANTIVY_INDEX"]))

    def search(request: Request) -> JSONResponse:
        params = request.query_params
        return JSONResponse(engine.search(params.get("q", ""), params.get("year"),
                                          params.get("person")))

    return Starlette(routes=[Route("/api/search", search)])

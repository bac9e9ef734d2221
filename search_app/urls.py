"""The addresses of the app's pages, made from its named routes.

Every link the pages, the API and the feed give is made here, as a path (never from a
request's Host header): the routes say where a page is, once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from starlette.routing import Router

Query = Mapping[str, str | Sequence[str]]


class Urls:
    def __init__(self, router: Router) -> None:
        self._router = router

    def path(self, route: str, **params: str) -> str:
        """The path of a named route (`search_app.app.create_app` names them)."""
        return str(self._router.url_path_for(route, **params))

    def with_query(self, route: str, query: Query | None = None) -> str:
        """A named route's path with a query string (empty values left out)."""
        pairs = [(key, value) for key, values in (query or {}).items()
                 for value in ([values] if isinstance(values, str) else values) if value]
        return self.path(route) + (f"?{urlencode(pairs)}" if pairs else "")

    def search(self, **query: str | Sequence[str]) -> str:
        return self.with_query("search", query)

    def document(self, doc_id: str, query: str = "") -> str:
        return self.path("document", doc_id=doc_id) + (f"?{urlencode({'q': query})}"
                                                       if query else "")

    def person(self, name: str, api: bool = False) -> str:
        # The name is one path segment, escaped whole ("/" included).
        return self.path("api_person" if api else "person", name=quote(name, safe=""))

    def static(self, file: str) -> str:
        return self.path("static", path=f"/{file}")

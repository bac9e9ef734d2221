"""The pages, the JSON API and the feed. Each view reads the request, asks the index, and
hands plain values to a template or to JSON."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from indexer.document import shown_paragraphs
from indexer.engine import (
    Hit,
    IndexSearcher,
    PersonProfile,
    QuerySyntaxError,
    SearchRequest,
    SearchResult,
    StoredDocument,
)
from indexer.facets import BY_NAME, FACETS, YEAR
from indexer.officials import Official
from indexer.text import xml_safe
from search_app.citations import Citation, bibtex_lines, ris_lines
from search_app.current_index import IndexDamaged, IndexMissing
from search_app.exports import (
    DocumentUrl,
    ExportResponse,
    ExportSlots,
    csv_lines,
    download_disposition,
    jsonl_lines,
)
from search_app.facets import ShownFacet, build_facet
from search_app.params import ParamError, SearchLinks, search_request
from search_app.settings import Settings
from search_app.timeline import Timeline, build_timeline, person_timeline
from search_app.urls import Urls

SIMILAR_DOCUMENTS = 5
PERSON_FACET_VALUES = 10  # values of each facet on a person's page
LATEST_DOCUMENTS = 10


class BadRequest(Exception):
    """Shown to the visitor with status 400 and this message."""


class TooBusy(Exception):
    """Shown with status 503 and a Retry-After: more of something at once than allowed."""


class PersonNotFound(LookupError):
    """No person of the archive has this name (a 404 page with a search link); the name is
    shown at most MAX_NAME_SHOWN characters long (a 60 KB address must not come back
    several times over)."""

    MAX_NAME_SHOWN = 100

    def __init__(self, name: str) -> None:
        shown = name if len(name) <= self.MAX_NAME_SHOWN else \
            name[:self.MAX_NAME_SHOWN] + "…"
        super().__init__(f"No official of the archive is called “{shown}”.")
        self.name = shown


@dataclass
class SearchPage:
    """Everything a results page, the API and the feed show for one search."""

    request: SearchRequest
    result: SearchResult
    facets: list[ShownFacet]
    took_ms: float
    links: SearchLinks
    params: QueryParams
    timeline: Timeline
    urls: Urls

    @property
    def pages(self) -> int:
        return max(1, -(-self.result.total // self.request.page_size))

    def page_url(self, page: int) -> str:
        return self.links.url(page=str(page))

    @property
    def previous_url(self) -> str | None:
        return self.page_url(self.request.page - 1) if self.request.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.page_url(self.request.page + 1) if self.request.page < self.pages else None

    @property
    def suggestion_url(self) -> str | None:
        suggestion = self.result.suggestion
        return self.links.url(q=suggestion, page=None) if suggestion else None

    @property
    def original_url(self) -> str | None:
        """The visitor's own query, answered as written (after a correction was shown)."""
        original = self.result.corrected_from
        return self.links.url(q=original, exact="1", page=None) if original else None

    def format_url(self, kind: str) -> str:
        """This search as a feed or a download ("atom", "csv", ...): all its results."""
        return replace(self.links, path=self.urls.path(f"search_{kind}")).url(page=None,
                                                                              size=None)

    @property
    def year_offers(self) -> list[tuple[str, str]]:
        """(year, link) to keep only the documents of each year the query names that is not
        a filter yet: the query prefers them, the link narrows to them."""
        years = self.request.selected(YEAR.name)
        return [(year, self.links.url(year=[*years, year], page=None))
                for year in self.result.wanted_years if year not in years]

    @property
    def clear_url(self) -> str | None:
        filters = (*(facet.name for facet in FACETS), "from", "to")
        filtered = any(self.params.getlist(key) for key in filters)
        return self.links.url(**dict.fromkeys((*filters, "page"))) if filtered else None


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def searcher_of(request: Request) -> IndexSearcher:
    return request.app.state.index.get()  # type: ignore[no-any-return]


def urls_of(request: Request) -> Urls:
    return request.app.state.urls  # type: ignore[no-any-return]


def run_search(request: Request, route: str, searcher: IndexSearcher | None = None,
               **overrides: Any) -> SearchPage:
    """The search the request asks for (with `overrides`), its links made to `route`."""
    settings = settings_of(request)
    try:
        search = search_request(request.query_params, settings)
    except ParamError as error:
        raise BadRequest(str(error)) from None
    search = replace(search, **overrides)
    started = time.perf_counter()
    try:
        result = (searcher or searcher_of(request)).search(search)
    except QuerySyntaxError as error:
        raise BadRequest(str(error)) from None
    took_ms = (time.perf_counter() - started) * 1000
    request.app.state.index.record(search.text)
    urls = urls_of(request)
    links = SearchLinks.of(urls.path(route), request.query_params)
    facets = [build_facet(name, counts, request.query_params, links,
                          settings.facet_values_shown)
              for name, counts in result.facets.items()]
    return SearchPage(search, result, facets, took_ms, links, request.query_params,
                      build_timeline(search, result, links), urls)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)  # type: ignore[no-any-return]


def home(request: Request) -> Response:
    page = run_search(request, "search", text="", sort="newest",
                      page_size=LATEST_DOCUMENTS, page=1, filters={})
    return render(request, "home.html", page=page)


def search_page(request: Request) -> Response:
    page = run_search(request, "search")
    return render(request, "search.html", page=page, query=page.request.text,
                  export_cap=settings_of(request).export_cap)


def hit_json(hit: Hit, urls: Urls) -> dict[str, Any]:
    return {"id": hit.id, "title": hit.title, "heading": hit.heading, "url": hit.url,
            "cut": hit.cut,
            "date": _iso(hit.date), "person_urls": [urls.person(name) for name in hit.people],
            "people": list(hit.people), "snippet": hit.snippet_html,
            "doc_url": urls.document(hit.id)}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def api_search(request: Request) -> Response:
    page = run_search(request, "api_search")
    return JSONResponse({
        "query": page.request.text,
        "total": page.result.total,
        "page": page.request.page,
        "page_size": page.request.page_size,
        "pages": page.pages,
        "sort": page.request.sort,
        "took_ms": round(page.took_ms, 2),
        "results": [hit_json(hit, page.urls) for hit in page.result.hits],
        "facets": {facet.name: facet.as_json() for facet in page.facets},
        "facets_complete": page.result.facets_complete,
        "timeline": page.timeline.as_json(),
        "timeline_unit": page.timeline.unit,
        "relaxed": page.result.relaxed,
        "with_all_words": page.result.with_all_words,
        "ignored_words": list(page.result.ignored),
        "only_common_words": page.result.only_common_words,
        "year_filters_offered": [{"year": year, "url": url} for year, url in page.year_offers],
        "answered_query": page.result.answered,
        "corrected_from": page.result.corrected_from,
        "search_original_url": page.original_url,
        "expansions": [{"written": e.written, "alternatives": list(e.alternatives)}
                       for e in page.result.expansions],
        "suggestion": page.result.suggestion,
        "suggestion_url": page.suggestion_url,
        "previous_url": page.previous_url,
        "next_url": page.next_url,
    })


def atom_feed(request: Request) -> Response:
    settings = settings_of(request)
    page = run_search(request, "search", sort="newest", page=1, page_size=settings.feed_size)
    base_url = site_url(request)  # links in a feed are absolute
    self_url = f"{base_url}{request.url.path}" + (f"?{request.url.query}"
                                                  if request.url.query else "")
    entries = [(hit, entry_updated(hit)) for hit in page.result.hits]
    updated = max((stamp for _, stamp in entries if stamp), default=None) or \
        request.app.state.index.built() or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    feed = request.app.state.templates.get_template("feed.xml").render(
        page=page, entries=entries, updated=updated, self_url=self_url, base_url=base_url,
        html_url=page.page_url(1))
    return Response(xml_safe(feed), media_type="application/atom+xml; charset=utf-8")


def entry_updated(hit: Hit) -> str:
    """A feed entry's `updated`: the document's date, or when the archive first indexed a
    document without one (never an invented date)."""
    return f"{hit.date.isoformat()}T00:00:00Z" if hit.date else hit.first_indexed


Lines = Callable[[Iterable[StoredDocument], DocumentUrl], Iterator[str]]
# Each download of a search or a document: how its text is made, and its media type.
EXPORT_FORMATS: dict[str, tuple[Lines, str]] = {
    "csv": (csv_lines, "text/csv; charset=utf-8"),
    "jsonl": (jsonl_lines, "application/x-ndjson; charset=utf-8"),
    "ris": (ris_lines, "application/x-research-info-systems; charset=utf-8"),
    "bib": (bibtex_lines, "application/x-bibtex; charset=utf-8"),
}


def site_url(request: Request) -> str:
    """The site's absolute address: the configured public one when there is one, never one
    made from a Host header a client chose otherwise."""
    return (settings_of(request).base_url or str(request.base_url)).rstrip("/")


def document_urls(request: Request) -> DocumentUrl:
    base, urls = site_url(request), urls_of(request)
    return lambda doc_id: base + urls.document(doc_id)


def exporter(kind: str) -> Callable[[Request], Response]:
    """The view of one export format of a search (`search_app.app` routes each)."""
    def export(request: Request) -> Response:
        return _export(request, kind)

    return export


def _export(request: Request, kind: str) -> Response:
    settings = settings_of(request)
    slots: ExportSlots = request.app.state.exports
    if not slots.take():
        raise TooBusy(f"{settings.max_exports} downloads are being sent already; try again "
                      "in a moment.")
    try:
        searcher = searcher_of(request)
        page = run_search(request, "search", searcher, page=1, page_size=settings.export_cap,
                          read_hits=False)
    except BaseException:
        slots.give_back()
        raise
    lines, media_type = EXPORT_FORMATS[kind]
    body = lines(searcher.documents_of(page.result.ranked), document_urls(request))
    return ExportResponse(body, send_timeout=settings.export_timeout,
                          on_close=slots.give_back, media_type=media_type, headers={
        "content-disposition": download_disposition(page.request.text, kind),
        "x-total-count": str(page.result.total),
        "x-export-cap": str(settings.export_cap),
        "x-export-truncated": "true" if page.result.total > settings.export_cap else "false"})


def citation_export(kind: str) -> Callable[[Request], Response]:
    """The view of one document's citation in one format ("ris", "bib")."""
    def export(request: Request) -> Response:
        _, document = _document_or_404(request)
        lines, media_type = EXPORT_FORMATS[kind]
        return Response("".join(lines([document], document_urls(request))),
                        media_type=media_type, headers={"content-disposition": (
                            f'attachment; filename="csto-{document.id}.{kind}"')})

    return export


class PersonElsewhere(Exception):
    """The name is another spelling of an official, whose page is at `url`."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def _profile_or_404(request: Request) -> PersonProfile:
    """The profile of the person the address names; another case or a recorded spelling of
    their name is sent to their own address."""
    name = request.path_params["name"]
    searcher = searcher_of(request)
    profile = searcher.person(name)
    if profile is None:
        canonical = searcher.canonical_person(name)
        if canonical is None:
            raise PersonNotFound(name)
        raise PersonElsewhere(urls_of(request).person(
            canonical, api=request.url.path.startswith("/api/")))
    return profile


def _official(request: Request, name: str) -> Official | None:
    return request.app.state.officials.find(name)


def person_page(request: Request) -> Response:
    profile = _profile_or_404(request)
    timeline = person_timeline(profile.name, [(c.value, c.count) for c in profile.per_year],
                               urls_of(request))
    return render(request, "person.html", profile=profile,
                  official=_official(request, profile.name), timeline=timeline,
                  facets=[(BY_NAME[name], counts[:PERSON_FACET_VALUES])
                          for name, counts in profile.facets.items()])


def api_person(request: Request) -> Response:
    profile = _profile_or_404(request)
    official = _official(request, profile.name)
    urls = urls_of(request)
    return JSONResponse({
        "name": profile.name,
        "role": official.role if official else None,
        "country": official.country if official else None,
        "spellings": list(profile.spellings),
        "documents": profile.total,
        "per_year": [{"year": c.value, "count": c.count} for c in profile.per_year],
        "named_with": [{"name": c.value, "count": c.count,
                        "person_url": urls.person(c.value)} for c in profile.named_with],
        "latest": [hit_json(hit, urls) for hit in profile.latest],
        "search_url": urls.search(person=profile.name),
        "facets": {name: [{"value": c.value, "label": BY_NAME[name].label_of(c.value),
                           "count": c.count,
                           "search_url": urls.search(person=profile.name, **{name: c.value})}
                          for c in counts] for name, counts in profile.facets.items()},
    })


def _document_or_404(request: Request) -> tuple[IndexSearcher, Any]:
    searcher = searcher_of(request)
    document = searcher.document(request.path_params["doc_id"])
    if document is None:
        raise LookupError("No document has this address.")
    return searcher, document


def document_page(request: Request) -> Response:
    searcher, document = _document_or_404(request)
    citation = Citation.of(document, document_urls(request)(document.id))
    query = request.query_params.get("q", "")
    units = searcher.query_units(query) if query else frozenset()
    dateline, texts = shown_paragraphs(document.body)
    paragraphs = [(text, searcher.mark_units(text, units) if units else None)
                  for text in texts]
    return render(request, "document.html", document=document, query=query, citation=citation,
                  paragraphs=paragraphs, dateline=dateline,
                  similar=searcher.similar(document.id, SIMILAR_DOCUMENTS))


def api_document(request: Request) -> Response:
    searcher, document = _document_or_404(request)
    return JSONResponse({
        "id": document.id, "title": document.title, "heading": document.heading,
        "url": document.url, "cut": document.cut, "signature": document.signature or None,
        "date": _iso(document.date), "people": list(document.people),
        "body": document.body, "sources": list(document.sources),
        "facets": {name: list(values) for name, values in document.facets.items()},
        "citation": {"reference": Citation.of(document, document_urls(request)(document.id))
                     .reference(),
                     "ris_url": urls_of(request).path("cite_ris", doc_id=document.id),
                     "bib_url": urls_of(request).path("cite_bib", doc_id=document.id)},
        "similar": [hit_json(hit, urls_of(request))
                    for hit in searcher.similar(document.id, SIMILAR_DOCUMENTS)],
    })


def api_suggest(request: Request) -> Response:
    text = request.query_params.get("q", "")
    most = settings_of(request).max_suggest_chars
    if len(text) > most:
        raise BadRequest(f"'q' is over {most} characters: suggestions complete "
                         "what is being typed.")
    urls = urls_of(request)
    links = {"official": lambda s: urls.person(s.text),
             "title": lambda s: urls.document(s.doc_id or ""),
             "word": lambda s: urls.search(q=s.text)}
    return JSONResponse({"query": text, "suggestions": [
        {"kind": s.kind, "text": s.text, "count": s.count, "url": links[s.kind](s)}
        for s in searcher_of(request).suggest(text)]})


def healthz(request: Request) -> Response:
    try:
        searcher = searcher_of(request)
    except IndexMissing as error:
        return JSONResponse({"status": "no index", "detail": str(error)}, status_code=503)
    except IndexDamaged as error:
        return JSONResponse({"status": "unreadable", "detail": str(error)}, status_code=503)
    return JSONResponse({"status": "ok", "generation": request.app.state.index.generation,
                         "documents": searcher.document_count})


def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)

"""The ASGI application, built by `create_app(settings)`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from indexer.store import IndexStore
from search_app import views
from search_app.current_index import CurrentIndex, IndexDamaged, IndexMissing, OfficialsSource
from search_app.exports import ExportSlots
from search_app.openapi import openapi_description
from search_app.settings import Settings
from search_app.urls import Urls

HERE = Path(__file__).parent
log = logging.getLogger("csto_search")
SECURITY_HEADERS = {
    # Only our own script runs (search as you type, served from /static): nothing inline,
    # nothing from elsewhere; it may fetch only from this site. Nothing is framed.
    "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'; "
                               "style-src 'self'; img-src 'self'; form-action 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ConcurrencyLimit:
    """At most `limit` requests answered at once by this process; past it, 503 with a
    Retry-After. Requests are counted, not connections: an idle or slow socket costs no
    work (the protocol closes it in time), and must not turn visitors away. `/healthz` is
    always answered."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            response = JSONResponse({"error": "The server is answering too many requests at "
                                              "once; try again in a moment."},
                                    status_code=503, headers={"retry-after": "1"})
            await response(scope, receive, send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


def _without_trailing_slash(request: Request) -> str | None:
    """The relative address of a route the request meant with a slash too many
    ("/search/?q=x"): never an absolute one made from the request's Host header."""
    path = request.url.path
    if path == "/" or not path.endswith("/"):
        return None
    stripped = path.rstrip("/") or "/"
    scope = {"type": "http", "path": stripped, "method": request.method}
    if not any(route.matches(scope)[0] is not Match.NONE for route in request.app.routes):
        return None
    return stripped + (f"?{request.url.query}" if request.url.query else "")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str,
           headers: Mapping[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    response = views.render(request, "error.html", status_code=status, status=status,
                            message=message, query=request.query_params.get("q", ""))
    response.headers.update(headers or {})
    return response


async def bad_request(request: Request, error: Exception) -> Response:
    return _error(request, 400, str(error))


async def not_found(request: Request, error: Exception) -> Response:
    if isinstance(error, views.PersonNotFound) and not _wants_json(request):
        return views.render(request, "error.html", status_code=404, status=404,
                            message=str(error), query=error.name)
    return _error(request, 404, str(error) if isinstance(error, LookupError)
                  else "There is no page at this address.")


async def person_elsewhere(_request: Request, error: Exception) -> Response:
    """Another spelling of an official's name: their own page (a relative address, never
    one made from the request's Host header)."""
    assert isinstance(error, views.PersonElsewhere)
    return RedirectResponse(error.url, status_code=301)


async def too_busy(request: Request, error: Exception) -> Response:
    return _error(request, 503, str(error), {"retry-after": "5"})


async def no_index(request: Request, error: Exception) -> Response:
    return _error(request, 503, f"{error} The administrator can build one with "
                                "`csto-index build`.")


async def damaged_index(request: Request, error: Exception) -> Response:
    return _error(request, 503, str(error))


async def server_error(request: Request, error: Exception) -> Response:
    """Anything unexpected: a page like the others, JSON on /api/, the security headers too
    (this handler runs outside the middleware that adds them)."""
    damage = await run_in_threadpool(request.app.state.index.damage_of_served)
    if damage is not None:  # a file of the index damaged in place: not a bug of ours
        response = _error(request, 503, damage)
    else:
        log.exception("Unexpected error on %s", request.url.path)
        response = _error(request, 500, "Something went wrong on our side; please try "
                                        "again. If it persists, the administrator can see "
                                        "why in the server's log.")
    response.headers.update(SECURITY_HEADERS)
    return response


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 404:
        without_slash = _without_trailing_slash(request)
        if without_slash is not None:
            return RedirectResponse(without_slash, status_code=307)
        return await not_found(request, error)
    return _error(request, error.status_code, error.detail, error.headers)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    # The first request should not pay for decoding the common words' posting lists.
    await run_in_threadpool(app.state.index.open_warm)
    yield


def create_app(settings: Settings) -> Starlette:
    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", views.home, name="home"),
            Route("/search", views.search_page, name="search"),
            Route("/search.atom", views.atom_feed, name="search_atom"),
            *(Route(f"/search.{kind}", views.exporter(kind), name=f"search_{kind}")
              for kind in views.EXPORT_FORMATS),
            *(Route(f"/cite/{{doc_id:str}}.{kind}", views.citation_export(kind),
                    name=f"cite_{kind}") for kind in ("ris", "bib")),
            Route("/doc/{doc_id:str}", views.document_page, name="document"),
            Route("/api/search", views.api_search, name="api_search"),
            Route("/api/doc/{doc_id:str}", views.api_document, name="api_document"),
            Route("/api/suggest", views.api_suggest, name="api_suggest"),
            Route("/person/{name:path}", views.person_page, name="person"),
            Route("/api/person/{name:path}", views.api_person, name="api_person"),
            Route("/api/openapi.json", views.openapi, name="openapi"),
            Route("/healthz", views.healthz, name="healthz"),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders),
                    Middleware(ConcurrencyLimit, limit=settings.limit_concurrency)],
        exception_handlers={
            views.BadRequest: bad_request,
            views.PersonElsewhere: person_elsewhere,
            views.TooBusy: too_busy,
            LookupError: not_found,
            IndexMissing: no_index,
            IndexDamaged: damaged_index,
            HTTPException: http_error,
            Exception: server_error,
        },
    )
    # Starlette redirects "/search/" to an absolute address built from the Host header;
    # `http_error` redirects to a relative one instead.
    app.router.redirect_slashes = False
    app.state.settings = settings
    app.state.index = CurrentIndex(IndexStore(settings.index_dir), settings.cache_mb,
                                   settings.synonyms_file, settings.warm,
                                   settings.search_limits)
    app.state.openapi = openapi_description(settings)
    app.state.exports = ExportSlots(settings.max_exports)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.urls = Urls(app.router)
    app.state.templates.env.globals["urls"] = app.state.urls
    app.state.officials = OfficialsSource(app.state.index)
    return app


def app_from_environment() -> Starlette:
    """Factory for uvicorn (`--factory`), configured by CSTO_* environment variables."""
    return create_app(Settings.from_environment())

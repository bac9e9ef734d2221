"""Reading and checking the query string of a search; building URLs that change it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote_plus

from starlette.datastructures import QueryParams

from indexer.engine import SORTS, SearchRequest
from indexer.facets import FACETS, MAX_VALUE_CHARS, Facet
from search_app.settings import Settings

_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# The parameters of a search, in the order its links write them.
SEARCH_KEYS = ("q", "exact", *(facet.name for facet in FACETS), "from", "to", "sort", "page",
               "size")


class ParamError(ValueError):
    """A parameter that makes no sense; the message says which and why."""


def _integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    # isdigit() alone takes "¹", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ParamError(f"'{name}' must be a whole number from {low} to {high}, "
                         f"not {raw[:20]!r}.")
    return int(raw)


def _day(params: QueryParams, name: str, end: bool) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    match = _DAY.match(raw)
    if not match:
        raise ParamError(f"'{name}' must be a date as YYYY, YYYY-MM or YYYY-MM-DD, "
                         f"not {raw[:20]!r}.")
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            first = date(year, int(month), 1)
            following = date(year + int(month) // 12, int(month) % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1) if end else first
        return date(year, int(month), int(day))
    except ValueError:
        raise ParamError(f"'{name}' is not a real date: {raw!r}.") from None


def _values(params: QueryParams, name: str, most: int) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(v.strip() for v in params.getlist(name) if v.strip()))
    if len(values) > most:
        raise ParamError(f"At most {most} '{name}' values can be chosen at once.")
    return values


def _facet_values(params: QueryParams, facet: Facet, most: int) -> tuple[str, ...]:
    values = _values(params, facet.name, most)
    wrong = next((value for value in values if not facet.accepts(value)), None)
    if wrong is None:
        return values
    if len(wrong) > MAX_VALUE_CHARS:
        raise ParamError(f"A '{facet.name}' value is longer than {MAX_VALUE_CHARS} characters.")
    raise ParamError(f"'{facet.name}' must be {facet.value_hint}, not {wrong[:20]!r}.")


def search_request(params: QueryParams, settings: Settings) -> SearchRequest:
    # Every link of a results page repeats the query string: past a limit a request could
    # make the page (and the server's memory) grow far beyond the request.
    if len(params.multi_items()) > settings.max_parameters:
        raise ParamError(f"The address has {len(params.multi_items())} parameters; a search "
                         f"takes at most {settings.max_parameters}.")
    filters = {facet.name: _facet_values(params, facet, settings.max_filter_values)
               for facet in FACETS}
    sort = params.get("sort", "relevance")
    if sort not in SORTS:
        raise ParamError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:20]!r}.")
    date_from, date_to = _day(params, "from", end=False), _day(params, "to", end=True)
    if date_from and date_to and date_from > date_to:
        raise ParamError("'from' is after 'to': swap them to search that period.")
    return SearchRequest(
        text=params.get("q", ""),
        filters={name: values for name, values in filters.items() if values},
        date_from=date_from,
        date_to=date_to,
        sort=sort,  # type: ignore[arg-type]
        page=_integer(params, "page", 1, 1, settings.max_page),
        page_size=_integer(params, "size", settings.page_size, 1, settings.max_page_size),
        exact=_integer(params, "exact", 0, 0, 1) == 1,
    )


@dataclass(frozen=True)
class SearchLinks:
    """Links to one search with some of its parameters changed. The unchanged parameters are
    encoded once, not once per link: a results page has a link for every facet value."""

    path: str
    encoded: dict[str, str]  # parameter -> "key=value&key=value", "" when absent

    @classmethod
    def of(cls, path: str, params: QueryParams) -> SearchLinks:
        return cls(path, {key: _encoded(key, list(dict.fromkeys(params.getlist(key))))
                          for key in SEARCH_KEYS})

    def url(self, **changes: str | list[str] | None) -> str:
        """The search with these parameters changed (None drops one)."""
        parts = [_encoded(key, changes[key]) if key in changes else self.encoded[key]
                 for key in SEARCH_KEYS]
        query = "&".join(part for part in parts if part)
        return f"{self.path}?{query}" if query else self.path


    def toggler(self, key: str) -> Callable[[list[str]], str]:
        """Links that change only `key` (and go back to page 1), the rest joined once: a
        page has a link for every facet value and every bar of its timeline."""
        before = "&".join(p for k in SEARCH_KEYS[:SEARCH_KEYS.index(key)]
                          if k != "page" and (p := self.encoded[k]))
        after = "&".join(p for k in SEARCH_KEYS[SEARCH_KEYS.index(key) + 1:]
                         if k != "page" and (p := self.encoded[k]))

        def url(values: list[str]) -> str:
            query = "&".join(p for p in (before, _encoded(key, values), after) if p)
            return f"{self.path}?{query}" if query else self.path

        return url


def _encoded(key: str, value: str | list[str] | None) -> str:
    values = [] if value is None else [value] if isinstance(value, str) else value
    return "&".join(f"{key}={quote_plus(v)}" for v in values if v != "")

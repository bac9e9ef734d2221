"""The OpenAPI description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from indexer.engine import SORTS
from indexer.facets import FACETS, MAX_VALUE_CHARS, Facet
from search_app.settings import Settings

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
# Empty is allowed: the search form sends empty dates.
_DAY = {"type": "string", "pattern": "^([0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?)?$"}
_HIT = {"type": "object", "properties": {
    "id": _STRING, "title": _NULLABLE_STRING,
    "heading": {"type": "string", "description": "the title to show: the page's own, the "
                "section its address names, or the beginning of its text"},
    "url": _NULLABLE_STRING,
    "date": _NULLABLE_STRING, "people": {"type": "array", "items": _STRING},
    "person_urls": {"type": "array", "items": _STRING},
    "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
    "doc_url": _STRING}}
_FACET_VALUE = {"type": "object", "properties": {
    "value": _STRING, "label": _STRING, "count": {"type": "integer"},
    "selected": {"type": "boolean"}, "toggle_url": _STRING}}
_TIMELINE_BAR = {"type": "object", "properties": {
    "period": _STRING, "count": {"type": "integer"}, "selected": {"type": "boolean"},
    "toggle_url": _STRING}}
_ERROR = {"description": "A parameter or the query cannot be read",
          "content": {"application/json": {"schema": {
              "type": "object", "properties": {"error": _STRING}}}}}



def _search_parameters(settings: Settings) -> list[dict[str, Any]]:
    return [
        {"name": "q", "in": "query",
         "schema": {"type": "string", "maxLength": settings.max_query_chars},
         "description": 'Words (all must match), "phrases", -exclusion, OR, prefix*, and the '
                        "fields title:, person:, year:."},
        *(_facet_parameter(facet, settings) for facet in FACETS),
        {"name": "from", "in": "query", "schema": _DAY, "description": "YYYY[-MM[-DD]]"},
        {"name": "to", "in": "query", "schema": _DAY, "description": "YYYY[-MM[-DD]]"},
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": settings.max_page}},
        {"name": "size", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": settings.max_page_size}},
        {"name": "exact", "in": "query", "schema": {"type": "integer", "enum": [0, 1]},
         "description": "1: answer the query as written, never its spelling correction."},
    ]


def _facet_parameter(facet: Facet, settings: Settings) -> dict[str, Any]:
    items: dict[str, Any] = {"type": "string", "maxLength": MAX_VALUE_CHARS}
    if facet.value_pattern:
        items["pattern"] = f"^({facet.value_pattern})?$"
    return {"name": facet.name, "in": "query", "style": "form", "explode": True,
            "schema": {"type": "array", "items": items,
                       "maxItems": settings.max_filter_values},
            "description": f"{facet.label} values to keep"
                           + (f" ({facet.value_hint})" if facet.value_hint else "")
                           + "; several are OR-ed, facets AND-ed."}


def _path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _STRING}


def openapi_description(settings: Settings) -> dict[str, Any]:
    """The description of the API as these settings serve it (its limits, its facets)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "csto-search API", "version": "1.0.0",
                 "description": "Full-text search over the CSTO press-release archive."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Ranked, highlighted search with facets ("
                           + ", ".join(facet.label.lower() for facet in FACETS) + ")",
                "parameters": _search_parameters(settings),
                "responses": {
                    "200": {"description": "One page of results", "content": {
                        "application/json": {"schema": {"type": "object", "properties": {
                            "query": _STRING, "total": {"type": "integer"},
                            "page": {"type": "integer"}, "page_size": {"type": "integer"},
                            "pages": {"type": "integer"}, "sort": _STRING,
                            "took_ms": {"type": "number"},
                            "results": {"type": "array", "items": _HIT},
                            "facets": {"type": "object", "properties": {
                                facet.name: {"type": "array", "items": _FACET_VALUE,
                                             "description": facet.label}
                                for facet in FACETS}},
                            "facets_complete": {"type": "boolean"},
                            "timeline": {"type": "array", "items": _TIMELINE_BAR,
                                "description": "matching documents per year (per month when one "
                                               "year is selected)"},
                            "timeline_unit": {"type": "string", "enum": ["year", "month"]},
                            "relaxed": {"type": "boolean", "description":
                                        "few pages had all the words: pages with some of them "
                                        "are included, those with more of them first"},
                            "answered_query": {"type": "string", "description":
                                               "the query these results answer: the visitor's, "
                                               "or its correction"},
                            "corrected_from": {"type": ["string", "null"], "description":
                                               "the visitor's query, when its spelling "
                                               "correction was answered instead"},
                            "search_original_url": _NULLABLE_STRING,
                            "expansions": {"type": "array", "items": {
                                "type": "object", "properties": {
                                    "written": _STRING,
                                    "alternatives": {"type": "array", "items": _STRING}}},
                                "description": "synonyms and acronyms also searched"},
                            "suggestion": _NULLABLE_STRING, "suggestion_url": _NULLABLE_STRING,
                            "previous_url": _NULLABLE_STRING, "next_url": _NULLABLE_STRING}}}}},
                    "400": _ERROR}}},
            "/api/suggest": {"get": {
                "summary": "Completions of what is being typed: officials, titles, index words",
                "parameters": [{"name": "q", "in": "query", "schema": {
                    "type": "string", "maxLength": settings.max_suggest_chars}}],
                "responses": {
                    "200": {"description": "Suggestions, most frequent first", "content": {
                        "application/json": {"schema": {"type": "object", "properties": {
                            "query": _STRING, "suggestions": {"type": "array", "items": {
                                "type": "object", "properties": {
                                    "kind": {"type": "string",
                                             "enum": ["official", "title", "word"]},
                                    "text": _STRING, "count": {"type": "integer"},
                                    "url": _STRING}}}}}}}},
                    "400": _ERROR}}},
            "/api/person/{name}": {"get": {
                "summary": "An official of the archive: role, spellings, documents per year, "
                           "who is named with them, latest documents",
                "parameters": [_path_parameter("name")],
                "responses": {
                    "200": {"description": "The person", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "name": _STRING, "role": _NULLABLE_STRING, "country": _NULLABLE_STRING,
                            "spellings": {"type": "array", "items": _STRING},
                            "documents": {"type": "integer"},
                            "per_year": {"type": "array", "items": {"type": "object"}},
                            "named_with": {"type": "array", "items": {"type": "object"}},
                            "latest": {"type": "array", "items": _HIT},
                            "search_url": _STRING,
                            "facets": {"type": "object", "description": "their documents "
                                       "counted by each other facet", "properties": {
                                facet.name: {"type": "array", "items": {
                                    "type": "object", "properties": {
                                        "value": _STRING, "label": _STRING,
                                        "count": {"type": "integer"},
                                        "search_url": _STRING}}}
                                for facet in FACETS if facet.name not in ("year", "person")}},
                        }}}}},
                    "404": {"description": "No person of the archive has this name"}}}},
            "/api/doc/{doc_id}": {"get": {
                "summary": "One clean document and documents like it",
                "parameters": [_path_parameter("doc_id")],
                "responses": {
                    "200": {"description": "The document", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "id": _STRING, "title": _NULLABLE_STRING, "heading": _STRING,
                            "url": _NULLABLE_STRING, "date": _NULLABLE_STRING,
                            "people": {"type": "array", "items": _STRING},
                            "body": _STRING, "sources": {"type": "array", "items": _STRING},
                            "facets": {"type": "object", "description": "its values of each "
                                       "facet", "additionalProperties": {
                                           "type": "array", "items": _STRING}},
                            "citation": {"type": "object", "properties": {
                                "reference": _STRING, "ris_url": _STRING,
                                "bib_url": _STRING}},
                            "similar": {"type": "array", "items": _HIT}}}}}},
                    "404": {"description": "No such document"}}}},
        },
    }

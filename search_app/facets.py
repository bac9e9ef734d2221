"""Facet values as the pages show them: each with its count, whether it is selected, and the
link that toggles it (so the HTML is plain links that work without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from indexer.engine import FacetCount
from indexer.schema import UNDATED_YEAR
from search_app.params import SearchLinks

FACET_PARAMETERS = {"year": "year", "person": "person"}
FACET_TITLES = {"year": "Year", "person": "Official"}
FACET_EMPTY = {"year": "No document to count.", "person": "No official is named here."}
VALUE_LABELS = {("year", UNDATED_YEAR): "No date"}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]
    clear_url: str | None  # drops this facet's selection, when there is one
    empty_text: str  # what the page says when no value is counted

    def as_json(self) -> list[dict[str, Any]]:
        return [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected,
                 "toggle_url": v.toggle_url} for v in self.values]


def build_facet(name: str, counts: list[FacetCount], params: QueryParams, links: SearchLinks,
                shown: int) -> Facet:
    key = FACET_PARAMETERS[name]
    selected = list(dict.fromkeys(params.getlist(key)))
    by_value = {count.value: count.count for count in counts}
    # Selected values stay listed (with 0 if the query no longer finds them) so they can be
    # switched off; the others are the most frequent ones.
    values = selected + [c.value for c in counts if c.value not in selected][:shown]
    toggle = links.toggler(key)
    facet_values = []
    for value in values:
        toggled = [v for v in selected if v != value] if value in selected else [*selected, value]
        facet_values.append(FacetValue(
            value=value, label=VALUE_LABELS.get((name, value), value),
            count=by_value.get(value, 0),
            selected=value in selected, toggle_url=toggle(toggled)))
    clear = links.url(**{key: None, "page": None}) if selected else None
    return Facet(name, FACET_TITLES[name], facet_values, clear, FACET_EMPTY[name])

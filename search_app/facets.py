"""Facet values as the pages show them: each with its label, its count, whether it is
selected, and the link that toggles it (so the HTML is plain links that work without
JavaScript). The facets themselves are declared once, in `indexer.facets`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from indexer.engine import FacetCount
from indexer.facets import BY_NAME
from search_app.params import SearchLinks


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    toggle_url: str


@dataclass(frozen=True)
class ShownFacet:
    """A facet of a results page: its values, most relevant first."""

    name: str
    title: str
    values: list[FacetValue]
    clear_url: str | None  # drops this facet's selection, when there is one
    empty_text: str  # what the page says when no value is counted

    def as_json(self) -> list[dict[str, Any]]:
        return [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected,
                 "toggle_url": v.toggle_url} for v in self.values]


def build_facet(name: str, counts: list[FacetCount], params: QueryParams, links: SearchLinks,
                shown: int) -> ShownFacet:
    facet = BY_NAME[name]
    selected = list(dict.fromkeys(params.getlist(name)))
    by_value = {count.value: count.count for count in counts}
    # Selected values stay listed (with 0 if the query no longer finds them) so they can be
    # switched off; the others are the most relevant ones, in the facet's order.
    values = selected + [c.value for c in counts if c.value not in selected][:shown]
    toggle = links.toggler(name)
    facet_values = []
    for value in values:
        toggled = [v for v in selected if v != value] if value in selected else [*selected, value]
        facet_values.append(FacetValue(
            value=value, label=facet.label_of(value), count=by_value.get(value, 0),
            selected=value in selected, toggle_url=toggle(toggled)))
    clear = links.url(**{name: None, "page": None}) if selected else None
    return ShownFacet(name, facet.label, facet_values, clear, facet.empty_text)

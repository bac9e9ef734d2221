"""A search's timeline: matching documents per year (per month within one selected year),
as bars that are plain links toggling that period's filter, like the facets' values.

The counts are the year facet's (or one pass over the dated matches for months): they come
from the arrays the search already has, at no extra cost to the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indexer.engine import SearchRequest, SearchResult
from indexer.facets import YEAR
from search_app.params import SearchLinks
from search_app.urls import Urls

CHART_HEIGHT = 80
BAR_WIDTH = 18
BAR_GAP = 4


@dataclass(frozen=True)
class Bar:
    period: str  # "2021" or "2021-05"
    label: str
    count: int
    selected: bool
    url: str  # toggles this period's filter
    height: int  # pixels, for the chart


@dataclass(frozen=True)
class Timeline:
    unit: str  # "year" or "month"
    bars: list[Bar]

    @property
    def width(self) -> int:
        return max(1, len(self.bars) * (BAR_WIDTH + BAR_GAP))

    @property
    def height(self) -> int:
        return CHART_HEIGHT

    def positioned(self) -> list[tuple[int, int, Bar]]:
        """(x, y, bar) for drawing."""
        return [(i * (BAR_WIDTH + BAR_GAP), CHART_HEIGHT - bar.height, bar)
                for i, bar in enumerate(self.bars)]

    def as_json(self) -> list[dict[str, Any]]:
        return [{"period": b.period, "count": b.count, "selected": b.selected,
                 "toggle_url": b.url} for b in self.bars]


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def build_timeline(request: SearchRequest, result: SearchResult,
                   links: SearchLinks) -> Timeline:
    years = request.selected(YEAR.name)
    if len(years) == 1 and years[0].isdigit():
        return _months(years[0], result.months, links)
    counts = {c.value: c.count for c in result.facets.get(YEAR.name, []) if c.value.isdigit()}
    selected = set(years)
    if not counts:
        return Timeline("year", [])
    years = range(min(map(int, counts)), max(map(int, counts)) + 1)  # empty years shown too
    tallest = max(counts.values())
    toggle = links.toggler(YEAR.name)
    bars = []
    for year in map(str, years):
        bars.append(Bar(year, year, counts.get(year, 0), year in selected,
                        toggle(sorted(selected ^ {year})), _height(counts.get(year, 0),
                                                                   tallest)))
    return Timeline("year", bars)


def person_timeline(name: str, per_year: list[tuple[str, int]], urls: Urls) -> Timeline:
    """Documents naming a person per year; each bar links to that year's documents."""
    if not per_year:
        return Timeline("year", [])
    counts = dict(per_year)
    tallest = max(counts.values())
    years = range(int(min(counts)), int(max(counts)) + 1)
    return Timeline("year", [
        Bar(year, year, counts.get(year, 0), False,
            urls.search(person=name, year=year),
            _height(counts.get(year, 0), tallest)) for year in map(str, years)])


def _months(year: str, months: list[tuple[str, int]], links: SearchLinks) -> Timeline:
    counts = dict(months)
    tallest = max(counts.values(), default=0)
    bars = []
    for number, name in enumerate(_MONTHS, 1):
        period = f"{year}-{number:02d}"
        url = links.url(**{"from": period, "to": period, "page": None})
        bars.append(Bar(period, f"{name} {year}", counts.get(period, 0), False, url,
                        _height(counts.get(period, 0), tallest)))
    return Timeline("month", bars)


def _height(count: int, tallest: int) -> int:
    if not count or not tallest:
        return 0
    return max(2, round(count / tallest * CHART_HEIGHT))

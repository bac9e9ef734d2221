"""The people of one open generation: who a written name means, and what the archive says
of each (when, with whom, the latest documents)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from indexer.engine.columns import DocumentColumns
from indexer.engine.facet_counts import counted, in_order
from indexer.engine.ranking import top
from indexer.engine.values import Hit, PersonProfile
from indexer.facets import FACETS, PERSON, UNDATED_YEAR, YEAR


class PeopleOfIndex:
    def __init__(self, columns: DocumentColumns, spellings: dict[str, list[str]]) -> None:
        self._columns, self._spellings = columns, spellings

    def canonical_person(self, written: str) -> str | None:
        """The canonical name of the person a name means: the name itself, in any case, or
        any spelling the archive recorded for them, or a surname only one person has."""
        key = " ".join(written.split()).casefold()
        if not key:
            return None
        people = self._columns.facets[PERSON.name].values
        for name in people:
            if name.casefold() == key:
                return name
        for name, spellings in self._spellings.items():
            if name in people and any(
                    spelling.casefold() == key for spelling in spellings):
                return name
        surnames = {name for name, spellings in self._spellings.items()
                    if name in people
                    and any(spelling.split()[-1].casefold() == key for spelling in spellings)}
        return surnames.pop() if len(surnames) == 1 else None

    def profile(self, name: str, hit: Callable[[int], Hit], seconds: float, latest: int,
                named_with: int) -> PersonProfile | None:
        """The profile of a canonical person of the index, or None if nobody has this name;
        `hit` makes a result of a document (the caller holds the searcher's lock)."""
        columns = self._columns
        people = columns.facets[PERSON.name]
        if name not in people.values:
            return None
        mask = people.documents_with((name,)) & columns.alive
        deadline = time.monotonic() + seconds
        years, _ = counted(columns.facets[YEAR.name], mask, deadline)
        others, _ = counted(people, mask, deadline)
        docs = np.flatnonzero(mask)
        order = top(docs, columns.date_order(newest_first=True)[docs], latest)
        hits = [hit(int(docnum)) for docnum in order]
        return PersonProfile(
            name, tuple(self._spellings.get(name, [name])), len(docs),
            sorted((c for c in years if c.value != UNDATED_YEAR), key=lambda c: c.value),
            sorted((c for c in others if c.value != name),
                   key=lambda c: (-c.count, c.value))[:named_with],
            hits, {facet.name: in_order(facet, counted(columns.facets[facet.name], mask,
                                                       deadline)[0])
                   for facet in FACETS if facet not in (YEAR, PERSON)})

"""The states a document names, for the member-state facet: the CSTO's members and the
other states the site writes about, each under one name whatever form the text uses
("Kyrgyz Republic", "Kyrgyz", "KYRGYZSTAN"), from `data/states.json`."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

STATES_FILE = "states.json"


@dataclass(frozen=True)
class State:
    name: str
    member: bool  # of the Collective Security Treaty Organization
    forms: tuple[str, ...]


@dataclass(frozen=True)
class StateNames:
    states: tuple[State, ...]
    by_form: dict[str, str]  # a form as written (or in capitals) -> the state's name
    pattern: re.Pattern[str]

    def named_in(self, text: str) -> tuple[str, ...]:
        """The states the text names, members first, in the order of the data file."""
        found = set()
        for match in self.pattern.finditer(text):
            # The pattern has no boundary before a form (one would cost 4x the time of the
            # scan): it is checked here, on the few matches.
            start = match.start()
            if start == 0 or not text[start - 1].isalnum():
                found.add(self.by_form[match.group()])
        return tuple(state.name for state in self.states if state.name in found)


@cache
def state_names() -> StateNames:
    data = json.loads(resources.files("indexer.data").joinpath(STATES_FILE).read_text("utf-8"))
    states = tuple(State(row["name"], bool(row.get("member")), tuple(row["forms"]))
                   for row in data["states"])
    states = tuple(sorted(states, key=lambda state: not state.member))
    by_form = {written: state.name for state in states for form in state.forms
               for written in (form, form.upper())}
    return StateNames(states, by_form, _pattern(by_form))


def _pattern(forms: dict[str, str]) -> re.Pattern[str]:
    """One scan for every form: alternatives grouped by their first letter (4x faster than
    a flat alternation: most letters of a text fail at once), longest first."""
    rests: dict[str, list[str]] = defaultdict(list)
    for form in forms:
        rests[form[0]].append(form[1:])
    groups = (re.escape(first) + "(?:" + "|".join(
        re.escape(rest) for rest in sorted(endings, key=len, reverse=True)) + ")"
        for first, endings in sorted(rests.items()))
    return re.compile("(?:" + "|".join(groups) + r")(?![\w])")

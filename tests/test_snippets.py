"""Marked words are the words the analyzer sees, found whole in the text."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from indexer.engine.analysis import WORD_PATTERN, analyse
from indexer.engine.snippets import Marker
from indexer.engine.writing import read_vocabulary, write_vocabulary, written_words

TEXT = ("O'Brien met Brien on 23.12.2014The security's securities rose; 2019, 2019.5 and "
        "12,2019 Security-council l’Europe Europe’s insecurity İstanbul SECURED 2019")


def word_by_word(text: str, terms: frozenset[str]) -> list[tuple[int, int, tuple[str]]]:
    """What the marker must find: each token of the analyzer's pattern, analysed alone."""
    found = []
    for match in re.finditer(WORD_PATTERN, text):
        analysed = analyse(match.group())
        if len(analysed) == 1 and analysed[0] in terms:
            found.append((match.start(), match.end(), (analysed[0],)))
    return found


def marker_for(text: str, tmp_path: Path) -> Marker:
    write_vocabulary(tmp_path, Counter(written_words(None, text)))
    return Marker(read_vocabulary(tmp_path).forms)


def test_found_words_are_the_tokens_whose_term_is_asked(tmp_path: Path) -> None:
    marker = marker_for(TEXT, tmp_path)
    for terms in (["secur"], ["brien", "europ"], ["2019"], ["2014", "secur", "council"],
                  ["insecur", "o'brien", "istanbul"], ["nothing"], ["23.12.2014"]):
        wanted = frozenset(terms)
        units = frozenset((term,) for term in terms)
        assert marker.matches(TEXT, units) == word_by_word(TEXT, wanted), terms


def test_a_snippet_marks_and_escapes(tmp_path: Path) -> None:
    text = "<b>Security</b> & securities"
    snippet = marker_for(text, tmp_path).snippet(text, frozenset({("secur",)}))
    assert snippet == "&lt;b&gt;<mark>Security</mark>&lt;/b&gt; &amp; <mark>securities</mark>"


def test_a_phrase_is_marked_only_where_its_words_follow_each_other(tmp_path: Path) -> None:
    text = ("The Collective Rapid Reaction Forces met. Forces of the collective were rapid "
            "in their reaction. The Council of Foreign Ministers, the foreign ministers.")
    marker = marker_for(text, tmp_path)
    crrf = tuple(analyse("Collective Rapid Reaction Forces"))
    marked = marker.mark_all(text, frozenset({crrf}))
    assert marked.count("<mark>") == 4
    assert marked.startswith("The <mark>Collective</mark> <mark>Rapid</mark> "
                             "<mark>Reaction</mark> <mark>Forces</mark> met.")
    # Words the index leaves out ("of", "the") may stand between a phrase's words.
    ministers = tuple(analyse("Council of Foreign Ministers"))
    assert marker.mark_all(text, frozenset({ministers})).count("<mark>") == 3
    both = marker.mark_all(text, frozenset({ministers, tuple(analyse("ministers"))}))
    assert both.count("<mark>") == 4


def test_a_snippet_shows_the_passage_with_the_weightiest_words(tmp_path: Path) -> None:
    text = ("The CSTO met its partners. " + "Nothing else was said. " * 20
            + "Afghanistan was discussed.")
    marker = marker_for(text, tmp_path)
    units = frozenset({("csto",), ("partner",), ("afghanistan",)})
    # Counted alike, two words beat one; weighted, the rare word beats the common ones.
    assert "<mark>Afghanistan</mark>" not in (marker.snippet(text, units) or "")
    weights = {("csto",): (0, 0.01), ("partner",): (1, 0.5), ("afghanistan",): (2, 4.0)}
    assert "<mark>Afghanistan</mark>" in (marker.snippet(text, units, weights) or "")

"""Synonyms and acronyms of the site's vocabulary, applied to queries when they are read.

A packaged file (`data/synonyms.json`) holds groups of words and phrases that mean the same
thing to a visitor ("CRRF", "Collective Rapid Reaction Forces"); an admin adds groups with a
`synonyms.json` of the same shape in the raw folder. Both are checked against the documented
shape, and a bad file is refused with the file, the group and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rapidfuzz import fuzz

from indexer.admin_files import json_list
from indexer.officials import is_patronymic

SYNONYMS_FILE = "synonyms.json"
MAX_ENTRY_CHARS = 100
# Groups that share an entry become one group: past this many entries, a chain of groups
# has joined words that mean different things ("a b", "b c", "c d", ...).
MAX_GROUP_ENTRIES = 50


class SynonymsError(ValueError):
    """A synonyms file that cannot be used; the message names the file and the place."""


@dataclass(frozen=True)
class Expansion:
    """What a query's words were also searched as."""

    written: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class SynonymMatch:
    """Words of a plain text that belong to a synonym group."""

    start: int
    end: int
    written: str
    others: tuple[str, ...]  # the group's other entries


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        variants = sorted(((entry, group) for group in self.groups for entry in group),
                          key=lambda pair: -len(pair[0]))
        object.__setattr__(self, "_by_key", {_key(entry): group for entry, group in variants})
        pattern = "|".join(_pattern(entry) for entry, _ in variants)
        object.__setattr__(self, "_pattern", re.compile(
            rf"(?<![\w:\-\"])(?:{pattern})(?![\w\-*?])", re.IGNORECASE) if variants else None)
        # In plain text (no query language) a final "?" ends a question.
        object.__setattr__(self, "_plain_pattern", re.compile(
            rf"(?<![\w\-])(?:{pattern})(?![\w\-])", re.IGNORECASE) if variants else None)

    def find(self, text: str) -> list[SynonymMatch]:
        """The words and phrases of a plain text (no quotes, no query language) that belong
        to a group, longest first where they overlap, in order."""
        if self._plain_pattern is None:  # type: ignore[attr-defined]
            return []
        found = []
        for match in self._plain_pattern.finditer(text):  # type: ignore[attr-defined]
            written = match.group()
            group = self._by_key[_key(written)]  # type: ignore[attr-defined]
            others = tuple(entry for entry in group if _key(entry) != _key(written))
            found.append(SynonymMatch(match.start(), match.end(), written, others))
        return found

    def expand(self, text: str) -> tuple[str, list[Expansion]]:
        """The query with every known word or phrase replaced by an OR of its group.

        Quoted phrases, field values and excluded words are left as they are."""
        if self._pattern is None:  # type: ignore[attr-defined]
            return text, []
        expansions: list[Expansion] = []

        def replace(match: re.Match[str]) -> str:
            written = match.group()
            group = self._by_key[_key(written)]  # type: ignore[attr-defined]
            others = tuple(entry for entry in group if _key(entry) != _key(written))
            expansions.append(Expansion(written, others))
            # The visitor's own words keep their meaning (all of them, anywhere); the
            # alternatives are phrases.
            own = "(" + hyphens_as_phrases(written) + ")" if " " in written else \
                hyphens_as_phrases(written)
            return "(" + " OR ".join([own, *(_quoted(entry) for entry in others)]) + ")"

        parts = re.split(r'("[^"]*")', text)
        expanded = "".join(part if part.startswith('"')
                           else self._pattern.sub(replace, part)  # type: ignore[attr-defined]
                           for part in parts)
        return expanded, expansions


# A word with a hyphen inside ("Nagorno-Karabakh", "Brotherhood-2019") is one word of the
# site's; only a hyphen in front of a word ("-Moscow") excludes it.
_HYPHENATED = re.compile(r"(?<![\w\-*?\"])(-?)(\w+(?:-\w+)+)(?![\w*?\"])")


def hyphens_as_phrases(text: str) -> str:
    """Hyphenated words outside quotes become the phrase of their parts."""
    def phrase(match: re.Match[str]) -> str:
        return f'{match.group(1)}"{match.group(2).replace("-", " ")}"'

    parts = re.split(r'("[^"]*")', text)
    return "".join(part if part.startswith('"') else _HYPHENATED.sub(phrase, part)
                   for part in parts)


def rewrite_query(text: str, synonyms: Synonyms) -> tuple[str, list[Expansion]]:
    """The query as the engine reads it: synonyms expanded, hyphenated words as phrases."""
    expanded, expansions = synonyms.expand(text)
    return hyphens_as_phrases(expanded), expansions


def _key(entry: str) -> str:
    return " ".join(re.findall(r"\w+", entry.casefold()))


def _pattern(entry: str) -> str:
    return r"[\s\-]+".join(re.escape(word) for word in re.findall(r"\w+", entry))


def _quoted(entry: str) -> str:
    words = re.findall(r"\w+", entry)
    return words[0] if len(words) == 1 else '"' + " ".join(words) + '"'


def parse_synonyms(text: str, source: str) -> tuple[tuple[str, ...], ...]:
    """The groups of a synonyms file, or a SynonymsError that says where it is wrong."""
    rows = json_list(text, source, "groups",
                     '{"groups": [["CRRF", "Collective Rapid Reaction Forces"]]}', SynonymsError)
    groups = []
    for number, group in enumerate(rows, 1):
        if not isinstance(group, list) or len(group) < 2:
            raise SynonymsError(f"{source}, group {number}: a group is a list of two or more "
                                "words or phrases")
        for entry in group:
            if not isinstance(entry, str) or not re.search(r"\w", entry):
                raise SynonymsError(f"{source}, group {number}: {entry!r} is not a word or "
                                    "phrase")
            if len(entry) > MAX_ENTRY_CHARS:
                raise SynonymsError(f"{source}, group {number}: an entry is longer than "
                                    f"{MAX_ENTRY_CHARS} characters")
        groups.append(tuple(dict.fromkeys(entry.strip() for entry in group)))
    return tuple(groups)


def load_synonyms(extra: Path | None = None) -> Synonyms:
    """The packaged groups, merged with an admin's file where both name the same entry."""
    packaged = resources.files("indexer.data").joinpath(SYNONYMS_FILE).read_text("utf-8")
    groups = list(parse_synonyms(packaged, f"indexer/data/{SYNONYMS_FILE}"))
    if extra is not None and extra.is_file():
        try:
            text = extra.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SynonymsError(f"{extra}: cannot be read ({error})") from None
        groups += parse_synonyms(text, str(extra))
    merged = merge_groups(groups)
    largest = max(merged, key=len, default=())
    if len(largest) > MAX_GROUP_ENTRIES:
        raise SynonymsError(
            f"{extra}: groups that share entries make one group of {len(largest)} entries "
            f"({', '.join(largest[:4])}, ...), over {MAX_GROUP_ENTRIES}: some groups share a "
            "word that joins unrelated ones in a chain; give each meaning its own words")
    return Synonyms(merged)


def merge_groups(groups: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Groups sharing an entry become one group (union-find over the entries' keys: linear
    in the number of entries)."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for group in groups:
        keys = [_key(entry) for entry in group]
        for key in keys:
            parent.setdefault(key, key)
        for key in keys[1:]:
            parent[root(key)] = root(keys[0])
    members: dict[str, list[str]] = {}
    for group in groups:
        for entry in group:
            members.setdefault(root(_key(entry)), []).append(entry)
    return tuple(tuple(dict.fromkeys(entries)) for entries in members.values())


NAME_SIMILARITY = 70  # rapidfuzz ratio of two spellings of one name word


def name_variant_groups(spellings: dict[str, list[str]]) -> tuple[tuple[str, ...], ...]:
    """The given names and surnames spelt in more than one way among the spellings of each
    person (as the people stage recorded them): "Shoigu" and "Shoygu", "Valery" and
    "Valeriy". A search for one spelling finds the others."""
    groups = []
    for canonical, written in spellings.items():
        parts = canonical.split()
        if len(parts) < 2:
            continue
        given, surname = parts[0], parts[-1]
        variants: dict[str, list[str]] = {given: [given], surname: [surname]}
        for spelling in written:
            for word in re.findall(r"[^\W\d_]{3,}(?:-[^\W\d_]+)*", spelling):
                if is_patronymic(word):
                    continue
                scores = {part: max(fuzz.ratio(word.lower(), seen.lower()) for seen in words)
                          for part, words in variants.items()}
                best = max(scores, key=lambda part: scores[part])
                if scores[best] >= NAME_SIMILARITY:
                    variants[best].append(word)
        groups += [tuple(dict.fromkeys(words)) for words in variants.values()
                   if len({_key(word) for word in words}) > 1]
    return merge_groups(groups)

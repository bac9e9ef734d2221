"""The people a page names, each under one canonical name.

Names are recognised three ways, all from data an admin can extend:
- the registry of officials (`data/officials.json`: canonical name, aliases, role, country);
- a given name from `data/given_names.txt` followed by a surname, in either order and with
  or without a patronymic ("Valeriy Anatolyevich Semerikov", "Semerikov Valeriy Anatolyevich");
- a military rank or form of address before two capitalised words ("Colonel General X Y").
Transliteration variants (Valery/Valeriy, Zainetdinov/Zaynetdinov, Yuri/Yury) are folded into
one key and matched with rapidfuzz, against the registry first and then across the corpus.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz

from indexer.data import ENGLISH_WORDS_FILE, word_list
from indexer.officials import Official, is_patronymic, load_officials

SURNAME_SIMILARITY = 88  # rapidfuzz ratio of folded surnames that are one person
GIVEN_NAME_SIMILARITY = 75
NOT_NAMES_FILE = "not_names.txt"
# Words of office that announce a name ("Secretary General Zhang Ming") or follow it
# ("Vadim Sinyavsky, Minister for Emergency Situations").
ROLE_WORDS = frozenset({
    "secretary", "secretary-general", "general", "minister", "president", "vice-president",
    "chairman", "chairwoman", "chairperson", "chair", "speaker", "ambassador", "director",
    "director-general", "head", "chief", "commander", "commander-in-chief", "deputy",
    "representative", "envoy", "rector", "professor", "adviser", "advisor", "coordinator",
    "governor", "mayor", "premier", "spokesman", "spokesperson", "officer", "colonel",
    "lieutenant", "major", "admiral", "captain", "leader", "chancellor", "senator",
    "counsellor", "counselor", "ombudsman", "editor", "editor-in-chief", "correspondent",
    "journalist", "expert", "founder", "prosecutor", "commissioner", "consul", "inspector",
    "colonel-general", "lieutenant-general", "major-general", "army-general", "attaché",
    "patriarch", "metropolitan", "secretaries", "ministers", "presidents", "heads",
})
_FUNCTION_WORDS = frozenset({"of", "the", "for", "on", "in", "and", "at", "to", "de", "under",
                             "a", "an", "its", "with"})
_NAME_WORD = re.compile(
    r"^[A-ZÀ-ÖØ-ÞА-ЯЁ][A-Za-zÀ-ÖØ-öø-ÿА-Яа-яЁё'’]+(?:-[A-ZА-ЯЁ][a-zà-ÿа-яё'’]+)?$")
_ROLE = "|".join(sorted((re.escape(word) for word in ROLE_WORDS), key=len, reverse=True))
_ROLE_AFTER = re.compile(
    r"^\s*(?:,|–|—|-)\s*(?:(?:the|a|an|first|acting|former|newly|appointed|then)\s+"
    rf"|[A-ZА-ЯЁ][\w’'.-]*\s+){{0,5}}(?i:{_ROLE})\b")
_SPEECH_AFTER = re.compile(r"^\s*,?\s*(?:said|says|noted|stressed|emphasi[sz]ed|stated|added|"
                           r"told|recalled|underlined|pointed out)\b")
_ROLE_IN_CLAUSE = re.compile(rf"\b(?i:{_ROLE})\b")
_CLAUSE_END = re.compile(r"[.;!?:\n](?=\s)")

_SURNAME_FIRST_SUFFIX = re.compile(r"(?:zoda|zade|zada)$", re.IGNORECASE)
_ROMAN_NUMERAL = re.compile(r"^(?=[MDCLXVI])M{0,3}(?:C[MD]|D?C{0,3})(?:X[CL]|L?X{0,3})"
                            r"(?:I[XV]|V?I{0,3})$")
_INITIALS = re.compile(r"^(?!(?:Mr|Mrs|Ms|Dr)\.)(?:[A-Z][a-z]?\.){1,3}$")
_CAPITALISED = (
    r"(?:(?!(?:Mr|Mrs|Ms|Dr)\.)(?:[A-Z][a-z]?\.){1,3}(?=\s?[A-Z])"  # initials: "I.N.", "Sh.J."
    r"|[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’]*(?:-[^\W\d_][\w'’]*)*)"  # a capitalised, maybe hyphenated word
)
_TOKEN = re.compile(_CAPITALISED)
_RUN = re.compile(rf"{_CAPITALISED}(?: ?{_CAPITALISED})*")
_RANK_BEFORE_NAME = re.compile(
    r"\b(?:(?:Colonel|Lieutenant|Major|Army)[ -]General|Mr\.|Mrs\.|Ms\.|Dr\.)\s+$"
)
_ACRONYMS = frozenset({"CSTO", "CIS", "UN", "SCO", "OSCE", "NATO", "EU", "USA", "RF", "CSC",
                       "CRRF", "PA", "ICMEC", "RT", "TV", "RATS", "ATC", "CFM", "CMD", "CSSC"})
_NOT_SURNAMES = frozenset({
    "the", "of", "and", "in", "on", "at", "for", "to", "with", "by", "from", "as", "a", "an",
    "republic", "federation", "state", "states", "street", "university", "academy", "region",
    "oblast", "square", "avenue", "council", "committee", "assembly", "organization",
    "secretary", "general", "minister", "president", "chairman", "deputy", "chief", "head",
    "day", "forum", "ministry", "staff", "forces", "security", "treaty", "collective",
    "dear", "mr", "mrs", "ms", "dr", "sir", "madam", "colonel", "lieutenant", "major", "army",
    "colonel-general", "lieutenant-general", "major-general", "army-general", "admiral",
})


class Mention(NamedTuple):
    """A name as written: a given name (or initials) and a surname (a tuple: the cleaning
    cache holds hundreds of thousands, and tuples load fast)."""

    given: str  # a given name, or initials such as "I.N."
    surname: str

    @property
    def has_initials_only(self) -> bool:
        return _INITIALS.match(self.given) is not None

    @property
    def display(self) -> str:
        return f"{self.given} {self.surname}"


def fold(name: str) -> str:
    """Spelling-insensitive key: no accents, case, y/i, kh/h, or doubled letters."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("kh", "h").replace("y", "i").replace("j", "zh")
    return re.sub(r"(.)\1+", r"\1", re.sub(r"[^\w]|[\d_]", "", text))


def smart_case(word: str) -> str:
    """TASMAGAMBETOV -> Tasmagambetov; mixed case is kept as written."""
    if word.isupper() and len(word) > 1 and word.replace("-", "").isalpha():
        return "-".join(part.capitalize() for part in word.split("-"))
    return word


def _same_given(one: str, other: str) -> bool:
    if _INITIALS.match(one) or _INITIALS.match(other):
        return fold(one)[:1] == fold(other)[:1]
    return fuzz.ratio(fold(one), fold(other)) >= GIVEN_NAME_SIMILARITY


def same_person(one: Mention, other: Mention) -> bool:
    return (fuzz.ratio(fold(one.surname), fold(other.surname)) >= SURNAME_SIMILARITY
            and _same_given(one.given, other.given))


@dataclass(frozen=True)
class NameLexicon:
    """Everything that recognises names: the registry, given names, and words never in one."""

    officials: tuple[Official, ...]
    given_names: frozenset[str]
    known: tuple[tuple[Official, Mention], ...] = ()  # every registry spelling, parsed
    not_names: frozenset[str] = frozenset()  # places, peoples, organisations (casefolded)
    common_words: frozenset[str] = frozenset()  # common English words, never a name

    def is_known_surname(self, written: str) -> bool:
        return any(fold(known.surname) == fold(written) for _, known in self.known)

    def could_be_name(self, written: str) -> bool:
        """Could this capitalised word be part of a name no list knows?"""
        word = written.casefold()
        if not _NAME_WORD.match(written) or (written.isupper() and len(written) <= 5):
            return False  # not a word of letters, or an acronym
        return (word not in self.not_names and word not in _NOT_SURNAMES
                and word not in ROLE_WORDS and word not in self.common_words)

    def is_given_name(self, word: str) -> bool:
        return fold(word) in self.given_names

    def find_official(self, mention: Mention) -> Official | None:
        return next((official for official, known in self.known
                     if same_person(mention, known)), None)


def registry_spellings(officials: Iterable[Official]) -> tuple[tuple[Official, Mention], ...]:
    return tuple((official, mention) for official in officials
                 for written in (official.name, *official.aliases)
                 if (mention := parse_full_name(written)) is not None)


def parse_full_name(written: str) -> Mention | None:
    """A registry spelling: "Given [Patronymic] Surname" or "Surname Given Patronymic"."""
    words = written.split()
    if len(words) < 2:
        return None
    if len(words) >= 3 and is_patronymic(words[-1]) and not _INITIALS.match(words[0]):
        return Mention(words[1], words[0])
    return Mention(words[0], words[-1])


def load_lexicon(extra_registry: Path | None = None) -> NameLexicon:
    """The packaged registry and names, plus an admin's own officials.json if given."""
    officials = load_officials(extra_registry)
    names = {fold(word) for line in resources.files("indexer.data").joinpath(
        "given_names.txt").read_text("utf-8").splitlines() if not line.startswith("#")
        for word in line.split()}
    known = registry_spellings(officials)
    names |= {fold(mention.given) for _, mention in known if not mention.has_initials_only}
    return NameLexicon(officials, frozenset(names), known, word_list(NOT_NAMES_FILE),
                       word_list(ENGLISH_WORDS_FILE))


def _is_surname(word: str) -> bool:
    if word.casefold() in _NOT_SURNAMES or word in _ACRONYMS or _INITIALS.match(word):
        return False
    return word[0].isupper() and len(word) >= 2 and not is_patronymic(word)


def _capitalised_runs(text: str) -> Iterable[list[re.Match[str]]]:
    """Runs of adjacent capitalised tokens, as regex matches (so their positions are known).
    A Roman numeral ("the II Minsk Conference", "the XIX meeting") numbers an event and is
    never part of a name: runs break there."""
    for run in _RUN.finditer(text):
        part: list[re.Match[str]] = []
        for token in _TOKEN.finditer(text, run.start(), run.end()):
            if _ROMAN_NUMERAL.match(token.group()):
                if part:
                    yield part
                part = []
            else:
                part.append(token)
        if part:
            yield part


def find_mentions(text: str, lexicon: NameLexicon) -> list[Mention]:
    mentions: list[Mention] = []
    for run in _capitalised_runs(text):
        words = [smart_case(m.group()) for m in run]
        index = 0
        found_in_run = False
        while index < len(words):
            start = run[index].start()
            found = _mention_at(words, index, lexicon, text[max(0, start - 40):start])
            if found is None:
                index += 1
                continue
            mention, used = found
            mentions.append(mention)
            found_in_run = True
            index += used
        if not found_in_run:
            cued = _cued_mention(text, run, lexicon)
            if cued is not None:
                mentions.append(cued)
    return mentions


def _cued_mention(text: str, run: list[re.Match[str]], lexicon: NameLexicon) -> Mention | None:
    """A name no list knows, announced by its office: "Secretary General Zhang Ming",
    "Minister ... of Kazakhstan, Syrym Sharipkhanov", "Vadim Sinyavsky, Minister for ..."."""
    written = [m.group() for m in run]
    first = len(written)
    while first > 0 and (lexicon.could_be_name(written[first - 1])
                         or (first < len(written) and _INITIALS.match(written[first - 1]))):
        first -= 1
    names = [smart_case(word) for word in written[first:]]
    if not 2 <= len(names) <= 3 or _INITIALS.match(names[-1]):
        return None
    if len(names) == 3 and not (_INITIALS.match(names[1]) or is_patronymic(names[1])):
        if not is_patronymic(names[2]):
            return None
        names = [names[1], names[0]]  # "Surname Given Patronymic"
    mention = Mention(names[0], names[-1])
    before = written[:first]
    if any(word.casefold() in ROLE_WORDS for word in before):
        return mention  # "... Organization Secretary General Zhang Ming"
    after = text[run[-1].end():run[-1].end() + 80]
    if not before and (_ROLE_AFTER.match(after) or _SPEECH_AFTER.match(after)):
        return mention
    clause = text[:run[first].start()][-200:]
    clause = clause[max((m.end() for m in _CLAUSE_END.finditer(clause)), default=0):]
    roles = list(_ROLE_IN_CLAUSE.finditer(clause))
    if roles and _only_names_and_function_words(clause[roles[-1].end():]):
        return mention
    return None


def _only_names_and_function_words(text: str) -> bool:
    """Between an office and a name: "of the Republic of Kazakhstan, " and the like."""
    return all(word[0].isupper() or word.isdigit() or word in _FUNCTION_WORDS
               for word in re.findall(r"[\w’'-]+", text))


def _mention_at(words: list[str], index: int, lexicon: NameLexicon,
                before: str) -> tuple[Mention, int] | None:
    word = words[index]
    rest = words[index + 1:]
    if index and _SURNAME_FIRST_SUFFIX.search(words[index - 1]) and lexicon.is_given_name(word):
        return None  # "Zokirzoda Mahmadtoir Zoyir": read surname first, below
    if _INITIALS.match(word) and rest and _is_surname(rest[0]) \
            and (lexicon.could_be_name(rest[0]) or lexicon.is_known_surname(rest[0])):
        return Mention(word, rest[0]), 2
    is_given = lexicon.is_given_name(word)
    after_rank = _RANK_BEFORE_NAME.search(before) is not None
    if not (is_given or after_rank):
        return None
    # Surname first: "Semerikov Valeriy Anatolyevich" (the surname is the previous word).
    # A patronymic or a middle initial between the given name and the surname belongs to
    # the name: "Alexander Grigoryevich Lukashenko", "Alexander G. Lukashenko".
    patronymics = 0
    while patronymics < len(rest) and (is_patronymic(rest[patronymics])
                                       or _INITIALS.match(rest[patronymics])):
        patronymics += 1
    after = rest[patronymics:]
    if after and _is_surname(after[0]):
        return Mention(word, after[0]), 2 + patronymics
    return None


def surname_first_mentions(text: str, lexicon: NameLexicon) -> list[Mention]:
    """ "Surname Given Patronymic", the order of official lists."""
    found = []
    for run in _capitalised_runs(text):
        words = [smart_case(m.group()) for m in run]
        for index in range(len(words) - 2):
            surname, given, patronymic = words[index:index + 3]
            name_follows = index + 3 < len(words) and _is_surname(words[index + 3])
            # Tajik names put the father's name last without a suffix: "Zokirzoda
            # Mahmadtoir Zoyir"; the surname's own suffix says the order.
            fathers_name = is_patronymic(patronymic) or (
                _SURNAME_FIRST_SUFFIX.search(surname) and lexicon.could_be_name(patronymic))
            if (_is_surname(surname) and lexicon.is_given_name(given)
                    and fathers_name and not name_follows):
                found.append(Mention(given, surname))
    return found


@dataclass(frozen=True)
class Person:
    """One canonical person and every spelling seen or known for them."""

    name: str
    spellings: tuple[str, ...]
    official: Official | None = None


class PeopleResolver:
    """Maps mentions to canonical people, consistently over a whole corpus."""

    def __init__(self, lexicon: NameLexicon, corpus_mentions: Iterable[Mention]) -> None:
        self.lexicon = lexicon
        self._resolved: dict[Mention, Person | None] = {}
        counts = Counter(m for m in corpus_mentions if not m.has_initials_only)
        # Clusters by the surname's first letter: variants never differ there.
        self._clusters: dict[str, list[list[Mention]]] = defaultdict(list)
        for mention, _ in counts.most_common():
            clusters = self._clusters[fold(mention.surname)[:1]]
            cluster = next((c for c in clusters if same_person(mention, c[0])), None)
            if cluster is None:
                clusters.append([mention])
            else:
                cluster.append(mention)
        # Every spelling the corpus uses for an official, beside the registry's: a visitor
        # who types the site's own odd spelling finds all the official's pages.
        self._seen: dict[str, set[str]] = defaultdict(set)
        for mention in counts:
            official = lexicon.find_official(mention)
            if official is not None:
                self._seen[official.name].add(mention.display)

    def resolve(self, mention: Mention) -> Person | None:
        if mention not in self._resolved:
            self._resolved[mention] = self._resolve(mention)
        return self._resolved[mention]

    def _resolve(self, mention: Mention) -> Person | None:
        official = self.lexicon.find_official(mention)
        if official is not None:
            spellings = {official.name, *official.aliases, *self._seen[official.name]}
            return Person(official.name, tuple(sorted(spellings)), official)
        clusters = self._clusters[fold(mention.surname)[:1]]
        cluster = next((c for c in clusters if same_person(mention, c[0])), None)
        if cluster is None:  # initials only, and nobody known by that surname: as written
            return Person(mention.display, (mention.display,))
        # The most frequent full spelling in the corpus names the person.
        return Person(cluster[0].display, tuple(sorted({m.display for m in cluster})))


def mentions_in(text: str, lexicon: NameLexicon) -> list[Mention]:
    return find_mentions(text, lexicon) + surname_first_mentions(text, lexicon)


def people_in(mentions: Sequence[Mention], resolver: PeopleResolver) -> list[Person]:
    """Canonical people in order of first mention, each once."""
    people: dict[str, Person] = {}
    for mention in mentions:
        person = resolver.resolve(mention)
        if person is not None and person.name not in people:
            people[person.name] = person
    return list(people.values())


@cache
def default_lexicon() -> NameLexicon:
    return load_lexicon()

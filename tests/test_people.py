"""Stage 5: people named in the article, one canonical name each."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.people import (
    NameLexicon,
    PeopleResolver,
    load_lexicon,
    mentions_in,
    people_in,
)


def canonical(texts: list[str], lexicon: NameLexicon) -> list[list[str]]:
    """Canonical names per text, resolved over all the texts as one corpus."""
    mentions = [mentions_in(text, lexicon) for text in texts]
    resolver = PeopleResolver(lexicon, (m for ms in mentions for m in ms))
    return [[p.name for p in people_in(ms, resolver)] for ms in mentions]


def test_spelling_variants_of_registry_officials_are_one_person(lexicon) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "The CSTO Deputy Secretary General Valery Semerikov met them.",
        "Valeriy Anatolyevich Semerikov said so.",
        "Semerikov Valeriy Anatolyevich (biographical information) - Russian Federation",
        "Addressing the Conference participants, V. Semerikov said.",
        "The CSTO Secretary General I.N. Tasmagambetov met the Ambassador.",
        "The Newly appointed Secretary General Imangali TASMAGAMBETOV was presented.",
        "CSTO press secretary Vladimir Zainetdinov",
        "The CSTO Press Secretary Vladimir Zaynetdinov",
        "Yuri Khachaturov and Yury Khachaturov",
    ]
    assert canonical(texts, lexicon) == [
        ["Valery Semerikov"], ["Valery Semerikov"], ["Valery Semerikov"], ["Valery Semerikov"],
        ["Imangali Tasmagambetov"], ["Imangali Tasmagambetov"],
        ["Vladimir Zaynetdinov"], ["Vladimir Zaynetdinov"], ["Yuri Khachaturov"],
    ]


def test_people_outside_the_registry_are_discovered_and_merged(lexicon) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "Colonel General Ivan Petrovsky, the Head of the Staff, spoke.",
        "Ivan Petrovskiy also said that the trainings were useful.",
        "Ivan Petrovsky thanked the participants.",
        "The speech was given by Lieutenant General Khabib Nurmagov.",
    ]
    assert canonical(texts, lexicon) == [["Ivan Petrovsky"], ["Ivan Petrovsky"],
                                         ["Ivan Petrovsky"], ["Khabib Nurmagov"]]


def test_no_people_from_capitalised_phrases(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = ("The Collective Security Council of the Republic of Belarus met in Minsk. "
            "Dear Alexander Grigorievich, Please accept my congratulations. In September, "
            'the "Interaction-2023" training was held. Colonel-General Andrei Nikolayevich '
            "Serdyukov spoke.")
    assert canonical([text], lexicon) == [["Andrei Serdyukov"]]


def test_registry_spellings_are_kept_for_search(lexicon) -> None:  # type: ignore[no-untyped-def]
    mentions = mentions_in("Army General Sergei Shoigu", lexicon)
    (person,) = people_in(mentions, PeopleResolver(lexicon, mentions))
    assert "Sergei Shoygu" in person.spellings
    assert person.official is not None and "Defence" in person.official.role


def test_an_admin_can_extend_the_registry(tmp_path: Path) -> None:
    extra = tmp_path / "officials.json"
    extra.write_text(json.dumps({"officials": [
        {"name": "Zhanibek Qwertyuly", "aliases": ["Janibek Kvertiuly"], "role": "Envoy",
         "country": "Kazakhstan"}]}))
    lexicon = load_lexicon(extra)
    assert canonical(["Envoy Janibek Kvertiuly arrived."], lexicon) == [["Zhanibek Qwertyuly"]]

"""Stage 5: people named in the article, one canonical name each."""

from __future__ import annotations

import json
from pathlib import Path

from indexer.cleaning.people import (
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


def test_names_outside_every_list_are_read_from_the_office_around_them(lexicon) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "The CSTO Secretary General met the Shanghai Cooperation Organization Secretary "
        "General Qiao Lanfeng at the Secretariat.",
        "the Minister for Emergency Situations of the Republic of Kazakhstan, Syrym "
        "Sharipkhanov; the Minister of Defence",
        "The meeting was chaired by Dauletbek Omirzakov, Deputy Minister of Defence.",
        '"We are ready," Tursunbek Zhakupov said.',
        "Head of the UN Regional Centre for Preventive Diplomacy for Central Asia (UNRCCA) "
        "Aidarbek Tolonov spoke.",
    ]
    assert canonical(texts, lexicon) == [
        ["Qiao Lanfeng"], ["Syrym Sharipkhanov"], ["Dauletbek Omirzakov"],
        ["Tursunbek Zhakupov"], ["Aidarbek Tolonov"]]


def test_places_organisations_and_common_words_are_not_people(lexicon) -> None:  # type: ignore[no-untyped-def]
    text = ("The Chief of the Joint Staff spoke in St. Petersburg. The President of the Kyrgyz "
            "Republic visited the United Nations. The Minister of Natural Resources met the "
            "Head of the Preventive Diplomacy Centre.")
    assert canonical([text], lexicon) == [[]]


def test_initials_with_an_unknown_surname_are_kept_as_written(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert canonical(["Colonel R. Zhakupov reported on the exercise."], lexicon) == [
        ["R. Zhakupov"]]


def test_tajik_surname_first_order(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert canonical(["Minister Zokirzoda Mahmadtoir Zoyir spoke."], lexicon) == [
        ["Mahmadtoir Zokirzoda"]]


def test_the_sites_own_spellings_of_an_official_are_one_person(lexicon) -> None:  # type: ignore[no-untyped-def]
    texts = ["Deputy Secretary General Taalatbek Masadikov took part.",
             "CSTO Secretary General Talatbek Masadykov addressed the meeting."]
    assert canonical(texts, lexicon) == [["Taalatbek Masadykov"], ["Taalatbek Masadykov"]]


def test_numbers_of_events_are_not_names_and_middle_initials_join_the_name(lexicon) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "The II Minsk Conference on Eurasian Security opened.",
        "The XIX meeting of the Commission, the XXI Century Forum and the III Forum.",
        "President Alexander G. Lukashenko addressed the participants.",
        "Alexander Lukashenko met the delegation.",
    ]
    assert canonical(texts, lexicon) == [[], [], ["Alexander Lukashenko"],
                                         ["Alexander Lukashenko"]]


def test_a_name_cut_at_the_end_of_a_cut_copy_is_not_an_official(
        write_raw) -> None:  # type: ignore[no-untyped-def]
    from indexer.building.corpus import clean_corpus
    from tests.conftest import SIDEBAR_A, SIDEBAR_B, article

    cut = article("The delegation met in Bishkek", "10.10.2024",
                  "On 10 October 2024, the delegation met Talant Mamytov and Alymbek Sul",
                  footer=())
    whole = article("The Council met", "11.10.2024",
                    "On 11 October 2024, the Council met Talant Mamytov in Bishkek.",
                    sidebar=SIDEBAR_B)
    corpus = clean_corpus(write_raw({"cut.txt": cut.rstrip("\n"), "whole.txt": whole,
                                     "other.txt": article("Another", "12.10.2024",
                                                          "On 12 October 2024, we met.",
                                                          sidebar=SIDEBAR_A)}))
    pages = {cleaned.page.source: cleaned.page for cleaned in corpus.pages}
    assert pages["cut.txt"].cut and not pages["whole.txt"].cut
    assert pages["cut.txt"].people == ("Talant Mamytov",)

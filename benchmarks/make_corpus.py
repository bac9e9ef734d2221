"""Deterministic synthetic corpora that look like the CSTO site, for measuring at scale.

    python benchmarks/make_corpus.py 10000 benchmarks/out/corpus-10k [--seed 1]
        [--words 1000 1500]   # long pages: the length of the site's statements, interviews

Pages are plain text as the crawler stores them: a "latest news" sidebar that depends on the
crawl day, a title and its "title DD.MM.YYYY" line (or a date glued to the lead, or a date in
the lead sentence), body paragraphs, 0-4 officials from a pool with spelling variants, and the
site's footer. Body words follow a Zipf law over a vocabulary that grows with the corpus
(Heaps' law), so a 100k corpus has a longer tail than a 10k one. About 2% of the pages are
saved twice, on different days. A manifest.jsonl gives every page a URL.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED_TEXT = HERE.parent / "raw"
ZIPF_EXPONENT = 1.07
HEAPS_K, HEAPS_BETA = 9000, 0.55  # vocabulary = K * (pages / 1000) ** beta
WORDS_PER_PAGE = (150, 700)
PAGES_PER_DIR = 1000
DUPLICATE_SHARE = 0.02
# Phrases the site uses often; the benchmark's phrase queries look for them.
PHRASES = ("collective security", "joint staff", "crisis response", "peacekeeping forces",
           "member states", "drug trafficking", "border area", "rapid reaction",
           "information security", "military cooperation")
# Officials as the pages spell them: the same person in several spellings.
OFFICIALS = (
    ("CSTO Secretary General", ("Imangali Tasmagambetov", "I.N. Tasmagambetov",
                                "Imangali TASMAGAMBETOV")),
    ("CSTO Secretary General", ("Stanislav Zas", "Stanislav ZAS")),
    ("CSTO Deputy Secretary General", ("Valery Semerikov", "Valeriy Semerikov",
                                       "Valeriy Anatolyevich Semerikov")),
    ("CSTO Deputy Secretary General", ("Samat Ordabayev", "Samat Ordabaev")),
    ("Chief of the CSTO Joint Staff", ("Anatoly Sidorov", "Anatoliy Sidorov")),
    ("Chief of the CSTO Joint Staff", ("Andrei Serdyukov", "Andrey Serdyukov")),
    ("CSTO Press Secretary", ("Vladimir Zaynetdinov", "Vladimir Zainetdinov")),
    ("Minister of Defence", ("Sergei Shoigu", "Sergey Shoigu")),
    ("Minister of Foreign Affairs", ("Sergey Lavrov", "Sergei Lavrov")),
    ("President of the Republic of Belarus", ("Alexander Lukashenko",)),
    ("Lieutenant General", ("Viktor Khrenin",)),
    ("Colonel General", ("Ruslan Zhaksylykov",)),
    ("Deputy Chief of the Joint Staff", ("Hasan Kaloyev", "Khasan Kaloev")),
    ("Head of Department", ("Petr Koronevskiy",)),
    ("Chairman of the Council", ("Boris Gryzlov",)),
    ("Rector", ("Irina Kraeva",)),
)
SYLLABLES = ("ka", "ro", "mi", "ta", "ne", "so", "vi", "la", "du", "pe", "zo", "ri", "ga", "bo",
             "te", "nu", "sha", "kho", "ev", "an", "ov", "is", "ur", "el")


def seed_vocabulary() -> list[str]:
    """Real words of the site, most frequent first, from the sample pages."""
    counts: dict[str, int] = {}
    for page in sorted(SEED_TEXT.glob("*.txt")):
        for word in re.findall(r"[a-z]{2,}", page.read_text("utf-8").lower()):
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


def pseudo_word(rank: int) -> str:
    """A pronounceable, unique word for a rank of the vocabulary's long tail."""
    parts = []
    rank += len(SYLLABLES)
    while rank:
        rank, digit = divmod(rank, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts)


@dataclass
class Vocabulary:
    words: list[str]
    cumulative: list[float]

    @classmethod
    def for_pages(cls, pages: int) -> Vocabulary:
        size = int(HEAPS_K * (pages / 1000) ** HEAPS_BETA)
        real = seed_vocabulary()
        words = real + [pseudo_word(rank) for rank in range(size - len(real))]
        weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(size)]
        return cls(words, list(itertools.accumulate(weights)))

    def sample(self, rng: random.Random, count: int) -> list[str]:
        total = self.cumulative[-1]
        return [self.words[bisect.bisect(self.cumulative, rng.random() * total)]
                for _ in range(count)]


def sentence(rng: random.Random, vocabulary: Vocabulary, extra: str = "") -> str:
    words = vocabulary.sample(rng, rng.randint(10, 24))
    if rng.random() < 0.35:
        words.insert(rng.randrange(len(words)), rng.choice(PHRASES))
    if extra:
        words.insert(rng.randrange(len(words)), extra)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def site_date(rng: random.Random) -> date:
    start = date(2002, 1, 1)
    span = (date(2025, 12, 31) - start).days
    return start + timedelta(days=int(span * rng.random() ** 0.6))  # more recent news


def english_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


@dataclass
class Page:
    number: int
    title: str
    published: date
    lead: str
    paragraphs: list[str]
    footer: list[str]


def make_page(number: int, rng: random.Random, vocabulary: Vocabulary,
              words: tuple[int, int] = WORDS_PER_PAGE) -> Page:
    published = site_date(rng)
    people = rng.sample(OFFICIALS, rng.choice((0, 1, 1, 2, 2, 3, 4)))
    mentions = [f"the {role} {rng.choice(spellings)}" for role, spellings in people]
    topic = " ".join(vocabulary.sample(rng, rng.randint(3, 7)))
    subject = mentions[0][4:] if mentions else "The CSTO Secretariat"
    verb = rng.choice(("took part in", "met", "held", "discussed"))
    title = f"{subject[0].upper()}{subject[1:]} {verb} {topic}"
    opening = sentence(rng, vocabulary, mentions[0] if mentions else "")
    lead = f"On {english_date(published)}, {opening[0].lower()}{opening[1:]}"
    target = rng.randint(*words)
    paragraphs, written = [], len(lead.split())
    extra = iter(mentions[1:])
    while written < target:
        paragraph = " ".join(sentence(rng, vocabulary, next(extra, "")) for _ in
                             range(rng.randint(2, 5)))
        if rng.random() < 0.05:
            paragraph = f"IMG_{rng.randint(1000, 9999)}.JPG{paragraph}"
        paragraphs.append(paragraph)
        written += len(paragraph.split())
    footer = ["Go back", "Back to the section", "Back to the all news"]
    if rng.random() < 0.3:
        footer = [f"The CSTO Press Secretary {rng.choice(OFFICIALS[6][1])}",
                  "Email: odkb-pressa@gov.ru", *footer]
    return Page(number, title, published, lead, paragraphs, footer)


def page_text(page: Page, sidebar: list[str], rng: random.Random) -> str:
    blocks = list(sidebar)
    stamp = page.published.strftime("%d.%m.%Y")
    style = rng.random()
    if style < 0.7:
        blocks += [page.title, f"{page.title} {stamp}", page.lead]
    elif style < 0.85:
        blocks += [page.title, stamp + page.lead]
    else:
        blocks += [page.title, page.lead]
    return "\n\n".join(blocks + page.paragraphs + page.footer) + "\n"


def sidebar_for(day: int, leads: list[str], rng_seed: int) -> list[str]:
    """The "latest news" of a crawl day: the leads of a few recent articles."""
    rng = random.Random(rng_seed * 1_000_003 + day)
    items = rng.sample(leads, min(len(leads), rng.randint(4, 6)))
    dated = rng.random() < 0.4
    blocks: list[str] = []
    for item in items:
        if dated:
            blocks.append(f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2024")
        blocks.append(item)
    return blocks


def write_corpus(pages: int, out: Path, seed: int,
                 words: tuple[int, int] = WORDS_PER_PAGE) -> None:
    rng = random.Random(seed)
    vocabulary = Vocabulary.for_pages(pages)
    made = [make_page(number, rng, vocabulary, words) for number in range(pages)]
    leads = [page.lead for page in made[: max(50, pages // 20)]]
    crawl_days = max(5, pages // 25)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for page in made:
            copies = 2 if rng.random() < DUPLICATE_SHARE else 1
            for copy in range(copies):
                name = f"{page.number // PAGES_PER_DIR:03d}/p{page.number:06d}-{copy}.txt"
                path = out / name
                path.parent.mkdir(exist_ok=True)
                sidebar = sidebar_for(rng.randrange(crawl_days), leads, seed)
                path.write_text(page_text(page, sidebar, rng), encoding="utf-8")
                url = f"https://en.odkb-csto.org/news/news_odkb/{page.number}/"
                manifest.write(json.dumps({"file": name, "url": url}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--words", type=int, nargs=2, default=WORDS_PER_PAGE,
                        metavar=("MIN", "MAX"), help="words per page")
    args = parser.parse_args()
    write_corpus(args.pages, args.out, args.seed, tuple(args.words))


if __name__ == "__main__":
    main()

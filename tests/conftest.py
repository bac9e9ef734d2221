"""Shared fixtures: the bundled sample pages and small synthetic pages of the site's shape."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from indexer.cleaning.boilerplate import CorpusBlocks, PageFacts, shape_of
from indexer.cleaning.people import NameLexicon, load_lexicon

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "raw"

SIDEBAR_A = (
    "26.07.2024",
    "On 25 July 2024, staff of the CSTO Secretariat met with graduates of Central Asian "
    "universities who are in Moscow at the invitation",
    "19.07.2024",
    "The CSTO Secretary General Imangali Tasmagambetov took part in the debate on UN "
    "cooperation with regional organizations held on 19 July 2024 at the UN Security Council.",
)
SIDEBAR_B = (
    "On 7 February, the CSTO Secretary General Imangali Tasmagambetov met with the Russian "
    "Foreign Minister Sergey Lavrov.",
    "On 14 February 2024, the CSTO Secretariat hosted an educational seminar on the theme "
    "of Eurasian security.",
)
FOOTER = ("Go back", "Back to the section", "Back to the all news")


def page_text(*parts: Sequence[str] | str) -> str:
    """Blocks separated by blank lines, as the crawler stored the site's pages."""
    blocks: list[str] = []
    for part in parts:
        blocks += [part] if isinstance(part, str) else list(part)
    return "\n\n".join(blocks) + "\n"


def article(title: str, day: str, lead: str, *more: str, sidebar: Sequence[str] = SIDEBAR_A,
            footer: Sequence[str] = FOOTER) -> str:
    return page_text(sidebar, title, f"{title} {day}", lead, list(more), footer)


@pytest.fixture
def write_raw(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative name: text or bytes} into a fresh raw folder and return it."""

    def write(files: dict[str, str | bytes]) -> Path:
        raw = tmp_path / "raw"
        raw.mkdir(exist_ok=True)
        for name, content in files.items():
            path = raw / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return raw

    return write


@pytest.fixture(scope="session")
def lexicon() -> NameLexicon:
    return load_lexicon()


def facts_for(page: str, *others: str) -> tuple[PageFacts, frozenset[int]]:
    """What a corpus of `page` and `others` says about `page`, and its common words."""
    from indexer.cleaning.blocks import split_blocks

    shapes = [shape_of(split_blocks(text)) for text in (page, *others)]
    stats = CorpusBlocks.of(shapes).stats()
    return stats.table(shapes).facts(0), stats.common_words


def indexed(pages: dict[str, str], raw: Path, index: Path,
            urls: dict[str, str] | None = None) -> Path:
    """Write the pages into raw (with a manifest of their `urls`, when given), build an
    index in index, and return the generation served."""
    import json

    from indexer.building.builder import build
    from indexer.store import IndexStore

    raw.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (raw / name).write_text(text, "utf-8")
    if urls:
        (raw / "manifest.jsonl").write_text("".join(
            json.dumps({"file": name, "url": url}) + "\n" for name, url in urls.items()))
    store = IndexStore(index)
    build(raw, store)
    current = store.current()
    assert current is not None
    return current

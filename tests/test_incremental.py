"""`update` cleans again only what changed, and gives exactly what a full `build` gives."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from benchmarks.make_corpus import write_corpus
from indexer import engine, schema
from indexer.building import builder
from indexer.building.cache import CACHE_FILE
from indexer.engine.writing import PEOPLE_FILE, VOCABULARY_FILE
from indexer.store import IndexStore
from tests.conftest import SEEDS

PAGES = 320
HELD_BACK = 20  # pages added by the update


def snapshot(store: IndexStore) -> tuple[list[dict[str, object]], str, str]:
    """Everything a generation serves: stored documents, vocabulary and people."""
    current = store.current()
    assert current is not None
    # When a document was first indexed is the one stored field that is a time, not content.
    documents = sorted(({k: v for k, v in record.items() if k != schema.INDEXED.name}
                        for record in engine.stored_documents(current)),
                       key=lambda record: str(record["id"]))
    return (documents, (current / VOCABULARY_FILE).read_text("utf-8"),
            (current / PEOPLE_FILE).read_text("utf-8"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_an_update_equals_a_full_build_and_cleans_few_pages(tmp_path: Path) -> None:
    raw, aside = tmp_path / "raw", tmp_path / "aside"
    write_corpus(PAGES, raw, seed=11)
    pages = sorted(raw.rglob("*.txt"))
    aside.mkdir()
    added = pages[-HELD_BACK:]
    for page in added:
        shutil.move(page, aside / page.name)
    store = IndexStore(tmp_path / "index")
    first = builder.build(raw, store)
    assert first.pages_cleaned == first.pages_read

    for page in added:  # new pages, with sidebars of other crawl days
        shutil.move(aside / page.name, page)
    for page in pages[:5]:  # deleted pages (some held the only other copy of a sidebar item)
        page.unlink()
    body_edit, title_edit, people_edit = pages[10], pages[20], pages[30]
    paragraph = body_edit.read_text("utf-8").split("\n\n")[-5]
    edit(body_edit, paragraph, paragraph + " A sentence added by the editors.")
    title = title_edit.read_text("utf-8").split("\n\n")
    heading = next(block for block in title if block.startswith(("The CSTO", "CSTO", "The ")))
    edit(title_edit, heading, "Corrected: " + heading)
    edit(people_edit, "Go back", "Stanislav Zas and Sergei Shoigu spoke.\n\nGo back")
    # A page whose lead another page now shows in its sidebar: its own lead must stay.
    lead = pages[40].read_text("utf-8").split("\n\n")
    edit(pages[50], "Go back", lead[-4] + "\n\nGo back")

    report = builder.update(raw, store)
    print(f"update cleaned {report.pages_cleaned} of {report.pages_read} pages")
    assert report.deleted >= 1 and report.added >= HELD_BACK - 1 and report.changed >= 3
    # Only the pages that changed, and those whose blocks or words changed status.
    assert report.pages_cleaned < report.pages_read // 3

    rebuilt = IndexStore(tmp_path / "rebuilt")
    builder.build(raw, rebuilt)
    assert snapshot(store) == snapshot(rebuilt)
    assert builder.update(raw, store).up_to_date
    # "Nothing to do" keeps what the cache knows: the next page is the only one cleaned.
    write_corpus(1, tmp_path / "late", seed=77)
    shutil.copy(next((tmp_path / "late").rglob("*.txt")), raw / "late.txt")
    assert builder.update(raw, store).pages_cleaned <= 3


def test_an_update_counts_words_again_when_a_gone_pages_words_are_not_kept(
        tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_corpus(60, raw, seed=12)
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    # Pruned from the cache (or lost): the words of every page so far.
    with sqlite3.connect(store.root / CACHE_FILE) as db:
        db.execute("DELETE FROM words")
    for page in sorted(raw.rglob("*.txt"))[:6]:
        page.unlink()
    report = builder.update(raw, store)
    assert report.deleted >= 1
    rebuilt = IndexStore(tmp_path / "rebuilt")
    builder.build(raw, rebuilt)
    assert snapshot(store) == snapshot(rebuilt)


def test_after_a_cleaner_upgrade_the_words_are_counted_again_and_the_old_pruned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.building import cache as cleaning_cache
    from indexer.building import corpus

    raw = tmp_path / "raw"
    write_corpus(40, raw, seed=13)
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    monkeypatch.setattr(cleaning_cache, "PRUNE_FROM", 0)
    upgraded = corpus.cleaner_version() + "-next"
    monkeypatch.setattr(corpus, "cleaner_version", lambda: upgraded)
    report = builder.update(raw, store)
    assert report.pages_cleaned == report.pages_read
    with sqlite3.connect(store.root / CACHE_FILE) as db:
        assert db.execute("SELECT count(*) FROM words").fetchone()[0] == report.pages_read
    rebuilt = IndexStore(tmp_path / "rebuilt")
    builder.build(raw, rebuilt)
    assert snapshot(store) == snapshot(rebuilt)


def test_a_damaged_cleaning_cache_is_started_again(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    builder.build(SEEDS, store)
    expected = snapshot(store)
    (store.root / CACHE_FILE).write_bytes(b"not a database at all" * 100)
    report = builder.build(SEEDS, store)
    assert report.pages_cleaned == report.pages_read
    assert snapshot(store) == expected


@pytest.mark.parametrize("command", ["build", "update"])
def test_a_cache_damaged_inside_is_set_aside_and_made_again(tmp_path: Path,
                                                             command: str) -> None:
    store = IndexStore(tmp_path / "index")
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    builder.build(raw, store)
    expected = snapshot(store)
    cache = store.root / CACHE_FILE
    data = bytearray(cache.read_bytes())
    middle = range(4096 * 2, len(data) - 4096)  # the header and first pages kept whole
    data[middle.start:middle.stop] = b"\xa5" * len(middle)
    cache.write_bytes(bytes(data))
    (raw / "004_ef5f2777c78101b1.txt").unlink()  # so that the update has work to do
    report = getattr(builder, command)(raw, store)
    assert "cleaning cache was damaged" in report.warnings[0]
    assert (store.root / (CACHE_FILE + ".damaged")).exists()
    assert report.pages_cleaned == report.pages_read == 4
    assert len(snapshot(store)[0]) == len(expected[0]) - 1
    assert builder.build(raw, store).pages_cleaned == 0  # the new cache serves the next run


def test_facts_of_all_pages_at_once_are_those_of_each_page(tmp_path: Path) -> None:
    """The update looks drafts up by signatures computed over all pages at once."""
    from indexer.cleaning.blocks import split_blocks
    from indexer.cleaning.boilerplate import CorpusBlocks, shape_of

    write_corpus(120, tmp_path, seed=4)
    shapes = [shape_of(split_blocks(path.read_text("utf-8")))
              for path in sorted(tmp_path.rglob("*.txt"))]
    blocks = CorpusBlocks.of(shapes)
    stats = blocks.stats()
    table = blocks.table(stats)  # counts looked up by rank; a page alone, by id
    for number, shape in enumerate(shapes):
        alone = stats.table([shape])
        assert table.facts(number) == alone.facts(0)
        assert table.signature(number) == alone.signature(0)
        assert table.facts(number).pages_with == alone.facts(0).pages_with
    assert any(any(table.facts(number).tail_repeats) for number in range(len(shapes)))
    assert len({table.signature(number) for number in range(len(shapes))}) > 1


def test_words_counted_a_batch_at_a_time_are_counted_right(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle
    from collections import Counter

    import numpy as np

    from indexer.cleaning.boilerplate import COMMON_SHARE, WordPages

    monkeypatch.setattr(WordPages, "BATCH", 3)
    rng = np.random.default_rng(5)
    pages = [np.unique(rng.integers(0, 40, size=12)).astype(np.uint32) for _ in range(20)]
    counter = WordPages()
    for words in pages:
        counter.add(words)
    plain = Counter(word for words in pages for word in words.tolist())
    assert counter.common() == {w for w, n in plain.items() if n >= COMMON_SHARE * len(pages)}
    # A count kept from a past run, with pages taken back and others added, is the count of
    # the pages now.
    kept = pickle.loads(pickle.dumps(counter))
    for words in pages[:7]:
        kept.remove(words)
    later = [np.unique(rng.integers(0, 40, size=12)).astype(np.uint32) for _ in range(4)]
    for words in later:
        kept.add(words)
    fresh = WordPages()
    for words in pages[7:] + later:
        fresh.add(words)
    assert kept.pages == fresh.pages == 17
    assert kept.common() == fresh.common()
    assert pickle.dumps(kept) == pickle.dumps(fresh)  # the same counts, word by word


def _copies_share_identity_by_sets(pages_keys: list[list[int]],
                                   identities: list[str]) -> list[str]:
    """The rule as first written, with sets: the reference for the array version."""
    from collections import Counter

    counts = Counter(key for keys in pages_keys for key in set(keys))
    shared = list(identities)
    for number, keys in enumerate(pages_keys):
        own = set(keys[:-1])
        if len(own) < 2:
            continue
        block = min(own, key=lambda key: (counts[key], key))
        if counts[block] < 2:
            continue
        containers = [other for other, theirs in enumerate(pages_keys)
                      if other != number and block in theirs and len(theirs) >= len(keys)
                      and own <= set(theirs)]
        if containers:
            keeper = max(containers, key=lambda other: (len(pages_keys[other]), -other))
            if (len(pages_keys[keeper]), -keeper) > (len(keys), -number):
                shared[number] = identities[keeper]
    return shared


def test_copies_are_found_as_the_rule_says() -> None:
    import numpy as np

    from indexer.cleaning.boilerplate import CorpusBlocks, PageShape
    from indexer.cleaning.dedupe import copies_share_identity

    rng = np.random.default_rng(8)
    for _ in range(200):
        pages = [rng.integers(1, 12, size=rng.integers(0, 7)).tolist() for _ in range(8)]
        pages += [pages[0][: max(1, len(pages[0]) - 1)], list(pages[1])]  # cut and saved copies
        identities = [f"page {n}" for n in range(len(pages))]
        shapes = [PageShape(np.array(keys, dtype=np.int64), np.zeros(len(keys), np.int64), (),
                            "", np.zeros(0, np.uint32)) for keys in pages]
        assert copies_share_identity(CorpusBlocks.of(shapes), identities) == \
            _copies_share_identity_by_sets(pages, identities)


def test_summaries_and_looks_come_back_from_the_cache_as_they_were(tmp_path: Path) -> None:
    """They are kept as their fields (they load faster); every field must come back."""
    from datetime import date

    from indexer.building.cache import CleaningCache
    from indexer.cleaning.dedupe import Copy
    from indexer.cleaning.evidence import WordClasses
    from indexer.cleaning.pages import DraftSummary, Look
    from indexer.cleaning.people import Mention

    classes = WordClasses.of([7, 3], [9])
    summaries = [
        DraftSummary(Copy("https://en.odkb-csto.org/news/1/", "A title", date(2024, 2, 29),
                          "the body's beginning " * 20),
                     (Mention("Valery", "Semerikov"), Mention("I.N.", "Borisov")), (1, 0, 2),
                     classes),
        DraftSummary(Copy(None, None, None, ""), (), (0, 0, 0), WordClasses()),
    ]
    looks = [Look("an identity", classes), Look("", WordClasses())]
    cache = CleaningCache(tmp_path / "cache.sqlite")
    for number, (summary, look) in enumerate(zip(summaries, looks, strict=True)):
        cache.put_draft(f"draft {number}", summary, "the draft")
        cache.put_look(f"look {number}", look)
    assert list(cache.summaries(["draft 0", "draft 1"])) == summaries
    assert cache.looks(["look 0", "look 1"]) == looks
    assert type(cache.looks(["look 0"])[0].word_classes) is WordClasses
    cache.close()


def test_many_keys_read_by_one_pass_over_a_table_are_those_looked_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexer.building import cache as cleaning_cache
    from indexer.building.cache import CleaningCache

    cache = CleaningCache(tmp_path / "cache.sqlite")
    for number in range(60):
        cache.put_look(f"look {number}", ("a look", number))
    cache.commit()
    keys = [f"look {number}" for number in range(0, 80, 2)] + ["look 4", "not there"]
    results = {}
    for label, scan_from in (("looked up", 10**9), ("one pass", 10)):
        monkeypatch.setattr(cleaning_cache, "SCAN_FROM_KEYS", scan_from)
        cache.used["looks"].clear()
        results[label] = (cache.looks(keys), set(cache.used["looks"]))
    assert results["one pass"] == results["looked up"]
    assert results["one pass"][0][:3] == [("a look", 0), ("a look", 2), ("a look", 4)]
    assert results["one pass"][0][-2:] == [("a look", 4), None]
    assert "look 1" not in results["one pass"][1]
    cache.close()


def test_an_update_after_new_officials_cleans_the_pages_again(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    assert builder.update(raw, store).up_to_date
    (raw / "officials.json").write_text(
        '{"officials": [{"name": "Nikolai Bordyuzha", "aliases": ["Nikolay Bordyuzha"], '
        '"role": "CSTO Secretary General", "country": "Russia"}]}', "utf-8")
    report = builder.update(raw, store)
    assert not report.up_to_date and report.pages_cleaned == report.pages_read
    assert builder.update(raw, store).up_to_date


def test_an_update_reads_only_files_whose_size_or_time_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import os

    from indexer.building import scan

    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    pages = sorted(raw.rglob("*.txt"))
    for page in pages:  # saved long ago
        os.utime(page, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    # (Their status-change time is now; a settled file is one untouched for a while.)
    monkeypatch.setattr(scan, "SETTLED_NS", 0)
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    read: list[Path] = []
    original = scan.read_page_bytes

    def counting(path: Path, *args):  # type: ignore[no-untyped-def]
        read.append(path)
        return original(path, *args)

    monkeypatch.setattr(scan, "read_page_bytes", counting)
    assert builder.update(raw, store).up_to_date and read == []
    text = pages[0].read_text("utf-8")
    pages[0].write_text(text.replace("CSTO", "ODKB", 1), "utf-8")  # the same size
    report = builder.update(raw, store)
    assert set(read) == {pages[0]} and report.changed == 1  # read by the scan, then parsed
    # An edit that keeps the size and puts the modification time back (cp -p, rsync -t,
    # touch -r): the status-change time tells it.
    read.clear()
    before = pages[1].stat()
    pages[1].write_text(pages[1].read_text("utf-8").replace("CSTO", "ODKB", 1), "utf-8")
    os.utime(pages[1], ns=(before.st_atime_ns, before.st_mtime_ns))
    assert pages[1].stat().st_size == before.st_size
    report = builder.update(raw, store)
    assert set(read) == {pages[1]} and not report.up_to_date
    assert store.state()["files"][pages[1].name] == hashlib.sha256(
        pages[1].read_bytes()).hexdigest()
    # --verify reads every file, whatever its times say.
    read.clear()
    assert builder.update(raw, store, verify=True).up_to_date
    assert sorted(read) == pages


def test_a_large_build_cleans_in_a_child_process_with_the_same_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child exits before the index is written, with the memory the cleaning used."""
    from indexer.building import cache as cleaning_cache
    from indexer.building import workers

    here = IndexStore(tmp_path / "here")
    builder.build(SEEDS, here)
    pools: list[int] = []
    original = workers.ProcessPoolExecutor

    def pool(processes: int, **options):  # type: ignore[no-untyped-def]
        pools.append(processes)
        return original(processes, **options)

    monkeypatch.setattr(workers, "PARALLEL_FROM_PAGES", 1)
    monkeypatch.setattr(workers, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(cleaning_cache, "PRUNE_FROM", 0)  # what the child used must stay
    apart = IndexStore(tmp_path / "apart")
    report = builder.build(SEEDS, apart)
    assert pools == [1] and report.pages_cleaned == report.pages_read
    assert snapshot(apart) == snapshot(here)
    with sqlite3.connect(apart.root / CACHE_FILE) as cache:  # filled by the child, kept
        assert [cache.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("pages", "looks", "drafts", "documents")] == [5, 5, 5, 5]


def test_unused_cache_entries_are_deleted_once_they_are_many(tmp_path: Path) -> None:
    from indexer.building.cache import PRUNE_FROM, CleaningCache

    path = tmp_path / CACHE_FILE
    cache = CleaningCache(path)
    for number in range(PRUNE_FROM + 10):
        cache.put_look(f"look {number}", number)
    cache.commit()
    cache.close()

    def run_using(count: int) -> int:
        cache = CleaningCache(path)
        try:
            assert list(cache.looks([f"look {n}" for n in range(count)])) == list(range(count))
            return cache.prune()
        finally:
            cache.close()

    assert run_using(PRUNE_FROM + 5) == 0  # a few unused: not worth walking the table
    assert run_using(5) == PRUNE_FROM + 5
    assert run_using(5) == 0


def test_an_update_leaves_the_served_generation_as_it_was(tmp_path: Path) -> None:
    """The new generation shares the index files by hard links: nothing written for it may
    write through one, and every file must be as large as its state says (what the server
    checks before serving a generation)."""
    import json

    from indexer.store import STATE_FILE

    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    served = store.current()
    assert served is not None
    before = {path.name: path.read_bytes() for path in served.iterdir() if path.is_file()}
    write_corpus(1, tmp_path / "late", seed=77)
    shutil.copy(next((tmp_path / "late").rglob("*.txt")), raw / "late.txt")
    assert builder.update(raw, store).added == 1
    after = {path.name: path.read_bytes() for path in served.iterdir() if path.is_file()}
    assert after == before
    for generation in (served, store.current()):
        assert generation is not None
        sizes = json.loads((generation / STATE_FILE).read_text("utf-8"))["sizes"]
        assert sizes and {name: (generation / name).stat().st_size for name in sizes} == sizes


def test_an_update_of_an_index_with_other_fields_writes_every_document(
        tmp_path: Path) -> None:
    # An index written by an earlier version, with fewer fields: adding documents of this
    # version's fields to it failed (UnknownFieldError) and left the admin stuck.
    from whoosh import fields, index

    store = IndexStore(tmp_path / "index")
    builder.build(SEEDS, store)
    older = store.new_generation()
    index.create_in(str(older), fields.Schema(id=fields.ID(stored=True, unique=True),
                                              body=fields.TEXT(stored=True)))
    store.publish(older, store.state())
    shutil.copytree(SEEDS, tmp_path / "raw")
    (tmp_path / "raw" / "extra.txt").write_text(
        "The CSTO Secretariat met the press.\n\nGo back\n", "utf-8")
    report = builder.update(tmp_path / "raw", store)
    assert report.command == "update" and "every document was written anew" in \
        report.warnings[0]
    current = store.current()
    assert current is not None and engine.same_fields(current)
    assert engine.document_count(current) == report.documents == 6

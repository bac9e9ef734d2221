"""End to end: raw folder -> `csto-index` -> Whoosh index on disk -> read back."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import engine
from indexer.building import builder, corpus
from indexer.building.cli import main
from indexer.store import LOCK_FILE, IndexStore
from tests.conftest import SEEDS, SIDEBAR_B, article


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def raw(write_raw) -> Path:  # type: ignore[no-untyped-def]
    files: dict[str, str | bytes] = {p.name: p.read_text("utf-8") for p in SEEDS.glob("*.txt")}
    files["extra/shoigu.txt"] = article(
        "The Secretary General met Sergey Shoygu", "01.03.2021",
        "On 1 March 2021, the Secretary General met Army General Sergei Shoigu.",
        sidebar=SIDEBAR_B)
    files["extra/shoigu-again.txt"] = files["extra/shoigu.txt"].replace(
        SIDEBAR_B[0], "On 9 March, the Secretariat hosted a seminar on security.")
    files["broken.txt"] = b"\x00\x00\x00binary"
    return write_raw(files)


def test_build_writes_a_readable_index_and_reports(raw: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    code, output = run("build", str(raw), "--index", str(index_dir))
    assert code == 0, output
    assert "pages read:        8" in output
    assert "broken.txt: it holds binary data" in output
    assert "documents:         6 (1 duplicate copies merged)" in output
    current = IndexStore(index_dir).current()
    assert current is not None
    records = {r["title"]: r for r in engine.stored_documents(current)}
    shoigu = records["The Secretary General met Sergey Shoygu"]
    assert shoigu["date"] == date(2021, 3, 1)
    assert shoigu["person"] == ["Sergei Shoigu"]
    assert sorted(shoigu["sources"]) == ["extra/shoigu-again.txt", "extra/shoigu.txt"]
    # A surname finds the page in any spelling, through the people's known spellings.
    searcher = engine.IndexSearcher(current)

    def found(text: str) -> list[str]:
        return [hit.id for hit in searcher.search(engine.SearchRequest(text)).hits]

    assert shoigu["id"] in found("Shoygu")
    seed_004 = next(r for r in records.values() if r["sources"] == ["004_ef5f2777c78101b1.txt"])
    assert seed_004["id"] in found("Valeriy")


def test_extract_prints_the_documented_json_lines(raw: Path) -> None:
    code, output = run("extract", str(raw))
    assert code == 0
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    # One line per page, with what the cleaner found on it and the document it is in.
    assert len(rows) == 7
    assert {"id", "source", "copies", "url", "title", "date", "year", "people", "body",
            "kind", "cut", "signature"} <= rows[0].keys()
    dated = [r for r in rows if r["date"]]
    assert all(r["year"] == int(r["date"][:4]) for r in dated)
    copies = [r for r in rows if r["copies"]]
    assert len(copies) == 2 and copies[0]["id"] == copies[1]["id"]
    assert {copies[0]["source"], *copies[0]["copies"]} == {r["source"] for r in copies}
    code, output = run("extract", str(raw), "--documents")
    documents = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert code == 0 and len(documents) == 6
    assert {r["id"] for r in documents} == {r["id"] for r in rows}
    assert "duplicates" in documents[0]


def test_update_touches_only_what_changed(raw: Path, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    builder.build(raw, store)
    first = store.current_name()
    assert builder.update(raw, store).up_to_date
    (raw / "001_7898e13220371a45.txt").unlink()
    seed = raw / "002_d3b05c145db0cab4.txt"
    seed.write_text(seed.read_text("utf-8") + "\nA new closing paragraph.\n", "utf-8")
    (raw / "new.txt").write_text(article("A brand new article about staff talks", "05.05.2025",
                                         "On 5 May 2025, staff talks were held."), "utf-8")
    report = builder.update(raw, store)
    assert (report.added, report.changed, report.deleted) == (1, 1, 1)
    assert store.current_name() != first
    titles = {r["title"] for r in engine.stored_documents(store.current())}  # type: ignore[arg-type]
    assert "A brand new article about staff talks" in titles
    assert len(titles) == 6


def test_a_failed_build_leaves_the_previous_index_served(raw: Path, tmp_path: Path,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    index_dir = tmp_path / "index"
    assert run("build", str(raw), "--index", str(index_dir))[0] == 0
    store = IndexStore(index_dir)
    served = store.current_name()

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine, "write_index", disk_full)
    code, output = run("build", str(raw), "--index", str(index_dir))
    assert code == 1
    assert "No space left on device" in output and "previous index" in output
    assert store.current_name() == served
    assert [p.name for p in store.generations.iterdir()] == [served]
    with store.lock("build"):  # and the failed build let go of the lock
        pass


def test_a_second_admin_is_refused_and_a_stale_lock_is_cleared(raw: Path,
                                                               tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    lock = index_dir / LOCK_FILE
    holder = os.getpid()
    lock.write_text(json.dumps({"pid": holder, "command": "build", "started": "now"}))
    with lock.open() as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another admin's build, still running
        code, output = run("build", str(raw), "--index", str(index_dir))
        assert code == 1 and f"Another build (process {holder})" in output
        assert "Wait for it" in output and "--wait" in output
        # A holder that has ended while processes it started keep the lock is named so.
        lock.write_text(json.dumps({"pid": 999_999_999, "command": "build",
                                    "started": "now"}))
        code, output = run("build", str(raw), "--index", str(index_dir))
        assert code == 1 and "process 999999999 (started now) has ended" in output
    # The file left by a build that died holds no lock: the next build goes ahead.
    assert run("build", str(raw), "--index", str(index_dir))[0] == 0


def test_wait_waits_for_the_other_admin(raw: Path, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    messages: list[str] = []
    with store.lock("update"):
        waiting = threading.Thread(
            target=lambda: builder.build(raw, store, wait=True, on_wait=messages.append))
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and "Waiting for it to finish" in messages[0]
    waiting.join(timeout=60)
    assert not waiting.is_alive() and store.current() is not None


def test_errors_are_sentences_with_nonzero_exit_codes(tmp_path: Path) -> None:
    code, output = run("stats", "--index", str(tmp_path / "none"))
    assert code == 1 and "There is no index" in output and "csto-index build" in output
    code, output = run("update", str(SEEDS), "--index", str(tmp_path / "none"))
    assert code == 1 and "Run `csto-index build" in output
    code, output = run("build", str(tmp_path / "missing"))
    assert code == 2 and "does not exist" in output


def test_stats_describes_the_served_index(raw: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    run("build", str(raw), "--index", str(index_dir))
    code, output = run("stats", "--index", str(index_dir))
    assert code == 0
    assert "documents:    6" in output and "Valery Semerikov" in output and "2021" in output


def test_console_script_help_is_understandable() -> None:
    exe = shutil.which("csto-index", path=str(Path(sys.executable).parent))
    assert exe is not None
    output = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("build", "update", "extract", "stats"):
        assert command in output


def test_extract_explain_shows_every_block_with_its_role_and_reason(raw: Path) -> None:
    code, output = run("extract", str(raw), "--explain", "extra/shoigu.txt")
    assert code == 0, output
    assert output.startswith("== extra/shoigu.txt")
    assert "title:  The Secretary General met Sergey Shoygu" in output
    assert "SIDEBAR" in output and "TITLE" in output and "BODY" in output
    assert "FOOTER" in output and "the site's pair" in output
    code, output = run("extract", str(raw), "--explain", "nowhere.txt")
    assert code != 0 and "Not a page of the raw folder" in output


@pytest.mark.parametrize("command", ["build", "update"])
def test_an_edit_made_while_the_index_is_built_is_picked_up_by_the_next_update(
        raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    index_dir = tmp_path / "index"
    store = IndexStore(index_dir)
    if command == "update":
        builder.build(raw, store)
        (raw / "extra" / "new.txt").write_text(article(
            "A new page about the Council", "02.03.2021", "The Council met.",
            sidebar=SIDEBAR_B), "utf-8")
    page = raw / "extra" / "shoigu.txt"
    original = corpus.read_pages

    def read_then_edit(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages = original(*args, **kwargs)
        # The admin saves a correction after the page was read, before the build ends.
        page.write_text(page.read_text("utf-8").replace("Sergei Shoigu", "Sergei Shoigu "
                                                        "and Sergey Lavrov"), "utf-8")
        return pages

    with monkeypatch.context() as patched:
        patched.setattr(corpus, "read_pages", read_then_edit)
        patched.setattr(builder, "read_pages", read_then_edit)
        getattr(builder, command)(raw, store)
    report = builder.update(raw, store)
    assert not report.up_to_date and report.changed == 1
    records = {r["title"]: r for r in engine.stored_documents(store.current())}
    assert "Sergey Lavrov" in records["The Secretary General met Sergey Shoygu"]["person"]


def test_a_generation_copied_then_switched_serves_on_another_machine(
        raw: Path, tmp_path: Path) -> None:
    """docs/deploy.md: copy the finished generation first, then switch the pointer."""
    built = IndexStore(tmp_path / "built")
    builder.build(raw, built)
    name = built.current_name()
    assert name is not None
    other = IndexStore(tmp_path / "other")
    other.generations.mkdir(parents=True)
    shutil.copytree(built.generations / name, other.generations / name)
    assert other.current() is None  # copied, not yet switched: nothing served yet
    (other.root / ".CURRENT.tmp").write_text(name + "\n", "utf-8")
    (other.root / ".CURRENT.tmp").rename(other.root / "CURRENT")
    current = other.current()
    assert current is not None
    found = engine.IndexSearcher(current).search(engine.SearchRequest("Shoygu"))
    assert "The Secretary General met Sergey Shoygu" in [hit.title for hit in found.hits]

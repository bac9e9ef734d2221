"""Reindexing under load, crashes, hostile raw files and a full disk, with real processes."""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from benchmarks.make_corpus import write_corpus
from indexer.engine import IndexSearcher, SearchRequest
from indexer.store import UNFINISHED_PREFIX, IndexStore
from tests.conftest import SEEDS, SIDEBAR_B, article
from tests.servers import build_index, command, running_server

CLIENTS = 8
REBUILDS = 3


def seeds_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS, raw)
    return raw


def served_seeds(tmp_path: Path, index_dir: Path) -> tuple[Path, IndexStore, str | None]:
    """The seeds built into index_dir: (raw folder, store, generation served)."""
    raw = seeds_copy(tmp_path)
    build_index(raw, index_dir)
    store = IndexStore(index_dir)
    return raw, store, store.current_name()


def run_build(raw: Path, index_dir: Path, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([command("csto-index"), "build", str(raw), "--index",
                           str(index_dir)], capture_output=True, text=True, **options)  # type: ignore[call-overload]


def assert_still_serving(store: IndexStore, served: str | None, documents: int = 5) -> None:
    assert store.current_name() == served
    assert IndexSearcher(store.current()).search(SearchRequest("")).total == documents  # type: ignore[arg-type]


def unfinished(store: IndexStore) -> list[str]:
    """The generations being written (or left by a build that died)."""
    return [p.name for p in store.generations.iterdir() if p.name.startswith(UNFINISHED_PREFIX)]


def start_big_build(tmp_path: Path, index_dir: Path, pages: int, seed: int,
                    start_new_session: bool = False) -> subprocess.Popen[bytes]:
    """A `csto-index build` of a generated corpus, long enough to be stopped mid-way."""
    big = tmp_path / "big"
    write_corpus(pages, big, seed=seed)
    return subprocess.Popen([command("csto-index"), "build", str(big), "--index",
                             str(index_dir)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=start_new_session)


def wait_while_running(process: subprocess.Popen[bytes], done: Callable[[], bool],
                       seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)


def new_page(raw: Path, number: int) -> None:
    (raw / f"new-{number}.txt").write_text(article(
        f"New article number {number} about the Joint Staff", "01.02.2025",
        f"On 1 February 2025, article {number} was published.", sidebar=SIDEBAR_B), "utf-8")


def test_reindex_under_load_fails_no_request(tmp_path: Path) -> None:
    raw = seeds_copy(tmp_path)
    index_dir = tmp_path / "index"
    build_index(raw, index_dir)
    generation_sizes = {5}
    stop = threading.Event()
    failures: list[str] = []
    totals: Counter[int] = Counter()
    lock = threading.Lock()
    with running_server(index_dir) as base:
        address = urlsplit(base)

        def client(number: int) -> None:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
            paths = ["/api/search?q=", "/api/search?q=Semerikov&year=2019", "/search?q=staff",
                     "/healthz"]
            sent = 0
            while not stop.is_set():
                path = paths[(number + sent) % len(paths)]
                sent += 1
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        failures.append(f"{path}: {error!r}")
                    connection = http.client.HTTPConnection(address.hostname, address.port,
                                                            timeout=30)
                    continue
                with lock:
                    if response.status != 200:
                        failures.append(f"{path}: {response.status}")
                    elif path == "/api/search?q=":
                        totals[json.loads(body)["total"]] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        try:
            for number in range(REBUILDS):
                time.sleep(0.3)
                new_page(raw, number)
                build_index(raw, index_dir)
                generation_sizes.add(6 + number)
            # The server warms the last generation in the background, then serves it.
            deadline = time.monotonic() + 15
            while 5 + REBUILDS not in totals and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(0.3)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    assert failures == []
    assert sum(totals.values()) > 20
    # Every answer came from a complete index: one of the generations' document counts.
    assert set(totals) <= generation_sizes and max(totals) == 5 + REBUILDS
    remaining = list(IndexStore(index_dir).generations.iterdir())
    assert len(remaining) <= 2


def test_kill_9_mid_build_keeps_the_old_index_and_the_next_build_works(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    raw, store, served = served_seeds(tmp_path, index_dir)
    process = start_big_build(tmp_path, index_dir, 3000, seed=3, start_new_session=True)
    wait_while_running(process, lambda: bool(unfinished(store)), 60)
    time.sleep(0.5)  # well into writing the new generation
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert_still_serving(store, served)
    # The next build takes the lock the dead one held and clears what it left.
    build_index(raw, index_dir)
    assert store.current_name() != served
    assert unfinished(store) == []


def test_hostile_raw_files_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    raw = seeds_copy(tmp_path)
    (raw / "binary.txt").write_bytes(bytes(range(256)) * 64)
    with (raw / "huge.txt").open("wb") as huge:
        huge.truncate(100 * 1024 * 1024)  # 100 MB
    (raw / "latin1.txt").write_bytes("Caf\xe9 and the Secretariat of the CSTO.\n".encode(
        "latin-1"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "hostile.html").write_text(
        "<html><head><title>t</title><script>alert(1)</script></head><body>"
        "<h1>Statement <img src=x onerror=alert(2)> on security</h1>"
        "<p>Text with <a href='javascript:alert(3)'>a link</a>.</p>"
        "<iframe src='https://example.invalid/'></iframe></body></html>", "utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("Zyxwvutsrq text that must not be indexed.", "utf-8")
    os.symlink(outside, raw / "link.txt")
    index_dir = tmp_path / "index"
    result = subprocess.run([command("csto-index"), "build", str(raw), "--index",
                             str(index_dir)], capture_output=True, text=True, check=True)
    report = result.stdout
    for name, reason in (("binary.txt", "binary"), ("huge.txt", "limit"),
                         ("empty.txt", "empty"), ("link.txt", "outside the raw folder")):
        assert f"{name}: it" in report and reason in report.split(f"{name}: ")[1][:80]
    assert "latin1.txt: 1 byte sequence(s) that are not UTF-8 were replaced" in report
    searcher = IndexSearcher(IndexStore(index_dir).current())  # type: ignore[arg-type]
    assert searcher.search(SearchRequest("")).total == 7  # 5 seeds, latin1, hostile
    (hit,) = searcher.search(SearchRequest("title:statement")).hits
    document = searcher.document(hit.id)
    assert document is not None and document.title == "Statement on security"
    assert "alert" not in document.body and "javascript" not in document.body
    assert not searcher.search(SearchRequest("zyxwvutsrq")).hits


def test_a_full_disk_fails_the_build_clearly_and_the_old_index_serves(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    raw, store, served = served_seeds(tmp_path, index_dir)
    new_page(raw, 1)

    def small_disk() -> None:  # files may not grow past 64 KiB: writing fails as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = run_build(raw, index_dir, preexec_fn=small_disk)
    assert result.returncode == 1
    assert "failed while writing" in result.stderr and "previous index" in result.stderr
    assert_still_serving(store, served)
    build_index(raw, index_dir)  # and with room again, the next build works
    assert IndexSearcher(store.current()).search(SearchRequest("")).total == 6  # type: ignore[arg-type]


@pytest.fixture
def small_filesystem(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A folder on a tmpfs of its own (root only; 4 MB unless the test says), unmounted at
    the end."""
    folder = tmp_path / "mounted"
    folder.mkdir()
    size = getattr(request, "param", "4m")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}): needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_an_index_folder_that_cannot_be_written_is_a_clear_error(
        tmp_path: Path, small_filesystem: Path) -> None:
    index_dir = small_filesystem / "index"
    raw, store, served = served_seeds(tmp_path, index_dir)
    subprocess.run(["mount", "-o", "remount,ro", str(small_filesystem)], check=True)
    result = run_build(raw, index_dir)
    assert result.returncode == 1
    assert "Read-only file system" in result.stderr and "previous index" in result.stderr
    assert_still_serving(store, served)


# 4 MB: the cleaning cache fills the disk; 30 MB: the index writer's processes do.
@pytest.mark.parametrize("small_filesystem", ["4m", "30m"], indirect=True)
def test_a_disk_that_fills_up_during_the_build_is_a_clear_error(
        tmp_path: Path, small_filesystem: Path) -> None:
    index_dir = small_filesystem / "index"
    _, store, served = served_seeds(tmp_path, index_dir)
    big = tmp_path / "big"
    write_corpus(1500, big, seed=5)  # its index does not fit in what is left of 4 MB
    result = run_build(big, index_dir)
    assert result.returncode == 1
    assert "No space left on device" in result.stderr or "reached the index" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr  # one clear message, no more
    assert_still_serving(store, served)
    assert [p.name for p in store.generations.iterdir()] == [served]


def processes_of(marker: str) -> list[int]:
    """Processes whose command line holds `marker` (a build's own folder names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_stopping_a_builds_main_process_ends_its_writer_processes(
        tmp_path: Path, stop: signal.Signals) -> None:
    index_dir = tmp_path / "index-being-stopped"
    raw, store, served = served_seeds(tmp_path, index_dir)
    process = start_big_build(tmp_path, index_dir, 2400, seed=6)
    # Writing: the generation's folder exists and Whoosh has forked its writer processes.
    wait_while_running(process, lambda: bool(unfinished(store))
                       and len(processes_of(str(index_dir))) > 1, 120)
    process.send_signal(stop)  # the main process only, as a careless admin or a system does
    process.wait(timeout=30)
    deadline = time.monotonic() + 15
    while processes_of(str(index_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of(str(index_dir)) == []
    assert_still_serving(store, served)
    leftovers = unfinished(store)
    # Stopped by SIGTERM, it removes its own unfinished generation; killed, the next run does.
    assert leftovers == [] if stop == signal.SIGTERM else len(leftovers) == 1
    run_update = subprocess.run([command("csto-index"), "update", str(raw), "--index",
                                 str(index_dir)], capture_output=True, text=True)
    assert run_update.returncode == 0, run_update.stderr
    assert unfinished(store) == []


def test_the_generations_kept_follow_the_order_of_publishing_not_the_clock(
        tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    raw, store, _ = served_seeds(tmp_path, index_dir)
    # Two generations named by a clock set years ahead, then the clock set right again.
    for future in ("20991231T235959-000", "20991231T235959-001"):
        unfinished = store.new_generation()
        (unfinished / "marker").write_text(future, "utf-8")
        os.rename(unfinished, store.generations / f"{UNFINISHED_PREFIX}{future}")
        store.publish(store.generations / f"{UNFINISHED_PREFIX}{future}", {})
    for number in range(3):
        new_page(raw, number)
        build_index(raw, index_dir)
        names = sorted(p.name for p in store.generations.iterdir())
        assert store.current_name() in names and len(names) == 2
    assert not any(name.startswith("2099") for name in names)  # the old ones did go

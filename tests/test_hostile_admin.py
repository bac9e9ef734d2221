"""What an unlucky admin or a hostile raw folder does to a build (issue 12): each is
reported clearly, the rest is indexed, and the served index is never lost."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.building import builder, corpus
from indexer.building.cache import CleaningCache
from indexer.building.cli import main
from indexer.building.corpus import read_pages
from indexer.building.scan import MAX_DEPTH, read_manifest, scan_folder
from indexer.cleaning.people import load_lexicon
from indexer.officials import RegistryError
from indexer.store import IndexStore, LockedError
from tests.conftest import SIDEBAR_B, article, indexed

PAGE = article("The Council met in Minsk", "02.03.2021", "The Council met.", sidebar=SIDEBAR_B)


def one_page_index(tmp_path: Path) -> tuple[Path, IndexStore]:
    """A raw folder with one page and an index built from it."""
    indexed({"page.txt": PAGE}, tmp_path / "raw", tmp_path / "index")
    return tmp_path / "raw", IndexStore(tmp_path / "index")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_odd_raw_trees_are_skipped_with_their_reason_and_the_rest_indexed(
        tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_text(PAGE, "utf-8")
    (raw / os.fsdecode(b"caf\xe9.txt")).write_text(PAGE.replace("Minsk", "Moscow"), "utf-8")
    os.mkfifo(raw / "pipe.txt")  # reading it would wait forever
    os.symlink("loop-b.txt", raw / "loop-a.txt")  # links that lead round in a loop
    os.symlink("loop-a.txt", raw / "loop-b.txt")
    os.symlink("self.txt", raw / "self.txt")
    deep = raw
    for _ in range(MAX_DEPTH + 5):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "deep.txt").write_text(PAGE, "utf-8")
    # A folder deeper than PATH_MAX: made one level at a time, relative to the last.
    fd = os.open(raw, os.O_RDONLY)
    for _ in range(20):
        os.mkdir("x" * 250, dir_fd=fd)
        fd, old = os.open("x" * 250, os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    with os.fdopen(os.open("far.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
        f.write(PAGE)
    os.close(fd)
    started = time.monotonic()
    read = read_pages(scan_folder(raw), CleaningCache(tmp_path / "cache.sqlite"))
    pages, skipped = read.entries, read.skipped
    assert time.monotonic() - started < 30
    assert [page.source for page in pages] == ["good.txt"]
    reasons = {s.source.split("/")[0]: s.reason for s in skipped}
    assert "not valid UTF-8" in reasons["caf\\udce9.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert f"more than {MAX_DEPTH} folders deep" in reasons["d"]
    assert "cannot be read" in reasons["x" * 250]
    for name in ("loop-a.txt", "loop-b.txt", "self.txt"):
        assert "loop" in reasons[name], reasons.get(name)
    code, output = run("build", str(raw), "--index", str(tmp_path / "index"))
    assert code == 0 and "pipe.txt: it is not a regular file" in output
    assert "self.txt: it is a link that leads round in a loop" in output
    for command in ("update", "extract"):
        code, _ = run(command, str(raw), "--index", str(tmp_path / "index")) \
            if command == "update" else run(command, str(raw))
        assert code == 0, command


def test_manifest_urls_that_are_not_web_addresses_are_reported(tmp_path: Path) -> None:
    (tmp_path / "manifest.jsonl").write_text("\n".join(json.dumps(row) for row in [
        {"file": "a.txt", "url": "https://en.odkb-csto.org/news/a/"},
        {"file": "b.txt", "url": "javascript:alert(1)"},
        {"file": "c.txt", "url": 42}]), "utf-8")
    manifest = read_manifest(tmp_path)
    assert manifest.urls == {"a.txt": "https://en.odkb-csto.org/news/a/"}
    assert len(manifest.problems) == 2 and "line 2" in manifest.problems[0]


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"people": []}', 'an "officials" list'),
    ('{"officials": [{"name": "Stas Zas"}, {"role": "Envoy"}]}', "row 2: no name"),
    ('{"officials": [{"name": "Stas Zas", "aliases": "Stanislav Zas"}]}',
     '"aliases" must be a list'),
    ('{"officials": [{"name": "Stas Zas", "role": 3}]}', '"role" must be text'),
])
def test_a_malformed_officials_file_is_refused_naming_the_file_and_row(
        tmp_path: Path, content: str, message: str) -> None:
    extra = tmp_path / "raw" / "officials.json"
    extra.parent.mkdir()
    extra.write_text(content, "utf-8")
    (tmp_path / "raw" / "page.txt").write_text(PAGE, "utf-8")
    with pytest.raises(RegistryError, match=message):
        load_lexicon(extra)
    code, output = run("build", str(tmp_path / "raw"), "--index", str(tmp_path / "index"))
    assert code == 1 and str(extra) in output and message.strip('"') in output
    assert "Traceback" not in output


def test_a_build_that_would_shrink_the_index_drastically_is_refused(tmp_path: Path) -> None:
    raw, empty = tmp_path / "raw", tmp_path / "empty"
    raw.mkdir()
    empty.mkdir()
    for number in range(4):
        (raw / f"p{number}.txt").write_text(PAGE.replace("Minsk", f"Minsk {number}"), "utf-8")
    index_dir = tmp_path / "index"
    assert run("build", str(raw), "--index", str(index_dir))[0] == 0
    served = IndexStore(index_dir).current_name()
    code, output = run("build", str(empty), "--index", str(index_dir))
    assert code == 1 and "--allow-shrink" in output and "Nothing was switched" in output
    assert IndexStore(index_dir).current_name() == served
    code, _ = run("build", str(empty), "--index", str(index_dir), "--allow-shrink")
    assert code == 0 and IndexStore(index_dir).current_name() != served


def test_a_raw_folder_that_vanishes_during_the_build_fails_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw, store = one_page_index(tmp_path)
    served = store.current_name()
    original = corpus.read_pages

    def read_then_move(*args, **kwargs):  # type: ignore[no-untyped-def]
        pages = original(*args, **kwargs)
        raw.rename(tmp_path / "moved")
        return pages

    monkeypatch.setattr(corpus, "read_pages", read_then_move)
    with pytest.raises(builder.StoreError, match="disappeared during the build"):
        builder.build(raw, store)
    assert store.current_name() == served


def test_the_helpers_of_a_killed_build_end_with_it() -> None:
    """The cleaning child and the workers are children of a fork server, not of the build:
    each watches the process it works for and ends when that one was killed."""
    import subprocess
    import sys

    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    helper = subprocess.Popen([sys.executable, "-c", "import time\n"
                               "from indexer.lifetime import end_with\n"
                               f"end_with({owner.pid})\ntime.sleep(60)"])
    try:
        time.sleep(1.5)
        assert helper.poll() is None  # its owner still works
        owner.kill()
        owner.wait()
        assert helper.wait(timeout=10) == 1
    finally:
        for process in (owner, helper):
            process.kill()
            process.wait()


def test_processes_forked_during_a_build_do_not_hold_its_lock(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    started, ready = os.pipe()
    with store.lock("build"):
        child = os.fork()
        if child == 0:  # a worker (the cleaner's pool, Whoosh's writer) outliving its build
            os.write(ready, b"x")
            time.sleep(30)
            os._exit(0)
        os.read(started, 1)  # the worker is running
    try:
        with store.lock("build"):  # the build ended: its worker must not keep the index locked
            pass
    except LockedError:
        pytest.fail("a forked worker kept the lock")
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        os.close(started)
        os.close(ready)


def test_a_damaged_current_pointer_is_replaced_by_the_next_build(tmp_path: Path) -> None:
    raw, store = one_page_index(tmp_path)
    for damage in (b"..", b".", b"\xff\xfe not utf-8", None):
        current = store.root / "CURRENT"
        if current.is_dir():
            current.rmdir()
        else:
            current.unlink()
        if damage is None:
            current.mkdir()
        else:
            current.write_bytes(damage)
        assert store.current_name() is None and store.damage() is not None
        builder.build(raw, store, allow_shrink=True)
        assert store.current_name() is not None and store.damage() is None


def test_the_feed_is_valid_xml_whatever_the_pages_hold_and_ignores_the_host_header(
        tmp_path: Path) -> None:
    from xml.etree import ElementTree

    from starlette.testclient import TestClient

    from search_app.app import create_app
    from search_app.settings import Settings

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "text.txt").write_text(PAGE.replace("The Council met.", "The Council\ufffe met\uffff."),
                                  "utf-8")
    (raw / "page.html").write_text(
        "<html><body><h1>The Council met in Kazan</h1><p>Held &#xfffe; in Kazan.</p>"
        "</body></html>", "utf-8")
    builder.build(raw, IndexStore(tmp_path / "index"))
    settings = Settings(index_dir=tmp_path / "index", base_url="https://search.example.org")
    client = TestClient(create_app(settings), headers={"host": "evil.example"})
    for query in ("Council", "Council \ufffe"):
        feed = client.get("/search.atom", params={"q": query})
        root = ElementTree.fromstring(feed.content)  # parses: nothing XML forbids
        links = [link.get("href") for link in root.iter("{http://www.w3.org/2005/Atom}link")]
        assert links and all(href.startswith("https://search.example.org/") for href in links)
        assert b"evil.example" not in feed.content


def test_a_damaged_index_is_a_clear_503_everywhere_and_health_says_so(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from search_app.app import SECURITY_HEADERS, create_app
    from search_app.settings import Settings

    raw, store = one_page_index(tmp_path)
    generation = store.current()
    postings = max((p for p in generation.iterdir() if p.suffix == ".pst"),
                   key=lambda p: p.stat().st_size)
    postings.write_bytes(postings.read_bytes()[: postings.stat().st_size // 2])
    client = TestClient(create_app(Settings(index_dir=store.root)), raise_server_exceptions=False)
    for path in ("/search?q=Council", "/api/search?q=Council", "/healthz", "/"):
        started = time.monotonic()
        response = client.get(path)
        assert response.status_code == 503, path
        assert time.monotonic() - started < 1
        assert all(response.headers.get(k) == v for k, v in SECURITY_HEADERS.items())
    assert generation.name in client.get("/api/search", params={"q": "x"}).json()["error"]
    assert client.get("/healthz").json()["status"] == "unreadable"
    assert "csto-index build" in client.get("/search", params={"q": "x"}).text
    builder.build(raw, store)  # a good generation over the damaged one serves again
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("suffix", [".pst", ".trm", "_stored.col"])
def test_an_index_file_damaged_in_place_is_found_and_said(tmp_path: Path, suffix: str) -> None:
    # The middle of a file overwritten, its size kept: the sizes recorded at build time
    # cannot tell, the digests can.
    from starlette.testclient import TestClient

    from search_app.app import create_app
    from search_app.settings import Settings

    _, store = one_page_index(tmp_path)
    generation = store.current()
    assert generation is not None
    damaged = max((p for p in generation.iterdir() if p.name.endswith(suffix)),
                  key=lambda p: p.stat().st_size)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 4: 3 * len(data) // 4] = b"\xff" * (3 * len(data) // 4 - len(data) // 4)
    damaged.write_bytes(bytes(data))
    with TestClient(create_app(Settings(index_dir=store.root)),
                    raise_server_exceptions=False) as client:
        deadline = time.monotonic() + 10  # checked in the background once the index opens
        while client.get("/healthz").status_code == 200:
            assert time.monotonic() < deadline, "the damage was never noticed"
            time.sleep(0.1)
        health = client.get("/healthz").json()
        assert health["status"] == "unreadable" and damaged.name in health["detail"]
        for path in ("/search?q=Council", "/api/search?q=Council", "/"):
            assert client.get(path).status_code == 503, path


def test_a_search_that_fails_on_a_damaged_file_is_a_503_not_a_500(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    from indexer.engine import IndexSearcher
    from search_app import current_index
    from search_app.app import create_app
    from search_app.settings import Settings

    _, store = one_page_index(tmp_path)
    generation = store.current()
    assert generation is not None
    # Not yet checked in the background when the search fails on the damaged file.
    monkeypatch.setattr(current_index.CurrentIndex, "_verify_quietly", lambda *_: None)

    def decoding_damage(*_args: object) -> None:
        raise EOFError("Ran out of input")  # what unpickling a damaged block raises

    (generation / "vocabulary.tsv").write_text("damaged\t1\tdamag\n", "utf-8")
    monkeypatch.setattr(IndexSearcher, "search", decoding_damage)
    client = TestClient(create_app(Settings(index_dir=store.root)),
                        raise_server_exceptions=False)
    response = client.get("/api/search", params={"q": "Council"})
    assert response.status_code == 503 and "vocabulary.tsv" in response.json()["error"]


def test_unexpected_errors_keep_the_security_headers_and_speak_json_on_the_api(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    from indexer.engine import IndexSearcher
    from search_app.app import SECURITY_HEADERS, create_app
    from search_app.settings import Settings

    one_page_index(tmp_path)

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(IndexSearcher, "search", broken)
    client = TestClient(create_app(Settings(index_dir=tmp_path / "index")),
                        raise_server_exceptions=False)
    response = client.get("/api/search", params={"q": "Council"})
    assert response.status_code == 500 and "error" in response.json()
    assert all(response.headers.get(k) == v for k, v in SECURITY_HEADERS.items())
    assert client.get("/search", params={"q": "Council"}).status_code == 500


def test_repeated_filter_values_do_not_amplify_the_response(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from search_app.app import create_app
    from search_app.settings import Settings

    one_page_index(tmp_path)
    client = TestClient(create_app(Settings(index_dir=tmp_path / "index")))
    flood = [("q", "Council")] + [("year", str(2000 + n % 20)) for n in range(2_000)]
    response = client.get("/search", params=flood)
    assert response.status_code == 400 and "parameters" in response.text
    repeated = [("q", "Council")] + [("year", "2021")] * 30
    page = client.get("/search", params=repeated)
    once = client.get("/search", params=[("q", "Council"), ("year", "2021")])
    assert page.status_code == 200  # each value counted once: the same links as one value
    assert page.text.count("year=2021") == once.text.count("year=2021")


def test_idle_and_half_sent_connections_do_not_take_the_server_down(tmp_path: Path) -> None:
    import socket
    import urllib.request

    from tests.servers import running_server

    one_page_index(tmp_path)
    with running_server(tmp_path / "index", 1, "--max-connections", "50",
                        "--header-timeout", "2") as base:
        port = int(base.rsplit(":", 1)[1])
        idle = []
        for number in range(120):  # more than the server keeps: the rest are closed at once
            sock = socket.create_connection(("127.0.0.1", port))
            if number % 2:
                sock.sendall(b"GET /search?q=Council HTTP/1.1\r\nHost: x\r\n")  # never ends
            idle.append(sock)
        try:
            started = time.monotonic()
            with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
                assert response.status == 200
            assert time.monotonic() - started < 8
            time.sleep(3)  # past the header timeout the half-sent ones were closed
            closed = 0
            for sock in idle:
                sock.settimeout(0.5)
                try:
                    closed += sock.recv(1) == b""
                except ConnectionResetError:
                    closed += 1
                except TimeoutError:
                    pass
            assert closed == len(idle)  # none kept: too many, or nothing whole in time
        finally:
            for sock in idle:
                sock.close()


def test_a_new_generation_is_warmed_while_the_old_one_answers(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from search_app.app import create_app
    from search_app.settings import Settings

    raw, store = one_page_index(tmp_path)
    app = create_app(Settings(index_dir=store.root))
    client = TestClient(app)
    assert client.get("/api/search", params={"q": "Council"}).json()["total"] == 1
    (raw / "second.txt").write_text(PAGE.replace("Minsk", "Astana"), "utf-8")
    builder.build(raw, store)
    # The request that notices the new generation is answered from the old one...
    assert client.get("/api/search", params={"q": "Council"}).json()["total"] == 1
    deadline = time.monotonic() + 20
    while app.state.index.generation != store.current_name():
        assert time.monotonic() < deadline, "the new generation was never switched to"
        time.sleep(0.05)
    # ...which was warmed with recent traffic before the switch: no cold first query.
    searcher = app.state.index.get()
    assert searcher.search_cache_size() > 0
    assert client.get("/api/search", params={"q": "Council"}).json()["total"] == 2


def test_warming_runs_recent_queries_newest_first_then_reads_frequent_terms() -> None:
    from indexer.engine import SearchRequest
    from search_app.current_index import warm

    class Searcher:
        def __init__(self) -> None:
            self.asked: list[str] = []

        def frequent_words(self, count: int) -> list[str]:
            return ["council", "security", "minsk"][:count]

        def preload(self, deadline: float) -> int:
            self.asked.append(f"preload until {deadline > time.monotonic()}")
            return 0

        def search(self, request: SearchRequest) -> None:
            self.asked.append(request.text)

    searcher = Searcher()
    warm(searcher, ["old", "new", "newest", "old"], seconds=10)  # type: ignore[arg-type]
    # The newest first, one search of the most frequent word (it opens what every search
    # reads), then the frequent terms' lists while time is left.
    assert searcher.asked == ["old", "newest", "new", "council", "preload until True"]


def test_a_flood_of_the_same_warning_is_logged_once_per_interval() -> None:
    import logging

    from search_app.protocol import OncePerInterval

    once = OncePerInterval(interval=60)
    record = logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1,
                               "Exceeded concurrency limit.", None, None)
    other = logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, "Another.",
                              None, None)
    assert [once.filter(record) for _ in range(1000)].count(True) == 1
    assert once.filter(other)

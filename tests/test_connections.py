"""Slow, idle and kept-alive connections against a real `csto-search serve` (issue 24): none
of them takes the server away from real visitors."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SIDEBAR_B, article, indexed
from tests.servers import running_server

PAGE = article("The Council met in Minsk", "02.03.2021", "The Council met.", sidebar=SIDEBAR_B)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("connections")
    indexed({"page.txt": PAGE}, folder / "raw", folder / "index")
    return folder / "index"


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes the connection within so many seconds."""
    sock.settimeout(within)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def trickle(sock: socket.socket, data: bytes, every: float, stop: threading.Event) -> bool:
    """Send one byte at a time; True when the server closed the connection meanwhile."""
    for byte in data:
        if stop.wait(every):
            return False
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return True
    return False


def timed_get(base: str, path: str) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def test_a_kept_alive_connection_must_send_each_request_in_time(index_dir: Path) -> None:
    with running_server(index_dir, 1, "--header-timeout", "2") as base:
        sock = socket.create_connection(("127.0.0.1", port_of(base)))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in sock.recv(4096)
        # The second request's headers, a byte every 0.5 s (each byte cancels uvicorn's
        # keep-alive timer): closed past the 2 s header timeout.
        stop = threading.Event()
        started = time.monotonic()
        closed = trickle(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40,
                         0.5, stop)
        assert closed or closed_by_server(sock, 1)
        assert time.monotonic() - started < 6
        sock.close()


@pytest.mark.parametrize("head", [
    b"GET /api/search?q=Council HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
    b"GET /api/search?q=Council HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
])
def test_a_trickled_body_is_cut_off_at_the_header_timeout(index_dir: Path, head: bytes) -> None:
    with running_server(index_dir, 1, "--header-timeout", "2") as base:
        sock = socket.create_connection(("127.0.0.1", port_of(base)))
        sock.sendall(head)
        stop = threading.Event()
        started = time.monotonic()
        closed = trickle(sock, b"3\r\nabc\r\n" * 20 if b"chunked" in head else b"x" * 40,
                         0.5, stop)
        assert closed or closed_by_server(sock, 1)
        assert time.monotonic() - started < 6
        sock.close()


@contextmanager
def hostile_connections(port: int, idle: int, trickling: int) -> Iterator[list[socket.socket]]:
    """`idle` connections that send nothing and `trickling` ones that send a request's head
    a byte a second, kept open (reopened when the server closes them) until the block ends."""
    stop = threading.Event()
    sockets: list[socket.socket] = []
    lock = threading.Lock()

    def open_socket() -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            return None
        with lock:
            sockets.append(sock)
        return sock

    def trickler() -> None:
        while not stop.is_set():
            sock = open_socket()
            if sock is None:
                stop.wait(0.5)
                continue
            trickle(sock, b"GET /search?q=Council HTTP/1.1\r\nHost: x\r\n" * 10, 1.0, stop)

    for _ in range(idle):
        open_socket()
    threads = [threading.Thread(target=trickler, daemon=True) for _ in range(trickling)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)  # all of them open, the trickling ones sending
        yield sockets
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        with lock:
            for sock in sockets:
                sock.close()


def test_the_default_flags_survive_idle_and_trickling_connections(index_dir: Path) -> None:
    with running_server(index_dir) as base, \
            hostile_connections(port_of(base), idle=500, trickling=200):
        for _ in range(5):
            status, seconds = timed_get(base, "/healthz")
            assert status == 200 and seconds < 1
            status, seconds = timed_get(base, "/api/search?q=Council")
            assert status == 200 and seconds < 1  # never a 503 for idle sockets
            time.sleep(0.5)


def test_exports_to_clients_that_do_not_read_are_few_and_dropped(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    from benchmarks.make_corpus import write_corpus
    from tests.servers import build_index

    folder = tmp_path_factory.mktemp("exports")
    # Long pages: an export of them all (6 MB) outgrows what the sockets buffer (4 MB).
    write_corpus(600, folder / "raw", seed=4, words=(1000, 1500))
    build_index(folder / "raw", folder / "index")
    with running_server(folder / "index", 1, "--max-exports", "2", "--export-timeout",
                        "2") as base:
        port = port_of(base)
        readers = []
        for _ in range(2):  # take both slots, then read nothing
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET /search.jsonl?q= HTTP/1.1\r\nHost: x\r\n\r\n")
            readers.append(sock)
        time.sleep(0.5)
        status, _ = timed_get(base, "/search.csv?q=security")
        assert status == 503  # no third export while two are being sent
        status, seconds = timed_get(base, "/api/search?q=security")
        assert status == 200 and seconds < 1
        # Past the send timeout the stuck exports are dropped and their slots free again.
        assert all(closed_by_server(sock, 10) for sock in readers)
        status, _ = timed_get(base, "/search.csv?q=security")
        assert status == 200


def wait_for(base: str, path: str, status: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            got, _ = timed_get(base, path)
        except OSError:
            got = None
        if got == status:
            return
        assert time.monotonic() < deadline, f"{path} never answered {status} (last: {got})"
        time.sleep(0.2)


def test_a_server_started_before_any_index_serves_it_once_built(tmp_path: Path) -> None:
    import os
    import subprocess

    from tests.servers import build_index, command, free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([command("csto-search"), "serve", "--index",
                                str(tmp_path / "index"), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ})
    try:
        wait_for(base, "/healthz", 503)  # up, and saying there is no index yet
        assert timed_get(base, "/api/search?q=Council")[0] == 503
        indexed({"page.txt": PAGE}, tmp_path / "raw", tmp_path / "index")
        wait_for(base, "/healthz", 200)
        build_index(tmp_path / "raw", tmp_path / "index")
        assert timed_get(base, "/api/search?q=Council")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_index_folder_that_is_a_link_is_followed_when_it_is_pointed_elsewhere(
        tmp_path: Path) -> None:
    import json

    indexed({"page.txt": PAGE}, tmp_path / "raw-a", tmp_path / "index-a")
    indexed({"page.txt": PAGE, "other.txt": PAGE.replace("Minsk", "Astana")},
                     tmp_path / "raw-b", tmp_path / "index-b")
    link = tmp_path / "index"
    link.symlink_to(tmp_path / "index-a")
    with running_server(link) as base:
        def total() -> int:
            with urllib.request.urlopen(base + "/api/search?q=", timeout=10) as response:
                return int(json.load(response)["total"])

        assert total() == 1
        swapped = tmp_path / "index-new"
        swapped.symlink_to(tmp_path / "index-b")
        swapped.replace(link)  # pointed elsewhere in one step
        deadline = time.monotonic() + 30
        while total() != 2:
            assert time.monotonic() < deadline, "the new target was never served"
            time.sleep(0.2)


def test_settings_reach_every_worker_process(index_dir: Path) -> None:
    """The settings build the app in each of the worker processes (no environment round
    trip): a limit set on the command line holds in all of them."""
    with running_server(index_dir, 2, "--max-page-size", "5", "--header-timeout", "1") as base:
        statuses = {timed_get(base, "/api/search?q=council&size=6")[0] for _ in range(12)}
        assert statuses == {400}
        assert timed_get(base, "/api/search?q=council&size=5")[0] == 200
        with socket.create_connection(("127.0.0.1", port_of(base))) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # never finished
            assert closed_by_server(sock, within=5)

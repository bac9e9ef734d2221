"""Attacks on a real `csto-search serve` with its default flags, and what they cost it.

    python benchmarks/hostile_http.py [--pages 20000] [--idle 500] [--trickling 200]
                                      [--readers 150]

On a synthetic corpus (made and indexed once, in benchmarks/out/hostile-N): the server's
answer times to real requests while idle and trickling connections are held open; its
memory (PSS of its process tree) while clients download exports without reading them, and
after they go; and a query that stands for every word of the index, with a plain search sent
meanwhile. Prints the figures of docs/reliability.md.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench import OUT, Server, process_tree_mb  # noqa: E402
from benchmarks.make_corpus import write_corpus  # noqa: E402
from tests.servers import build_index, command  # noqa: E402


def get(base: str, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def probe(base: str, rounds: int = 20) -> dict[str, float]:
    health, search, statuses = [], [], []
    for _ in range(rounds):
        status, ms = get(base, "/healthz")
        health.append(ms)
        statuses.append(status)
        status, ms = get(base, "/api/search?q=security+council")
        search.append(ms)
        statuses.append(status)
        time.sleep(0.1)
    return {"healthz_p50_ms": statistics.median(health), "healthz_max_ms": max(health),
            "search_p50_ms": statistics.median(search), "search_max_ms": max(search),
            "not_200": sum(status != 200 for status in statuses)}


def connections(port: int, idle: int, trickling: int, stop: threading.Event) -> list[socket.socket]:
    opened: list[socket.socket] = []

    def trickle() -> None:
        while not stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                stop.wait(0.5)
                continue
            opened.append(sock)
            for byte in b"GET /search?q=security HTTP/1.1\r\nHost: x\r\n" * 20:
                if stop.wait(1.0):
                    return
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break

    for _ in range(idle):
        opened.append(socket.create_connection(("127.0.0.1", port)))
    for _ in range(trickling):
        threading.Thread(target=trickle, daemon=True).start()
    return opened


def slow_readers(port: int, count: int) -> list[socket.socket]:
    readers = []
    for _ in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET /search.jsonl?q= HTTP/1.1\r\nHost: x\r\n\r\n")
        readers.append(sock)
    return readers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--trickling", type=int, default=200)
    parser.add_argument("--readers", type=int, default=150)
    args = parser.parse_args()
    folder = OUT / f"hostile-{args.pages}"
    if not (folder / "index").exists():
        write_corpus(args.pages, folder / "raw", seed=2)
        build_index(folder / "raw", folder / "index")
    server = Server([command("csto-search"), "serve", "--index", str(folder / "index"),
                     "--port", "{port}"], "/healthz")
    try:
        base, pid = server.base, server.process.pid
        print(f"{args.pages:,} pages; server PSS at rest {process_tree_mb(pid, 'Pss'):.0f} MB")
        print(f"quiet: {probe(base)}")

        stop = threading.Event()
        opened = connections(server.port, args.idle, args.trickling, stop)
        time.sleep(3)
        print(f"{args.idle} idle + {args.trickling} trickling connections: {probe(base)}")
        stop.set()
        for sock in opened:
            sock.close()

        rest = process_tree_mb(pid, "Pss")
        readers = slow_readers(server.port, args.readers)
        peak = rest
        for _ in range(10):
            time.sleep(1)
            peak = max(peak, process_tree_mb(pid, "Pss"))
        during = probe(base, rounds=5)
        print(f"{args.readers} export downloads that never read: PSS {rest:.0f} -> peak "
              f"{peak:.0f} MB; meanwhile {during}")
        refused = sum(get(base, "/search.csv?q=")[0] == 503 for _ in range(5))
        print(f"  further downloads refused while they hold the slots: {refused} of 5")
        time.sleep(35)  # past the export timeout the stuck downloads are dropped
        closed = 0
        for sock in readers:
            sock.settimeout(0.2)
            try:
                while sock.recv(65536):
                    pass
                closed += 1
            except (TimeoutError, OSError):
                closed += 0
            sock.close()
        print(f"  after the export timeout: PSS {process_tree_mb(pid, 'Pss'):.0f} MB; "
              f"a download again: status {get(base, '/search.csv?q=security')[0]}")

        results: dict[str, tuple[int, float]] = {}

        def huge() -> None:
            results["range"] = get(base, "/api/search?q=%5Ba+TO+z%5D")

        thread = threading.Thread(target=huge)
        thread.start()
        time.sleep(0.05)
        results["plain"] = get(base, "/api/search?q=security")
        thread.join()
        print(f"[a TO z]: status {results['range'][0]} in {results['range'][1]:.0f} ms; a plain "
              f"search meanwhile: {results['plain'][1]:.0f} ms")
    finally:
        server.stop()


if __name__ == "__main__":
    main()

"""Speed at scale: our indexer and search against tantivy, SQLite FTS5 and Datasette.

    python benchmarks/bench.py --pages 10000 [--long] [--json] [--skip-http] [--requests 300]

In one run, on the same synthetic corpus (made by make_corpus.py if missing; --long: pages of
1,000-1,500 words) and the same fixed query mix: indexing (pages/s, size, peak memory of the
process tree as RSS and as PSS), the admin's updates (adding 1 page, then 20 more, then
deleting them: seconds and pages cleaned again), in-process query latency (ours: ranked
top 10 + year and person facet counts + highlighted snippets; the peers: the closest
equivalent), and end-to-end HTTP latency and throughput at concurrency 1 and 8 for our app,
a tantivy app on the same Starlette/uvicorn stack (tantivy_app.py) and Datasette over FTS5.
Every figure is printed with its ratio to the peers measured in the same run. Needs the
`bench` extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import itertools
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.make_corpus import WORDS_PER_PAGE, write_corpus  # noqa: E402
from benchmarks.querymix import Query, long_query_mix, query_mix  # noqa: E402

BIN = Path(sys.executable).parent
OUT = REPO / "benchmarks" / "out"
PASSES = 3
LONG_PAGE_WORDS = (1000, 1500)
NEW_QUERIES_SEED = 8


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99),
            "mean": statistics.fmean(ordered)}


def process_tree_mb(pid: int, field: str = "VmRSS") -> float:
    """Memory of a process and all its descendants, in MB: resident (`VmRSS`, which counts
    pages shared by forked workers once per process) or proportional (`Pss`, which splits
    them between the processes sharing them, so the sum is what the tree really holds)."""
    source = "status" if field == "VmRSS" else "smaps_rollup"
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            text = Path(f"/proc/{current}/{source}").read_text()
            total += next(int(line.split()[1]) for line in text.splitlines()
                          if line.startswith(field + ":"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def run_measured(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command to its end: its wall time, the peak resident memory of its process tree
    (sampled every 50 ms), and the JSON it printed last."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})}, cwd=REPO)
    peak = [0.0, 0.0]

    def sample() -> None:
        # PSS is costly to read (every mapping of every process): every 10th sample only.
        for tick in itertools.count():
            if process.poll() is not None:
                break
            peak[0] = max(peak[0], process_tree_mb(process.pid))
            if tick % 10 == 0:
                peak[1] = max(peak[1], process_tree_mb(process.pid, "Pss"))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr.decode()[-3000:]}")
    last = [line for line in stdout.decode().splitlines() if line.startswith("{")]
    return {"seconds": seconds, "peak_rss_mb": peak[0], "peak_pss_mb": peak[1],
            "stdout": stdout.decode(), "output": json.loads(last[-1]) if last else None}


def folder_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


# --- in-process query workers (each engine in a process of its own) -------------------------

def worker(engine: str, pages: int, location: Path) -> dict[str, Any]:
    queries, long_queries = query_mix(pages), long_query_mix(pages)
    if engine == "ours":
        from indexer.engine import IndexSearcher, SearchRequest
        from indexer.store import IndexStore
        from indexer.synonyms import load_synonyms
        from search_app.current_index import START_SECONDS, warm

        current = IndexStore(location).current()
        assert current is not None
        searcher = IndexSearcher(current, synonyms=load_synonyms())  # as the app serves
        started = time.perf_counter()
        warm(searcher, [], START_SECONDS)  # as a starting server does before serving
        start_warming = time.perf_counter() - started

        def run(q: Query) -> None:
            searcher.search(SearchRequest(q.ours, filters=q.filters))
    elif engine == "tantivy":
        from benchmarks.peers import TantivySearch

        tantivy_search = TantivySearch(location)

        def run(q: Query) -> None:
            tantivy_search.search(q.tantivy, q.year, q.person)
    else:
        from benchmarks.peers import Fts5Search

        fts = Fts5Search(location)

        def run(q: Query) -> None:
            fts.search(q.fts5, q.year, q.person)

    # The first pass, on a freshly opened index (a server just started), is timed apart:
    # caches of term postings (ours) and of the OS (all) are then cold, which a steady
    # stream of queries is not; it runs the mix and the long queries. The measured passes
    # repeat the mix, then the long queries (questions and descriptions of 6-10 words); a
    # last pass of 100 other queries (another seed) shows what a warm index gives queries it
    # has not seen.
    timings: dict[str, list[float]] = {"first": [], "all": [], "phrase": [], "long": [],
                                       "new": []}
    passes = [("first", queries + long_queries)] + [("all", queries)] * PASSES + [
        ("long", long_queries)] * PASSES + [("new", query_mix(pages, seed=NEW_QUERIES_SEED))]
    for kind, mix in passes:
        for q in mix:
            started = time.perf_counter()
            run(q)
            elapsed = (time.perf_counter() - started) * 1000
            timings[kind].append(elapsed)
            if kind == "all" and q.kind == "phrase":
                timings["phrase"].append(elapsed)
    figures: dict[str, Any] = {}
    if engine == "ours":
        timings["switched"] = _first_pass(location, queries, warmed=True)
        timings["unwarmed"] = _first_pass(location, queries + long_queries, warmed=False)
        figures["start_warming_s"] = start_warming
    return figures | {kind: percentiles(samples) for kind, samples in timings.items()}


def _first_pass(location: Path, queries: list[Query], warmed: bool) -> list[float]:
    """The mix on a fresh searcher of the same generation: `warmed` as the server does at a
    switch (with recent traffic, the mix just run, and the most frequent words), or not
    (what warming saves)."""
    from indexer.engine import IndexSearcher, SearchRequest
    from indexer.store import IndexStore
    from indexer.synonyms import load_synonyms
    from search_app.current_index import WARM_SECONDS, warm

    current = IndexStore(location).current()
    assert current is not None
    fresh = IndexSearcher(current, synonyms=load_synonyms())
    if warmed:
        warm(fresh, [q.ours for q in queries], WARM_SECONDS)
    samples = []
    for q in queries:
        started = time.perf_counter()
        fresh.search(SearchRequest(q.ours, filters=q.filters))
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# --- HTTP ------------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, command: list[str], ready_path: str, env: dict[str, str] | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [part.replace("{port}", str(self.port)) for part in command]
        self.process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **(env or {})},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{command[0]} stopped: {self.process.stderr.read().decode()}")
            try:
                status, _ = fetch(http.client.HTTPConnection("127.0.0.1", self.port, timeout=60),
                                  ready_path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{command[0]} did not answer {ready_path} with 200 in time")

    def rss_mb(self) -> float:
        return process_tree_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def fetch(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def load(base: str, paths: list[str], concurrency: int) -> dict[str, Any]:
    """Send every path once, from `concurrency` keep-alive clients; latencies and rate."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    host = urlsplit(base)

    def client(share: list[str]) -> None:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        for path in share:
            started = time.perf_counter()
            try:
                status, _ = fetch(connection, path)
            except (OSError, http.client.HTTPException):
                status = 0
                connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += status != 200

    shares = [paths[i::concurrency] for i in range(concurrency)]
    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {**percentiles(latencies), "rps": len(paths) / seconds, "failures": failures[0],
            "requests": len(paths)}


def http_paths(engine: str, queries: list[Query], database: str) -> list[str]:
    if engine == "ours":
        return [f"/api/search?{q.params(q.ours)}" for q in queries]
    if engine == "tantivy":
        return [f"/api/search?{q.params(q.tantivy)}" for q in queries]
    paths = []
    for q in queries:
        filters = "".join([f"&year={q.year}" if q.year else "",
                           f"&people__arraycontains={q.person}" if q.person else ""])
        paths.append(f"/{database}/docs.json?_search={quote(q.fts5)}&_searchmode=raw&_size=10"
                     f"&_facet=year&_facet_array=people{filters.replace(' ', '+')}")
    return paths


def measure_http(pages: int, index_dir: Path, tantivy_dir: Path, fts_db: Path,
                 requests: int, skip_datasette: bool) -> dict[str, Any]:
    queries = query_mix(pages)
    first = queries + long_query_mix(pages)
    repeated = (queries * (requests // len(queries) + 1))[:requests]
    servers: dict[str, Callable[[], Server]] = {
        "ours": lambda: Server([str(BIN / "csto-search"), "serve", "--index", str(index_dir),
                                "--port", "{port}"], "/healthz"),
        "tantivy": lambda: Server([str(BIN / "uvicorn"), "--factory",
                                   "benchmarks.tantivy_app:create_app", "--port", "{port}",
                                   "--log-level", "warning", "--no-access-log"],
                                  "/api/search?q=csto", {"TANTIVY_INDEX": str(tantivy_dir)}),
    }
    if not skip_datasette:
        servers["datasette"] = lambda: Server(
            [str(BIN / "datasette"), "serve", str(fts_db), "--port", "{port}",
             "--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "20000",
             "--setting", "facet_time_limit_ms", "20000"], f"/{fts_db.stem}/docs.json?_size=1")
    results: dict[str, Any] = {}
    for engine, start in servers.items():
        server = start()
        try:
            paths = http_paths(engine, repeated, fts_db.stem)
            # The first pass right after the server started (and said it is ready).
            fresh = load(server.base, http_paths(engine, first, fts_db.stem), 1)
            load(server.base, paths[: len(queries)], 1)  # warm up
            results[engine] = {f"c{c}": load(server.base, paths, c) for c in (1, 8)}
            results[engine]["fresh"] = fresh
            results[engine]["rss_mb"] = server.rss_mb()
        finally:
            server.stop()
    return results


# --- the run ---------------------------------------------------------------------------------

def export_documents(index_dir: Path, path: Path) -> None:
    from indexer.engine import stored_documents
    from indexer.store import IndexStore

    current = IndexStore(index_dir).current()
    assert current is not None
    with path.open("w", encoding="utf-8") as out:
        for record in stored_documents(current):
            day = record.get("date")
            out.write(json.dumps({"id": record["id"], "title": record.get("title"),
                                  "body": record.get("body", ""),
                                  "date": day.isoformat() if day else None,
                                  "year": day.year if day else None,
                                  "people": record["person"]}) + "\n")


def versions() -> dict[str, str]:
    names = ["whoosh-reloaded", "tantivy", "datasette", "starlette", "uvicorn"]
    found = {name: importlib.metadata.version(name) for name in names
             if _installed(name)}
    return {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "cpus": str(os.cpu_count()), **found}


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


UPDATE_PAGES = (1, 20)  # pages added by the measured updates, one update each
_CLEANED = re.compile(r"\((\d+) cleaned now")


def measure_updates(corpus: Path, index_dir: Path, words: tuple[int, int]) -> dict[str, Any]:
    """`csto-index update` after adding 1 page, then 20 more, then deleting those 21."""
    extra, added = OUT / f"extra-{words[0]}-{words[1]}", corpus / "zz-bench-added"
    if not (extra / "manifest.jsonl").exists():
        write_corpus(sum(UPDATE_PAGES), extra, seed=99, words=words)
    new_pages = sorted(extra.rglob("*.txt"))
    shutil.rmtree(added, ignore_errors=True)
    added.mkdir()
    results: dict[str, Any] = {}

    def update(label: str) -> None:
        result = run_measured([str(BIN / "csto-index"), "update", str(corpus), "--index",
                               str(index_dir)])
        cleaned = _CLEANED.search(result["stdout"])
        results[label] = {"seconds": result["seconds"], "peak_pss_mb": result["peak_pss_mb"],
                          "cleaned": int(cleaned.group(1)) if cleaned else None,
                          "said": result["stdout"].strip().splitlines()[:1]}

    taken = 0
    for count in UPDATE_PAGES:
        for path in new_pages[taken:taken + count]:
            shutil.copy(path, added / f"{taken}-{path.name}")
            taken += 1
        update(f"add {count}")
    shutil.rmtree(added)
    update(f"delete {taken}")
    return results


def build_all(corpus: Path, index_dir: Path, tantivy_dir: Path, fts_db: Path,
              docs: Path, files: int) -> dict[str, Any]:
    """Build ours and the peers from scratch."""
    for path in (index_dir, tantivy_dir):
        shutil.rmtree(path, ignore_errors=True)
    ours = run_measured([str(BIN / "csto-index"), "build", str(corpus), "--index",
                         str(index_dir)])
    export_documents(index_dir, docs)
    peers = {name: run_measured([sys.executable, "benchmarks/peers.py", f"build-{name}",
                                 str(docs), str(target)])
             for name, target in (("tantivy", tantivy_dir), ("fts5", fts_db))}
    build = {
        "ours": {"seconds": ours["seconds"], "pages_per_s": files / ours["seconds"],
                 "size_mb": folder_mb(index_dir), "peak_rss_mb": ours["peak_rss_mb"],
                 "peak_pss_mb": ours["peak_pss_mb"]},
        **{name: {"seconds": result["seconds"], "pages_per_s": files / result["seconds"],
                  "size_mb": folder_mb(target), "peak_rss_mb": result["peak_rss_mb"],
                  "peak_pss_mb": result["peak_pss_mb"]}
           for (name, result), target in zip(peers.items(), (tantivy_dir, fts_db),
                                             strict=True)},
    }
    return build


def run(pages: int, requests: int, skip_http: bool, skip_datasette: bool,
        words: tuple[int, int] | None = None, reuse: bool = False) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    tag = f"{pages // 1000}k" if pages % 1000 == 0 else str(pages)
    if words:
        tag += "-long"
    corpus, index_dir = OUT / f"corpus-{tag}", OUT / f"index-{tag}"
    tantivy_dir, fts_db = OUT / f"tantivy-{tag}", OUT / f"fts-{tag}.db"
    if not (corpus / "manifest.jsonl").exists():
        write_corpus(pages, corpus, seed=1, words=words or WORDS_PER_PAGE)
    files = sum(1 for _ in corpus.rglob("*.txt"))
    report: dict[str, Any] = {"pages": pages, "files": files, "versions": versions(),
                              "words": list(words or WORDS_PER_PAGE)}
    if reuse:  # an earlier run's indexes (its updates left ours as its build made it)
        missing = [str(path) for path in (index_dir, tantivy_dir, fts_db) if not path.exists()]
        if missing:
            raise SystemExit(f"--reuse needs an earlier run's indexes: {missing}")
    else:
        report["build"] = build_all(corpus, index_dir, tantivy_dir, fts_db,
                                    OUT / f"docs-{tag}.jsonl", files)
    report["update"] = measure_updates(corpus, index_dir, words or WORDS_PER_PAGE)
    report["query"] = {
        name: run_measured([sys.executable, __file__, "--worker", name, "--pages", str(pages),
                            "--location", str(location)])["output"]
        for name, location in (("ours", index_dir), ("tantivy", tantivy_dir),
                               ("fts5", fts_db))}
    if not skip_http:
        try:
            report["http"] = measure_http(pages, index_dir, tantivy_dir, fts_db, requests,
                                          skip_datasette)
        except RuntimeError as error:  # a server that did not start: the rest still stands
            report["http_error"] = str(error)
    return report


def ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:.1f}x" if theirs else "-"


def print_build(build: dict[str, Any]) -> None:
    print("\nindexing           seconds  pages/s  size MB  peak RSS MB  peak PSS MB "
          "(process tree)")
    for name, row in build.items():
        print(f"  {name:15} {row['seconds']:8.1f} {row['pages_per_s']:8.0f} "
              f"{row['size_mb']:8.1f} {row['peak_rss_mb']:11.0f} {row['peak_pss_mb']:12.0f}")
    print(f"  ours is {ratio(build['ours']['seconds'], build['tantivy']['seconds'])} tantivy's "
          f"time, {ratio(build['ours']['seconds'], build['fts5']['seconds'])} FTS5's "
          "(ours includes cleaning the raw pages; the peers index the clean documents)")


def print_updates(updates: dict[str, Any], build: dict[str, Any] | None) -> None:
    print("\ncsto-index update   seconds  pages cleaned again  peak PSS MB")
    for label, row in updates.items():
        cleaned = "-" if row["cleaned"] is None else row["cleaned"]
        print(f"  {label:15} {row['seconds']:8.1f} {cleaned:>20} "
              f"{row['peak_pss_mb']:12.0f}  {' '.join(row.get('said', []))[:60]}")
    built = f"a full build: {build['ours']['seconds']:.1f} s; " if build else ""
    print(f"  ({built}the update's time includes starting the command)")


def print_report(report: dict[str, Any]) -> None:
    words = "-".join(map(str, report.get("words", WORDS_PER_PAGE)))
    print(f"\n== {report['pages']:,} pages of {words} words ({report['files']:,} files) ==  "
          + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    if "build" in report:
        print_build(report["build"])
    print_updates(report["update"], report.get("build"))
    query = report["query"]
    print("\nin-process query ms   p50     p95     p99   phrase p95   long p50   p95"
          "   first pass p50  p95   new queries p50  p95")
    missing = {"p50": float("nan"), "p95": float("nan")}
    for name, row in query.items():
        first, new = row.get("first", missing), row.get("new", missing)
        long = row.get("long", missing)
        print(f"  {name:15} {row['all']['p50']:7.2f} {row['all']['p95']:7.2f} "
              f"{row['all']['p99']:7.2f} {row['phrase']['p95']:9.2f}   {long['p50']:8.2f} "
              f"{long['p95']:6.2f}   {first['p50']:12.2f} {first['p95']:6.2f}   "
              f"{new['p50']:13.2f} {new['p95']:6.2f}")
    for stat in ("p50", "p95"):
        print(f"  ours {stat}: {ratio(query['ours']['all'][stat], query['tantivy']['all'][stat])}"
              f" tantivy, {ratio(query['ours']['all'][stat], query['fts5']['all'][stat])} FTS5;"
              f" long queries {ratio(query['ours']['long'][stat], query['tantivy']['long'][stat])}"
              f" tantivy; first pass after a fresh start "
              f"{ratio(query['ours']['first'][stat], query['tantivy']['first'][stat])} tantivy")
    if "switched" in query["ours"]:
        switched, cold = query["ours"]["switched"], query["tantivy"]["first"]
        print(f"  ours, first pass after a warmed switch: p50 {switched['p50']:.2f}, p95 "
              f"{switched['p95']:.2f} ms = {ratio(switched['p95'], cold['p95'])} tantivy's "
              "first pass at p95")
    if "unwarmed" in query["ours"]:
        unwarmed = query["ours"]["unwarmed"]
        print(f"  ours, first pass on a searcher nobody warmed: p50 {unwarmed['p50']:.2f}, p95 "
              f"{unwarmed['p95']:.2f} ms; a start warms for "
              f"{query['ours']['start_warming_s']:.1f} s before serving")
    if "http_error" in report:
        print(f"\nHTTP not measured: {report['http_error']}")
    if "http" in report:
        http_results = report["http"]
        print("\nHTTP /api/search ms   conc   p50     p95     p99    req/s  failures  "
              "RSS MB after")
        for name, row in http_results.items():
            for c in ("c1", "c8"):
                r = row[c]
                print(f"  {name:15} {c[1:]:>4} {r['p50']:7.1f} {r['p95']:7.1f} {r['p99']:7.1f} "
                      f"{r['rps']:8.1f} {r['failures']:8d} {row['rss_mb']:7.0f}")
        for name, row in http_results.items():
            fresh = row["fresh"]
            print(f"  {name:15} first pass after a fresh start, c=1: p50 {fresh['p50']:.1f}, "
                  f"p95 {fresh['p95']:.1f} ms")
        ours_fresh, their_fresh = http_results["ours"]["fresh"], http_results["tantivy"]["fresh"]
        print(f"  first pass after a fresh start: ours p50 "
              f"{ratio(ours_fresh['p50'], their_fresh['p50'])} / p95 "
              f"{ratio(ours_fresh['p95'], their_fresh['p95'])} of the tantivy app")
        for c in ("c1", "c8"):
            ours = http_results["ours"][c]
            reference = http_results["tantivy"][c]
            line = [f"  c={c[1:]}: ours p50 {ratio(ours['p50'], reference['p50'])} / p95 "
                    f"{ratio(ours['p95'], reference['p95'])} of the tantivy app"]
            if "datasette" in http_results:
                ds = http_results["datasette"][c]
                line.append(f"Datasette p50 {ratio(ds['p50'], ours['p50'])} / p95 "
                            f"{ratio(ds['p95'], ours['p95'])} of ours")
            print("; ".join(line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, action="append",
                        help="corpus size; repeat for several (default 10000)")
    parser.add_argument("--requests", type=int, default=300, help="HTTP requests per run")
    parser.add_argument("--long", action="store_true",
                        help="pages of 1,000-1,500 words (statements, interviews)")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="measure updates and queries on an earlier run's indexes "
                             "(no build)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--worker", choices=("ours", "tantivy", "fts5"), help=argparse.SUPPRESS)
    parser.add_argument("--location", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.pages[0], args.location)))
        return
    reports = [run(pages, args.requests, args.skip_http, args.skip_datasette,
                   LONG_PAGE_WORDS if args.long else None, args.reuse)
               for pages in args.pages or [10000]]
    for report in reports:
        print_report(report)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1))


if __name__ == "__main__":
    main()

"""Property-based requests: whatever a visitor sends, the answer is never a 500, and no single
request occupies the server for long. Run with -s to see the figures."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from indexer.building.builder import build
from indexer.store import IndexStore
from search_app.app import create_app
from search_app.settings import Settings
from tests.conftest import SEEDS

EXAMPLES = int(os.environ.get("CSTO_FUZZ_EXAMPLES", "10000"))
SLOW_REQUEST_S = 1.0
timings: list[float] = []

words = st.sampled_from(["Semerikov", "joint", "staff", "training*", "sec*", "a*", "*", "?",
                         "AND", "OR", "NOT", "-", "+", '"', "(", ")", "title:", "person:",
                         "year:", "body:", "year:2024", "~", "^2", "\\", "[", "]", "{", "}",
                         "to", ":", "*ation", "t?n", "Zas", "Valeriy", "2019", "<script>"])
queries = st.one_of(
    st.text(max_size=60),
    st.lists(words, max_size=12).map(" ".join),
    st.text(alphabet="()\"*?-+:~^", max_size=40),
    st.integers(min_value=0, max_value=300).map(lambda depth: "(" * depth + "a" + ")" * depth),
    st.just("a" * 10_000),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30),
)
numbers = st.one_of(st.integers(-10**20, 10**20).map(str), st.text(max_size=8),
                    st.sampled_from(["", "1", "0", "-1", "1e9", "NaN", "1.5", "١"]))
params = st.fixed_dictionaries({}, optional={
    "q": queries,
    "page": numbers,
    "size": numbers,
    "sort": st.one_of(st.sampled_from(["relevance", "newest", "oldest"]), st.text(max_size=10)),
    "year": st.lists(st.one_of(st.sampled_from(["2019", "2024"]), st.text(max_size=6)),
                     max_size=25),
    "person": st.lists(st.one_of(st.sampled_from(["Valery Semerikov"]), st.text(max_size=300)),
                       max_size=4),
    "from": st.one_of(st.sampled_from(["2019", "2020-02", "2021-02-30"]), st.text(max_size=12)),
    "to": st.one_of(st.sampled_from(["2024", "2023-12-31"]), st.text(max_size=12)),
})
paths = st.sampled_from(["/search", "/api/search", "/search.atom", "/"])


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = IndexStore(tmp_path_factory.mktemp("index"))
    build(SEEDS, store)
    with TestClient(create_app(Settings(index_dir=store.root))) as test_client:
        yield test_client
    if timings:
        ordered = sorted(timings)
        figures = {"requests": len(ordered),
                   "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
                   "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1),
                   "max_ms": round(ordered[-1] * 1000, 1)}
        print("\nfuzzed requests:", json.dumps(figures))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=paths, query=params)
def test_no_request_fails_or_takes_long(client: TestClient, path: str,
                                        query: dict[str, object]) -> None:
    started = time.perf_counter()
    response = client.get(path, params=query)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    timings.append(elapsed)
    assert response.status_code in (200, 400), (response.status_code, response.text[:500])
    assert elapsed < SLOW_REQUEST_S, (query, elapsed)
    if response.status_code == 400 and path.startswith("/api/"):
        assert response.json()["error"]


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc_id=st.text(max_size=300))
def test_any_document_address_is_a_page_or_a_404(client: TestClient, doc_id: str) -> None:
    response = client.get("/doc/" + quote(doc_id, safe=""))
    assert response.status_code in (200, 404)


def test_documents_fixture_is_not_empty(client: TestClient) -> None:
    assert client.get("/healthz").json()["documents"] == 5
